package main

// End-to-end helpers: the real binary, built once per test, run as a subprocess against
// `m2mport sandbox` in another subprocess, with every directory it may write to in a
// temporary folder. chaos_test.go and leak_test.go use them.

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client/sandboxtest"
	"github.com/m2mport/m2mport/keystore"
)

// buildBinary builds m2mport into a temporary folder and returns its path.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "m2mport")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// home is a set of private folders standing in for everything a run may write to: $HOME,
// the XDG folders, $TMPDIR and the working directory.
type home struct {
	root string
	env  map[string]string // HOME, XDG_*, TMPDIR
	wd   string
}

func newHome(t testing.TB) *home {
	t.Helper()
	h := &home{root: t.TempDir(), env: map[string]string{}}
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "TMPDIR"} {
		dir := filepath.Join(h.root, strings.ToLower(v))
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		h.env[v] = dir
	}
	h.wd = filepath.Join(h.root, "wd")
	if err := os.Mkdir(h.wd, 0o700); err != nil {
		t.Fatal(err)
	}
	// Runs keep their report key in the OS keyring when there is one: under a service of
	// their own, emptied afterwards, never the operator's.
	h.env["M2MPORT_KEYRING_SERVICE"] = fmt.Sprintf("m2mport-test-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() {
		if s, err := keystore.Open(func(k string) string { return h.env[k] }); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = s.ForgetAll(ctx) // nothing to empty without a keyring
		}
	})
	return h
}

// command builds a run of bin in h with exactly the given variables set (plus PATH and, for
// the keyring, the session bus): never the caller's own credentials.
func (h *home) command(bin string, vars map[string]string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Dir = h.wd
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	if bus := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); bus != "" {
		cmd.Env = append(cmd.Env, "DBUS_SESSION_BUS_ADDRESS="+bus)
	}
	for k, v := range h.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

// sandboxProc is `m2mport sandbox --env` running in the background.
type sandboxProc struct {
	cmd  *exec.Cmd
	vars map[string]string // what its export lines say: AUTH0_*, STYTCH_*
}

// startSandbox runs `m2mport sandbox --env` with args and waits for its export lines. It is
// interrupted when the test ends.
func startSandbox(t testing.TB, bin string, h *home, args ...string) *sandboxProc {
	t.Helper()
	cmd := h.command(bin, nil, append([]string{"sandbox", "--env"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard // one line per request
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	sb := &sandboxProc{cmd: cmd, vars: map[string]string{}}
	sc := bufio.NewScanner(stdout)
	for len(sb.vars) < 6 && sc.Scan() {
		name, value, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if !ok {
			t.Fatalf("sandbox printed %q", sc.Text())
		}
		sb.vars[name] = shellUnquote(t, value)
	}
	if len(sb.vars) < 6 {
		t.Fatalf("sandbox printed %d variables: %v", len(sb.vars), sc.Err())
	}
	go io.Copy(io.Discard, stdout)
	return sb
}

// shellUnquote reads a value as `m2mport sandbox --env` quotes it for a POSIX shell.
func shellUnquote(t testing.TB, s string) string {
	t.Helper()
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		t.Fatalf("not a single-quoted value: %q", s)
	}
	return strings.ReplaceAll(s[1:len(s)-1], `'\''`, `'`)
}

// getJSON decodes the JSON answer of a GET.
func getJSON(t testing.TB, u string, header http.Header, out any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// want is what the target should hold for one source client.
type want struct {
	name         string
	secret       string
	scopes       []string // sorted
	secretSHA256 string
}

// source reads the Auth0 emulator directly, as its wire spec describes it (not through our
// reader, which is what is under test): the Management API app's id and, for every other
// application with a secret, what an import must store.
func (sb *sandboxProc) source(t *testing.T) (mgmtID string, clients map[string]want) {
	t.Helper()
	base := sb.vars["AUTH0_DOMAIN"]
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {sb.vars["AUTH0_CLIENT_ID"]},
		"client_secret": {sb.vars["AUTH0_CLIENT_SECRET"]}, "audience": {base + "/api/v2/"}}
	resp, err := http.PostForm(base+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("management token: %d %v", resp.StatusCode, err)
	}
	auth := http.Header{"Authorization": {"Bearer " + tok.AccessToken}}
	type app struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
		Name   string `json:"name"`
	}
	type grant struct {
		ClientID    string   `json:"client_id"`
		Audience    string   `json:"audience"`
		Scope       []string `json:"scope"`
		SubjectType string   `json:"subject_type"`
	}
	var apps []app
	var grants []grant
	for page := 0; ; page++ {
		var p struct {
			Total   int     `json:"total"`
			Clients []app   `json:"clients"`
			Grants  []grant `json:"client_grants"`
		}
		getJSON(t, fmt.Sprintf("%s/api/v2/clients?app_type=non_interactive&per_page=100&page=%d&include_totals=true", base, page), auth, &p)
		apps = append(apps, p.Clients...)
		if len(p.Clients) == 0 || len(apps) >= p.Total {
			break
		}
	}
	for page := 0; ; page++ {
		var p struct {
			Total  int     `json:"total"`
			Grants []grant `json:"client_grants"`
		}
		getJSON(t, fmt.Sprintf("%s/api/v2/client-grants?per_page=100&page=%d&include_totals=true", base, page), auth, &p)
		grants = append(grants, p.Grants...)
		if len(p.Grants) == 0 || len(grants) >= p.Total {
			break
		}
	}
	scopes := map[string]map[string]bool{}
	for _, g := range grants {
		if g.SubjectType == "user" || g.Audience == base+"/api/v2/" {
			continue
		}
		if scopes[g.ClientID] == nil {
			scopes[g.ClientID] = map[string]bool{}
		}
		for _, s := range g.Scope {
			scopes[g.ClientID][s] = true
		}
	}
	clients = map[string]want{}
	for _, a := range apps {
		if a.Secret == "" || a.ID == sb.vars["AUTH0_CLIENT_ID"] {
			continue
		}
		w := want{name: a.Name, secret: a.Secret}
		for s := range scopes[a.ID] {
			w.scopes = append(w.scopes, s)
		}
		slices.Sort(w.scopes)
		sum := sha256.Sum256([]byte(a.Secret))
		w.secretSHA256 = hex.EncodeToString(sum[:])
		clients[a.ID] = w
	}
	return sb.vars["AUTH0_CLIENT_ID"], clients
}

// storedClient is one entry of the Stytch emulator's GET /_sandbox/clients.
type storedClient struct {
	ID           string   `json:"client_id"`
	Name         string   `json:"client_name"`
	Scopes       []string `json:"scopes"`
	SecretSHA256 string   `json:"client_secret_sha256"`
}

// stored lists what the Stytch emulator holds, in its order, duplicates included.
func (sb *sandboxProc) stored(t *testing.T) []storedClient {
	t.Helper()
	var body struct{ Clients []storedClient }
	getJSON(t, sb.vars["STYTCH_BASE_URL"]+"/_sandbox/clients", nil, &body)
	return body.Clients
}

// sandboxStats is the Stytch emulator's GET /_sandbox/stats.
type sandboxStats struct {
	Total    int                       `json:"total"`
	Routes   map[string]map[string]int `json:"routes"`
	Statuses map[string]int            `json:"statuses"`
	Faults   map[string]int            `json:"faults"`
}

func (sb *sandboxProc) stats(t testing.TB) sandboxStats {
	t.Helper()
	var s sandboxStats
	getJSON(t, sb.vars["STYTCH_BASE_URL"]+"/_sandbox/stats", nil, &s)
	return s
}

// run is one m2mport command run as a subprocess.
type run struct {
	cmd    *exec.Cmd
	stdout chan string         // lines, closed at the end of stdout
	lines  []string            // every stdout line read so far, by next()
	stderr *sandboxtest.Buffer // what it wrote on stderr so far
	done   chan struct{}
	err    error // from Wait, once done is closed
}

// start starts cmd with its stdout read line by line and its stderr collected.
func start(t *testing.T, cmd *exec.Cmd) *run {
	t.Helper()
	r := &run{cmd: cmd, stdout: make(chan string, 1024), stderr: &sandboxtest.Buffer{}, done: make(chan struct{})}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = r.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 4<<20)
		for sc.Scan() {
			r.stdout <- sc.Text()
		}
		close(r.stdout)
		r.err = cmd.Wait()
		close(r.done)
	}()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = cmd.Process.Kill()
			<-r.done
		}
	})
	return r
}

