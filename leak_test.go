package main

import (
	"context"
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
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client/leaktest"
	"github.com/m2mport/m2mport/keystore"
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
// The TUI's part drives `m2mport` in tmux against a sandbox of its own, with the same home,
// through every step (see tuiSession), and records each screen as the terminal shows it, so
// that the screens and the files the TUI writes are searched too.
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
	l.run("check Bearer on stdin, decode only", map[string]string{}, "Bearer "+tokens[0]+"\n", 3, "check")
	l.run("check from M2MPORT_TOKEN, --decode-only", map[string]string{"M2MPORT_TOKEN": tokens[1]}, "", 0, "check", "--decode-only")
	l.run("check with wrong expectations", env, "", 1, "check", "--client-id", "someone-else", "--scopes", "nope", tokens[1])
	// An operator who pastes a client secret instead of a token.
	pasted := source[slices.Sorted(maps.Keys(source))[0]].secret
	l.run("check on a client secret", env, pasted, 1, "check")
	l.run("check on a client secret as the argument", env, "", 1, "check", pasted)

	l.run("status", env, "", 0, "status")
	// Without an OS keyring the import's report carries no authentication codes, and undo
	// must be told to trust it; with one, the flag changes nothing.
	l.run("undo", env, "", 0, "undo", "--yes", "--unauthenticated", report)

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
		l.run("login auth0", keyring, env["AUTH0_CLIENT_SECRET"], 0, "login", "auth0", "--auth0-domain", env["AUTH0_DOMAIN"], "--auth0-client-id", env["AUTH0_CLIENT_ID"], "--secret-stdin")
		l.run("login stytch", keyring, env["STYTCH_SECRET"], 0, "login", "stytch", "--stytch-project-id", env["STYTCH_PROJECT_ID"], "--stytch-base-url", env["STYTCH_BASE_URL"], "--secret-stdin")
		l.run("status from the keyring", keyring, "", 0, "status")
		l.run("status, secrets from the keyring", with("AUTH0_DOMAIN", "STYTCH_PROJECT_ID"), "", 0, "status")
		l.run("import from the keyring", keyring, "", 0, "import", "--all", "--yes")
		l.run("logout", keyring, "", 0, "logout", "--all")
	})

	t.Run("in the TUI", l.tuiSession)

	l.files()
	l.assertNoLeak()
}

// leakCheck runs commands, keeps what they print, and searches it and the files under the
// home for credentials, in every encoding a server might have echoed them in (leaktest).
type leakCheck struct {
	t       *testing.T
	bin     string
	h       *home
	secrets leaktest.Finder
	texts   []seenText
}

type seenText struct{ where, text string }

// secret adds a credential to look for. Values under 8 characters are too short to search
// for without false alarms (the demo's weak secrets, which nothing imports): Finder leaves
// them out.
func (l *leakCheck) secret(what, value string) { l.secrets.Add(what, value) }

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
	files := homeFiles(l.t, l.h.root)
	if len(files) < 3 {
		l.t.Fatalf("only %d files were written: the runs did not write their reports", len(files))
	}
	l.texts = append(l.texts, files...)
}

