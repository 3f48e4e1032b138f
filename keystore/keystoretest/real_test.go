package keystoretest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/keystore"
)

// These run against the real OS keyring (a Secret Service on Linux). keystore's own tests
// cover the same ground against go-keyring's mock, plus what a mock can't fake (hangs).

func TestRealKeyringRoundTripOverwriteAndForget(t *testing.T) {
	ctx := context.Background()
	kr := Real(t)
	acme := client.SourceCredentials{Domain: "https://acme.us.auth0.com/", ClientID: "mgmt-app-1", Secret: client.NewSecret("real-keyring-secret-ÄÖü-🔑-DzJj")}
	proj := client.TargetCredentials{ProjectID: "project-test-real", Secret: client.NewSecret("secret-test-real-WXYZ"), BaseURL: "http://127.0.0.1:4567"}

	if _, err := kr.LoadSource(ctx, ""); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("fresh service: %v, want ErrNotFound", err)
	}
	if err := kr.SaveSource(ctx, acme); err != nil {
		t.Fatal(err)
	}
	if err := kr.SaveTarget(ctx, proj); err != nil {
		t.Fatal(err)
	}
	if got, err := kr.LoadSource(ctx, "acme.us.auth0.com"); err != nil || !got.Equal(acme) {
		t.Fatalf("LoadSource = %+v, %v", got, err)
	}
	if got, err := kr.LoadTarget(ctx, ""); err != nil || !got.Equal(proj) {
		t.Fatalf("LoadTarget = %+v, %v", got, err)
	}
	// The entry is in the keyring itself, not only in this process.
	if v, err := keyring.Get(kr.Service, "auth0:acme.us.auth0.com"); err != nil || !strings.Contains(v, `"client_id":"mgmt-app-1"`) {
		t.Fatalf("keyring entry: %q, %v", v, err)
	}

	rotated := acme
	rotated.Secret = client.NewSecret("rotated-0000")
	if err := kr.SaveSource(ctx, rotated); err != nil {
		t.Fatal(err)
	}
	if got, err := kr.LoadSource(ctx, ""); err != nil || !got.Equal(rotated) {
		t.Fatalf("after overwrite: %+v, %v", got, err)
	}

	names, err := kr.Forget(ctx, keystore.Auth0)
	if err != nil || strings.Join(names, ",") != "acme.us.auth0.com" {
		t.Fatalf("Forget = %v, %v", names, err)
	}
	if _, err := kr.LoadSource(ctx, ""); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("after Forget: %v", err)
	}
	if got, err := kr.LoadTarget(ctx, ""); err != nil || !got.Equal(proj) {
		t.Fatalf("Forget(auth0) touched stytch: %+v, %v", got, err)
	}
	if err := kr.ForgetAll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.LoadTarget(ctx, ""); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("after ForgetAll: %v", err)
	}
}

func TestRealKeyringTooBig(t *testing.T) {
	kr := Real(t)
	big := client.TargetCredentials{ProjectID: "project-test-big", Secret: client.NewSecret(strings.Repeat("z", 3000))}
	if err := kr.SaveTarget(context.Background(), big); !errors.Is(err, keystore.ErrTooBig) {
		t.Fatalf("SaveTarget(3000-byte secret) = %v, want ErrTooBig", err)
	}
}

// The Secret Service keeps its items on disk encrypted: the saved secret must not appear in
// its files (gnome-keyring keeps them in $XDG_DATA_HOME/keyrings).
func TestRealKeyringKeepsNoPlainTextOnDisk(t *testing.T) {
	ctx := context.Background()
	kr := Real(t)
	secret := "plain-text-canary-" + kr.Service
	if err := kr.SaveTarget(ctx, client.TargetCredentials{ProjectID: "project-test-canary", Secret: client.NewSecret(secret)}); err != nil {
		t.Fatal(err)
	}
	dataHome := os.Getenv("XDG_DATA_HOME")
	if dataHome == "" {
		home, _ := os.UserHomeDir()
		dataHome = filepath.Join(home, ".local", "share")
	}
	if dir := filepath.Join(dataHome, "keyrings"); AssertNoFileContains(t, dir, secret) == 0 {
		t.Skipf("no keyring files under %s to inspect (not gnome-keyring?)", dir)
	}
}

// The report key is made on first use and kept: a second run, another process, reads the
// same key, so reports one run wrote authenticate for the next.
func TestRealKeyringKeepsTheReportKey(t *testing.T) {
	ctx := context.Background()
	kr := Real(t)
	first, err := keystore.ReportKey(ctx, kr.Store)
	if err != nil {
		t.Fatal(err)
	}
	again, err := keystore.ReportKey(ctx, kr.Store)
	if err != nil || len(first) != client.ReportKeySize || string(first) != string(again) {
		t.Fatalf("report key: %d bytes, the same again: %v (%v)", len(first), string(first) == string(again), err)
	}
}
