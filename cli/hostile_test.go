package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/auth0"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
	"github.com/m2mport/m2mport/keystore"
)

// hostileTenant is an Auth0 Management API serving the given applications (JSON objects)
// with one grant each, or, when clients is set, whatever clients answers for the list. Its
// Management API token carries scope, or all four scopes m2mport needs when it is empty.
type hostileTenant struct {
	apps    []string
	clients http.HandlerFunc
	scope   string
}

func (h *hostileTenant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/oauth/token":
		scope := h.scope
		if scope == "" {
			scope = "read:clients read:client_keys read:client_grants read:resource_servers"
		}
		fmt.Fprintf(w, `{"access_token":"mgmt-token","expires_in":86400,"scope":%q,"token_type":"Bearer"}`, scope)
	case "/api/v2/clients":
		if h.clients != nil {
			h.clients(w, r)
			return
		}
		fmt.Fprintf(w, `{"total":%d,"start":0,"limit":100,"clients":[%s]}`, len(h.apps), strings.Join(h.apps, ","))
	case "/api/v2/client-grants":
		var grants []string
		for _, a := range h.apps {
			var app struct {
				ID string `json:"client_id"`
			}
			_ = json.Unmarshal([]byte(a), &app)
			grants = append(grants, fmt.Sprintf(`{"id":"cgr_%s","client_id":%q,"audience":"https://api.example.com/","scope":["read:orders"]}`, app.ID, app.ID))
		}
		fmt.Fprintf(w, `{"total":%d,"start":0,"limit":100,"client_grants":[%s]}`, len(grants), strings.Join(grants, ","))
	case "/api/v2/resource-servers":
		fmt.Fprint(w, `{"total":0,"start":0,"limit":100,"resource_servers":[]}`)
	default:
		http.NotFound(w, r)
	}
}

// hostileEnv serves tenant as the Auth0 side and an empty Stytch emulator as the target.
func hostileEnv(t *testing.T, tenant http.Handler) (*sandbox.Sandbox, map[string]string) {
	t.Helper()
	srv := httptest.NewServer(tenant)
	t.Cleanup(srv.Close)
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "empty"})
	env["AUTH0_DOMAIN"], env["AUTH0_CLIENT_ID"], env["AUTH0_CLIENT_SECRET"] = srv.URL, "mgmtAppClientId0000000000000000", "mgmt-Secret-Qz8xLw3KpN2vR7tY"
	return sb, env
}

// inert reports the first thing in out that could drive a terminal: an escape or other
// control character (line breaks and tabs aside), a C1 control or a bidi control.
func inert(out string) string {
	for i, r := range out {
		switch {
		case r == '\n' || r == '\t':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Bidi_Control, r):
			return fmt.Sprintf("%U at byte %d: %q", r, i, out[max(0, i-40):min(len(out), i+40)])
		}
	}
	return ""
}

