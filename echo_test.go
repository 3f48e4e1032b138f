package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client/leaktest"
)

// The secrets a hostile server echoes back in TestHostileServersEchoingSecrets.
const (
	echoMgmtSecret    = "MgmtSecret-Zq7Lk2Pw9Xv4Tn8Ry3Ua6Hb1"
	echoProjectSecret = "secret-test-Kx9Pq2Wm7Zr4Vt6Yb3Nh"
	echoClientSecret  = "FileClient+Secret/with=signs-Q9w8E7r6"
)

// hostileAPI is Auth0 and Stytch on one plain socket, answering by hand. The management
// token and the Stytch create are answered as the test says (answer); everything else as the
// APIs would, so that a run gets that far: no client in the project, none in the tenant.
type hostileAPI struct {
	token  func(body []byte) (reply string, keepOpen bool)
	create func(body []byte) string
	says   string // what the output must say happened
}

// start serves the API on a socket of its own until the test ends, and returns its URL.
func (h *hostileAPI) start(t *testing.T) string {
	t.Helper()
	return leaktest.RawServer(t, h.serve)
}

func (h *hostileAPI) serve(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(conn)
	for {
		req, err := http.ReadRequest(r)
		if err != nil {
			return
		}
		body, _ := io.ReadAll(req.Body)
		token, create := h.token, h.create
		reply, keepOpen := "", false
		switch p := req.URL.Path; {
		case p == "/oauth/token" && token != nil:
			reply, keepOpen = token(body)
		case p == "/oauth/token":
			reply = leaktest.Answer(200, "application/json", `{"access_token":"mgmt-token-abc","expires_in":86400,"token_type":"Bearer","scope":"read:clients read:client_keys read:client_grants read:resource_servers"}`)
		case strings.HasPrefix(p, "/api/v2/"):
			reply = leaktest.Answer(403, "application/json", `{"statusCode":403,"error":"Forbidden","message":"Insufficient scope","errorCode":"insufficient_scope"}`)
		case p == "/v1/m2m/clients/search":
			reply = leaktest.Answer(200, "application/json", `{"status_code":200,"request_id":"req-search","m2m_clients":[],"results_metadata":{"total":0,"next_cursor":null}}`)
		case p == "/v1/m2m/clients" && req.Method == http.MethodPost && create != nil:
			reply = create(body)
		case strings.HasPrefix(p, "/v1/m2m/clients/"):
			reply = leaktest.Answer(404, "application/json", `{"status_code":404,"request_id":"req-get","error_type":"m2m_client_not_found","error_message":"M2M client not found."}`)
		default:
			reply = leaktest.Answer(404, "text/plain", "not found")
		}
		if _, err := io.WriteString(conn, reply); err != nil || !keepOpen {
			return
		}
	}
}

// headerEcho answers 400 with a header line made of the request's body: Go's transport
// refuses it and quotes the line in its error.
func headerEcho(body []byte) string {
	return "HTTP/1.1 400 Bad Request\r\n" + string(body) + "\r\nContent-Length: 0\r\n\r\n"
}

