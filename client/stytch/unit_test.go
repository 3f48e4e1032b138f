package stytch

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
)

func TestEnvironmentFromProjectID(t *testing.T) {
	cases := []struct {
		id, base, wantBase string
		live               bool
	}{
		{"project-live-0b1c", "", "https://api.stytch.com", true},
		{"project-test-0b1c", "", "https://test.stytch.com", false},
		{"whatever", "", "https://test.stytch.com", false},
		{"project-live-0b1c", "https://login.example.com/", "https://login.example.com", true},
		{"project-test-0b1c", "http://127.0.0.1:9999", "http://127.0.0.1:9999", false},
	}
	for _, tc := range cases {
		tg, err := New(Config{Credentials: client.TargetCredentials{ProjectID: tc.id, Secret: client.NewSecret("secret-1234"), BaseURL: tc.base}})
		if err != nil {
			t.Fatal(err)
		}
		if tg.BaseURL() != tc.wantBase || tg.IsLive() != tc.live || tg.ProjectID() != tc.id {
			t.Errorf("%s %s: base %s live %v", tc.id, tc.base, tg.BaseURL(), tg.IsLive())
		}
		if is := tg.Issuers(); len(is) != 2 || is[0] != "stytch.com/"+tc.id || is[1] != tc.wantBase {
			t.Errorf("issuers %v", is)
		}
	}
	for _, cfg := range []Config{
		{Credentials: client.TargetCredentials{ProjectID: "", Secret: client.NewSecret("s")}},
		{Credentials: client.TargetCredentials{ProjectID: "p", Secret: client.NewSecret("s"), BaseURL: "http://stytch.example.com"}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%+v should be refused", cfg.Credentials.BaseURL)
		}
	}
}

// recorder is a Stytch stand-in that records requests and answers with a fixed client.
type recorder struct {
	mu       sync.Mutex
	requests []recorded
	answer   func(r *http.Request, body []byte) (int, string)
}

type recorded struct {
	Method, Path, RawPath, Auth string
	Body                        map[string]any
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var m map[string]any
	json.Unmarshal(body, &m)
	rec.mu.Lock()
	rec.requests = append(rec.requests, recorded{r.Method, r.URL.Path, r.URL.EscapedPath(), r.Header.Get("Authorization"), m})
	rec.mu.Unlock()
	status, out := 200, `{"status_code":200,"request_id":"r","m2m_client":{"client_id":"x","scopes":["a"],"client_secret_last_four":"DzJj","next_client_secret_last_four":null}}`
	if rec.answer != nil {
		status, out = rec.answer(r, body)
	}
	w.WriteHeader(status)
	fmt.Fprint(w, out)
}

