package keystore

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/m2mport/m2mport/client"
)

// These tests run against go-keyring's in-memory mock. keystoretest runs the same kind of
// checks against a real Secret Service.

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func openMock(t *testing.T) Store {
	t.Helper()
	keyring.MockInit()
	s, err := Open(env())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// save saves each credential set (client.SourceCredentials or client.TargetCredentials)
// in s, in order.
func save(t *testing.T, s Store, sets ...any) {
	t.Helper()
	for _, c := range sets {
		var err error
		switch c := c.(type) {
		case client.SourceCredentials:
			err = s.SaveSource(context.Background(), c)
		case client.TargetCredentials:
			err = s.SaveTarget(context.Background(), c)
		default:
			t.Fatalf("%T is not a credential set", c)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

var (
	acme   = client.SourceCredentials{Domain: "acme.us.auth0.com", ClientID: "mgmt-app-1", Secret: client.NewSecret("s3cr3t-acme-DzJj")}
	globex = client.SourceCredentials{Domain: "https://globex.eu.auth0.com/", ClientID: "mgmt-app-2", Secret: client.NewSecret("s3cr3t-globex-Q9x2")}
	proj   = client.TargetCredentials{ProjectID: "project-test-11111111-2222", Secret: client.NewSecret("secret-test-abcdWXYZ"), BaseURL: "https://test.stytch.com", Vertical: client.VerticalConsumer}
)

func TestRoundTripBothSides(t *testing.T) {
	ctx := context.Background()
	s := openMock(t)
	save(t, s, acme, proj)
	for _, name := range []string{"", "acme.us.auth0.com", "https://ACME.us.auth0.com/api/v2/"} {
		got, err := s.LoadSource(ctx, name)
		if err != nil || !got.Equal(acme) {
			t.Errorf("LoadSource(%q) = %+v, %v; want %+v", name, got, err, acme)
		}
	}
	for _, name := range []string{"", proj.ProjectID} {
		got, err := s.LoadTarget(ctx, name)
		if err != nil || !got.Equal(proj) {
			t.Errorf("LoadTarget(%q) = %+v, %v; want %+v", name, got, err, proj)
		}
	}
}

// A set saved before m2mport remembered verticals, or with one it does not know, loads with
// the vertical unknown: it is found again from the project's keys.
func TestTargetWithoutAKnownVerticalLoadsUnknown(t *testing.T) {
	ctx := context.Background()
	s := openMock(t)
	old := proj
	old.Vertical = ""
	save(t, s, old)
	if got, err := s.LoadTarget(ctx, ""); err != nil || got.Vertical != client.VerticalUnknown || !got.Secret.Equal(proj.Secret) {
		t.Fatalf("%+v %v", got, err)
	}
	odd := proj
	odd.Vertical = "b2c"
	save(t, s, odd)
	if got, err := s.LoadTarget(ctx, ""); err != nil || got.Vertical != client.VerticalUnknown {
		t.Fatalf("an unknown vertical: %+v %v", got, err)
	}
}

// The keyring must get the plain secret: a masked one (client.Secret marshals masked) would
// save "••••DzJj" and every later login would fail.
func TestKeyringHoldsThePlainSecretInOneEntryPerSet(t *testing.T) {
	s := openMock(t)
	save(t, s, acme)
	v, err := keyring.Get(Service, "auth0:acme.us.auth0.com")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v, `"client_secret":"s3cr3t-acme-DzJj"`) || !strings.Contains(v, `"client_id":"mgmt-app-1"`) {
		t.Fatalf("entry = %s", v)
	}
}

func TestOverwriteKeepsOneSetPerDomain(t *testing.T) {
	ctx := context.Background()
	s := openMock(t)
	save(t, s, acme)
	rotated := acme
	rotated.Domain = "https://acme.us.auth0.com"
	rotated.Secret = client.NewSecret("rotated-secret-0000")
	save(t, s, rotated)
	got, err := s.LoadSource(ctx, "")
	if err != nil || !got.Secret.Equal(rotated.Secret) {
		t.Fatalf("after overwrite: %+v, %v", got, err)
	}
	names, err := s.Forget(ctx, Auth0)
	if err != nil || len(names) != 1 || names[0] != "acme.us.auth0.com" {
		t.Fatalf("Forget = %v, %v; want the one set", names, err)
	}
}

func TestSeveralSetsTheLastSavedIsTheDefault(t *testing.T) {
	ctx := context.Background()
	s := openMock(t)
	save(t, s, acme, globex)
	if got, _ := s.LoadSource(ctx, ""); !got.Equal(globex) {
		t.Errorf("default = %+v, want globex", got)
	}
	if got, _ := s.LoadSource(ctx, "acme.us.auth0.com"); !got.Equal(acme) {
		t.Errorf("acme by name = %+v", got)
	}
	// Saving acme again makes it the default again.
	save(t, s, acme)
	if got, _ := s.LoadSource(ctx, ""); !got.Equal(acme) {
		t.Errorf("default after re-save = %+v, want acme", got)
	}
}

func TestForgetDeletesOneSideOnly(t *testing.T) {
	ctx := context.Background()
	s := openMock(t)
	save(t, s, acme, globex, proj)
	names, err := s.Forget(ctx, Auth0)
	if err != nil || strings.Join(names, ",") != "acme.us.auth0.com,globex.eu.auth0.com" {
		t.Fatalf("Forget = %v, %v", names, err)
	}
	for _, name := range []string{"", "acme.us.auth0.com", "globex.eu.auth0.com"} {
		if _, err := s.LoadSource(ctx, name); !errors.Is(err, ErrNotFound) {
			t.Errorf("LoadSource(%q) after Forget: %v, want ErrNotFound", name, err)
		}
	}
	if got, err := s.LoadTarget(ctx, ""); err != nil || !got.Equal(proj) {
		t.Errorf("Stytch set lost with the Auth0 ones: %+v, %v", got, err)
	}
	if names, err := s.Forget(ctx, Auth0); err != nil || len(names) != 0 {
		t.Errorf("second Forget = %v, %v; want nothing, no error", names, err)
	}
}

func TestForgetAllRemovesStrayEntriesToo(t *testing.T) {
	ctx := context.Background()
	s := openMock(t)
	save(t, s, proj)
	// A set whose index update never happened (the process died between the two writes).
	if err := keyring.Set(Service, "auth0:stray.auth0.com", `{"domain":"stray.auth0.com","client_id":"x","client_secret":"y"}`); err != nil {
		t.Fatal(err)
	}
	if err := s.ForgetAll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(Service, "auth0:stray.auth0.com"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("stray entry survived ForgetAll: %v", err)
	}
	if _, err := s.LoadTarget(ctx, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("LoadTarget after ForgetAll: %v", err)
	}
}

func TestNotFound(t *testing.T) {
	ctx := context.Background()
	s := openMock(t)
	if err := s.Check(ctx); err != nil {
		t.Fatalf("Check on an empty keyring: %v", err)
	}
	_, err := s.LoadSource(ctx, "")
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("LoadSource on an empty keyring: %v", err)
	}
	if _, err := s.LoadTarget(ctx, "project-test-none"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LoadTarget by name: %v", err)
	}
}

func TestUnicodeRoundTrips(t *testing.T) {
	ctx := context.Background()
	s := openMock(t)
	c := client.SourceCredentials{Domain: "tenant.ü.auth0.com", ClientID: "クライアント", Secret: client.NewSecret("pässwörd \"quoted\" ✓ 日本語 🔑\n\\")}
	save(t, s, c)
	if got, err := s.LoadSource(ctx, "TENANT.Ü.auth0.com"); err != nil || !got.Equal(c) {
		t.Fatalf("got %+v, %v; want %+v", got, err, c)
	}
}

func TestTooBigIsRefusedBeforeWritingAndNamesNoSecret(t *testing.T) {
	ctx := context.Background()
	s := openMock(t)
	big := acme
	big.Secret = client.NewSecret(strings.Repeat("x", 2600) + "TAIL")
	err := s.SaveSource(ctx, big)
	if !errors.Is(err, ErrTooBig) || !strings.Contains(Hint(err), "2560") {
		t.Fatalf("SaveSource(huge secret) = %v (hint %q), want ErrTooBig naming the limit", err, Hint(err))
	}
	if strings.Contains(err.Error(), "xxxx") {
		t.Fatalf("error carries the secret: %v", err)
	}
	if _, err := s.LoadSource(ctx, ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a refused set left something behind: %v", err)
	}

	long := acme
	long.Domain = strings.Repeat("a", 300) + ".auth0.com"
	if err := s.SaveSource(ctx, long); !errors.Is(err, ErrTooBig) {
		t.Fatalf("SaveSource(300-byte domain) = %v, want ErrTooBig", err)
	}

	// A set just under the limit fits.
	fits := acme
	fits.Secret = client.NewSecret(strings.Repeat("y", maxValueBytes-100))
	if err := s.SaveSource(ctx, fits); err != nil {
		t.Fatalf("a %d-byte secret should fit: %v", len(fits.Secret.Reveal()), err)
	}
}

func TestIncompleteSetsAreRefused(t *testing.T) {
	ctx := context.Background()
	s := openMock(t)
	for _, c := range []client.SourceCredentials{
		{ClientID: "id", Secret: client.NewSecret("s")}, {Domain: "d.auth0.com", Secret: client.NewSecret("s")}, {Domain: "d.auth0.com", ClientID: "id"},
	} {
		if err := s.SaveSource(ctx, c); err == nil {
			t.Errorf("SaveSource(%+v) succeeded", c)
		}
	}
	if err := s.SaveTarget(ctx, client.TargetCredentials{ProjectID: "p"}); err == nil {
		t.Error("SaveTarget without a secret succeeded")
	}
}

func TestCorruptEntrySaysHowToRecoverWithoutQuotingIt(t *testing.T) {
	ctx := context.Background()
	s := openMock(t)
	if err := keyring.Set(Service, "stytch", `{"default":"p1","saved":["p1"]}`); err != nil {
		t.Fatal(err)
	}
	if err := keyring.Set(Service, "stytch:p1", "hunter2-not-json"); err != nil {
		t.Fatal(err)
	}
	_, err := s.LoadTarget(ctx, "")
	if err == nil || !strings.Contains(err.Error(), "m2mport logout stytch") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("LoadTarget(corrupt) = %v", err)
	}
}

func TestUnavailableKeyring(t *testing.T) {
	ctx := context.Background()
	for _, cause := range []error{
		errors.New(`exec: "dbus-launch": executable file not found in $PATH`),
		errors.New("The name org.freedesktop.secrets was not provided by any .service files"),
		keyring.ErrUnsupportedPlatform,
	} {
		keyring.MockInitWithError(cause)
		s, err := Open(env())
		if err != nil {
			t.Fatal(err)
		}
		for name, err := range map[string]error{
			"Check":      s.Check(ctx),
			"SaveSource": s.SaveSource(ctx, acme),
			"LoadTarget": func() error { _, err := s.LoadTarget(ctx, ""); return err }(),
			"ForgetAll":  s.ForgetAll(ctx),
		} {
			if !errors.Is(err, ErrUnavailable) || !errors.Is(err, cause) {
				t.Errorf("%s with %q: %v, want ErrUnavailable wrapping the cause", name, cause, err)
			}
			if !strings.Contains(Hint(err), "environment variables") {
				t.Errorf("%s: hint %q does not point to the env vars", name, Hint(err))
			}
		}
	}
	keyring.MockInitWithError(errors.New(`exec: "dbus-launch": executable file not found in $PATH`))
	s, _ := Open(env())
	if h := Hint(s.Check(ctx)); !strings.Contains(h, "gnome-keyring") || !strings.Contains(h, "dbus-run-session") {
		t.Errorf("headless hint %q does not say how to get a Secret Service", h)
	}
}

// A machine with no session bus: Check says so, names no side (it is not about Auth0 or
// Stytch), and its hint points to a document an operator who ran `go install` can read.
func TestNoSessionBusIsSaidPlainly(t *testing.T) {
	cause := &exec.Error{Name: "dbus-launch", Err: exec.ErrNotFound}
	keyring.MockInitWithError(cause)
	s, err := Open(env())
	if err != nil {
		t.Fatal(err)
	}
	err = s.Check(context.Background())
	msg := err.Error()
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, exec.ErrNotFound) || !strings.Contains(msg, "no D-Bus session bus") ||
		strings.Contains(msg, "auth0") || strings.Contains(msg, "exec:") {
		t.Errorf("Check = %q, want ErrUnavailable saying there is no session bus, naming no side", msg)
	}
	h := Hint(err)
	if strings.Contains(h, "CONTRIBUTING.md") || !strings.Contains(h, "README") || !strings.Contains(h, "#credentials") {
		t.Errorf("hint %q should point to the README's Credentials section", h)
	}
	// A load names what it was loading: that is what failed.
	if _, err := s.LoadSource(context.Background(), ""); !strings.Contains(err.Error(), "load auth0") {
		t.Errorf("LoadSource = %v, want it to name the entry", err)
	}
}