// TestHostileServersEchoingSecrets is issue 15's first item end to end: a management token
// endpoint and a Stytch create that echo the secret they were sent — in a malformed header,
// in JSON and HTML error bodies, in each encoding leaktest knows, and on an idle connection
// for net/http to log — must not put it on stderr, in --json output or in the run report.
func TestHostileServersEchoingSecrets(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it a few hundred times")
	}
	bin := buildBinary(t)
	var secrets leaktest.Finder
	secrets.Add("the management app's secret", echoMgmtSecret)
	secrets.Add("the project secret", echoProjectSecret)
	secrets.Add("the file's client secret", echoClientSecret)
	dir := t.TempDir()
	file := filepath.Join(dir, "clients.csv")
	if err := os.WriteFile(file, []byte("client_id,client_secret,scopes\nfrom-file,"+echoClientSecret+",read:a\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	// run runs m2mport against a hostile API of its own in a home of its own, then searches
	// everything it printed and wrote for the secrets. The run must fail (the API refused)
	// and say why.
	run := func(name string, api *hostileAPI, args ...string) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			base := api.start(t)
			env := map[string]string{"STYTCH_PROJECT_ID": "project-test-echo", "STYTCH_SECRET": echoProjectSecret, "STYTCH_BASE_URL": base}
			if !slices.Contains(args, "--from-file") {
				env["AUTH0_DOMAIN"], env["AUTH0_CLIENT_ID"], env["AUTH0_CLIENT_SECRET"] = base, "mgmt-app", echoMgmtSecret
			}
			h := newHome(t)
			if !slices.Contains(args, "--dry-run") {
				args = append(args, "--report", filepath.Join(h.wd, "report.json"))
			}
			cmd := h.command(bin, env, args...)
			var out, errOut strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &errOut
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("%v, want a failure\nstdout: %s\nstderr: %s", err, out.String(), errOut.String())
			}
			texts := map[string]string{"stdout": out.String(), "stderr": errOut.String()}
			err = filepath.WalkDir(h.root, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := os.ReadFile(path)
				texts[path] = string(b)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			for where, text := range texts {
				if what, form, found := secrets.Find(text); found {
					t.Errorf("%s shows %s (%s):\n%s", where, what, form, text)
				}
			}
			if said := out.String() + errOut.String(); !strings.Contains(said, api.says) {
				t.Errorf("the output does not say %q:\nstdout: %s\nstderr: %s", api.says, out.String(), errOut.String())
			}
		})
	}
	auth0Import := []string{"import", "--all", "--dry-run"}
	fileImport := []string{"import", "--from-file", file, "--all", "--yes", "--json"}

	run("Auth0 token, body echoed in a header line", &hostileAPI{token: closing(headerEcho), says: "malformed MIME header"}, auth0Import...)
	run("Auth0 token, body echoed in a header line, JSON", &hostileAPI{token: closing(headerEcho), says: "malformed MIME header"}, append(auth0Import, "--json")...)
	run("Stytch create, body echoed in a header line", &hostileAPI{create: headerEcho, says: "malformed MIME header"}, fileImport...)

	bodies := map[string]func(form string) (string, string){
		"JSON": func(form string) (string, string) {
			quoted := strings.ReplaceAll(form, `"`, `\"`)
			return "application/json", `{"error":"invalid_client","error_description":"` + quoted + `","status_code":400,"request_id":"req-` +
				quoted + `","error_type":"invalid_request","error_message":"bad secret ` + quoted + `"}`
		},
		"HTML": func(form string) (string, string) {
			return "text/html", "<!DOCTYPE html><html><head><title>" + form + "</title></head><body><h1>400</h1><p>" + form + "</p></body></html>"
		},
	}
	for kind, body := range bodies {
		// Each form once for the secret the request carries, and once for the project
		// secret, which the token request does not carry, and the human output and --json
		// in turn.
		for i, f := range leaktest.Forms(echoMgmtSecret) {
			ct, b := body(f.Text)
			args := auth0Import
			if i%2 == 1 {
				args = append(args[:len(args):len(args)], "--json")
			}
			run(fmt.Sprintf("Auth0 token, a %s error echoing the management secret as %s", kind, f.Name), &hostileAPI{token: closing(fixed(400, ct, b)), says: "400"}, args...)
		}
		for _, f := range leaktest.Forms(echoClientSecret) {
			ct, b := body(f.Text)
			run(fmt.Sprintf("Stytch create, a %s error echoing the client secret as %s", kind, f.Name), &hostileAPI{create: fixed(400, ct, b), says: "400"}, fileImport...)
		}
		for i, f := range leaktest.Forms(echoProjectSecret) {
			ct, b := body(f.Text)
			api := &hostileAPI{token: closing(fixed(400, ct, b)), says: "400"}
			args := auth0Import
			if i%2 == 1 {
				api, args = &hostileAPI{create: fixed(400, ct, b), says: "400"}, fileImport
			}
			run(fmt.Sprintf("a %s error echoing the project secret as %s", kind, f.Name), api, args...)
		}
	}

	// An answer followed by bytes nobody asked for: net/http logs them, quoted, to stderr.
	run("Auth0 token, then the body echoed on the idle connection", &hostileAPI{token: func(body []byte) (string, bool) {
		ok := `{"access_token":"mgmt-token-abc","expires_in":86400,"token_type":"Bearer","scope":"read:clients read:client_keys read:client_grants read:resource_servers"}`
		return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%sHTTP/1.1 200 OK\r\nX-Echo: %s\r\n\r\n", len(ok), ok, body), true
	}, says: "403"}, auth0Import...)
}

// closing is a token answer that closes its connection.
func closing(reply func([]byte) string) func([]byte) (string, bool) {
	return func(body []byte) (string, bool) { return reply(body), false }
}

// fixed is always the same answer.
func fixed(status int, contentType, body string) func([]byte) string {
	return func([]byte) string { return leaktest.Answer(status, contentType, body) }
}
