package sandbox_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client/sandbox"
)

func TestStartRefusesNonLoopbackAddresses(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:8080", "[::]:0", "example.com:80", "nonsense"} {
		for _, opts := range []sandbox.Options{{Auth0Addr: addr}, {StytchAddr: addr}} {
			sb, err := sandbox.Start(opts)
			if err == nil {
				sb.Close()
				t.Errorf("Start(%+v) succeeded", opts)
				continue
			}
			if !errors.Is(err, sandbox.ErrBadOption) || !strings.Contains(err.Error(), addr) {
				t.Errorf("Start(%+v): %v", opts, err)
			}
		}
	}
	sb := start(t, sandbox.Options{Auth0Addr: "localhost:0", StytchAddr: "127.0.0.2:0"})
	if !strings.HasPrefix(sb.Auth0().URL, "http://127.0.0.1:") && !strings.HasPrefix(sb.Auth0().URL, "http://[::1]:") {
		t.Errorf("localhost URL %s", sb.Auth0().URL)
	}
	want(t, "Stytch status on 127.0.0.2", do(t, http.MethodGet, sb.Stytch().URL+"/_sandbox/stats", nil).status, 200)
}

func TestStartRefusesBadSeeds(t *testing.T) {
	for _, seed := range []string{"demo2", "generated", "generated:0", "generated:-3", "generated:x", "generated:1000001"} {
		if _, err := sandbox.Start(sandbox.Options{Seed: seed}); !errors.Is(err, sandbox.ErrBadOption) || !strings.Contains(err.Error(), seed) {
			t.Errorf("seed %q: %v", seed, err)
		}
	}
}

func TestInfo(t *testing.T) {
	sb := start(t, sandbox.Options{})
	a, s := sb.Auth0(), sb.Stytch()
	want(t, "domain", a.Domain, a.URL)
	want(t, "audience", a.Audience, a.URL+"/api/v2/")
	want(t, "tenant", a.Tenant, "acme")
	if !strings.HasPrefix(s.ProjectID, "project-test-") || !strings.HasPrefix(s.Secret, "secret-test-") {
		t.Errorf("Stytch credentials %q %q", s.ProjectID, s.Secret)
	}
	// Demo credentials are fixed: the same in every sandbox, whatever the random seed.
	other := start(t, sandbox.Options{RandomSeed: 99})
	want(t, "client id", other.Auth0().ClientID, a.ClientID)
	want(t, "client secret", other.Auth0().ClientSecret, a.ClientSecret)
	want(t, "project", other.Stytch().ProjectID, s.ProjectID)
	want(t, "project secret", other.Stytch().Secret, s.Secret)
	if fmt.Sprint(apps(t, a)) != fmt.Sprint(apps(t, other.Auth0())) {
		t.Error("demo apps differ between random seeds")
	}
	grantIDs := func(a sandbox.Auth0Info) []string {
		var ids []string
		for _, g := range mgmtGet(t, a, mgmtToken(t, a, ""), "/api/v2/client-grants").arr(t) {
			ids = append(ids, str(g.(map[string]any)["id"]))
		}
		return ids
	}
	if !slices.Equal(grantIDs(a), grantIDs(other.Auth0())) {
		t.Error("demo grant ids differ between sandboxes")
	}
}

func TestSeedEmpty(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty"})
	a := sb.Auth0()
	tok := mgmtToken(t, a, "")
	clients := mgmtGet(t, a, tok, "/api/v2/clients").arr(t)
	want(t, "clients", len(clients), 1)
	want(t, "the Management-API app", str(clients[0].(map[string]any)["client_id"]), a.ClientID)
	apis := mgmtGet(t, a, tok, "/api/v2/resource-servers").arr(t)
	want(t, "APIs", len(apis), 1)
	want(t, "system API", str(apis[0].(map[string]any)["identifier"]), a.Audience)
	want(t, "Stytch clients", len(inspect(t, sb.Stytch())), 0)
}

