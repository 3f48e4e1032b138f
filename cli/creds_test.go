package cli

import (
	"context"
	"errors"
	"testing"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/keystore"
)

// Credentials the tests use: those saved in a test's keyring, and the Auth0 tenant and
// Stytch project the fake APIs of login_test.go accept.
var (
	savedAcme   = client.SourceCredentials{Domain: "acme.us.auth0.com", ClientID: "saved-id", Secret: client.NewSecret("saved-secret-AAAA")}
	savedGlobex = client.SourceCredentials{Domain: "globex.eu.auth0.com", ClientID: "globex-id", Secret: client.NewSecret("globex-secret-GGGG")}
	savedProj   = client.TargetCredentials{ProjectID: "project-test-saved", Secret: client.NewSecret("saved-stytch-SSSS"), BaseURL: "http://127.0.0.1:4567"}

	goodSource = client.SourceCredentials{Domain: "acme.us.auth0.com", ClientID: "mgmt-app", Secret: client.NewSecret("known-auth0-secret-DzJj")}
	goodTarget = client.TargetCredentials{ProjectID: "project-test-1234", Secret: client.NewSecret("known-stytch-secret-Q9x2"), BaseURL: "http://127.0.0.1:4567"}
)

func getenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func memoryWith(t *testing.T, sources []client.SourceCredentials, targets []client.TargetCredentials) keystore.Store {
	t.Helper()
	s := keystore.NewMemory()
	for _, c := range sources {
		if err := s.SaveSource(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range targets {
		if err := s.SaveTarget(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// failingStore is a keyring that can't be used, and counts how often it was asked.
type failingStore struct {
	err   error
	calls int
}

func unavailable() *failingStore {
	return &failingStore{err: &keystore.Error{Op: "load auth0", Kind: keystore.ErrUnavailable, Hint: "Install gnome-keyring (test hint)."}}
}

func (f *failingStore) Where() string                   { return "the OS keyring (test)" }
func (f *failingStore) Check(context.Context) error     { f.calls++; return f.err }
func (f *failingStore) ForgetAll(context.Context) error { f.calls++; return f.err }
func (f *failingStore) SaveSource(context.Context, client.SourceCredentials) error {
	f.calls++
	return f.err
}
func (f *failingStore) SaveTarget(context.Context, client.TargetCredentials) error {
	f.calls++
	return f.err
}
func (f *failingStore) LoadSource(context.Context, string) (client.SourceCredentials, error) {
	f.calls++
	return client.SourceCredentials{}, f.err
}
func (f *failingStore) LoadTarget(context.Context, string) (client.TargetCredentials, error) {
	f.calls++
	return client.TargetCredentials{}, f.err
}
func (f *failingStore) Forget(context.Context, keystore.Side) ([]string, error) {
	f.calls++
	return nil, f.err
}

func TestResolveSourceTakesEachValueFromTheFirstSourceThatHasIt(t *testing.T) {
	ctx := context.Background()
	store := memoryWith(t, []client.SourceCredentials{savedGlobex, savedAcme}, nil)

	// Nothing given: the default set, whole.
	r := resolveSource(ctx, client.SourceCredentials{}, getenv(nil), store)
	if !r.SourceCredentials.Equal(savedAcme) || r.From.Domain != originKeyring || r.From.Secret != originKeyring || r.KeyringErr != nil {
		t.Errorf("from the keyring: %+v", r)
	}

	// The domain given by env picks that domain's set, not the default.
	r = resolveSource(ctx, client.SourceCredentials{}, getenv(map[string]string{envAuth0Domain: "https://GLOBEX.eu.auth0.com"}), store)
	if r.ClientID != savedGlobex.ClientID || !r.Secret.Equal(savedGlobex.Secret) || r.From.Domain != originEnv || r.From.ClientID != originKeyring {
		t.Errorf("set by env domain: %+v", r)
	}

	// A flag beats env, env beats the keyring; a secret from env wins over the saved one.
	r = resolveSource(ctx, client.SourceCredentials{Domain: "acme.us.auth0.com"},
		getenv(map[string]string{envAuth0Domain: "ignored.auth0.com", envAuth0Secret: "rotated-secret-RRRR"}), store)
	want := client.SourceCredentials{Domain: "acme.us.auth0.com", ClientID: savedAcme.ClientID, Secret: client.NewSecret("rotated-secret-RRRR")}
	if !r.SourceCredentials.Equal(want) || r.From.Domain != originFlag || r.From.ClientID != originKeyring || r.From.Secret != originEnv {
		t.Errorf("mixed: %+v, want %+v", r, want)
	}
	if len(r.Missing()) != 0 {
		t.Errorf("Missing = %v", r.Missing())
	}
}

func TestResolveSourceNeverPairsASavedSecretWithAnotherClientID(t *testing.T) {
	store := memoryWith(t, []client.SourceCredentials{savedAcme}, nil)
	r := resolveSource(context.Background(), client.SourceCredentials{}, getenv(map[string]string{envAuth0ClientID: "another-app"}), store)
	if !r.Secret.IsZero() || r.Domain != "" {
		t.Fatalf("took the saved set for another client id: %+v", r)
	}
	if m := r.Missing(); len(m) != 2 || m[1] != "the Auth0 client secret (set AUTH0_CLIENT_SECRET)" {
		t.Fatalf("Missing = %q", m)
	}
}

// A script that sets every variable must not wait on a keyring that may hang.
func TestResolveLeavesTheKeyringAloneWhenNothingIsMissing(t *testing.T) {
	store := unavailable()
	vars := map[string]string{envAuth0Domain: "a.auth0.com", envAuth0ClientID: "id", envAuth0Secret: "s",
		envStytchProject: "project-test-x", envStytchSecret: "t"}
	src := resolveSource(context.Background(), client.SourceCredentials{}, getenv(vars), store)
	tgt := resolveTarget(context.Background(), client.TargetCredentials{}, getenv(vars), store)
	if store.calls != 0 || src.KeyringErr != nil || tgt.KeyringErr != nil {
		t.Fatalf("keyring asked %d times (%v, %v)", store.calls, src.KeyringErr, tgt.KeyringErr)
	}
	if tgt.BaseURL != "" || tgt.From.BaseURL != originNone {
		t.Fatalf("base URL %q from %q, want Stytch's own", tgt.BaseURL, tgt.From.BaseURL)
	}
}

func TestResolveReportsAnUnusableKeyringAndKeepsTheRest(t *testing.T) {
	r := resolveSource(context.Background(), client.SourceCredentials{}, getenv(map[string]string{envAuth0Domain: "a.auth0.com"}), unavailable())
	if !errors.Is(r.KeyringErr, keystore.ErrUnavailable) || r.Domain != "a.auth0.com" || r.From.Domain != originEnv {
		t.Fatalf("%+v", r)
	}
	// An empty keyring is not a failure.
	r = resolveSource(context.Background(), client.SourceCredentials{}, getenv(nil), keystore.NewMemory())
	if r.KeyringErr != nil || len(r.Missing()) != 3 {
		t.Fatalf("empty keyring: %+v, missing %v", r, r.Missing())
	}
}

func TestResolveTarget(t *testing.T) {
	ctx := context.Background()
	other := client.TargetCredentials{ProjectID: "project-test-other", Secret: client.NewSecret("other-secret-OOOO")}
	store := memoryWith(t, nil, []client.TargetCredentials{savedProj, other})

	r := resolveTarget(ctx, client.TargetCredentials{}, getenv(nil), store)
	if !r.TargetCredentials.Equal(other) || r.From.ProjectID != originKeyring {
		t.Errorf("default set: %+v", r)
	}
	r = resolveTarget(ctx, client.TargetCredentials{ProjectID: savedProj.ProjectID}, getenv(nil), store)
	if !r.TargetCredentials.Equal(savedProj) || r.From.ProjectID != originFlag || r.From.BaseURL != originKeyring {
		t.Errorf("set by flag: %+v", r)
	}
	r = resolveTarget(ctx, client.TargetCredentials{}, getenv(map[string]string{envStytchProject: savedProj.ProjectID, envStytchBaseURL: "http://localhost:9"}), store)
	if r.BaseURL != "http://localhost:9" || r.From.BaseURL != originEnv || !r.Secret.Equal(savedProj.Secret) {
		t.Errorf("env base URL: %+v", r)
	}
	r = resolveTarget(ctx, client.TargetCredentials{}, getenv(map[string]string{envStytchProject: "project-test-unsaved"}), store)
	if !r.Secret.IsZero() || len(r.Missing()) != 1 {
		t.Errorf("unsaved project took another project's secret: %+v", r)
	}
}