// next returns the next stdout line, or false at the end of stdout.
func (r *run) next(t *testing.T, timeout time.Duration) (string, bool) {
	t.Helper()
	select {
	case line, ok := <-r.stdout:
		if ok {
			r.lines = append(r.lines, line)
		}
		return line, ok
	case <-time.After(timeout):
		t.Fatalf("%s printed nothing for %s; stderr:\n%s", r.cmd.Args[1], timeout, r.stderr.String())
		return "", false
	}
}

// wait reads stdout to its end and waits for the process, for at most timeout, and returns
// its exit code, or -1 with the signal that ended it.
func (r *run) wait(t *testing.T, timeout time.Duration) (code int, signal syscall.Signal) {
	t.Helper()
	expired := time.After(timeout)
	for open := true; open; {
		select {
		case line, ok := <-r.stdout:
			if ok {
				r.lines = append(r.lines, line)
			}
			open = ok
		case <-expired:
			t.Fatalf("%s did not exit within %s; stderr:\n%s", r.cmd.Args[1], timeout, r.stderr.String())
		}
	}
	select {
	case <-r.done:
	case <-expired:
		t.Fatalf("%s did not exit within %s; stderr:\n%s", r.cmd.Args[1], timeout, r.stderr.String())
	}
	ws := r.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return -1, ws.Signal()
	}
	return ws.ExitStatus(), 0
}

// event is the part of an NDJSON line of `import --json` these tests read.
type event struct {
	Event    string `json:"event"`
	ClientID string `json:"client_id"`
	State    string `json:"state"`
	OK       *bool  `json:"ok"`
	Canceled bool   `json:"canceled"`
	Report   string `json:"report"`
	Requests int    `json:"requests"`
	Limited  int    `json:"rate_limited"`
	Progress struct {
		Total, Imported, Skipped, Canceled, Verified int
		CheckFailed                                  int `json:"check_failed"`
	} `json:"progress"`
}

func parseEvent(t *testing.T, line string) event {
	t.Helper()
	var ev event
	if err := json.Unmarshal([]byte(line), &ev); err != nil {
		t.Fatalf("not an NDJSON event: %q: %v", line, err)
	}
	return ev
}