// blockingKeyring never answers until released, like a Secret Service waiting on an unlock
// prompt nobody sees.
type blockingKeyring struct{ release chan struct{} }

func (b blockingKeyring) Set(string, string, string) error   { <-b.release; return nil }
func (b blockingKeyring) Get(string, string) (string, error) { <-b.release; return "", nil }
func (b blockingKeyring) Delete(string, string) error        { <-b.release; return nil }
func (b blockingKeyring) DeleteAll(string) error             { <-b.release; return nil }

func TestEveryCallTimesOutOnAHungKeyring(t *testing.T) {
	ctx := context.Background()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	s := &store{b: &osKeyring{kr: blockingKeyring{release}, service: "m2mport-test", timeout: 20 * time.Millisecond}}
	for name, call := range map[string]func() error{
		"Check":      func() error { return s.Check(ctx) },
		"SaveSource": func() error { return s.SaveSource(ctx, acme) },
		"LoadSource": func() error { _, err := s.LoadSource(ctx, ""); return err },
		"SaveTarget": func() error { return s.SaveTarget(ctx, proj) },
		"LoadTarget": func() error { _, err := s.LoadTarget(ctx, proj.ProjectID); return err },
		"Forget":     func() error { _, err := s.Forget(ctx, Stytch); return err },
		"ForgetAll":  func() error { return s.ForgetAll(ctx) },
	} {
		err := call()
		if !errors.Is(err, ErrTimedOut) || !strings.Contains(Hint(err), "M2MPORT_KEYRING_TIMEOUT") {
			t.Errorf("%s: %v (hint %q), want ErrTimedOut with a hint", name, err, Hint(err))
		}
	}

	// The operator's Ctrl-C is not a timeout.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	s.b.(*osKeyring).timeout = time.Hour
	if _, err := s.LoadSource(cancelled, ""); !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimedOut) {
		t.Errorf("cancelled LoadSource: %v, want context.Canceled", err)
	}
}

