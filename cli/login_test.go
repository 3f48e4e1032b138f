package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/keystore"
)

// fakeAuth0 accepts goodSource and nothing else. (login_sandbox_test.go drives the real
// clients; these fakes let the tests count calls and shape answers.)
type fakeAuth0 struct {
	c     client.SourceCredentials
	calls *int
}

func (f fakeAuth0) Name() string { return f.c.Domain }
func (f fakeAuth0) Connect(context.Context) (client.SourceInfo, error) {
	*f.calls++
	if !f.c.Equal(goodSource) {
		return client.SourceInfo{}, &client.APIError{API: "auth0", Method: "POST", Path: "/oauth/token", Status: 401, Code: client.CodeAccessDenied, Message: "Unauthorized", Hint: "Check the client id and secret of the Management API app."}
	}
	return client.SourceInfo{Name: "acme", Clients: 12, Missing: []client.MissingPermission{{Scope: "read:client_keys", Consequence: "client secrets are hidden"}}}, nil
}
func (f fakeAuth0) Inventory(context.Context) (*client.Inventory, error) {
	return nil, errors.New("login must not read the inventory")
}

// fakeStytch accepts goodTarget and nothing else.
type fakeStytch struct {
	client.Target // the methods login must not call panic
	c             client.TargetCredentials
	calls         *int
}

func (f fakeStytch) Connect(context.Context) (client.TargetInfo, error) {
	*f.calls++
	if !f.c.Equal(goodTarget) {
		return client.TargetInfo{}, &client.APIError{API: "stytch", Method: "GET", Path: "/v1/m2m/clients/search", Status: 401, Code: client.CodeUnauthorized, Hint: "Check the project id and secret."}
	}
	return client.TargetInfo{ProjectID: f.c.ProjectID, Clients: 1}, nil
}

// session is one in-process run of m2mport with its own keystore, terminal and fake APIs.
type session struct {
	vars     map[string]string
	store    keystore.Store
	tty      Terminal
	stdin    string
	verified int // Connect calls
}

func (s *session) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if s.store == nil {
		s.store = keystore.NewMemory()
	}
	return runEnv(t, &Env{
		Getenv:   getenv(s.vars),
		Keystore: s.store,
		Terminal: s.tty,
		OpenSource: func(c client.SourceCredentials) (client.Source, error) {
			return fakeAuth0{c: c, calls: &s.verified}, nil
		},
		OpenTarget: func(c client.TargetCredentials) (client.Target, error) {
			return fakeStytch{c: c, calls: &s.verified}, nil
		},
	}, s.stdin, args...)
}

func noSecretIn(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, secret := range []client.Secret{goodSource.Secret, goodTarget.Secret} {
			if strings.Contains(s, secret.Reveal()) {
				t.Errorf("output shows a secret in plain text:\n%s", s)
			}
		}
	}
}

