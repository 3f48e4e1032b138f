package keystore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/keystore"
	"github.com/m2mport/m2mport/keystore/keystoretest"
)

// An external test: it uses keystoretest, which imports keystore.

var acme = client.SourceCredentials{Domain: "acme.us.auth0.com", ClientID: "mgmt-app-1", Secret: client.NewSecret("s3cr3t-acme-DzJj")}

func env() func(string) string { return func(string) string { return "" } }

// When the keyring can't be used the session keeps credentials in memory, says why, and
// writes nothing anywhere a file-based fallback would.
func TestOpenSessionFallsBackToMemoryNeverToAFile(t *testing.T) {
	ctx := context.Background()
	root := keystoretest.IsolateFiles(t)
	keyring.MockInitWithError(errors.New(`exec: "dbus-launch": executable file not found in $PATH`))

	s, unavailable := keystore.OpenSession(ctx, env())
	if !errors.Is(unavailable, keystore.ErrUnavailable) || s == nil || !strings.Contains(s.Where(), "memory") {
		t.Fatalf("OpenSession = %v (%v); want a memory store and the reason", s, unavailable)
	}
	if err := s.SaveSource(ctx, acme); err != nil {
		t.Fatal(err)
	}
	if got, err := s.LoadSource(ctx, ""); err != nil || !got.Equal(acme) {
		t.Fatalf("memory store: %+v, %v", got, err)
	}
	if keyringStore, _ := keystore.Open(env()); keyringStore.SaveSource(ctx, acme) == nil {
		t.Fatal("saving to an unavailable keyring succeeded")
	}
	keystoretest.AssertNoFileContains(t, root, acme.Secret.Reveal())

	keyring.MockInit()
	if s, unavailable := keystore.OpenSession(ctx, env()); unavailable != nil || !strings.Contains(s.Where(), "OS keyring") {
		t.Fatalf("OpenSession with a keyring = %v, %v", s.Where(), unavailable)
	}
}
