package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/m2mport/m2mport/keystore/keystoretest"
)

// TestNoSecretLeaks runs the headless commands the way an operator would — import (dry run,
// applied, human and JSON), check on tokens pasted as an argument and on stdin, status, undo,
// and login/status/import through the OS keyring when there is one — against the sandbox,
// with $HOME, the XDG folders, $TMPDIR and the working directory in a temporary folder. Then
// it looks for every credential in everything those runs printed and wrote: each source
// client's secret, the Management API app's secret, the Stytch project secret and every
// access token. Only their last four characters may show.
//
// The TUI's part joins here when it lands on main: drive `m2mport` in a tmux session
// (new-session -d -x 100 -y 30, send-keys, capture-pane -p) against the same sandbox and
// home through connect, pick, import and verify, and record each captured screen with
// l.record, so that the screens and the files the TUI writes are searched too.
func TestNoSecretLeaks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it against the sandbox")
	}
	bin := buildBinary(t)
	h := newHome(t)
	sb := startSandbox(t, bin, h, "--seed", "demo")
	_, source := sb.source(t)
	l := &leakCheck{t: t, bin: bin, h: h}
	l.secret("the Auth0 Management API app's secret", sb.vars["AUTH0_CLIENT_SECRET"])
	l.secret("the Stytch project secret", sb.vars["STYTCH_SECRET"])
	l.secret("the Stytch Basic credentials", base64.StdEncoding.EncodeToString([]byte(sb.vars["STYTCH_PROJECT_ID"]+":"+sb.vars["STYTCH_SECRET"])))
	for id, w := range source {
		l.secret("the secret of "+id, w.secret)
	}
	env := sb.vars

	report := filepath.Join(h.wd, "import-report.json")
	l.run("import dry run", env, "", 0, "import", "--all", "--dry-run")
	l.run("import dry run, JSON", env, "", 0, "import", "--all", "--dry-run", "--json")
	l.run("import unconfirmed", env, "", 2, "import", "--all")
	l.run("import", env, "", 0, "import", "--all", "--yes", "--on-conflict=update", "--json", "--report", report)
	l.run("import again", env, "", 0, "import", "--all", "--yes")

	// Tokens minted for the imported clients, checked as an operator would paste them.
	var tokens []string
	for _, c := range sb.stored(t) {
		if w, ok := source[c.ID]; ok && c.SecretSHA256 == w.secretSHA256 {
			tok := mintToken(t, sb, c.ID, w.secret)
			l.secret("an access token for "+c.ID, tok)
			tokens = append(tokens, tok)
		}
	}
	if len(tokens) < 2 {
		t.Fatalf("only %d clients to mint tokens for", len(tokens))
	}
	l.run("check TOKEN", env, "", 0, "check", tokens[0])
	l.run("check - (JSON)", env, tokens[1], 0, "check", "--json", "-")
	l.run("check Bearer on stdin, decode only", map[string]string{}, "Bearer "+tokens[0]+"\n", 0, "check")
	l.run("check with wrong expectations", env, "", 1, "check", "--client-id", "someone-else", "--scopes", "nope", tokens[1])
	// An operator who pastes a client secret instead of a token.
	pasted := source[slices.Sorted(maps.Keys(source))[0]].secret
	l.run("check on a client secret", env, pasted, 1, "check")
	l.run("check on a client secret as the argument", env, "", 1, "check", pasted)

	l.run("status", env, "", 0, "status")
	l.run("undo", env, "", 0, "undo", "--yes", report)

	t.Run("through the OS keyring", func(t *testing.T) {
		ring := keystoretest.Real(t)
		keyring := map[string]string{"M2MPORT_KEYRING_SERVICE": ring.Service}
		with := func(names ...string) map[string]string {
			m := map[string]string{"M2MPORT_KEYRING_SERVICE": ring.Service}
			for _, n := range names {
				m[n] = env[n]
			}
			return m
		}
		l.run("login auth0", keyring, env["AUTH0_CLIENT_SECRET"], 0, "login", "auth0", "--domain", env["AUTH0_DOMAIN"], "--client-id", env["AUTH0_CLIENT_ID"], "--secret-stdin")
		l.run("login stytch", keyring, env["STYTCH_SECRET"], 0, "login", "stytch", "--project-id", env["STYTCH_PROJECT_ID"], "--base-url", env["STYTCH_BASE_URL"], "--secret-stdin")
		l.run("status from the keyring", keyring, "", 0, "status")
		l.run("status, secrets from the keyring", with("AUTH0_DOMAIN", "STYTCH_PROJECT_ID"), "", 0, "status")
		l.run("import from the keyring", keyring, "", 0, "import", "--all", "--yes")
		l.run("logout", keyring, "", 0, "logout", "--all")
	})

	l.files()
	l.assertNoLeak()
}

