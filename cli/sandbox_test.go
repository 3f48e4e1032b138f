package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client/sandboxtest"
)

// serveSandbox runs `m2mport sandbox args…` until the test stops it, and returns what it
// printed on stdout once it has printed everything it prints before serving.
func serveSandbox(t *testing.T, complete func(string) bool, args ...string) (stdout string, stderr *sandboxtest.Buffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &sandboxtest.Buffer{}, &sandboxtest.Buffer{}
	env := &Env{Stdio: Stdio{In: strings.NewReader(""), Out: out, Err: errb}, Getenv: func(string) string { return "" }}
	code := make(chan int, 1)
	go func() { code <- run(ctx, append([]string{"sandbox"}, args...), env) }()
	var once sync.Once
	exit := -1
	stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case exit = <-code:
			case <-time.After(30 * time.Second):
				t.Error("sandbox did not stop after its context was cancelled")
			}
		})
		return exit
	}
	t.Cleanup(func() { stop() })
	for deadline := time.Now().Add(30 * time.Second); !complete(out.String()); time.Sleep(5 * time.Millisecond) {
		select {
		case c := <-code:
			code <- c // for stop
			t.Fatalf("sandbox exited with %d before printing: stdout %q stderr %q", c, out.String(), errb.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("sandbox printed %q", out.String())
		}
	}
	return out.String(), errb, stop
}

func TestSandboxPrintsOneJSONLineAndServesUntilCancelled(t *testing.T) {
	out, stderr, stop := serveSandbox(t, func(s string) bool { return strings.HasSuffix(s, "\n") }, "--seed", "empty")
	if strings.Count(out, "\n") != 1 {
		t.Fatalf("stdout is not one line: %q", out)
	}
	var line struct {
		Auth0  map[string]string `json:"auth0"`
		Stytch map[string]string `json:"stytch"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&line); err != nil {
		t.Fatalf("stdout %q: %v", out, err)
	}
	a, s := line.Auth0, line.Stytch
	if len(a) != 5 || len(s) != 4 || s["vertical"] != "b2b" {
		t.Fatalf("fields: auth0 %v stytch %v", a, s)
	}
	if !strings.HasPrefix(a["url"], "http://127.0.0.1:") || a["domain"] != a["url"] || a["audience"] != a["url"]+"/api/v2/" {
		t.Errorf("auth0 %v", a)
	}
	if !strings.HasPrefix(s["url"], "http://127.0.0.1:") || !strings.HasPrefix(s["project_id"], "project-test-") || s["secret"] == "" {
		t.Errorf("stytch %v", s)
	}

	// The printed credentials work.
	resp, err := http.PostForm(a["url"]+"/oauth/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {a["client_id"]}, "client_secret": {a["client_secret"]}, "audience": {a["audience"]}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("token with the printed credentials: %v %v", resp, err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodPost, s["url"]+"/v1/m2m/clients/search", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(s["project_id"], s["secret"])
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("search with the printed credentials: %v %v", resp, err)
	}
	resp.Body.Close()

	if code := stop(); code != ExitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	for _, want := range []string{"POST   /oauth/token 200", "POST   /v1/m2m/clients/search 200"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q: %q", want, stderr.String())
		}
	}
	if strings.Contains(stderr.String(), a["client_secret"]) {
		t.Error("the request log holds the secret")
	}
	if _, err := http.Get(s["url"] + "/_sandbox/stats"); err == nil {
		t.Error("still serving after exit")
	}
}

func TestSandboxEnvPrintsShellExports(t *testing.T) {
	names := []string{"AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET", "STYTCH_PROJECT_ID", "STYTCH_SECRET", "STYTCH_BASE_URL"}
	out, _, stop := serveSandbox(t, func(s string) bool { return strings.Count(s, "\n") == len(names) }, "--env", "--auth0-addr", "127.0.0.1:0")
	defer stop()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(names) {
		t.Fatalf("%d lines: %q", len(lines), out)
	}
	pattern := regexp.MustCompile(`^export ([A-Z0-9_]+)='([^']*)'$`)
	values := map[string]string{}
	for i, l := range lines {
		m := pattern.FindStringSubmatch(l)
		if m == nil || m[1] != names[i] || m[2] == "" {
			t.Fatalf("line %d %q, want export %s='…'", i, l, names[i])
		}
		values[m[1]] = m[2]
	}
	if !strings.HasPrefix(values["AUTH0_DOMAIN"], "http://127.0.0.1:") || !strings.HasPrefix(values["STYTCH_BASE_URL"], "http://127.0.0.1:") {
		t.Errorf("URLs %v", values)
	}
	if code := stop(); code != ExitOK {
		t.Errorf("exit %d", code)
	}
}

// A live project id and a Management app without read:client_keys let an operator try the
// production guard and the missing-permission advice against the sandbox.
func TestSandboxLiveProjectAndMissingScopes(t *testing.T) {
	names := 6
	out, _, stop := serveSandbox(t, func(s string) bool { return strings.Count(s, "\n") == names }, "--env",
		"--stytch-project-id", "project-live-0f0f0f0f-1111-2222-3333-444444444444", "--management-scopes", "read:clients read:client_grants")
	defer stop()
	vars := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(strings.TrimPrefix(l, "export "), "=")
		vars[k] = strings.Trim(v, "'")
	}
	if vars["STYTCH_PROJECT_ID"] != "project-live-0f0f0f0f-1111-2222-3333-444444444444" {
		t.Fatalf("project id %q", vars["STYTCH_PROJECT_ID"])
	}
	code, _, errOut := runCLI(t, vars, "import", "--all", "--yes")
	if code != ExitUsage || !strings.Contains(errOut, "live project") {
		t.Errorf("import to the live sandbox project without --live: exit %d, %q", code, errOut)
	}
	code, _, errOut = runCLI(t, vars, "import", "--all", "--dry-run")
	if code != ExitOK || !strings.Contains(errOut, "add read:client_keys") {
		t.Errorf("a Management app without read:client_keys: exit %d, %q", code, errOut)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"plain": "'plain'", "it's": `'it'\''s'`, "$HOME `x`": "'$HOME `x`'", "": "''"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestSandboxRefusesBadFlagValues(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		mentions string
	}{
		{[]string{"--auth0-addr", "0.0.0.0:8080"}, "loopback"},
		{[]string{"--stytch-addr", "192.0.2.7:9000"}, "loopback"},
		{[]string{"--seed", "lots"}, `"lots"`},
		{[]string{"--seed", "generated:0"}, "generated:0"},
		{[]string{"--faults", "stytch:429=7"}, `"7"`},
		{[]string{"--faults", "auth0:commitdrop=0.1"}, "commitdrop"},
		{[]string{"--auth0-rate", "fast"}, "--auth0-rate"},
		{[]string{"--stytch-rate", "2:0"}, "--stytch-rate"},
		{[]string{"--random-seed", "x"}, "random-seed"},
		{[]string{"--bogus"}, "bogus"},
		{[]string{"extra"}, `m2mport sandbox: takes no arguments (got 1)`},
	} {
		code, out, errOut := runCLI(t, nil, append([]string{"sandbox"}, tc.args...)...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, tc.mentions) {
			t.Errorf("sandbox %v: exit %d, stdout %q, stderr %q; want exit 2 and an error mentioning %s", tc.args, code, out, errOut, tc.mentions)
		}
	}
}