func TestLoginAuth0WithSecretOnStdinVerifiesThenSaves(t *testing.T) {
	s := &session{stdin: goodSource.Secret.Reveal() + "\n"}
	code, out, errOut := s.run(t, "login", "auth0", "--domain", goodSource.Domain, "--client-id", goodSource.ClientID, "--secret-stdin")
	if code != ExitOK || s.verified != 1 {
		t.Fatalf("exit %d, verified %d times\nstdout %s\nstderr %s", code, s.verified, out, errOut)
	}
	for _, want := range []string{"Verified Auth0 tenant acme: 12 M2M clients", "missing read:client_keys: client secrets are hidden", "Saved in memory", "default Auth0 credentials (for acme.us.auth0.com)"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	noSecretIn(t, out, errOut)
	if got, err := s.store.LoadSource(context.Background(), ""); err != nil || !got.Equal(goodSource) {
		t.Fatalf("saved %+v, %v; want %+v", got, err, goodSource)
	}
}

// The flags of the scheme, and the older spellings that scripts may still use.
func TestLoginStytchTakesTheSchemesFlagsAndTheOldOnes(t *testing.T) {
	for _, args := range [][]string{
		{"login", "stytch", "--stytch-project-id", goodTarget.ProjectID, "--stytch-base-url", goodTarget.BaseURL, "--secret-stdin"},
		{"login", "stytch", "--project-id", goodTarget.ProjectID, "--base-url", goodTarget.BaseURL, "--secret-stdin"},
		{"login", "stytch", "--secret-stdin", "--base-url=" + goodTarget.BaseURL, "--stytch-project-id", goodTarget.ProjectID},
	} {
		s := &session{stdin: goodTarget.Secret.Reveal()}
		code, out, errOut := s.run(t, args...)
		if code != ExitOK || !strings.Contains(out, "Verified Stytch test project project-test-1234: 1 M2M client.") {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
		noSecretIn(t, out, errOut)
		if got, err := s.store.LoadTarget(context.Background(), ""); err != nil || !got.Equal(goodTarget) {
			t.Fatalf("%v: saved %+v, %v", args, got, err)
		}
	}
}

func TestLoginWithWrongCredentialsSavesNothing(t *testing.T) {
	s := &session{stdin: "wrong-secret"}
	code, out, errOut := s.run(t, "login", "auth0", "--domain", goodSource.Domain, "--client-id", goodSource.ClientID, "--secret-stdin")
	if code != ExitFailed || s.verified != 1 {
		t.Fatalf("exit %d, verified %d", code, s.verified)
	}
	if !strings.Contains(errOut, "did not work, so nothing was saved") || !strings.Contains(errOut, "401") ||
		!strings.Contains(errOut, "Check the client id and secret") || strings.Contains(out, "Saved") {
		t.Fatalf("stdout %q\nstderr %q", out, errOut)
	}
	if _, err := s.store.LoadSource(context.Background(), ""); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("wrong credentials were saved: %v", err)
	}
}

func TestLoginWithoutATerminalNamesTheMissingFlags(t *testing.T) {
	s := &session{}
	code, _, errOut := s.run(t, "login", "auth0", "--domain", goodSource.Domain)
	if code != ExitUsage || s.verified != 0 {
		t.Fatalf("exit %d, verified %d", code, s.verified)
	}
	if !strings.Contains(errOut, "missing --auth0-client-id, --secret-stdin; stdin is not a terminal") || !strings.Contains(errOut, "--secret-stdin < secret-file") {
		t.Fatalf("stderr %q", errOut)
	}

	s = &session{stdin: "a-secret"}
	code, _, errOut = s.run(t, "login", "stytch", "--secret-stdin")
	if code != ExitUsage || !strings.Contains(errOut, "missing --stytch-project-id; stdin carries the secret") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}

	s = &session{stdin: "\n"}
	code, _, errOut = s.run(t, "login", "stytch", "--project-id", "p", "--secret-stdin")
	if code != ExitUsage || !strings.Contains(errOut, "stdin held no secret") || s.verified != 0 {
		t.Fatalf("empty stdin: exit %d, stderr %q", code, errOut)
	}
}