// leakCheck runs commands, keeps what they print, and searches it and the files under the
// home for credentials.
type leakCheck struct {
	t       *testing.T
	bin     string
	h       *home
	secrets map[string]string // value -> what it is
	texts   []seenText
}

type seenText struct{ where, text string }

func (l *leakCheck) secret(what, value string) {
	if l.secrets == nil {
		l.secrets = map[string]string{}
	}
	if len(value) < 8 {
		// Too short to search for without false alarms (the demo's weak secrets, which
		// nothing imports).
		return
	}
	l.secrets[value] = what
}

func (l *leakCheck) record(where, text string) { l.texts = append(l.texts, seenText{where, text}) }

// run runs one command with vars and stdin, records its output, and fails unless it exits
// with code.
func (l *leakCheck) run(name string, vars map[string]string, stdin string, code int, args ...string) {
	l.t.Helper()
	cmd := l.h.command(l.bin, vars, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	got := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		got = exit.ExitCode()
	} else if err != nil {
		l.t.Fatalf("%s: %v", name, err)
	}
	if got != code {
		l.t.Errorf("%s: exit %d, want %d\n%s\n%s", name, got, code, out.String(), errOut.String())
	}
	l.record(name+" (stdout)", out.String())
	l.record(name+" (stderr)", errOut.String())
}

// files records every file under the home.
func (l *leakCheck) files() {
	l.t.Helper()
	n := 0
	err := filepath.WalkDir(l.h.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		l.record(path, string(b))
		return nil
	})
	if err != nil {
		l.t.Fatal(err)
	}
	if n < 3 {
		l.t.Fatalf("only %d files were written: the runs did not write their reports", n)
	}
}

// jwtShape matches an access token (header and payload of a JWT), whoever minted it: the
// tokens this test passes to check, and the ones m2mport mints to verify each client.
var jwtShape = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.`)

func (l *leakCheck) assertNoLeak() {
	l.t.Helper()
	for _, s := range l.texts {
		for value, what := range l.secrets {
			// The whole value, and long runs of either end of it: a secret cut short is still
			// a leak. Its last four characters may show.
			for _, part := range []string{value, value[:len(value)*2/3], value[len(value)/3:]} {
				if len(part) >= 8 && strings.Contains(s.text, part) {
					l.t.Errorf("%s shows %s", s.where, what)
					break
				}
			}
		}
		if m := jwtShape.FindString(s.text); m != "" {
			l.t.Errorf("%s shows an access token: %.24s…", s.where, m)
		}
	}
	l.t.Logf("searched %d outputs and files for %d credentials", len(l.texts), len(l.secrets))
}

// mintToken gets an access token for a client from the Stytch emulator's token endpoint.
func mintToken(t *testing.T, sb *sandboxProc, id, secret string) string {
	t.Helper()
	resp, err := http.PostForm(sb.vars["STYTCH_BASE_URL"]+"/v1/public/"+sb.vars["STYTCH_PROJECT_ID"]+"/oauth2/token",
		url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil || ans.AccessToken == "" {
		t.Fatalf("token for %s: %d %v", id, resp.StatusCode, err)
	}
	return ans.AccessToken
}