// jwtShape matches an access token (header and payload of a JWT), whoever minted it: the
// tokens this test passes to check, and the ones m2mport mints to verify each client.
var jwtShape = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.`)

func (l *leakCheck) assertNoLeak() {
	l.t.Helper()
	assertNoSecretIn(l.t, &l.secrets, l.texts)
}

// assertNoSecretIn searches every text for every secret, in every encoding, and for
// anything shaped like an access token. Only the last four characters of a secret
// ("••••DzJj") may show.
func assertNoSecretIn(t *testing.T, secrets *leaktest.Finder, texts []seenText) {
	t.Helper()
	for _, s := range texts {
		if what, form, found := secrets.Find(s.text); found {
			t.Errorf("%s shows %s (%s)", s.where, what, form)
		}
		if m := jwtShape.FindString(s.text); m != "" {
			t.Errorf("%s shows an access token: %.24s…", s.where, m)
		}
	}
	t.Logf("searched %d outputs and files for %d credentials, each in every encoding", len(texts), secrets.Len())
}

// homeFiles returns every file under root, to search.
func homeFiles(t *testing.T, root string) []seenText {
	t.Helper()
	var out []seenText
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out = append(out, seenText{path, string(b)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
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

// tuiSession drives `m2mport` (the TUI, credentials from the environment) in a tmux window
// of 100×30 against a sandbox of its own, as an operator would: connect (and reveal the
// secrets on purpose, then hide them again), remember the credentials, pick (details, the
// other apps), scopes (the text and name editors), the plan, the import, Validate (the checks,
// the token, the comparison with an Auth0 token, the next client, a 60×20 window), and the
// token check with a token pasted in. Every screen is recorded as tmux shows it, colours
// included; so are the TUI's stderr and, through l.files, whatever it wrote.
func (l *leakCheck) tuiSession(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed: the TUI's part of this test drives m2mport in tmux (apt-get install tmux)")
	}
	sb := startSandbox(t, l.bin, l.h, "--seed", "demo")
	_, source := sb.source(t)
	l.secret("the Auth0 Management API app's secret (TUI sandbox)", sb.vars["AUTH0_CLIENT_SECRET"])
	l.secret("the Stytch project secret (TUI sandbox)", sb.vars["STYTCH_SECRET"])
	for id, w := range source {
		l.secret("the secret of "+id+" (TUI sandbox)", w.secret)
	}
	vars := maps.Clone(sb.vars)
	// "Remember" may reach a real keyring (CI has one): under a service of the test's own,
	// emptied afterwards, never an operator's saved credentials.
	vars["M2MPORT_KEYRING_SERVICE"] = "m2mport-test-leak-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	vars["M2MPORT_KEYRING_TIMEOUT"] = "3s"
	t.Cleanup(func() {
		if ring, err := keystore.Open(func(k string) string { return vars[k] }); err == nil {
			_ = ring.ForgetAll(context.Background())
		}
	})

	s := startTmux(t, tmux, l, vars, 100, 30)
	s.wait("connect", "Enter connects")
	s.keys("Enter")
	s.wait("connected", "Connected")

	// Revealed on purpose: the screen shows the secrets (as far as their fields are wide), and
	// hides them again on the same key. That screen is the one not searched.
	s.keys("C-r")
	revealed := s.waitText("connected, revealed", "Client ID")
	for _, secret := range []string{sb.vars["AUTH0_CLIENT_SECRET"], sb.vars["STYTCH_SECRET"]} {
		if !strings.Contains(revealed, secret[:20]) {
			t.Errorf("ctrl+r does not reveal the secrets:\n%s", revealed)
		}
	}
	s.keys("C-r")
	s.wait("connected, hidden again", "••••")

	s.walk([]step{
		{"k", "remembered", "aved"},
		{"Enter", "pick", "chosen"},
		{"Down Tab", "pick details", "Nightly invoice run"},
		{"Tab o", "pick, other apps", "o hides other apps"},
		{"o g Enter", "scopes", "Scopes  3 chosen"},
		{"e", "scopes as text", "separated by spaces"},
		{"Escape n", "scopes, name", "enter saves"},
		{"Escape Enter", "plan", "Review the plan"},
		{"Enter", "confirm", "Import into this project"},
		{"y", "import done", "passes every check"},
		{"Enter", "validate", "pass every check"},
		{"Tab Down Down", "validate, a check", "›✓ iss"},
		{"Tab NPage", "validate, the token", "Header"},
		{"Escape a", "validate, compared with Auth0", "Auth0 token"},
		{"Tab Tab", "validate, both tokens", "@clients"},
		{"Escape Down", "validate, the next client", "2 of "},
	})
	s.resize(60, 20)
	s.walk([]step{
		{"", "validate at 60×20", "2 of "},
		{"Tab Tab", "validate's token at 60×20", "Payload"},
	})
	s.resize(100, 30)
	s.walk([]step{
		{"Escape", "validate, back", "2 of "},
		{"Escape", "import done again", "Import finished"},
		{"Escape", "scopes again", "Scopes"},
		{"Escape", "pick again", "to filter"},
		{"Escape", "connected again", "Connected"},
	})

	// The token check, with a token of an imported client pasted in.
	var id, token string
	for _, c := range sb.stored(t) {
		if w, ok := source[c.ID]; ok && c.SecretSHA256 == w.secretSHA256 {
			id, token = c.ID, mintToken(t, sb, c.ID, w.secret)
			break
		}
	}
	if token == "" {
		t.Fatal("the TUI imported no client to mint a token for")
	}
	l.secret("the access token pasted into the TUI", token)
	s.keys("t")
	s.wait("token check", "Paste an access token")
	s.paste(token)
	s.wait("token check, pasted", "••••"+token[len(token)-4:])
	s.keys("Tab")
	s.literal(id)
	s.keys("Enter")
	s.wait("token check, result", "checks pass")
	s.keys("Tab")
	s.wait("token check, the token", "Payload")
	s.keys("q")
	s.exited()
}

// tmuxSession is m2mport running in a tmux server of the test's own.
type tmuxSession struct {
	t      *testing.T
	l      *leakCheck
	tmux   string
	sock   string
	stderr string
	status string // where the shell writes m2mport's exit status
}

// startTmux starts the TUI in the home of l with exactly vars set, in a w×h window.
func startTmux(t *testing.T, tmux string, l *leakCheck, vars map[string]string, w, h int) *tmuxSession {
	t.Helper()
	dir := t.TempDir()
	s := &tmuxSession{t: t, l: l, tmux: tmux, sock: filepath.Join(dir, "tmux.sock"), stderr: filepath.Join(dir, "stderr"), status: filepath.Join(dir, "status")}
	conf := filepath.Join(dir, "tmux.conf")
	// The window stays when m2mport exits, to show how it ended.
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := l.h.command(l.bin, vars)
	args := []string{"-S", s.sock, "-f", conf, "new-session", "-d", "-s", "m2mport", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "-c", l.h.wd, "--", "env", "-i"}
	args = append(args, cmd.Env...)
	args = append(args, "TERM=xterm-256color", "sh", "-c", `"$0" 2>"$1"; echo $? >"$2"`, l.bin, s.stderr, s.status)
	if out, err := exec.Command(tmux, args...).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(tmux, "-S", s.sock, "kill-server").Run() })
	return s
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command(s.tmux, append([]string{"-S", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", args[0], err, out)
	}
	return string(out)
}

// keys presses keys by tmux's names, one at a time as a person would. After Escape it waits
// for the screen to change before the next key: an escape byte that the TUI reads together
// with the next key is alt+that key (a loaded machine reads Escape and Enter as alt+enter),
// and every Escape here leaves something.
func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		before := ""
		if k == "Escape" {
			before = s.run("capture-pane", "-p", "-t", "m2mport")
		}
		s.run("send-keys", "-t", "m2mport", k)
		if k == "Escape" {
			s.changed(before)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// changed waits until the screen is no longer before.
func (s *tmuxSession) changed(before string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		screen := s.run("capture-pane", "-p", "-t", "m2mport")
		if screen != before {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen did not change after Escape:\n%s", screen)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *tmuxSession) literal(text string) {
	s.t.Helper()
	s.run("send-keys", "-t", "m2mport", "-l", text)
}

// paste pastes text as a terminal does, in bracketed paste.
func (s *tmuxSession) paste(text string) {
	s.t.Helper()
	s.run("set-buffer", "-b", "leak", "--", text)
	s.run("paste-buffer", "-p", "-d", "-b", "leak", "-t", "m2mport")
}

func (s *tmuxSession) resize(w, h int) {
	s.t.Helper()
	s.run("resize-window", "-t", "m2mport", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h))
}

// waitText waits until the screen shows what, and returns the screen's text. name says
// which screen is awaited when it never comes.
func (s *tmuxSession) waitText(name, what string) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		screen := s.run("capture-pane", "-p", "-t", "m2mport")
		if strings.Contains(screen, what) {
			time.Sleep(100 * time.Millisecond) // let the frame settle
			return s.run("capture-pane", "-p", "-t", "m2mport")
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: the screen does not show %q:\n%s", name, what, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wait waits until the screen shows what, then records the screen as the terminal holds it,
// colours and all.
func (s *tmuxSession) wait(name, what string) {
	s.t.Helper()
	s.waitText(name, what)
	s.l.record("TUI: "+name, s.run("capture-pane", "-p", "-e", "-t", "m2mport"))
}

// step is one move of a walk through the TUI: press keys (tmux's names, separated by
// spaces; none to only wait), then wait for the screen to show want and record it as name.
type step struct{ keys, name, want string }

func (s *tmuxSession) walk(steps []step) {
	s.t.Helper()
	for _, st := range steps {
		s.keys(strings.Fields(st.keys)...)
		s.wait(st.name, st.want)
	}
}

// exited waits for m2mport to end, fails unless it exited with 0, and records its stderr.
func (s *tmuxSession) exited() {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(s.status); err == nil && strings.HasSuffix(string(b), "\n") {
			if code := strings.TrimSpace(string(b)); code != "0" {
				s.t.Errorf("m2mport exited with %s", code)
			}
			break
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("m2mport did not quit:\n%s", s.run("capture-pane", "-p", "-t", "m2mport"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, err := os.ReadFile(s.stderr)
	if err != nil {
		s.t.Fatal(err)
	}
	s.l.record("TUI: stderr", string(b))
}