func TestLoginUsageErrors(t *testing.T) {
	wantUsageErrors(t, []usageCase{
		{[]string{"login"}, "say which credentials to save"},
		{[]string{"login", "okta"}, `unknown side "okta"`},
		{[]string{"login", "auth0", "--project-id", "p"}, "m2mport login auth0: unknown flag: --project-id"},
		{[]string{"login", "stytch", "--auth0-domain", "d"}, "m2mport login stytch: unknown flag: --auth0-domain"},
		{[]string{"login", "auth0", "extra"}, `m2mport login auth0: takes no arguments (got 1)`},
		{[]string{"login", "auth0", "--bogus"}, "bogus"},
		{[]string{"logout"}, "auth0, stytch or --all"},
		{[]string{"logout", "auth0", "stytch"}, `m2mport logout: takes at most 1 argument (got 2)`},
		{[]string{"logout", "--all", "auth0"}, "auth0, stytch or --all"},
		{[]string{"logout", "okta"}, "auth0, stytch or --all"},
		{[]string{"status", "extra"}, `m2mport status: takes no arguments (got 1)`},
	}, func(args []string) (int, string, string) {
		s := &session{}
		code, out, errOut := s.run(t, args...)
		if s.verified != 0 {
			t.Errorf("%v: the credentials were verified", args)
		}
		return code, out, errOut
	})
	s := &session{}
	if code, out, _ := s.run(t, "login", "auth0", "--help"); code != ExitOK || !strings.Contains(out, "--secret-stdin") {
		t.Errorf("login auth0 --help: exit %d, %q", code, out)
	}
}

// With no keyring to save in, login stops before asking for a secret or calling the API.
func TestLoginWithAnUnusableKeyringStopsFirst(t *testing.T) {
	store := unavailable()
	s := &session{store: store, stdin: goodSource.Secret.Reveal()}
	code, out, errOut := s.run(t, "login", "auth0", "--domain", goodSource.Domain, "--client-id", goodSource.ClientID, "--secret-stdin")
	if code != ExitFailed || s.verified != 0 {
		t.Fatalf("exit %d, verified %d", code, s.verified)
	}
	if !strings.Contains(errOut, "nothing can be saved: the OS keyring is unavailable") || !strings.Contains(errOut, "Install gnome-keyring (test hint).") {
		t.Fatalf("stderr %q", errOut)
	}
	noSecretIn(t, out, errOut)
}

// scriptedTerminal answers prompts from a script and records which were asked with echo off.
type scriptedTerminal struct {
	answers map[string]string // prompt prefix -> answer
	asked   []string          // "line: <prompt>" or "secret: <prompt>"
}

func (s *scriptedTerminal) answer(kind, prompt string) (string, error) {
	s.asked = append(s.asked, kind+": "+prompt)
	for prefix, a := range s.answers {
		if strings.HasPrefix(prompt, prefix) {
			return a, nil
		}
	}
	return "", errors.New("unexpected prompt " + prompt)
}
func (s *scriptedTerminal) ReadLine(_ context.Context, prompt string) (string, error) {
	return s.answer("line", prompt)
}
func (s *scriptedTerminal) ReadSecret(_ context.Context, prompt string) (string, error) {
	return s.answer("secret", prompt)
}

func TestLoginAsksForWhatIsMissingAndTheSecretWithoutEcho(t *testing.T) {
	tty := &scriptedTerminal{answers: map[string]string{
		"Client id":     "  " + goodSource.ClientID + " ",
		"Client secret": goodSource.Secret.Reveal(),
	}}
	s := &session{tty: tty}
	code, out, errOut := s.run(t, "login", "auth0", "--domain", goodSource.Domain)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	want := []string{"line: Client id of the Management API app: ", "secret: Client secret (not shown): "}
	if strings.Join(tty.asked, "|") != strings.Join(want, "|") {
		t.Fatalf("asked %q, want %q", tty.asked, want)
	}
	if got, _ := s.store.LoadSource(context.Background(), ""); !got.Equal(goodSource) {
		t.Fatalf("saved %+v", got)
	}

	tty = &scriptedTerminal{answers: map[string]string{"Stytch project id": ""}}
	s = &session{tty: tty}
	if code, _, errOut := s.run(t, "login", "stytch"); code != ExitUsage || !strings.Contains(errOut, "Stytch project id is required") {
		t.Fatalf("empty answer: exit %d, %q", code, errOut)
	}
}