// Names and descriptions from Auth0 are the operator's to read, not the terminal's to obey:
// escape sequences (colours, screen clears, window titles, hyperlinks), C1 controls and bidi
// controls come out inert, 10 KB names come out short, and the JSON output keeps every name
// exactly while escaping what a terminal would act on.
func TestHostileNamesComeOutInert(t *testing.T) {
	secret := func(i int) string { return fmt.Sprintf("s3cret-%02d-Xy9Qabcdefghijkl", i) }
	app := func(id, name, description string, i int) string {
		b, _ := json.Marshal(map[string]any{"client_id": id, "client_secret": secret(i), "name": name, "description": description,
			"app_type": "non_interactive", "grant_types": []string{"client_credentials"}, "token_endpoint_auth_method": "client_secret_post",
			"client_metadata": map[string]string{"team": "\x1b[5mblink\x1b[0m"}})
		return string(b)
	}
	names := map[string]string{
		"escapes": "\x1b]0;pwned\x07\x1b[2J\x1b[31mBilling\x1b[0m \u202eWorker\u2066",
		"long":    strings.Repeat("A", 10<<10) + "\u009b2J",
		"marks":   "\u200fRTL\u061c mark \u009b31m \x1bP+q\x1b\\",
		"m2mport": strings.Repeat("\x1b[7m", 2000) + "m2mport reader" + strings.Repeat("!", 10<<10),
	}
	tenant := &hostileTenant{apps: []string{
		app("hostile-escapes", names["escapes"], "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", 1),
		app("hostile-long", names["long"], strings.Repeat("d\u202e", 5<<10), 2),
		app("hostile-marks", names["marks"], "ok", 3),
		app("mgmtAppClientId0000000000000000", names["m2mport"], "", 4),
	}, scope: "read:clients read:client_keys read:client_grants"} // APIs hidden: a warning names the app

	sb, env := hostileEnv(t, tenant)

	outputs := map[string]string{}
	for _, args := range [][]string{
		{"import", "--all", "--dry-run"},
		{"import", "--all", "--yes"},
		{"import", "--all", "--yes", "--json"},
		{"import", "--all", "--dry-run", "--json"},
	} {
		code, out, errOut := run2(t, env, args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errOut)
		}
		outputs[strings.Join(args, " ")+" (stdout)"], outputs[strings.Join(args, " ")+" (stderr)"] = out, errOut
	}
	if stored := sandboxtest.Stored(t, sb); stored["hostile-escapes"].ClientName != names["escapes"] {
		t.Errorf("the name should reach Stytch as it is: %q", stored["hostile-escapes"].ClientName)
	}
	for what, out := range outputs {
		if bad := inert(out); bad != "" {
			t.Errorf("%s is not inert: %s", what, bad)
		}
		if strings.Contains(what, "--json") && strings.Contains(what, "stdout") {
			sc := bufio.NewScanner(strings.NewReader(out))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var ev struct{ ClientID, Name string }
				if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
					t.Fatalf("%s: not JSON: %v", what, err)
				}
				if want, ok := names[strings.TrimPrefix(ev.ClientID, "hostile-")]; ok && ev.Name != "" && ev.Name != want {
					t.Errorf("%s: the JSON changed %s's name to %q", what, ev.ClientID, ev.Name)
				}
			}
			continue
		}
		for _, line := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(line); n > 400 {
				t.Errorf("%s has a line of %d characters: %.80q…", what, n, line)
			}
		}
	}
	if !strings.Contains(outputs["import --all --dry-run (stdout)"], "the name is 10243 characters long; Stytch takes at most 256") {
		t.Errorf("the plan should say why the long name is blocked:\n%s", outputs["import --all --dry-run (stdout)"])
	}
}

// A Management API that answers HTML, JSON cut short, 50 MB or nothing at all: import says
// what happened in one line and what to do in another (after a line per retry), within the
// reader's timeouts, and exits 1.
func TestImportAgainstABrokenManagementAPI(t *testing.T) {
	cases := []struct {
		name    string
		clients http.HandlerFunc
		says    string
	}{
		{"HTML", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>\x1b[2J</body></html>")
		}, `502: Bad Gateway: unexpected body "502 Bad Gateway`},
		{"truncated JSON", func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, `{"total":1,"clients":[{"client_id":"abc","client_sec`)
		}, "the answer was cut short"},
		{"50 MB", func(w http.ResponseWriter, _ *http.Request) {
			chunk := []byte(strings.Repeat(" ", 1<<20))
			for range 50 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, "the answer is larger than 10 MiB"},
		{"hangs", func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, "no answer from the server: timed out after 300 ms"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, vars := hostileEnv(t, &hostileTenant{clients: tc.clients})
			// Attempts time out after 300 ms in the case that tests it, and 5 s elsewhere so that
			// reading 10 MiB on a loaded machine is not one of them.
			timeout := 5 * time.Second
			if tc.name == "hangs" {
				timeout = 300 * time.Millisecond
			}
			var out, errOut strings.Builder
			e := &Env{
				Stdio: Stdio{In: strings.NewReader(""), Out: &out, Err: &errOut}, Getenv: getenv(vars), Keystore: keystore.NewMemory(),
				OpenSource: func(c client.SourceCredentials) (client.Source, error) {
					return auth0.New(auth0.Config{Credentials: c, HTTPConfig: client.HTTPConfig{Timeout: timeout, MaxAttempts: 2, MaxWait: time.Second}})
				},
			}
			// A guard, not a measurement: two attempts and a second of waiting end every case.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			code := run(ctx, []string{"import", "--all", "--dry-run"}, e)
			lines := strings.Split(strings.TrimSuffix(errOut.String(), "\n"), "\n")
			// Retried failures are each a line first, naming the API (noteWaits).
			for len(lines) > 2 && strings.HasPrefix(lines[0], "Auth0: ") {
				lines = lines[1:]
			}
			if code != ExitFailed || ctx.Err() != nil || len(lines) != 2 || !strings.HasPrefix(lines[0], "m2mport import: read ") ||
				!strings.Contains(lines[0], tc.says) || out.Len() != 0 {
				t.Fatalf("exit %d (guard %v), stdout %q, stderr:\n%s\nwant one line saying %q and a hint", code, ctx.Err(), out.String(), errOut.String(), tc.says)
			}
			if bad := inert(errOut.String()); bad != "" || strings.Contains(errOut.String(), "json:") || len(lines[0]) > 300 {
				t.Errorf("the error should be a short inert sentence, not a dump: %q %s", lines[0], bad)
			}
		})
	}
}