func newRecorded(t *testing.T, rec *recorder) *Target {
	t.Helper()
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	tg, err := New(Config{Credentials: client.TargetCredentials{ProjectID: "project-test-1", Secret: client.NewSecret("project-secret-xyz"), BaseURL: srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestUpdateSendsOnlyWhatChangesAndCanClear(t *testing.T) {
	rec := &recorder{}
	tg := newRecorded(t, rec)
	empty, name := "", "New name"
	none := client.Scopes{}
	ctx := context.Background()
	tg.Update(ctx, "id", client.Update{Name: &name})
	tg.Update(ctx, "id", client.Update{Description: &empty, Scopes: &none, Metadata: map[string]any{"gone": nil, "team": "x"}})
	got := []string{}
	for _, r := range rec.requests {
		b, _ := json.Marshal(r.Body)
		got = append(got, r.Method+" "+r.Path+" "+string(b))
	}
	want := []string{
		`PUT /v1/m2m/clients/id {"client_name":"New name"}`,
		`PUT /v1/m2m/clients/id {"client_description":"","scopes":[],"trusted_metadata":{"gone":null,"team":"x"}}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("sent\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.HasPrefix(rec.requests[0].Auth, "Basic ") {
		t.Fatal("management calls carry the project's Basic credentials")
	}
}

func TestIDsAreEscapedInPaths(t *testing.T) {
	rec := &recorder{}
	tg := newRecorded(t, rec)
	ctx := context.Background()
	id := "a/b c?d#e%f"
	tg.Get(ctx, id)
	tg.Delete(ctx, id)
	tg.RotateStart(ctx, id)
	for _, r := range rec.requests {
		if !strings.HasPrefix(r.RawPath, "/v1/m2m/clients/a%2Fb%20c%3Fd%23e%25f") || !strings.HasPrefix(r.Path, "/v1/m2m/clients/"+id) {
			t.Errorf("%s %s (raw %s)", r.Method, r.Path, r.RawPath)
		}
	}
}

func TestCreateRefusesToInventCredentials(t *testing.T) {
	rec := &recorder{}
	tg := newRecorded(t, rec)
	for _, c := range []client.Client{{ID: "x"}, {Secret: client.NewSecret("long-enough-secret")}} {
		if _, err := tg.Create(context.Background(), &c); err == nil {
			t.Errorf("%+v should be refused", c)
		}
	}
	if len(rec.requests) != 0 {
		t.Fatal("nothing should be sent")
	}
	c := client.Client{ID: "x", Secret: client.NewSecret("long-enough-secret")}
	tg.Create(context.Background(), &c)
	if b, _ := json.Marshal(rec.requests[0].Body); string(b) != `{"client_id":"x","client_secret":"long-enough-secret","scopes":[]}` {
		t.Fatalf("create body %s", b)
	}
}

func TestSearchBatchesAndFollowsCursors(t *testing.T) {
	var calls atomic.Int32
	rec := &recorder{answer: func(r *http.Request, body []byte) (int, string) {
		calls.Add(1)
		var req struct {
			Limit  int
			Cursor string
			Query  struct{ Operands []Filter }
		}
		json.Unmarshal(body, &req)
		ids := req.Query.Operands[0].Values
		if len(ids) > 1000 || req.Limit != 1000 {
			return 400, `{"error_type":"too_many"}`
		}
		// Two pages per batch: the first half, then the rest.
		half := ids[:len(ids)/2]
		next := `"more"`
		if req.Cursor == "more" {
			half, next = ids[len(ids)/2:], "null"
		}
		var cl []string
		for _, id := range half {
			if !strings.HasSuffix(id, "-missing") {
				cl = append(cl, fmt.Sprintf(`{"client_id":%q,"scopes":[]}`, id))
			}
		}
		return 200, fmt.Sprintf(`{"m2m_clients":[%s],"results_metadata":{"next_cursor":%s,"total":-1}}`, strings.Join(cl, ","), next)
	}}
	tg := newRecorded(t, rec)
	var ids []string
	for i := range 2500 {
		ids = append(ids, fmt.Sprintf("c%04d", i))
	}
	ids = append(ids, "zz-missing", "c0001", "") // a duplicate is asked once, the empty id never
	got, err := tg.Search(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2500 || calls.Load() != 6 {
		t.Fatalf("found %d in %d calls; want 2500 in 6 (3 batches × 2 pages)", len(got), calls.Load())
	}
	if _, ok := got["zz-missing"]; ok {
		t.Fatal("a missing id was reported")
	}
	if got, err := tg.Search(context.Background(), nil); err != nil || len(got) != 0 || calls.Load() != 6 {
		t.Fatal("no ids, no call")
	}
}

func TestSearchStopsOnARepeatedCursor(t *testing.T) {
	rec := &recorder{answer: func(*http.Request, []byte) (int, string) {
		return 200, `{"m2m_clients":[],"results_metadata":{"next_cursor":"same","total":-1}}`
	}}
	tg := newRecorded(t, rec)
	if _, err := tg.Search(context.Background(), []string{"a"}); err == nil || !strings.Contains(err.Error(), "same cursor") {
		t.Fatalf("err %v", err)
	}
}

// Issue 15.4: a search whose cursors never end the results stops with an error, after a few
// calls: fresh cursors serving clients already seen, more clients than ids asked for, and
// more pages than the first answer's total makes.
func TestSearchStopsCursorsThatNeverEnd(t *testing.T) {
	cases := []struct {
		name  string
		ids   int
		page  func(n int) string // the n-th answer (1-based)
		calls int32
		says  string
	}{
		{"fresh cursors, the same clients", 2, func(n int) string {
			return fmt.Sprintf(`{"m2m_clients":[{"client_id":"c0","scopes":[]}],"results_metadata":{"next_cursor":"cur%d","total":-1}}`, n)
		}, 2, "holds client \"c0\" again"},
		{"fresh cursors, fresh clients beyond the ids asked", 3, func(n int) string {
			return fmt.Sprintf(`{"m2m_clients":[{"client_id":"x%d","scopes":[]},{"client_id":"y%d","scopes":[]}],"results_metadata":{"next_cursor":"cur%d","total":-1}}`, n, n, n)
		}, 2, "at most 3 can match"},
		{"fresh cursors and clients past the total", 0, func(n int) string {
			return fmt.Sprintf(`{"m2m_clients":[{"client_id":"x%d","scopes":[]}],"results_metadata":{"next_cursor":"cur%d","total":150}}`, n, n)
		}, 2 + 2, "more than its total announced"}, // 150 at 100 a page, and a margin of 2
		{"fresh cursors and no total, forever", 0, func(n int) string {
			return fmt.Sprintf(`{"m2m_clients":[{"client_id":"x%d","scopes":[]}],"results_metadata":{"next_cursor":"cur%d","total":-1}}`, n, n)
		}, 1000, "after 1000 pages"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			tg := newRecorded(t, &recorder{answer: func(*http.Request, []byte) (int, string) {
				return 200, tc.page(int(calls.Add(1)))
			}})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			start := time.Now()
			var err error
			if tc.ids > 0 {
				ids := make([]string, tc.ids)
				for i := range ids {
					ids[i] = fmt.Sprintf("c%d", i)
				}
				_, err = tg.Search(ctx, ids)
			} else {
				err = tg.SearchAll(ctx, SearchRequest{Limit: 100}, 0, func(client.Stored) {})
			}
			var ae *client.APIError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), tc.says) || ae.Hint == "" || ctx.Err() != nil {
				t.Fatalf("err %v; want one that says %q, with a hint", err, tc.says)
			}
			if calls.Load() > tc.calls {
				t.Errorf("%d calls, want at most %d", calls.Load(), tc.calls)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s to give up", d)
			}
		})
	}
}

func jwkOf(kid string, k *rsa.PublicKey) string {
	return fmt.Sprintf(`{"kty":"RSA","use":"sig","alg":"RS256","kid":%q,"n":%q,"e":%q}`, kid,
		base64.RawURLEncoding.EncodeToString(k.N.Bytes()), base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()))
}

func TestKeyCacheRefetchesOnlyForUnknownKidsAndNotTooOften(t *testing.T) {
	k1, _ := rsa.GenerateKey(rand.Reader, 2048)
	k2, _ := rsa.GenerateKey(rand.Reader, 2048)
	weak, _ := rsa.GenerateKey(rand.Reader, 1024)
	var fetches atomic.Int32
	var set atomic.Value
	set.Store(fmt.Sprintf(`{"keys":[%s,%s]}`, jwkOf("k1", &k1.PublicKey), jwkOf("weak", &weak.PublicKey)))
	rec := &recorder{answer: func(r *http.Request, _ []byte) (int, string) {
		if r.URL.Path != "/v1/b2b/sessions/jwks/project-test-1" || r.Header.Get("Authorization") != "" {
			return 404, `{}`
		}
		fetches.Add(1)
		return 200, set.Load().(string)
	}}
	tg := newRecorded(t, rec)
	start := time.Now()
	now := start
	tg.keys.now = func() time.Time { return now }
	var slept []time.Duration
	tg.keys.sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); now = now.Add(d); return nil }
	ctx := context.Background()

	k, err := tg.Key(ctx, "k1")
	if err != nil || !k.(*rsa.PublicKey).Equal(&k1.PublicKey) {
		t.Fatalf("k1: %v", err)
	}
	tg.Key(ctx, "k1")
	if fetches.Load() != 1 {
		t.Fatalf("%d fetches for a known kid", fetches.Load())
	}
	if _, err := tg.Key(ctx, "weak"); !errors.Is(err, ErrUnknownKey) || fetches.Load() != 2 || len(slept) != 1 || slept[0] != 5*time.Second {
		t.Fatalf("a 1024-bit key must not be trusted (after one more fetch, 5 s on): %v, %d fetches, slept %v", err, fetches.Load(), slept)
	}
	var w jwk
	json.Unmarshal([]byte(jwkOf("weak", &weak.PublicKey)), &w)
	if _, err := w.rsaKey(); err == nil {
		t.Fatal("rsaKey accepted a 1024-bit key")
	}
	// A rotation mid-run: the new kid, within 5 s of the last fetch, waits for the next one
	// and then verifies, rather than failing every token checked meanwhile.
	set.Store(fmt.Sprintf(`{"keys":[%s,%s]}`, jwkOf("k1", &k1.PublicKey), jwkOf("k2", &k2.PublicKey)))
	k, err = tg.Key(ctx, "k2")
	if err != nil || !k.(*rsa.PublicKey).Equal(&k2.PublicKey) || fetches.Load() != 3 {
		t.Fatalf("after a rotation the new kid is fetched: %v, %d fetches", err, fetches.Load())
	}
	// Made-up kids cannot make it fetch more than once every 5 s.
	for range 10 {
		if _, err := tg.Key(ctx, "made-up"); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("made-up kid: %v", err)
		}
	}
	if n, most := fetches.Load(), 1+int32(now.Sub(start)/(5*time.Second)); n > most {
		t.Fatalf("%d fetches in %v: more than one every 5 s", n, now.Sub(start))
	}
}

// TestEverySpecErrorRowIsTyped feeds each error answer of the spec to the client, including
// the rows m2mport never provokes itself, and checks the engine can tell them apart.
func TestEverySpecErrorRowIsTyped(t *testing.T) {
	rows := []struct {
		status int
		body   string
		code   string
	}{
		{401, `{"status_code":401,"request_id":"req-1","error_type":"unauthorized_credentials","error_message":"Unauthorized credentials."}`, client.CodeUnauthorized},
		{404, `{"status_code":404,"request_id":"req-1","error_type":"m2m_client_not_found","error_message":"The m2m client requested could not be found.","error_url":"https://stytch.com/docs/api/errors/404"}`, client.CodeClientNotFound},
		{400, `{"status_code":400,"request_id":"req-1","error_type":"duplicate_m2m_client_id","error_message":"x"}`, client.CodeDuplicateClientID},
		{400, `{"status_code":400,"request_id":"req-1","error_type":"insecure_m2m_client_secret","error_message":"x"}`, client.CodeInsecureSecret},
		{400, `{"status_code":400,"request_id":"req-1","error_type":"client_secret_too_long","error_message":"x"}`, client.CodeSecretTooLong},
		{400, `{"status_code":400,"request_id":"req-1","error_type":"invalid_m2m_client_scope","error_message":"x"}`, client.CodeInvalidScope},
		{400, `{"status_code":400,"request_id":"req-1","error_type":"too_many_m2m_client_scopes","error_message":"x"}`, client.CodeTooManyScopes},
		{400, `{"status_code":400,"request_id":"req-1","error_type":"metadata_too_many_keys","error_message":"x"}`, codeMetadataKeys},
		{400, `{"status_code":400,"request_id":"req-1","error_type":"metadata_too_large","error_message":"x"}`, codeMetadataSize},
		{400, `{"status_code":400,"request_id":"req-1","error_type":"m2m_client_invalid_client_id","error_message":"x"}`, codeInvalidClientID},
		{400, `{"status_code":400,"request_id":"req-1","error_type":"m2m_search_filter_name_not_recognized","error_message":"x"}`, codeSearchFilterName},
		{400, `{"status_code":400,"request_id":"req-1","error_type":"m2m_client_already_rotating_secret","error_message":"x"}`, codeAlreadyRotating},
		{400, `{"status_code":400,"request_id":"req-1","error_type":"m2m_client_not_rotating_secret","error_message":"x"}`, codeNotRotating},
		{429, `{"status_code":429,"request_id":"req-1","error_type":"too_many_requests","error_message":"Too many requests have been made."}`, client.CodeTooManyRequests},
		{500, `{"status_code":500,"request_id":"req-1","error_type":"internal_server_error","error_message":"x"}`, codeInternalServerErr},
		{400, `{"status_code":400,"request_id":"req-1","error":"invalid_client","error_description":"x","error_uri":"u"}`, client.CodeInvalidClient},
		{400, `{"status_code":400,"request_id":"req-1","error":"invalid_scope","error_description":"x","error_uri":"u"}`, client.CodeInvalidOAuthScp},
		{400, `{"status_code":400,"request_id":"req-1","error":"invalid_request","error_description":"x","error_uri":"u"}`, codeInvalidRequest},
		{400, `{"status_code":400,"request_id":"req-1","error":"unsupported_grant_type","error_description":"x","error_uri":"u"}`, codeUnsupportedGrant},
	}
	for _, row := range rows {
		srv := httptest.NewServer(&recorder{answer: func(*http.Request, []byte) (int, string) { return row.status, row.body }})
		tg, err := New(Config{Credentials: client.TargetCredentials{ProjectID: "project-test-1", Secret: client.NewSecret("project-secret-xyz"), BaseURL: srv.URL},
			HTTPConfig: client.HTTPConfig{MaxAttempts: 1}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = tg.Get(context.Background(), "x")
		srv.Close()
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.Status != row.status || ae.Code != row.code || ae.RequestID != "req-1" || ae.Message == "" {
			t.Errorf("%s: %v", row.code, err)
			continue
		}
		if ae.Hint == "" {
			t.Errorf("%s has no hint", row.code)
		}
	}
}

// TestPrintingATargetShowsNoSecret: a Target ends up inside UI models and engine state, and
// any %v of those — a debug line, a test failure, a panic — prints it field by field.
func TestPrintingATargetShowsNoSecret(t *testing.T) {
	const secret = "project-secret-xyz-DzJj"
	tg, err := New(Config{Credentials: client.TargetCredentials{ProjectID: "project-test-1", Secret: client.NewSecret(secret)}})
	if err != nil {
		t.Fatal(err)
	}
	basic := base64.StdEncoding.EncodeToString([]byte("project-test-1:" + secret))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, tg)
		if strings.Contains(out, secret[:12]) || strings.Contains(out, basic[:20]) {
			t.Errorf("%s of a Target shows the project secret: %s", verb, out)
		}
	}
}

// A create answered 2xx without the client it stored (a proxy's "{}") is as ambiguous as no
// answer: the engine must settle it with a read, not record a failure for a client that may
// exist. A read answered so is a plain error.
func TestA2xxWithoutTheClientIsAmbiguousForWrites(t *testing.T) {
	tg := newRecorded(t, &recorder{answer: func(*http.Request, []byte) (int, string) { return 200, `{"status_code":200}` }})
	ctx := context.Background()
	_, err := tg.Create(ctx, &client.Client{ID: "svc-1", Secret: client.NewSecret("Zq8-secret-for-svc-1"), Name: "svc"})
	if !errors.Is(err, client.ErrNoAnswer) {
		t.Fatalf("create: %v, want an ambiguous outcome", err)
	}
	if _, err := tg.Get(ctx, "svc-1"); err == nil || errors.Is(err, client.ErrNoAnswer) {
		t.Fatalf("get: %v, want a plain error", err)
	}
}