func TestLoginNotesEnvironmentVariablesThatWin(t *testing.T) {
	s := &session{stdin: goodSource.Secret.Reveal(), vars: map[string]string{envAuth0Secret: "from-env"}}
	code, out, _ := s.run(t, "login", "auth0", "--domain", goodSource.Domain, "--client-id", goodSource.ClientID, "--secret-stdin")
	if code != ExitOK || !strings.Contains(out, "Note: AUTH0_CLIENT_SECRET is set in this environment and wins over the keyring") {
		t.Fatalf("exit %d, %q", code, out)
	}
}

func TestStatusShowsWhereEachValueComesFromMasked(t *testing.T) {
	s := &session{
		store: memoryWith(t, []client.SourceCredentials{goodSource}, nil),
		vars:  map[string]string{envAuth0ClientID: goodSource.ClientID, envStytchSecret: goodTarget.Secret.Reveal()},
	}
	code, out, errOut := s.run(t, "status", "--stytch-project-id", goodTarget.ProjectID)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	assertLines(t, out,
		"Auth0 (source)",
		"domain acme.us.auth0.com keyring",
		"client id mgmt-app env AUTH0_CLIENT_ID",
		"client secret ••••DzJj keyring",
		"Stytch (target)",
		"project id project-test-1234 flag --stytch-project-id",
		"secret ••••Q9x2 env STYTCH_SECRET",
		"base URL Stytch's own default",
		"vertical found from the project's keys when needed default",
		"Keyring: memory (this session only; nothing is written to disk), reachable",
	)
	noSecretIn(t, out, errOut)
}

func TestStatusWithNothingAndNoKeyring(t *testing.T) {
	s := &session{store: unavailable()}
	code, out, _ := s.run(t, "status")
	if code != ExitFailed {
		t.Fatalf("exit %d, want %d when credentials are missing", code, ExitFailed)
	}
	assertLines(t, out,
		"Auth0 (source)",
		"domain - not set (AUTH0_DOMAIN)",
		"client id - not set (AUTH0_CLIENT_ID)",
		"client secret - not set (AUTH0_CLIENT_SECRET)",
		"Stytch (target)",
		"project id - not set (STYTCH_PROJECT_ID)",
		"secret - not set (STYTCH_SECRET)",
		"base URL Stytch's own default",
		"vertical found from the project's keys when needed default",
		"Keyring: the OS keyring is unavailable (load auth0)",
		"Install gnome-keyring (test hint).",
		"",
		// login would fail on the same keyring: only the environment is offered.
		"Set the environment variables above; without a usable keyring, `m2mport login` can't save credentials.",
	)
	// With a keyring that works, login is the way to save them.
	if _, out, _ = (&session{}).run(t, "status"); !strings.Contains(out, "Save credentials with `m2mport login auth0`") {
		t.Errorf("a usable keyring, credentials missing: status should suggest login:\n%s", out)
	}
}

// A password in a URL's userinfo is a secret like any other: status masks it wherever it
// shows a URL.
func TestStatusMasksAPasswordInAURL(t *testing.T) {
	s := &session{vars: map[string]string{
		envStytchBaseURL: "http://u:SuperSecretPw123@127.0.0.1:1/v1",
		envAuth0Domain:   "https://ops:An0therPw@acme.us.auth0.com",
	}}
	_, out, errOut := s.run(t, "status")
	for _, pw := range []string{"SuperSecretPw123", "An0therPw"} {
		if strings.Contains(out+errOut, pw) {
			t.Errorf("status shows the password %q:\n%s", pw, out)
		}
	}
	for _, want := range []string{"http://u:••••@127.0.0.1:1/v1", "https://ops:••••@acme.us.auth0.com"} {
		if !strings.Contains(out, want) {
			t.Errorf("status should show %q:\n%s", want, out)
		}
	}
}