// Plain http:// is for the sandbox on this machine only: to any other host it is refused
// before a credential is sent.
func TestPlainHTTPToAnotherHostIsRefused(t *testing.T) {
	_, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for key, val := range env {
			m[key] = val
		}
		m[k] = v
		return m
	}
	cases := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"auth0", with("AUTH0_DOMAIN", "http://acme.us.auth0.com"), []string{"import", "--all", "--dry-run"}},
		{"stytch", with("STYTCH_BASE_URL", "http://test.stytch.com"), []string{"import", "--all", "--dry-run"}},
		{"check --base-url", env, []string{"check", "--base-url", "http://10.0.0.7:8080", "e30.e30.c2ln"}},
		{"login stytch", env, []string{"login", "stytch", "--project-id", env["STYTCH_PROJECT_ID"], "--base-url", "http://stytch.internal", "--secret-stdin"}},
	}
	for _, tc := range cases {
		code, out, errOut := runIn(t, tc.env, env["STYTCH_SECRET"], tc.args...)
		if code == ExitOK || !strings.Contains(errOut, "plain http is allowed only to this machine") || strings.Count(errOut, "\n") > 2 {
			t.Errorf("%s: exit %d\n%s\n%s", tc.name, code, out, errOut)
		}
	}
}

// check, end to end against the sandbox's key set: a token that is unsigned, signed with
// HS256 keyed by the project's public key, or signed by a key the project does not have
// fails the signature line and the command.
func TestCheckRefusesForgedTokens(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	s := sb.Stytch()
	tgt := sandboxTarget(t, sb)
	file := t.TempDir() + "/c.csv"
	writeFile(t, file, "client_id,client_secret,name,scopes\nforge-me,Zq8-secret-for-forging,Forge,read:a\n")
	if code, out, errOut := run2(t, env, "import", "--from-file", file, "--all", "--yes"); code != ExitOK {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	real, err := tgt.Token(context.Background(), "forge-me", client.NewSecret("Zq8-secret-for-forging"), nil)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(real.Value.Reveal(), ".")
	var header map[string]any
	b, _ := base64.RawURLEncoding.DecodeString(parts[0])
	_ = json.Unmarshal(b, &header)
	claims := jwt.MapClaims{}
	b, _ = base64.RawURLEncoding.DecodeString(parts[1])
	_ = json.Unmarshal(b, &claims)
	kid := header["kid"].(string)

	// The project's public key, as anyone can read it from the key set.
	var jwks struct {
		Keys []struct{ Kid, N, E string }
	}
	resp, err := http.Get(s.URL + "/v1/b2b/sessions/jwks/" + s.ProjectID)
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&jwks)
	resp.Body.Close()
	var pub *rsa.PublicKey
	for _, k := range jwks.Keys {
		if k.Kid == kid {
			n, _ := base64.RawURLEncoding.DecodeString(k.N)
			e, _ := base64.RawURLEncoding.DecodeString(k.E)
			pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		}
	}
	if pub == nil {
		t.Fatalf("kid %s is not in the key set", kid)
	}
	der, _ := x509.MarshalPKIXPublicKey(pub)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	forge := func(m jwt.SigningMethod, key any, kid string) string {
		tok := jwt.NewWithClaims(m, claims)
		tok.Header["kid"] = kid
		out, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for name, tc := range map[string]struct{ token, says string }{
		"alg none":                  {forge(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, kid), "unsigned (alg none)"},
		"HS256 keyed by the pubkey": {forge(jwt.SigningMethodHS256, pubPEM, kid), "shared-secret (HMAC)"},
		"unknown kid":               {forge(jwt.SigningMethodRS256, other, "jwk-test-not-in-the-set"), "jwk-test-not-in-the-set"},
		"another key, known kid":    {forge(jwt.SigningMethodRS256, other, kid), "does not match"},
	} {
		code, out, errOut := run2(t, env, "check", "--client-id", "forge-me", "--scopes", "read:a", tc.token)
		if code != ExitFailed || !strings.Contains(out, "✗ signature") || !strings.Contains(out, tc.says) || !strings.Contains(out, "1 check failed.") {
			t.Errorf("%s: exit %d\n%s\n%s", name, code, out, errOut)
		}
	}
	// The real token passes, so the failures above are the signature's alone.
	if code, out, _ := run2(t, env, "check", "--client-id", "forge-me", "--scopes", "read:a", real.Value.Reveal()); code != ExitOK {
		t.Errorf("the real token: exit %d\n%s", code, out)
	}
}
