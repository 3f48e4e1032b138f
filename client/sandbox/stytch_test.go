package sandbox_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/m2mport/m2mport/client/sandbox"
)

// stytchT talks to one Stytch emulator as its project, checking the envelope (§1) on every
// answer.
type stytchT struct {
	t    testing.TB
	info sandbox.StytchInfo
	ids  map[string]bool // request ids seen: each must be new
	mu   sync.Mutex
}

func newStytch(t testing.TB, sb *sandbox.Sandbox) *stytchT {
	return &stytchT{t: t, info: sb.Stytch(), ids: map[string]bool{}}
}

var requestIDPattern = regexp.MustCompile(`^request-id-(test|live)-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// call sends a request with the project's credentials (unless opts override them).
func (s *stytchT) call(method, path string, body any, opts ...reqOpt) (int, map[string]any) {
	s.t.Helper()
	opts = append([]reqOpt{basic(s.info.ProjectID, s.info.Secret)}, opts...)
	return s.envelope(do(s.t, method, s.info.URL+path, body, opts...))
}

func (s *stytchT) envelope(a answer) (int, map[string]any) {
	s.t.Helper()
	m := a.obj(s.t)
	rid := str(m["request_id"])
	if !requestIDPattern.MatchString(rid) {
		s.t.Errorf("request_id %q", rid)
	}
	s.mu.Lock()
	if s.ids[rid] {
		s.t.Errorf("request_id %s repeated", rid)
	}
	s.ids[rid] = true
	s.mu.Unlock()
	if num(m["status_code"]) != int64(a.status) {
		s.t.Errorf("status_code %v, HTTP status %d", m["status_code"], a.status)
	}
	return a.status, m
}

func clientPath(id string) string { return "/v1/m2m/clients/" + url.PathEscape(id) }

// wantStytchError checks an error answer's status and error_type.
func wantStytchError(t testing.TB, status int, m map[string]any, wantStatus int, errorType string) {
	t.Helper()
	if status != wantStatus || str(m["error_type"]) != errorType {
		t.Fatalf("got %d %v (%v), want %d %s", status, m["error_type"], m["error_message"], wantStatus, errorType)
	}
	if str(m["error_message"]) == "" || !strings.HasPrefix(str(m["error_url"]), "https://stytch.com/docs/api/errors/") {
		t.Errorf("error body %v", m)
	}
}

func (s *stytchT) create(body map[string]any) map[string]any {
	s.t.Helper()
	status, m := s.call(http.MethodPost, "/v1/m2m/clients", body)
	if status != http.StatusOK {
		s.t.Fatalf("create: %d %v", status, m)
	}
	return m["m2m_client"].(map[string]any)
}

// token mints a token at the token endpoint with form-encoded body credentials.
func (s *stytchT) token(id, secret, scope string) (int, map[string]any) {
	s.t.Helper()
	f := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	if scope != "" {
		f.Set("scope", scope)
	}
	return s.envelope(do(s.t, http.MethodPost, s.tokenURL(), formBody(f)))
}

func (s *stytchT) tokenURL() string {
	return s.info.URL + "/v1/public/" + s.info.ProjectID + "/oauth2/token"
}

func (s *stytchT) jwksURL() string { return s.info.URL + "/v1/b2b/sessions/jwks/" + s.info.ProjectID }

func inspect(t testing.TB, s sandbox.StytchInfo) []sandbox.InspectedClient {
	t.Helper()
	a := do(t, http.MethodGet, s.URL+"/_sandbox/clients", nil)
	var body struct{ Clients []sandbox.InspectedClient }
	if a.status != 200 || jsonUnmarshal(a.raw, &body) != nil {
		t.Fatalf("inspect: %d %s", a.status, a.raw)
	}
	return body.Clients
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

const goodSecret = "Zk3pQ9vX2mL7nB4cT8wR1yH6jF0dS5aG"

func TestStytchRefusesWrongProjectCredentials(t *testing.T) {
	sb := start(t, sandbox.Options{})
	s := newStytch(t, sb)
	endpoints := [][2]string{
		{"POST", "/v1/m2m/clients"}, {"GET", clientPath("x")}, {"POST", "/v1/m2m/clients/search"},
		{"PUT", clientPath("x")}, {"DELETE", clientPath("x")}, {"POST", clientPath("x") + "/secrets/rotate/start"},
		{"POST", clientPath("x") + "/secrets/rotate"}, {"POST", clientPath("x") + "/secrets/rotate/cancel"},
	}
	for _, tc := range []struct {
		name string
		opts []reqOpt
	}{
		{"no credentials", []reqOpt{func(r *http.Request) { r.Header.Del("Authorization") }}},
		{"wrong secret", []reqOpt{basic(s.info.ProjectID, "secret-test-wrong")}},
		{"wrong project", []reqOpt{basic("project-test-00000000-0000-4000-8000-000000000000", s.info.Secret)}},
		{"bearer instead of basic", []reqOpt{bearer(s.info.Secret)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, ep := range endpoints {
				status, m := s.call(ep[0], ep[1], map[string]any{"scopes": []string{}}, tc.opts...)
				wantStytchError(t, status, m, 401, "unauthorized_credentials")
				want(t, ep[0]+" "+ep[1]+" message", str(m["error_message"]), "Unauthorized credentials.")
			}
		})
	}
	if got := inspect(t, s.info); len(got) != 2 {
		t.Errorf("refused creates stored something: %d clients", len(got))
	}
}

func TestStytchImportKeepsIDAndSecretAndStoresOnlyAHash(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty"})
	s := newStytch(t, sb)
	const id = "HCuHYoHrhT2OgacfzK0TVNc16uFbwZ7P"
	c := s.create(map[string]any{
		"client_id": id, "client_secret": goodSecret, "client_name": "Billing worker",
		"client_description": "Nightly invoice run", "scopes": []string{"read:invoices", "write:invoices"},
		"trusted_metadata": map[string]any{"team": "billing"},
	})
	want(t, "client_id", str(c["client_id"]), id)
	want(t, "client_secret", str(c["client_secret"]), goodSecret)
	want(t, "client_secret_last_four", str(c["client_secret_last_four"]), goodSecret[len(goodSecret)-4:])
	want(t, "status", str(c["status"]), "active")
	if v, has := c["next_client_secret_last_four"]; !has || v != nil {
		t.Errorf("next_client_secret_last_four = %v (present %v), want null", v, has)
	}

	status, m := s.call(http.MethodGet, clientPath(id), nil)
	want(t, "get status", status, 200)
	got := m["m2m_client"].(map[string]any)
	if _, has := got["client_secret"]; has {
		t.Error("get answers the secret")
	}
	want(t, "scopes", fmt.Sprint(got["scopes"]), "[read:invoices write:invoices]")
	want(t, "trusted_metadata", fmt.Sprint(got["trusted_metadata"]), "map[team:billing]")
	want(t, "client_name", str(got["client_name"]), "Billing worker")
	want(t, "client_description", str(got["client_description"]), "Nightly invoice run")

	raw := do(t, http.MethodGet, s.info.URL+"/_sandbox/clients", nil).raw
	if strings.Contains(string(raw), goodSecret) {
		t.Error("/_sandbox/clients shows the secret")
	}
	ic := inspect(t, s.info)
	want(t, "inspected", len(ic), 1)
	want(t, "sha256", ic[0].ClientSecretSHA256, sha(goodSecret))
	want(t, "last four", ic[0].ClientSecretLastFour, goodSecret[len(goodSecret)-4:])
}

func TestStytchCreateGeneratesIDAndSecret(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty"})
	s := newStytch(t, sb)
	c := s.create(map[string]any{"scopes": []string{"read:x"}})
	id, secret := str(c["client_id"]), str(c["client_secret"])
	if !regexp.MustCompile(`^m2m-client-test-[0-9a-f-]{36}$`).MatchString(id) {
		t.Errorf("generated client_id %q", id)
	}
	if b, err := base64.URLEncoding.DecodeString(secret); len(secret) != 44 || err != nil || len(b) != 33 {
		t.Errorf("generated secret is not 44 characters of URL-safe base64 (%d, %v)", len(secret), err)
	}
	if status, m := s.token(id, secret, ""); status != 200 {
		t.Errorf("token with generated credentials: %d %v", status, m)
	}
}

func TestStytchCreateEnforcesLimits(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty"})
	s := newStytch(t, sb)
	n := 0
	body := func(mod func(map[string]any)) map[string]any {
		n++
		b := map[string]any{"client_id": fmt.Sprintf("client-%d", n), "client_secret": goodSecret, "scopes": []string{"read:x"}}
		mod(b)
		return b
	}
	manyScopes := func(k int) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = fmt.Sprintf("scope:%d", i)
		}
		return out
	}
	manyKeys := func(k int) map[string]any {
		m := map[string]any{}
		for i := range k {
			m[fmt.Sprintf("k%d", i)] = "v"
		}
		return m
	}
	for _, tc := range []struct {
		name      string
		mod       func(map[string]any)
		errorType string // "" = accepted
	}{
		{"empty client_id", func(b map[string]any) { b["client_id"] = "" }, "m2m_client_invalid_client_id"},
		{"client_id with a space", func(b map[string]any) { b["client_id"] = "a b" }, "m2m_client_invalid_client_id"},
		{"client_id with a tab", func(b map[string]any) { b["client_id"] = "a\tb" }, "m2m_client_invalid_client_id"},
		{"client_id with a control character", func(b map[string]any) { b["client_id"] = "a\x01b" }, "m2m_client_invalid_client_id"},
		{"client_id of 257 characters", func(b map[string]any) { b["client_id"] = strings.Repeat("a", 257) }, "m2m_client_invalid_client_id"},
		{"client_id of 256 characters", func(b map[string]any) { b["client_id"] = strings.Repeat("b", 256) }, ""},
		{"client_id with any other characters", func(b map[string]any) { b["client_id"] = "ünïcødé/..%?#id" }, ""},
		{"secret of 7 characters", func(b map[string]any) { b["client_secret"] = "aB3$xY9" }, "insecure_m2m_client_secret"},
		{"secret with 5 distinct characters", func(b map[string]any) { b["client_secret"] = "abcdeabcdeabcdeabcde" }, "insecure_m2m_client_secret"},
		{"empty secret", func(b map[string]any) { b["client_secret"] = "" }, "insecure_m2m_client_secret"},
		{"secret of 8 characters, 6 distinct", func(b map[string]any) { b["client_secret"] = "abcdefab" }, ""},
		{"secret of 257 characters", func(b map[string]any) { b["client_secret"] = strings.Repeat(goodSecret, 9)[:257] }, "client_secret_too_long"},
		{"secret of 256 characters", func(b map[string]any) { b["client_secret"] = strings.Repeat(goodSecret, 8) }, ""},
		{"no scopes", func(b map[string]any) { delete(b, "scopes") }, "bad_request"},
		{"scopes not an array", func(b map[string]any) { b["scopes"] = "read:x" }, "bad_request"},
		{"empty scopes", func(b map[string]any) { b["scopes"] = []string{} }, ""},
		{"empty scope", func(b map[string]any) { b["scopes"] = []string{""} }, "invalid_m2m_client_scope"},
		{"scope with a space", func(b map[string]any) { b["scopes"] = []string{"read orders"} }, "invalid_m2m_client_scope"},
		{"scope with non-ASCII", func(b map[string]any) { b["scopes"] = []string{"lire:commandés"} }, "invalid_m2m_client_scope"},
		{"scope of 129 characters", func(b map[string]any) { b["scopes"] = []string{strings.Repeat("s", 129)} }, "invalid_m2m_client_scope"},
		{"scope of 128 characters", func(b map[string]any) { b["scopes"] = []string{strings.Repeat("s", 128)} }, ""},
		{"101 scopes", func(b map[string]any) { b["scopes"] = manyScopes(101) }, "too_many_m2m_client_scopes"},
		{"100 scopes", func(b map[string]any) { b["scopes"] = manyScopes(100) }, ""},
		{"name of 257 characters", func(b map[string]any) { b["client_name"] = strings.Repeat("é", 257) }, "m2m_client_name_too_long"},
		{"name of 256 characters", func(b map[string]any) { b["client_name"] = strings.Repeat("é", 256) }, ""},
		{"description of 1025 characters", func(b map[string]any) { b["client_description"] = strings.Repeat("d", 1025) }, "m2m_client_description_too_long"},
		{"21 metadata keys", func(b map[string]any) { b["trusted_metadata"] = manyKeys(21) }, "metadata_too_many_keys"},
		{"20 metadata keys", func(b map[string]any) { b["trusted_metadata"] = manyKeys(20) }, ""},
		{"metadata over 4 KB", func(b map[string]any) { b["trusted_metadata"] = map[string]any{"blob": strings.Repeat("x", 4100)} }, "metadata_too_large"},
		{"metadata not an object", func(b map[string]any) { b["trusted_metadata"] = []string{"x"} }, "bad_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := body(tc.mod)
			status, m := s.call(http.MethodPost, "/v1/m2m/clients", b)
			if tc.errorType == "" {
				if status != 200 {
					t.Fatalf("%d %v", status, m)
				}
				// And it can be read back by its (escaped) id.
				if id, ok := b["client_id"].(string); ok {
					gs, gm := s.call(http.MethodGet, clientPath(id), nil)
					want(t, "get back", gs, 200)
					want(t, "id read back", str(gm["m2m_client"].(map[string]any)["client_id"]), id)
				}
				return
			}
			wantStytchError(t, status, m, 400, tc.errorType)
		})
	}
	t.Run("not JSON", func(t *testing.T) {
		status, m := s.call(http.MethodPost, "/v1/m2m/clients", rawBody{"application/json", "{nope"})
		wantStytchError(t, status, m, 400, "bad_request")
	})
	// §1: management calls carry Content-Type: application/json. A writer that forgets it
	// must hear so here, not first from Stytch.
	t.Run("JSON without its content type", func(t *testing.T) {
		body := `{"client_id":"no-ct","client_secret":"` + goodSecret + `","scopes":[]}`
		for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded"} {
			status, m := s.call(http.MethodPost, "/v1/m2m/clients", rawBody{ct, body})
			wantStytchError(t, status, m, 400, "bad_request")
			status, m = s.call(http.MethodPut, clientPath("no-ct"), rawBody{ct, `{"client_name":"x"}`})
			wantStytchError(t, status, m, 400, "bad_request")
			status, m = s.call(http.MethodPost, "/v1/m2m/clients/search", rawBody{ct, `{}`})
			wantStytchError(t, status, m, 400, "bad_request")
		}
		status, _ := s.call(http.MethodPost, "/v1/m2m/clients", rawBody{"application/json; charset=utf-8", body})
		want(t, "create with a charset", status, 200)
	})
	t.Run("duplicate client_id", func(t *testing.T) {
		s.create(map[string]any{"client_id": "dup", "client_secret": goodSecret, "scopes": []string{}})
		status, m := s.call(http.MethodPost, "/v1/m2m/clients", map[string]any{"client_id": "dup", "scopes": []string{}})
		wantStytchError(t, status, m, 400, "duplicate_m2m_client_id")
	})
}

func TestStytchConcurrentCreatesOfOneIDSucceedExactlyOnce(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty"})
	s := newStytch(t, sb)
	const racers = 50
	var wg sync.WaitGroup
	results := make(chan string, racers)
	for i := range racers {
		wg.Go(func() {
			secret := fmt.Sprintf("%s-%02d", goodSecret, i)
			a, err := tryDo(http.MethodPost, s.info.URL+"/v1/m2m/clients", map[string]any{
				"client_id": "racy-client", "client_secret": secret, "scopes": []string{"read:x"},
			}, basic(s.info.ProjectID, s.info.Secret))
			if err != nil {
				results <- err.Error()
				return
			}
			m := map[string]any{}
			jsonUnmarshal(a.raw, &m)
			if a.status == 200 {
				results <- "ok " + secret
			} else {
				results <- str(m["error_type"])
			}
		})
	}
	wg.Wait()
	close(results)
	okSecret, dups := "", 0
	for r := range results {
		switch {
		case strings.HasPrefix(r, "ok "):
			if okSecret != "" {
				t.Error("two creates of the same client_id succeeded")
			}
			okSecret = strings.TrimPrefix(r, "ok ")
		case r == "duplicate_m2m_client_id":
			dups++
		default:
			t.Errorf("unexpected result %q", r)
		}
	}
	want(t, "duplicates", dups, racers-1)
	ic := inspect(t, s.info)
	want(t, "stored", len(ic), 1)
	want(t, "the stored secret is the winner's", ic[0].ClientSecretSHA256, sha(okSecret))
}

func TestStytchSearch(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty"})
	s := newStytch(t, sb)
	var ids []string
	for i := range 25 {
		scopes := []string{"read:all"}
		if i%5 == 0 {
			scopes = append(scopes, "write:five")
		}
		c := s.create(map[string]any{"client_id": fmt.Sprintf("c%02d", i), "client_secret": goodSecret,
			"client_name": fmt.Sprintf("Client %d", i%3), "scopes": scopes})
		ids = append(ids, str(c["client_id"]))
	}
	search := func(body any) (int, map[string]any) { return s.call(http.MethodPost, "/v1/m2m/clients/search", body) }
	idsOf := func(m map[string]any) []string {
		var out []string
		for _, c := range m["m2m_clients"].([]any) {
			out = append(out, str(c.(map[string]any)["client_id"]))
		}
		return out
	}
	q := func(op string, operands ...map[string]any) map[string]any {
		return map[string]any{"operator": op, "operands": operands}
	}
	f := func(name string, values ...string) map[string]any {
		return map[string]any{"filter_name": name, "filter_value": values}
	}

	t.Run("no query is every client, 100 by default", func(t *testing.T) {
		status, m := search(map[string]any{})
		want(t, "status", status, 200)
		want(t, "ids", fmt.Sprint(idsOf(m)), fmt.Sprint(ids))
		md := m["results_metadata"].(map[string]any)
		want(t, "total", num(md["total"]), 25)
		if v, has := md["next_cursor"]; !has || v != nil {
			t.Errorf("next_cursor = %v, want null", v)
		}
		for _, c := range m["m2m_clients"].([]any) {
			if _, has := c.(map[string]any)["client_secret"]; has {
				t.Fatal("search answers secrets")
			}
		}
	})
	t.Run("cursor paging", func(t *testing.T) {
		var got []string
		cursor := ""
		for range 20 {
			status, m := search(map[string]any{"limit": 7, "cursor": cursor})
			want(t, "status", status, 200)
			got = append(got, idsOf(m)...)
			md := m["results_metadata"].(map[string]any)
			wantTotal := 25
			if len(got) > 7 { // zz-late exists from the second page on
				wantTotal = 26
			}
			want(t, "total", num(md["total"]), int64(wantTotal))
			if md["next_cursor"] == nil {
				break
			}
			cursor = str(md["next_cursor"])
			// A client created while paging does not shift later pages.
			if len(got) == 7 {
				s.create(map[string]any{"client_id": "zz-late", "client_secret": goodSecret, "scopes": []string{}})
			}
		}
		want(t, "paged ids", fmt.Sprint(got), fmt.Sprint(append(slices.Clone(ids), "zz-late")))
	})
	for _, tc := range []struct {
		name  string
		query map[string]any
		want  []string
	}{
		{"client_id any of", q("AND", f("client_id", "c03", "c07", "nope")), []string{"c03", "c07"}},
		{"client_name", q("OR", f("client_name", "Client 2")), []string{"c02", "c05", "c08", "c11", "c14", "c17", "c20", "c23"}},
		{"scopes any of", q("AND", f("scopes", "write:five", "nothing")), []string{"c00", "c05", "c10", "c15", "c20"}},
		{"AND", q("AND", f("scopes", "write:five"), f("client_name", "Client 2")), []string{"c05", "c20"}},
		{"OR", q("OR", f("client_id", "c01"), f("client_name", "Client 2")), []string{"c01", "c02", "c05", "c08", "c11", "c14", "c17", "c20", "c23"}},
		{"empty operands", q("AND"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, m := search(map[string]any{"query": tc.query, "limit": 1000})
			want(t, "status", status, 200)
			got := idsOf(m)
			if tc.want == nil {
				want(t, "count", len(got), 26)
				return
			}
			want(t, "ids", fmt.Sprint(got), fmt.Sprint(tc.want))
			want(t, "total", num(m["results_metadata"].(map[string]any)["total"]), int64(len(tc.want)))
		})
	}
	thousand := make([]string, 1000)
	for i := range thousand {
		thousand[i] = fmt.Sprintf("c%02d", i)
	}
	t.Run("1000 client_ids in one call", func(t *testing.T) {
		status, m := search(map[string]any{"query": q("OR", f("client_id", thousand...)), "limit": 1000})
		want(t, "status", status, 200)
		want(t, "found", len(idsOf(m)), 25)
	})
	for _, tc := range []struct {
		name      string
		body      any
		errorType string
	}{
		{"unknown filter", map[string]any{"query": q("AND", f("client_secret", "x"))}, "m2m_search_filter_name_not_recognized"},
		{"unknown operator", map[string]any{"query": q("XOR", f("client_id", "x"))}, "m2m_search_operator_not_recognized"},
		{"missing operator", map[string]any{"query": map[string]any{"operands": []any{f("client_id", "x")}}}, "m2m_search_operator_not_recognized"},
		{"empty filter_value", map[string]any{"query": q("AND", f("client_id"))}, "m2m_search_filter_value_invalid"},
		{"filter_value not an array", map[string]any{"query": q("AND", map[string]any{"filter_name": "client_id", "filter_value": "c01"})}, "m2m_search_filter_value_invalid"},
		{"1001 values", map[string]any{"query": q("OR", f("client_id", append(thousand, "one-more")...))}, "m2m_search_too_many_filter_values"},
		{"limit above 1000", map[string]any{"limit": 1001}, "m2m_search_limit_invalid"},
		{"negative limit", map[string]any{"limit": -1}, "m2m_search_limit_invalid"},
		{"bad cursor", map[string]any{"cursor": "garbage"}, "m2m_search_cursor_invalid"},
		{"not JSON", rawBody{"application/json", "["}, "bad_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, m := search(tc.body)
			wantStytchError(t, status, m, 400, tc.errorType)
		})
	}
}

func TestStytchUpdate(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty"})
	s := newStytch(t, sb)
	s.create(map[string]any{"client_id": "u1", "client_secret": goodSecret, "client_name": "Before",
		"client_description": "Some words", "scopes": []string{"a:b", "c:d"},
		"trusted_metadata": map[string]any{"team": "x", "tier": "gold"}})
	update := func(body any) (int, map[string]any) { return s.call(http.MethodPut, clientPath("u1"), body) }

	status, m := update(map[string]any{"client_id": "ignored", "client_name": "After", "client_description": "",
		"scopes": []string{"e:f"}, "trusted_metadata": map[string]any{"tier": nil, "region": "eu"}})
	want(t, "status", status, 200)
	c := m["m2m_client"].(map[string]any)
	want(t, "client_id", str(c["client_id"]), "u1")
	want(t, "name", str(c["client_name"]), "After")
	want(t, "description cleared", str(c["client_description"]), "")
	want(t, "scopes replaced", fmt.Sprint(c["scopes"]), "[e:f]")
	want(t, "metadata merged", fmt.Sprint(c["trusted_metadata"]), "map[region:eu team:x]")

	status, m = update(map[string]any{"scopes": []string{}})
	want(t, "clear scopes status", status, 200)
	want(t, "scopes cleared", fmt.Sprint(m["m2m_client"].(map[string]any)["scopes"]), "[]")
	want(t, "untouched name", str(m["m2m_client"].(map[string]any)["client_name"]), "After")

	_, m = s.call(http.MethodGet, clientPath("u1"), nil)
	want(t, "persisted", str(m["m2m_client"].(map[string]any)["client_name"]), "After")

	t.Run("status", func(t *testing.T) {
		status, m := update(map[string]any{"status": "inactive"})
		want(t, "status", status, 200)
		want(t, "inactive", str(m["m2m_client"].(map[string]any)["status"]), "inactive")
		status, m = s.token("u1", goodSecret, "")
		want(t, "inactive client token", status, 400)
		want(t, "error", str(m["error"]), "invalid_client")
		update(map[string]any{"status": "active"})
		status, _ = s.token("u1", goodSecret, "")
		want(t, "active again", status, 200)
	})
	for _, tc := range []struct {
		name      string
		body      any
		errorType string
	}{
		{"bad status", map[string]any{"status": "paused"}, "invalid_m2m_client_status"},
		{"bad scope", map[string]any{"scopes": []string{"has space"}}, "invalid_m2m_client_scope"},
		{"101 scopes", map[string]any{"scopes": func() []string {
			out := make([]string, 101)
			for i := range out {
				out[i] = fmt.Sprint("s:", i)
			}
			return out
		}()}, "too_many_m2m_client_scopes"},
		{"metadata over 20 keys after the merge", map[string]any{"trusted_metadata": func() map[string]any {
			m := map[string]any{}
			for i := range 19 {
				m[fmt.Sprint("k", i)] = i
			}
			return m
		}()}, "metadata_too_many_keys"},
		{"name too long", map[string]any{"client_name": strings.Repeat("n", 257)}, "m2m_client_name_too_long"},
		{"scopes of the wrong type", map[string]any{"scopes": "a:b"}, "bad_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, before := s.call(http.MethodGet, clientPath("u1"), nil)
			status, m := update(tc.body)
			wantStytchError(t, status, m, 400, tc.errorType)
			_, after := s.call(http.MethodGet, clientPath("u1"), nil)
			want(t, "a refused update changes nothing", fmt.Sprint(after["m2m_client"]), fmt.Sprint(before["m2m_client"]))
		})
	}
	status, m = s.call(http.MethodPut, clientPath("nope"), map[string]any{"client_name": "x"})
	wantStytchError(t, status, m, 404, "m2m_client_not_found")
}

func TestStytchDelete(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty"})
	s := newStytch(t, sb)
	s.create(map[string]any{"client_id": "gone/soon", "client_secret": goodSecret, "scopes": []string{}})
	status, m := s.call(http.MethodDelete, clientPath("gone/soon"), nil)
	want(t, "status", status, 200)
	want(t, "client_id", str(m["client_id"]), "gone/soon")
	status, m = s.call(http.MethodGet, clientPath("gone/soon"), nil)
	wantStytchError(t, status, m, 404, "m2m_client_not_found")
	want(t, "message", str(m["error_message"]), "The m2m client requested could not be found.")
	status, m = s.call(http.MethodDelete, clientPath("gone/soon"), nil)
	wantStytchError(t, status, m, 404, "m2m_client_not_found")
}

func TestStytchSecretRotation(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty"})
	s := newStytch(t, sb)
	s.create(map[string]any{"client_id": "rot", "client_secret": goodSecret, "scopes": []string{"a:b"}})
	rotate := func(step string) (int, map[string]any) {
		return s.call(http.MethodPost, clientPath("rot")+"/secrets/rotate"+step, map[string]any{})
	}
	tokenStatus := func(secret string) int { st, _ := s.token("rot", secret, ""); return st }

	for _, step := range []string{"", "/cancel"} {
		status, m := rotate(step)
		wantStytchError(t, status, m, 400, "m2m_client_not_rotating_secret")
	}

	status, m := rotate("/start")
	want(t, "start", status, 200)
	c := m["m2m_client"].(map[string]any)
	next := str(c["next_client_secret"])
	if len(next) < 8 {
		t.Fatalf("next_client_secret %q", next)
	}
	want(t, "next last four", str(c["next_client_secret_last_four"]), next[len(next)-4:])
	want(t, "last four unchanged", str(c["client_secret_last_four"]), goodSecret[len(goodSecret)-4:])
	want(t, "old secret during rotation", tokenStatus(goodSecret), 200)
	want(t, "new secret during rotation", tokenStatus(next), 200)
	want(t, "inspect shows both hashes", inspect(t, s.info)[0].NextClientSecretSHA256, sha(next))
	status, m = rotate("/start")
	wantStytchError(t, status, m, 400, "m2m_client_already_rotating_secret")

	status, m = rotate("")
	want(t, "complete", status, 200)
	c = m["m2m_client"].(map[string]any)
	want(t, "last four after complete", str(c["client_secret_last_four"]), next[len(next)-4:])
	if c["next_client_secret_last_four"] != nil {
		t.Errorf("next_client_secret_last_four after complete = %v", c["next_client_secret_last_four"])
	}
	want(t, "old secret after complete", tokenStatus(goodSecret), 400)
	want(t, "new secret after complete", tokenStatus(next), 200)

	status, m = rotate("/start")
	want(t, "start again", status, 200)
	third := str(m["m2m_client"].(map[string]any)["next_client_secret"])
	status, _ = rotate("/cancel")
	want(t, "cancel", status, 200)
	want(t, "cancelled secret", tokenStatus(third), 400)
	want(t, "kept secret", tokenStatus(next), 200)

	status, m = s.call(http.MethodPost, clientPath("nope")+"/secrets/rotate/start", nil)
	wantStytchError(t, status, m, 404, "m2m_client_not_found")
}

func TestStytchTokenAndClaims(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty"})
	s := newStytch(t, sb)
	s.create(map[string]any{"client_id": "tok-client", "client_secret": goodSecret, "scopes": []string{"read:users", "update:users"}})
	s.create(map[string]any{"client_id": "no-scopes", "client_secret": goodSecret, "scopes": []string{}})
	creds := url.Values{"grant_type": {"client_credentials"}, "client_id": {"tok-client"}, "client_secret": {goodSecret}}
	noCreds := url.Values{"grant_type": {"client_credentials"}}
	jsonCreds := map[string]string{"grant_type": "client_credentials", "client_id": "tok-client", "client_secret": goodSecret}

	keys, raw := fetchJWKS(t, s.jwksURL())
	for _, k := range raw {
		want(t, "key_ops", fmt.Sprint(k["key_ops"]), "[verify]")
		for _, member := range []string{"kty", "use", "alg", "kid", "n", "e", "x5c", "x5tS256"} {
			if k[member] == nil {
				t.Errorf("JWK lacks %s", member)
			}
		}
	}

	for _, tc := range []struct {
		name       string
		body       any
		opts       []reqOpt
		sub, scope string
	}{
		{"form body", formBody(creds), nil, "tok-client", "read:users update:users"},
		{"json body", jsonCreds, nil, "tok-client", "read:users update:users"},
		{"basic with the client's credentials", formBody(noCreds), []reqOpt{basic("tok-client", goodSecret)}, "tok-client", "read:users update:users"},
		{"body credentials win over the project's basic header", formBody(creds), []reqOpt{basic(s.info.ProjectID, s.info.Secret)}, "tok-client", "read:users update:users"},
		{"a subset of scopes", formBody(url.Values{"grant_type": {"client_credentials"}, "client_id": {"tok-client"},
			"client_secret": {goodSecret}, "scope": {"update:users"}}), nil, "tok-client", "update:users"},
		{"a client without scopes", formBody(url.Values{"grant_type": {"client_credentials"}, "client_id": {"no-scopes"},
			"client_secret": {goodSecret}}), nil, "no-scopes", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, m := s.envelope(do(t, http.MethodPost, s.tokenURL(), tc.body, tc.opts...))
			if status != 200 {
				t.Fatalf("%d %v", status, m)
			}
			want(t, "token_type", str(m["token_type"]), "bearer")
			want(t, "expires_in", num(m["expires_in"]), 3600)
			if _, has := m["scope"]; has {
				t.Error("token answer has a scope field")
			}
			tok := str(m["access_token"])
			header, claims := verify(t, tok, keys, jwt.WithIssuer("stytch.com/"+s.info.ProjectID), jwt.WithAudience(s.info.ProjectID))
			want(t, "typ", str(header["typ"]), "JWT")
			if !regexp.MustCompile(`^jwk-test-[0-9a-f-]{36}$`).MatchString(str(header["kid"])) {
				t.Errorf("kid %q", header["kid"])
			}
			rc := rawClaims(t, tok)
			want(t, "aud is an array", fmt.Sprint(rc["aud"]), "["+s.info.ProjectID+"]")
			if _, isArray := rc["aud"].([]any); !isArray {
				t.Errorf("aud %T, want an array", rc["aud"])
			}
			sc, has := rc["scope"]
			if !has {
				t.Error("scope claim absent")
			}
			want(t, "scope", str(sc), tc.scope)
			want(t, "sub", str(claims["sub"]), tc.sub)
			want(t, "iat = nbf", num(rc["nbf"]), num(rc["iat"]))
			want(t, "exp = iat + 3600", num(rc["exp"]), num(rc["iat"])+3600)
		})
	}
}

func TestStytchTokenErrors(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty"})
	s := newStytch(t, sb)
	s.create(map[string]any{"client_id": "c1", "client_secret": goodSecret, "scopes": []string{"read:x"}})
	s.create(map[string]any{"client_id": "sleepy", "client_secret": goodSecret, "scopes": []string{"read:x"}})
	s.call(http.MethodPut, clientPath("sleepy"), map[string]any{"status": "inactive"})
	form := func(kv ...string) formBody {
		f := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return formBody(f)
	}
	cc := "client_credentials"
	for _, tc := range []struct {
		name string
		body any
		opts []reqOpt
		code string
	}{
		{"unknown client", form("grant_type", cc, "client_id", "nope", "client_secret", goodSecret), nil, "invalid_client"},
		{"wrong secret", form("grant_type", cc, "client_id", "c1", "client_secret", goodSecret+"x"), nil, "invalid_client"},
		{"inactive client", form("grant_type", cc, "client_id", "sleepy", "client_secret", goodSecret), nil, "invalid_client"},
		{"the project's credentials in basic", form("grant_type", cc), []reqOpt{basic(s.info.ProjectID, s.info.Secret)}, "invalid_client"},
		{"wrong body secret beats right basic", form("grant_type", cc, "client_id", "c1", "client_secret", "wrong-one"), []reqOpt{basic("c1", goodSecret)}, "invalid_client"},
		{"scope the client lacks", form("grant_type", cc, "client_id", "c1", "client_secret", goodSecret, "scope", "read:x write:x"), nil, "invalid_scope"},
		{"missing grant_type", form("client_id", "c1", "client_secret", goodSecret), nil, "invalid_request"},
		{"missing client_secret", form("grant_type", cc, "client_id", "c1"), nil, "invalid_request"},
		{"no credentials at all", form("grant_type", cc), nil, "invalid_request"},
		{"other grant type", form("grant_type", "password", "client_id", "c1", "client_secret", goodSecret), nil, "unsupported_grant_type"},
		{"not JSON", rawBody{"application/json", "{"}, nil, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, m := s.envelope(do(t, http.MethodPost, s.tokenURL(), tc.body, tc.opts...))
			want(t, "status", status, 400)
			want(t, "error", str(m["error"]), tc.code)
			if str(m["error_description"]) == "" || str(m["error_uri"]) == "" {
				t.Errorf("OAuth error body %v", m)
			}
			if _, has := m["access_token"]; has {
				t.Error("an error answer holds a token")
			}
		})
	}
	t.Run("another project in the path", func(t *testing.T) {
		status, m := s.envelope(do(t, http.MethodPost, s.info.URL+"/v1/public/project-test-other/oauth2/token",
			form("grant_type", cc, "client_id", "c1", "client_secret", goodSecret)))
		wantStytchError(t, status, m, 404, "project_not_found")
	})
}

// A project serves its keys, without auth, at its own vertical's JWKS path only; the other
// vertical's path answers the spec's error (§2), and B2B is the default.
func TestStytchJWKSNeedsNoAuthAndFollowsTheVertical(t *testing.T) {
	const b2b, consumer = "/v1/b2b/sessions/jwks/", "/v1/sessions/jwks/"
	for _, tc := range []struct{ option, own, other string }{{"", b2b, consumer}, {"b2b", b2b, consumer}, {"consumer", consumer, b2b}} {
		sb := start(t, sandbox.Options{Seed: "empty", StytchVertical: tc.option})
		s := newStytch(t, sb)
		status, m := s.envelope(do(t, http.MethodGet, s.info.URL+tc.own+s.info.ProjectID, nil))
		want(t, tc.own+" status", status, 200)
		want(t, tc.own+" keys", len(m["keys"].([]any)), 1)
		status, m = s.envelope(do(t, http.MethodGet, s.info.URL+tc.other+s.info.ProjectID, nil))
		wantStytchError(t, status, m, 400, "invalid_project_vertical")
		for _, path := range []string{b2b, consumer} {
			status, m = s.envelope(do(t, http.MethodGet, s.info.URL+path+"project-test-other", nil))
			wantStytchError(t, status, m, 404, "project_not_found")
		}
		if v := sb.Stytch().Vertical; (tc.option == "" && v != "b2b") || (tc.option != "" && v != tc.option) {
			t.Errorf("option %q: the sandbox says its vertical is %q", tc.option, v)
		}
	}
	if _, err := sandbox.Start(sandbox.Options{StytchVertical: "b2c"}); !errors.Is(err, sandbox.ErrBadOption) {
		t.Errorf("an unknown vertical: %v, want a bad option", err)
	}
}

func TestStytchKeyRotationServesBothKeys(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty"})
	s := newStytch(t, sb)
	s.create(map[string]any{"client_id": "c1", "client_secret": goodSecret, "scopes": []string{"read:x"}})
	mint := func() string {
		status, m := s.token("c1", goodSecret, "")
		if status != 200 {
			t.Fatalf("token: %d %v", status, m)
		}
		return str(m["access_token"])
	}
	before := mint()
	sb.RotateStytchKey()
	after := mint()
	keys, _ := fetchJWKS(t, s.jwksURL())
	want(t, "keys served", len(keys), 2)
	h1, _ := verify(t, before, keys)
	h2, _ := verify(t, after, keys)
	if h1["kid"] == h2["kid"] {
		t.Errorf("new tokens are still signed with %v", h1["kid"])
	}
	sb.RotateStytchKey()
	keys, _ = fetchJWKS(t, s.jwksURL())
	want(t, "keys served after a second rotation", len(keys), 2)
	if keys[str(h1["kid"])] != nil || keys[str(h2["kid"])] == nil {
		t.Error("a second rotation must retire the oldest key and keep the previous one")
	}
}

func TestStytchProjectIDIsChecked(t *testing.T) {
	for _, id := range []string{"project-live-a/b", "project live", strings.Repeat("p", 129)} {
		if _, err := sandbox.Start(sandbox.Options{StytchProjectID: id}); !errors.Is(err, sandbox.ErrBadOption) {
			t.Errorf("project id %q: %v", id, err)
		}
	}
}

func TestStytchLiveProject(t *testing.T) {
	const live = "project-live-11111111-2222-4333-8444-555555555555"
	sb := start(t, sandbox.Options{Seed: "empty", StytchProjectID: live})
	s := newStytch(t, sb)
	want(t, "project id", s.info.ProjectID, live)
	c := s.create(map[string]any{"scopes": []string{"read:x"}})
	if !strings.HasPrefix(str(c["client_id"]), "m2m-client-live-") {
		t.Errorf("generated client_id %v", c["client_id"])
	}
	_, m := s.token(str(c["client_id"]), str(c["client_secret"]), "")
	keys, _ := fetchJWKS(t, s.jwksURL())
	header, _ := verify(t, str(m["access_token"]), keys, jwt.WithIssuer("stytch.com/"+live), jwt.WithAudience(live))
	if !strings.HasPrefix(str(header["kid"]), "jwk-live-") {
		t.Errorf("kid %v", header["kid"])
	}
}

func TestStytchDemoProjectHoldsOneIdenticalAndOneConflictingImport(t *testing.T) {
	sb := start(t, sandbox.Options{})
	s := newStytch(t, sb)
	src := apps(t, sb.Auth0())
	stored := map[string]sandbox.InspectedClient{}
	for _, c := range inspect(t, s.info) {
		stored[c.ClientName] = c
	}
	want(t, "clients in the demo project", len(stored), 2)

	// The Auth0 side of each: id, secret, and scopes as the union of its client grants.
	a := sb.Auth0()
	tok := mgmtToken(t, a, "")
	scopesOf := func(id string) []string {
		var out []string
		for _, g := range mgmtGet(t, a, tok, "/api/v2/client-grants?client_id="+id).arr(t) {
			out = append(out, strs(g.(map[string]any)["scope"])...)
		}
		return out
	}
	for name, identical := range map[string]bool{"Inventory Sync": true, "Reporting Exporter": false} {
		got, ok := stored[name]
		if !ok {
			t.Fatalf("%s not in the Stytch project", name)
		}
		auth0 := src[name]
		secret := str(auth0["client_secret"])
		want(t, name+" id", got.ClientID, str(auth0["client_id"]))
		want(t, name+" description", got.ClientDescription, str(auth0["description"]))
		want(t, name+" secret hash", got.ClientSecretSHA256, sha(secret))
		want(t, name+" last four", got.ClientSecretLastFour, secret[len(secret)-4:])
		want(t, name+" same scopes", slices.Equal(got.Scopes, scopesOf(got.ClientID)), identical)
	}

	// The weak secret of the demo really fails Stytch's rule.
	weak := src["Legacy Batch Importer"]
	status, m := s.call(http.MethodPost, "/v1/m2m/clients", map[string]any{
		"client_id": weak["client_id"], "client_secret": weak["client_secret"], "scopes": []string{"write:orders"}})
	wantStytchError(t, status, m, 400, "insecure_m2m_client_secret")
	// The long unicode name fits.
	for name, c := range src {
		if strings.HasPrefix(name, "Zahlungsabgleich") {
			status, m := s.call(http.MethodPost, "/v1/m2m/clients", map[string]any{
				"client_id": c["client_id"], "client_secret": c["client_secret"], "client_name": name, "scopes": []string{}})
			want(t, "long unicode name import", status, 200)
			want(t, "name kept", str(m["m2m_client"].(map[string]any)["client_name"]), name)
		}
	}
}