func TestMaskPassword(t *testing.T) {
	for in, want := range map[string]string{
		"http://u:pw@h:1/p?q=a:b@c": "http://u:••••@h:1/p?q=a:b@c",
		"http://u@h":                "http://u@h", // no password
		"u:pw@acme.us.auth0.com":    "u:••••@acme.us.auth0.com",
		"http://u:p@w@h:bad":        "http://u:••••@h:bad", // unparsable: masked all the same
		"acme.us.auth0.com":         "acme.us.auth0.com",
		"http://h:1/a@b":            "http://h:1/a@b", // "@" in the path is no userinfo
		"Stytch's own":              "Stytch's own",
	} {
		if got := maskPassword(in); got != want {
			t.Errorf("maskPassword(%q) = %q, want %q", in, got, want)
		}
	}
}

// assertLines checks out line by line, with runs of spaces (column padding) taken as one.
func assertLines(t *testing.T, out string, want ...string) {
	t.Helper()
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i := range got {
		got[i] = strings.Join(strings.Fields(got[i]), " ")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", out, strings.Join(want, "\n"))
	}
}

func TestLogout(t *testing.T) {
	ctx := context.Background()
	other := client.SourceCredentials{Domain: "globex.eu.auth0.com", ClientID: "g", Secret: client.NewSecret("g-secret")}
	s := &session{store: memoryWith(t, []client.SourceCredentials{goodSource, other}, []client.TargetCredentials{goodTarget}),
		vars: map[string]string{envAuth0Domain: "still.auth0.com"}}

	code, out, _ := s.run(t, "logout", "auth0")
	if code != ExitOK || !strings.Contains(out, "Removed the Auth0 credentials for acme.us.auth0.com, globex.eu.auth0.com from memory") ||
		!strings.Contains(out, "Note: AUTH0_DOMAIN is set in this environment and is still used.") {
		t.Fatalf("exit %d, %q", code, out)
	}
	if _, err := s.store.LoadSource(ctx, other.Domain); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("globex survived logout auth0: %v", err)
	}
	if _, err := s.store.LoadTarget(ctx, ""); err != nil {
		t.Fatalf("logout auth0 removed the Stytch set: %v", err)
	}
	if code, out, _ := s.run(t, "logout", "auth0"); code != ExitOK || !strings.Contains(out, "No Auth0 credentials were saved") {
		t.Fatalf("second logout: exit %d, %q", code, out)
	}
	if code, out, _ := s.run(t, "logout", "--all"); code != ExitOK || !strings.Contains(out, "Removed every m2mport credential") {
		t.Fatalf("logout --all: exit %d, %q", code, out)
	}
	if _, err := s.store.LoadTarget(ctx, ""); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("Stytch set survived logout --all: %v", err)
	}

	s = &session{store: unavailable()}
	if code, _, errOut := s.run(t, "logout", "stytch"); code != ExitFailed || !strings.Contains(errOut, "Install gnome-keyring (test hint).") {
		t.Fatalf("unusable keyring: exit %d, %q", code, errOut)
	}
}

func TestLoginEndOfInputAtAPromptSavesNothing(t *testing.T) {
	s := &session{tty: &eofTerminal{}}
	code, _, errOut := s.run(t, "login", "stytch")
	if code != ExitFailed || !strings.Contains(errOut, "no Stytch project id given; nothing was saved") || s.verified != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

type eofTerminal struct{}

func (eofTerminal) ReadLine(context.Context, string) (string, error)   { return "", io.EOF }
func (eofTerminal) ReadSecret(context.Context, string) (string, error) { return "", io.EOF }

func TestABadKeyringTimeoutIsAUsageError(t *testing.T) {
	var out, errb bytes.Buffer
	e := &Env{Stdio: Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}, Getenv: getenv(map[string]string{"M2MPORT_KEYRING_TIMEOUT": "soon"})}
	for _, args := range [][]string{{"status"}, {"logout", "--all"}, {"login", "auth0"}} {
		errb.Reset()
		if code := run(context.Background(), args, e); code != ExitUsage || !strings.Contains(errb.String(), `M2MPORT_KEYRING_TIMEOUT="soon"`) {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
}