func TestSeedGenerated(t *testing.T) {
	const n = 40
	listing := func(seed int64) (clients, grants []any) {
		sb := start(t, sandbox.Options{Seed: fmt.Sprintf("generated:%d", n), RandomSeed: seed})
		a := sb.Auth0()
		tok := mgmtToken(t, a, "")
		clients = mgmtGet(t, a, tok, "/api/v2/clients?per_page=100").arr(t)
		grants = mgmtGet(t, a, tok, "/api/v2/client-grants?per_page=100").arr(t)
		grants = append(grants, mgmtGet(t, a, tok, "/api/v2/client-grants?per_page=100&page=1").arr(t)...)
		want(t, "APIs", len(mgmtGet(t, a, tok, "/api/v2/resource-servers").arr(t)), 6)
		want(t, "Stytch project is empty", len(inspect(t, sb.Stytch())), 0)
		return clients, grants
	}
	clients, grants := listing(1)
	want(t, "clients", len(clients), n+1)
	perClient := map[string][]string{}
	for _, g := range grants {
		m := g.(map[string]any)
		perClient[str(m["client_id"])] = append(perClient[str(m["client_id"])], str(m["audience"]))
		if len(m["scope"].([]any)) == 0 {
			t.Errorf("grant %v has no scope", m["id"])
		}
	}
	names := map[string]bool{}
	for _, c := range clients[1:] {
		m := c.(map[string]any)
		id, secret := str(m["client_id"]), str(m["client_secret"])
		if len(id) != 32 || strings.Trim(id, alnum) != "" || len(secret) != 64 || strings.Trim(secret, alnum+"-_") != "" {
			t.Errorf("generated credentials of %s have the wrong shape", m["name"])
		}
		auds := perClient[id]
		slices.Sort(auds)
		if len(auds) < 1 || len(auds) > 3 || len(slices.Compact(auds)) != len(auds) {
			t.Errorf("%s has grants on %v, want 1–3 distinct APIs", m["name"], auds)
		}
		if names[str(m["name"])] {
			t.Errorf("name %q repeats", m["name"])
		}
		names[str(m["name"])] = true
	}
	again, _ := listing(1)
	other, _ := listing(2)
	want(t, "same random seed, same tenant", fmt.Sprint(again), fmt.Sprint(clients))
	if fmt.Sprint(other) == fmt.Sprint(clients) {
		t.Error("different random seeds gave the same tenant")
	}
}

func TestStatsCountRoutesAndStatuses(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty"})
	s := newStytch(t, sb)
	s.create(map[string]any{"client_id": "a/b", "client_secret": goodSecret, "scopes": []string{}})
	s.call(http.MethodPost, "/v1/m2m/clients", map[string]any{"client_id": "a/b", "scopes": []string{}})
	s.call(http.MethodGet, clientPath("a/b"), nil)
	s.call(http.MethodGet, clientPath("nope"), nil)
	s.call(http.MethodGet, "/v1/nothing/here", nil)
	s.call(http.MethodPatch, clientPath("a/b"), nil)
	st := stats(t, s.info.URL)
	want(t, "total", st.Total, 6)
	want(t, "creates 200", st.Routes["POST /v1/m2m/clients"]["200"], 1)
	want(t, "creates 400", st.Routes["POST /v1/m2m/clients"]["400"], 1)
	want(t, "gets 200", st.Routes["GET /v1/m2m/clients/{client_id}"]["200"], 1)
	want(t, "gets 404", st.Routes["GET /v1/m2m/clients/{client_id}"]["404"], 1)
	want(t, "unrouted", st.Routes["GET (no route)"]["404"], 1)
	want(t, "wrong method", st.Routes["PATCH (no route)"]["405"], 1)
	want(t, "statuses 404", st.Statuses["404"], 2)

	a := sb.Auth0()
	mgmtGet(t, a, mgmtToken(t, a, ""), "/api/v2/clients")
	ast := stats(t, a.URL)
	want(t, "auth0 token", ast.Routes["POST /oauth/token"]["200"], 1)
	want(t, "auth0 clients", ast.Routes["GET /api/v2/clients"]["200"], 1)
}

func TestLogHasOneLinePerRequestAndNoSecrets(t *testing.T) {
	var log syncBuffer
	sb := start(t, sandbox.Options{Log: &log})
	a := sb.Auth0()
	tok := mgmtToken(t, a, "")
	mgmtGet(t, a, tok, "/api/v2/clients?fields=client_secret")
	s := newStytch(t, sb)
	s.create(map[string]any{"client_id": "logged", "client_secret": goodSecret, "scopes": []string{}})
	_, m := s.token("logged", goodSecret, "")
	s.call(http.MethodGet, clientPath("new\nline"), nil)
	out := log.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want(t, "lines", len(lines), 5)
	for _, l := range []string{"POST", "/oauth/token", "200", "/api/v2/clients", "/v1/m2m/clients", "404", "new%0Aline"} {
		if !strings.Contains(out, l) {
			t.Errorf("log lacks %q:\n%s", l, out)
		}
	}
	for _, secret := range []string{a.ClientSecret, tok, goodSecret, str(m["access_token"]), s.info.Secret, "fields="} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds a secret, token or query:\n%s", out)
		}
	}
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	tr := &http.Transport{}
	client := &http.Client{Transport: tr}
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{sb.Auth0().URL + "/.well-known/jwks.json", sb.Stytch().URL + "/_sandbox/stats"} {
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sb.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	tr.CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// A client's spare connection that never sends a request must not hold Close up: Shutdown
// alone waits 5 s for such a connection, which made `m2mport demo` slow to quit.
func TestCloseDoesNotWaitForSilentConnections(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{sb.Auth0().URL, sb.Stytch().URL} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(u, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
	}
	time.Sleep(50 * time.Millisecond) // let the servers accept them
	closed := make(chan error, 1)
	go func() { closed <- sb.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Second): // Shutdown's own wait for them is 5 s
		t.Fatal("Close waits for connections that never sent a request")
	}
}
