package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
	"github.com/m2mport/m2mport/keystore"
	"github.com/m2mport/m2mport/keystore/keystoretest"
)

// These drive login end to end: the real Auth0 and Stytch clients verify against the
// sandbox's emulators, and the credentials land in a keystore.

// realRun runs m2mport with the real API clients and the given keystore.
func realRun(t *testing.T, store keystore.Store, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runEnv(t, &Env{Getenv: getenv(nil), Keystore: store}, stdin, args...)
}

func TestLoginVerifiesAgainstTheAPIs(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{ManagementScopes: []string{"read:clients", "read:client_grants", "read:resource_servers"}})
	a, s := sb.Auth0(), sb.Stytch()
	store := keystore.NewMemory()

	code, out, errOut := realRun(t, store, a.ClientSecret+"\n", "login", "auth0", "--domain", a.Domain, "--client-id", a.ClientID, "--secret-stdin")
	if code != ExitOK {
		t.Fatalf("login auth0: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"Verified Auth0 tenant acme: ", "missing read:client_keys", "Saved in memory"} {
		if !strings.Contains(out, want) {
			t.Errorf("login auth0 output lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = realRun(t, store, s.Secret, "login", "stytch", "--project-id", s.ProjectID, "--base-url", s.URL, "--secret-stdin")
	if code != ExitOK || !strings.Contains(out, "Verified Stytch test project "+s.ProjectID) {
		t.Fatalf("login stytch: exit %d\n%s%s", code, out, errOut)
	}
	for _, text := range []string{out, errOut} {
		if strings.Contains(text, a.ClientSecret) || strings.Contains(text, s.Secret) {
			t.Errorf("output holds a secret:\n%s", text)
		}
	}

	// What status then resolves is what the APIs accepted.
	src := resolveSource(context.Background(), client.SourceCredentials{}, getenv(nil), store)
	tgt := resolveTarget(context.Background(), client.TargetCredentials{}, getenv(nil), store)
	if src.ClientID != a.ClientID || src.Secret.Reveal() != a.ClientSecret || tgt.BaseURL != s.URL || tgt.Secret.Reveal() != s.Secret {
		t.Fatalf("saved %+v / %+v", src, tgt)
	}
}

func TestLoginWithCredentialsTheAPIRefusesSavesNothing(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	a, s := sb.Auth0(), sb.Stytch()
	store := keystore.NewMemory()

	code, out, errOut := realRun(t, store, "not-the-secret", "login", "auth0", "--domain", a.Domain, "--client-id", a.ClientID, "--secret-stdin")
	if code != ExitFailed || !strings.Contains(errOut, "did not work, so nothing was saved") || strings.Contains(out, "Saved") {
		t.Fatalf("login auth0: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = realRun(t, store, "not-the-secret", "login", "stytch", "--project-id", s.ProjectID, "--base-url", s.URL, "--secret-stdin")
	if code != ExitFailed || !strings.Contains(errOut, "did not work, so nothing was saved") {
		t.Fatalf("login stytch: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := store.LoadSource(context.Background(), ""); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("refused Auth0 credentials were saved: %v", err)
	}
	if _, err := store.LoadTarget(context.Background(), ""); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("refused Stytch credentials were saved: %v", err)
	}
}

// After login, the secret is in the keyring and in no file: not under $HOME, the XDG
// directories, $TMPDIR or the working directory. With a real Secret Service (CI), that
// includes gnome-keyring's own files, which must hold it encrypted.
func TestLoginWritesTheSecretToNoFile(t *testing.T) {
	for _, name := range []string{"memory", "OS keyring"} {
		t.Run(name, func(t *testing.T) {
			var store keystore.Store = keystore.NewMemory()
			if name == "OS keyring" {
				store = keystoretest.Real(t)
			}
			keyringFiles := filepath.Join(os.Getenv("XDG_DATA_HOME"), "keyrings")
			sb := sandboxtest.Start(t, sandbox.Options{})
			s := sb.Stytch()
			root := keystoretest.IsolateFiles(t)

			code, out, errOut := realRun(t, store, s.Secret, "login", "stytch", "--project-id", s.ProjectID, "--base-url", s.URL, "--secret-stdin")
			if code != ExitOK {
				t.Fatalf("login: exit %d\n%s%s", code, out, errOut)
			}
			if got, err := store.LoadTarget(context.Background(), s.ProjectID); err != nil || got.Secret.Reveal() != s.Secret {
				t.Fatalf("not saved: %+v, %v", got, err)
			}
			if strings.Contains(out+errOut, s.Secret) {
				t.Errorf("output shows the secret")
			}
			keystoretest.AssertNoFileContains(t, root, s.Secret)
			if name == "OS keyring" && os.Getenv("XDG_DATA_HOME") != "" {
				keystoretest.AssertNoFileContains(t, keyringFiles, s.Secret)
			}
		})
	}
}

// TestLogoutAllSaysTheReportKeyWentToo: logout --all removes every m2mport entry, the run
// reports' key with them; it says so, and what that costs (undo then needs
// --unauthenticated), once: a second logout --all has no key to speak of.
func TestLogoutAllSaysTheReportKeyWentToo(t *testing.T) {
	ctx := context.Background()
	store := keystoretest.Real(t).Store
	if _, err := keystore.ReportKey(ctx, store); err != nil {
		t.Fatal(err)
	}
	s := &session{store: store}
	code, out, errOut := s.run(t, "logout", "--all")
	if code != ExitOK || !strings.Contains(out, "Removed the run reports' key too") || !strings.Contains(out, "--unauthenticated") {
		t.Fatalf("logout --all: exit %d\n%s%s", code, out, errOut)
	}
	if keystore.HasReportKey(ctx, store) {
		t.Fatal("the report key survived logout --all")
	}
	if code, out, _ := s.run(t, "logout", "--all"); code != ExitOK || strings.Contains(out, "reports' key") {
		t.Fatalf("second logout --all: exit %d, %q", code, out)
	}
}