func TestTimeoutFromEnvironment(t *testing.T) {
	keyring.MockInit()
	for v, want := range map[string]time.Duration{"": DefaultTimeout, "250ms": 250 * time.Millisecond, "1m": time.Minute} {
		s, err := Open(env("M2MPORT_KEYRING_TIMEOUT", v))
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if got := s.(*store).b.(*osKeyring).timeout; got != want {
			t.Errorf("M2MPORT_KEYRING_TIMEOUT=%q: timeout %v, want %v", v, got, want)
		}
	}
	for _, v := range []string{"5", "soon", "0s", "-1s"} {
		if _, err := Open(env("M2MPORT_KEYRING_TIMEOUT", v)); err == nil || !strings.Contains(err.Error(), "M2MPORT_KEYRING_TIMEOUT") {
			t.Errorf("M2MPORT_KEYRING_TIMEOUT=%q: %v, want an error naming the variable", v, err)
		}
	}
}

func TestServiceNameFromEnvironment(t *testing.T) {
	keyring.MockInit()
	s, _ := Open(env("M2MPORT_KEYRING_SERVICE", "m2mport-test-xyz"))
	save(t, s, proj)
	if _, err := keyring.Get("m2mport-test-xyz", "stytch:"+proj.ProjectID); err != nil {
		t.Fatalf("entry not under the configured service: %v", err)
	}
	if _, err := keyring.Get(Service, "stytch:"+proj.ProjectID); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("entry also under %q: %v", Service, err)
	}
}

// The report key is made on first use, kept, and the same on every later read; an in-memory
// store has none (a key that dies with the session would authenticate reports nobody can
// check later), and an entry that is not a key is said to be one.
func TestReportKey(t *testing.T) {
	ctx := context.Background()
	s := openMock(t)
	first, err := ReportKey(ctx, s)
	if err != nil || len(first) != client.ReportKeySize {
		t.Fatalf("first use: %d bytes, %v", len(first), err)
	}
	if again, err := ReportKey(ctx, s); err != nil || string(again) != string(first) {
		t.Fatalf("the key changed: %v", err)
	}
	if _, err := ReportKey(ctx, NewMemory()); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("in memory: %v", err)
	}
	if err := keyring.Set(Service, reportKeyAccount, "not a key"); err != nil {
		t.Fatal(err)
	}
	if _, err := ReportKey(ctx, s); !errors.Is(err, ErrUnavailable) || !strings.Contains(Hint(err), reportKeyAccount) {
		t.Fatalf("a foreign entry: %v (%s)", err, Hint(err))
	}
}
