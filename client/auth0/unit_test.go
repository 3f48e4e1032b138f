package auth0

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/internal/testclock"
)

func strp(s string) *string            { return &s }
func grantTypes(v ...string) *[]string { return &v }

func reasons(bs []client.Blocker) string {
	var out []string
	for _, b := range bs {
		out = append(out, string(b.Reason))
	}
	return strings.Join(out, ",")
}

// record runs one app and its grants through the reader as Inventory does (the app's page,
// the grants' page, finish), keeping the app whatever its type.
func (r *reader) record(a app, grants []grant) client.Client {
	r.in, r.metadata, r.sets, r.index, r.includeNonM2M = interner{}, map[string]map[string]any{}, map[string]client.Scopes{}, map[string]int32{}, true
	r.apps(&listPage{Clients: []app{a}})
	r.grants(&listPage{ClientGrants: grants})
	return r.finish()[0]
}

// blockersOf is what blocks the app itself, its grants aside.
func (r *reader) blockersOf(a app) []client.Blocker {
	c := client.Client{Name: a.Name, Secret: client.NewSecret(a.ClientSecret), AppType: cmp.Or(a.AppType, client.AppTypeNone)}
	return r.blockers(&c, factsOf(&a), r.hints())
}

func TestBlockers(t *testing.T) {
	post := strp("client_secret_post")
	cases := []struct {
		name     string
		app      app
		keysRead bool
		want     string
	}{
		{"importable", app{AppType: "non_interactive", ClientSecret: "s3cret", TokenEndpointAuthMethod: post, GrantTypes: grantTypes("client_credentials")}, true, ""},
		{"grant types absent means the M2M default", app{AppType: "non_interactive", ClientSecret: "s3cret", TokenEndpointAuthMethod: post}, true, ""},
		{"private key jwt", app{AppType: "non_interactive", ClientAuthenticationMethods: map[string]json.RawMessage{"private_key_jwt": []byte(`{}`)}}, true, "key_based"},
		{"key based seen without read:client_keys", app{AppType: "non_interactive"}, false, "key_based"},
		{"mtls", app{AppType: "non_interactive", ClientAuthenticationMethods: map[string]json.RawMessage{"tls_client_auth": []byte(`{}`)}, TokenEndpointAuthMethod: post}, true, "key_based"},
		{"public", app{AppType: "non_interactive", TokenEndpointAuthMethod: strp("none")}, true, "no_secret"},
		{"secret hidden", app{AppType: "non_interactive", TokenEndpointAuthMethod: post}, false, "secret_hidden"},
		{"secret missing though readable", app{AppType: "non_interactive", TokenEndpointAuthMethod: post}, true, "no_secret"},
		{"no client credentials", app{AppType: "non_interactive", ClientSecret: "s3cret", TokenEndpointAuthMethod: post, GrantTypes: grantTypes("implicit")}, true, "no_client_credentials"},
		{"hidden and no client credentials", app{AppType: "non_interactive", TokenEndpointAuthMethod: post, GrantTypes: grantTypes()}, false, "secret_hidden,no_client_credentials"},
		{"spa", app{Name: "Web", AppType: "spa", TokenEndpointAuthMethod: strp("none")}, true, "not_m2m"},
		{"no type", app{Name: "Old"}, true, "not_m2m"},
	}
	for _, tc := range cases {
		r := reader{keysRead: tc.keysRead, mgmtApp: `"m2mport" (abc)`}
		got := r.blockersOf(tc.app)
		if reasons(got) != tc.want {
			t.Errorf("%s: blocked %q, want %q", tc.name, reasons(got), tc.want)
		}
		for _, b := range got {
			if b.Message == "" || (b.Reason != client.BlockNotM2M && b.Hint == "") {
				t.Errorf("%s: %s needs a message and a hint: %+v", tc.name, b.Reason, b)
			}
			if b.Reason == client.BlockSecretHidden && !strings.Contains(b.Hint, `read:client_keys to the Management API grant of app "m2mport" (abc)`) {
				t.Errorf("%s: the hint must say which app's grant to fix: %q", tc.name, b.Hint)
			}
		}
	}
}

func TestRecordJoinsGrantsByAudience(t *testing.T) {
	r := reader{keysRead: true, grantsRead: true, apis: map[string]*resourceServer{
		"https://orders/": {Name: "Orders", Identifier: "https://orders/", Scopes: []struct {
			Value       string `json:"value"`
			Description string `json:"description"`
		}{{"read:orders", "Read"}, {"write:orders", "Write"}}},
	}}
	a := app{ClientID: "id1", ClientSecret: "sec", Name: "Billing", Description: "d", AppType: "non_interactive",
		TokenEndpointAuthMethod: strp("client_secret_post"), ClientMetadata: metadataJSON(`{"team":"billing"}`)}
	c := r.record(a, []grant{
		{ClientID: "id1", Audience: "https://zeta/", Scope: []string{"z:b", "z:a"}, OrganizationUsage: "require", AllowAnyOrganization: true},
		{ClientID: "id1", Audience: "https://orders/", AllowAllScopes: true},
		{ClientID: "id1", Audience: "https://unknown/", AllowAllScopes: true},
	})
	if c.ID != "id1" || c.Secret.Reveal() != "sec" || c.Name != "Billing" || c.Description != "d" || c.Metadata["team"] != "billing" {
		t.Fatalf("%+v", c)
	}
	// All of an API Auth0 did not describe: the scopes are unknown, so it is not importable.
	if len(c.Blocked) != 1 || c.Blocked[0].Reason != client.BlockScopesHidden || !strings.Contains(c.Blocked[0].Message, "https://unknown/") {
		t.Fatalf("blocked: %+v", c.Blocked)
	}
	got := fmt.Sprintf("%+v", c.Grants)
	want := "[{Audience:https://orders/ API:Orders Scopes:read:orders write:orders AllowAll:true System:false OrgUsage: AnyOrg:false} " +
		"{Audience:https://unknown/ API: Scopes: AllowAll:true System:false OrgUsage: AnyOrg:false} " +
		"{Audience:https://zeta/ API: Scopes:z:a z:b AllowAll:false System:false OrgUsage:require AnyOrg:true}]"
	if got != want {
		t.Fatalf("grants\n got %s\nwant %s", got, want)
	}
	if c.Scopes.String() != "read:orders write:orders z:a z:b" {
		t.Fatalf("scopes %q", c.Scopes)
	}
	if r.unexpanded != 1 {
		t.Fatalf("unexpanded %d", r.unexpanded)
	}
}

func TestRecordKeepsOrganizationUsage(t *testing.T) {
	r := reader{keysRead: true, grantsRead: true, apis: map[string]*resourceServer{}}
	a := app{ClientID: "id1", ClientSecret: "sec", AppType: "non_interactive", TokenEndpointAuthMethod: strp("client_secret_post")}
	var grants []grant
	if err := json.Unmarshal([]byte(`[
		{"id":"cgr_1","client_id":"id1","audience":"https://orders/","scope":["read:orders"],"subject_type":"client","organization_usage":"require","allow_any_organization":true},
		{"id":"cgr_2","client_id":"id1","audience":"https://billing/","scope":["read:invoices"],"organization_usage":"allow"},
		{"id":"cgr_3","client_id":"id1","audience":"https://zeta/","scope":["z"],"organization_usage":"deny"},
		{"id":"cgr_4","client_id":"id1","audience":"https://new/","scope":["n"],"organization_usage":"only_tuesdays"}
	]`), &grants); err != nil {
		t.Fatal(err)
	}
	c := r.record(a, grants)
	got := map[string]string{}
	for _, g := range c.Grants {
		got[g.Audience] = fmt.Sprintf("%s %v required=%v", g.OrgUsage, g.AnyOrg, g.OrgUsage.Required())
	}
	want := map[string]string{
		"https://orders/":  "require true required=true",
		"https://billing/": "allow false required=false",
		"https://zeta/":    "deny false required=false",
		// A value m2mport does not know counts as require: a looser guess could widen access.
		"https://new/": "only_tuesdays false required=true",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("organization usage\n got %v\nwant %v", got, want)
	}
}

func TestDecodeErrorShapes(t *testing.T) {
	cases := map[string][2]string{
		`{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:clients","errorCode":"insufficient_scope"}`: {"insufficient_scope", "Insufficient scope, expected any of: read:clients"},
		`{"statusCode":401,"error":"Unauthorized","message":"Invalid token"}`:                                                                   {"", "Invalid token"},
		`{"error":"access_denied","error_description":"Unauthorized"}`:                                                                          {"access_denied", "Unauthorized"},
	}
	for body, want := range cases {
		var e client.APIError
		decodeError([]byte(body), &e)
		if e.Code != want[0] || e.Message != want[1] {
			t.Errorf("%s: code %q message %q", body, e.Code, e.Message)
		}
	}
}

// fakeTenant is the least of a Management API needed to test token handling: it counts
// token calls and refuses body credentials when basicOnly is set.
type fakeTenant struct {
	tokens    atomic.Int32
	basicOnly bool
	expiresIn int
	reject    atomic.Int32 // this many /api/v2 calls answer 401 first
}

func (f *fakeTenant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/oauth/token":
		r.ParseForm()
		id, secret, basic := r.BasicAuth()
		if !basic {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		if id != "mgmt" || secret != "mgmt-secret-value" || (f.basicOnly && !basic) {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":"access_denied","error_description":"Unauthorized"}`)
			return
		}
		n := f.tokens.Add(1)
		fmt.Fprintf(w, `{"access_token":"tok-%d","expires_in":%d,"scope":"read:clients read:client_keys","token_type":"Bearer"}`, n, f.expiresIn)
	case "/api/v2/clients":
		if f.reject.Load() > 0 {
			f.reject.Add(-1)
			w.WriteHeader(401)
			fmt.Fprint(w, `{"statusCode":401,"error":"Unauthorized","message":"Expired token received for JSON Web Token validation"}`)
			return
		}
		fmt.Fprint(w, `{"total":0,"start":0,"limit":1,"clients":[]}`)
	default:
		w.WriteHeader(404)
	}
}

func newFake(t *testing.T, f *fakeTenant) (*Source, *time.Time) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	s, err := New(Config{Credentials: client.SourceCredentials{Domain: srv.URL, ClientID: "mgmt", Secret: client.NewSecret("mgmt-secret-value")}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s.now = func() time.Time { return now }
	return s, &now
}

func TestManagementTokenIsCachedUntilFiveMinutesBeforeExpiry(t *testing.T) {
	f := &fakeTenant{expiresIn: 86400}
	s, now := newFake(t, f)
	ctx := context.Background()
	for range 3 {
		if _, err := s.Connect(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if f.tokens.Load() != 1 {
		t.Fatalf("%d token calls for three connects", f.tokens.Load())
	}
	*now = now.Add(24*time.Hour - 6*time.Minute)
	s.Connect(ctx)
	if f.tokens.Load() != 1 {
		t.Fatal("a token with 6 minutes left should still be used")
	}
	*now = now.Add(2 * time.Minute)
	s.Connect(ctx)
	if f.tokens.Load() != 2 {
		t.Fatal("a token with 4 minutes left should be replaced")
	}
}

func TestExpiredTokenIsReplacedOnce(t *testing.T) {
	f := &fakeTenant{expiresIn: 86400}
	s, _ := newFake(t, f)
	f.reject.Store(1)
	if _, err := s.Connect(context.Background()); err != nil {
		t.Fatalf("one 401 should be met with a new token: %v", err)
	}
	if f.tokens.Load() != 2 {
		t.Fatalf("%d token calls", f.tokens.Load())
	}
	f.reject.Store(5)
	_, err := s.Connect(context.Background())
	if client.StatusOf(err) != 401 || !strings.Contains(err.Error(), "Expired token") {
		t.Fatalf("a second 401 is an error: %v", err)
	}
}

func TestTokenFallsBackToBasicAuthentication(t *testing.T) {
	f := &fakeTenant{expiresIn: 86400, basicOnly: true}
	s, _ := newFake(t, f)
	if _, err := s.Connect(context.Background()); err != nil {
		t.Fatalf("an app set to client_secret_basic should still connect: %v", err)
	}
}

// TestEverySpecErrorRowIsTyped feeds each error answer of the spec to the reader, including
// the rows it never provokes itself, and checks the code, the message and the hint.
func TestEverySpecErrorRowIsTyped(t *testing.T) {
	const okToken = `{"access_token":"tok","expires_in":86400,"scope":"read:clients read:client_keys read:client_grants read:resource_servers","token_type":"Bearer"}`
	// A "token:" row is the token endpoint's answer; a "list:" row is the client list's, after
	// a token. The error must carry the status answered.
	rows := []struct {
		name              string
		status            int
		body              string
		code, msg, inHint string
	}{
		{"token: unknown client (older tenants)", 401, `{"error":"access_denied","error_description":"Unauthorized"}`,
			"access_denied", "Unauthorized", "check the client ID and secret"},
		{"token: wrong secret", 401, `{"error":"invalid_client","error_description":"Client authentication failed"}`,
			"invalid_client", "Client authentication failed", "check the client ID and secret"},
		{"token: no grant", 403, `{"error":"access_denied","error_description":"Client is not authorized to access \"https://acme/api/v2/\". You might probably want to create a \"client-grant\" associated to this API."}`,
			"access_denied", "Client is not authorized", "authorize the app for the Auth0 Management API"},
		{"token: unknown audience", 403, `{"error":"access_denied","error_description":"Service not enabled within domain: https://login.acme.com/api/v2/"}`,
			"access_denied", "Service not enabled", "use the tenant's Auth0 domain"},
		{"token: grant type", 403, `{"error":"unauthorized_client","error_description":"Grant type 'client_credentials' not allowed for the client."}`,
			"unauthorized_client", "Grant type", "enable the Client Credentials grant"},
		{"token: scope not granted", 403, `{"error":"access_denied","error_description":"Client has not been granted scopes: a, b"}`,
			"access_denied", "Client has not been granted scopes", "grant the listed scopes"},
		{"token: invalid request", 400, `{"error":"invalid_request","error_description":"Missing required parameter: audience"}`,
			"invalid_request", "Missing required parameter", "bug in m2mport"},
		{"token: unsupported grant type", 400, `{"error":"unsupported_grant_type","error_description":"Unsupported grant type: x"}`,
			"unsupported_grant_type", "Unsupported grant type", "bug in m2mport"},
		{"token: rate limited", 429, `{"error":"too_many_requests","error_description":"Rate limit exceeded. Please retry after some time."}`,
			"too_many_requests", "Rate limit exceeded", "rate limiting"},
		{"list: bad query", 400, `{"statusCode":400,"error":"Bad Request","message":"Invalid request query string. x.","errorCode":"invalid_query_string"}`,
			"invalid_query_string", "Invalid request query string", "bug in m2mport"},
		{"list: invalid token", 401, `{"statusCode":401,"error":"Unauthorized","message":"Invalid token"}`,
			"", "Invalid token", "refused the Management API token"},
		{"list: bad audience", 401, `{"statusCode":401,"error":"Unauthorized","message":"Bad audience: https://x/"}`,
			"", "Bad audience", "refused the Management API token"},
		{"list: insufficient scope", 403, `{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:clients,read:client_keys,read:client_summary","errorCode":"insufficient_scope"}`,
			"insufficient_scope", "Insufficient scope", "add the missing scope"},
		{"list: not found", 404, `{"statusCode":404,"error":"Not Found","message":"Client not found.","errorCode":"inexistent_client"}`,
			"inexistent_client", "Client not found.", ""},
		{"list: rate limited", 429, `{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}`,
			"too_many_requests", "Global limit has been reached", "rate limiting"},
	}
	for _, row := range rows {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/oauth/token" && strings.HasPrefix(row.name, "list:") {
				fmt.Fprint(w, okToken)
				return
			}
			w.WriteHeader(row.status)
			fmt.Fprint(w, row.body)
		}))
		s, err := New(Config{Credentials: client.SourceCredentials{Domain: srv.URL, ClientID: "id", Secret: client.NewSecret("secret-value")}, HTTPConfig: client.HTTPConfig{MaxAttempts: 1}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Inventory(context.Background())
		srv.Close()
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.Status != row.status || ae.Code != row.code || !strings.HasPrefix(ae.Message, row.msg) || !strings.Contains(ae.Hint, row.inHint) {
			t.Errorf("%s: %v (hint %q)", row.name, err, ae.Hint)
		}
	}
}

// TestPrintingASourceShowsNoSecret: a Source ends up inside UI models and engine state, and
// any %v of those — a debug line, a test failure, a panic — prints it field by field.
func TestPrintingASourceShowsNoSecret(t *testing.T) {
	f := &fakeTenant{expiresIn: 86400}
	s, _ := newFake(t, f)
	if _, err := s.Connect(context.Background()); err != nil { // caches a Management API token
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(verb, s); strings.Contains(out, "mgmt-secret-value") || strings.Contains(out, "tok-1") {
			t.Errorf("%s of a Source shows a secret or the token: %s", verb, out)
		}
	}
}

// TestAnswersThatAreNotTheAPIsGiveAClearError: behind a proxy, during an outage or at a wrong
// address, the reader meets HTML, cut-short JSON, endless bodies and servers that never
// answer. Each must end in one sentence naming what answered wrong, within the bounds the
// configuration sets, never in a JSON decoder message or a hang.
func TestAnswersThatAreNotTheAPIsGiveAClearError(t *testing.T) {
	const okToken = `{"access_token":"tok","expires_in":86400,"scope":"read:clients read:client_keys","token_type":"Bearer"}`
	stream := func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat(`{"client_id":"x"},`, 1<<10))
		w.Write([]byte(`{"total":1,"clients":[`))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
	cases := []struct {
		name   string
		answer http.HandlerFunc
		want   string // in the error text
	}{
		{"proxy error page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			fmt.Fprint(w, `<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>`)
		}, `GET /api/v2/clients: 502: Bad Gateway: unexpected body "502 Bad Gateway nginx"`},
		{"login page with 200", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<!DOCTYPE html><html><title>Sign in</title><body>Please sign in</body></html>`)
		}, `GET /api/v2/clients: 200: the answer is not JSON: unexpected body "Sign in Please sign in"`},
		{"cut short", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"total":2,"clients":[{"client_id":"a","name":"Bil`)
		}, "GET /api/v2/clients: 200: the answer was cut short"},
		{"50 MB announced", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(50<<20))
			w.WriteHeader(200)
		}, "GET /api/v2/clients: 200: the answer is larger than 10 MiB"},
		{"endless body", stream, "GET /api/v2/clients: 200: the answer is larger than 10 MiB"},
		{"never answers", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			"GET /api/v2/clients: no answer from the server: timed out after 100 ms"},
		{"stalls mid-body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			fmt.Fprint(w, `{"total":1,"clients":[`)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, "GET /api/v2/clients: no answer from the server: timed out after 100 ms"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/oauth/token" {
					fmt.Fprint(w, okToken)
					return
				}
				tc.answer(w, r)
			}))
			defer srv.Close()
			hangs := strings.Contains(tc.want, "timed out") // the others must end long before the timeout
			timeout := 100 * time.Millisecond
			if !hangs {
				timeout = time.Minute // reading 10 MiB under -race on a busy machine takes a while
			}
			s, err := New(Config{Credentials: client.SourceCredentials{Domain: srv.URL, ClientID: "id", Secret: client.NewSecret("secret-value")},
				HTTPConfig: client.HTTPConfig{Timeout: timeout, MaxAttempts: 2}})
			if err != nil {
				t.Fatal(err)
			}
			SetClock(s, testclock.New(time.Now())) // retry at once
			begin := time.Now()
			_, err = s.Inventory(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant it to say %q", err, tc.want)
			}
			if msg := err.Error(); strings.Contains(msg, "json:") || strings.Contains(msg, "invalid character") || strings.Contains(msg, "<") {
				t.Errorf("the operator would read a decoder message or markup: %v", err)
			}
			var ae *client.APIError
			if errors.As(err, &ae) && ae.Hint == "" {
				t.Errorf("no hint: %+v", ae)
			}
			// Far more than two attempts take, unless something ignores the timeout.
			if d := time.Since(begin); hangs && d > 10*time.Second {
				t.Errorf("took %s to give up", d)
			}
		})
	}
}

func TestPlainHTTPOnlyToThisMachine(t *testing.T) {
	creds := client.SourceCredentials{ClientID: "id", Secret: client.NewSecret("secret-value")}
	for _, domain := range []string{"http://acme.us.auth0.com", "http://10.0.0.7:8080", "http://localhost.acme.example"} {
		creds.Domain = domain
		if _, err := New(Config{Credentials: creds}); err == nil || !strings.Contains(err.Error(), "plain http is allowed only to this machine") {
			t.Errorf("%s: %v", domain, err)
		}
	}
	for _, domain := range []string{"http://127.0.0.1:8080", "http://localhost:3000", "http://[::1]:9000", "acme.us.auth0.com"} {
		creds.Domain = domain
		if _, err := New(Config{Credentials: creds}); err != nil {
			t.Errorf("%s: %v", domain, err)
		}
	}
}

func TestTenantGivenAsAPIAddressOrIssuerMeansTheTenant(t *testing.T) {
	creds := client.SourceCredentials{ClientID: "id", Secret: client.NewSecret("secret-value")}
	for _, domain := range []string{"acme.us.auth0.com", "https://acme.us.auth0.com/", "https://acme.us.auth0.com/api/v2/", "https://ACME.us.auth0.com/api/v2"} {
		creds.Domain = domain
		s, err := New(Config{Credentials: creds})
		if err != nil {
			t.Fatalf("%s: %v", domain, err)
		}
		if s.ManagementAudience() != "https://acme.us.auth0.com/api/v2/" || s.Name() != "acme.us.auth0.com" {
			t.Errorf("%s: audience %s, name %s", domain, s.ManagementAudience(), s.Name())
		}
	}
	creds.Domain = "https://acme.us.auth0.com/authorize"
	if _, err := New(Config{Credentials: creds}); err == nil || !strings.Contains(err.Error(), "without a path") {
		t.Errorf("a stray path: %v", err)
	}
}

// Without read:client_grants every M2M client's scopes are unknown: it is blocked rather
// than imported with none (which a later update would copy over Stytch's scopes).
func TestHiddenGrantsBlockEveryM2MClient(t *testing.T) {
	r := reader{keysRead: true, mgmtApp: `"m2mport" (abc)`}
	m2m := r.record(app{ClientID: "id1", ClientSecret: "sec", Name: "Billing", AppType: "non_interactive", TokenEndpointAuthMethod: strp("client_secret_post")}, nil)
	if len(m2m.Blocked) != 1 || m2m.Blocked[0].Reason != client.BlockScopesHidden || !strings.Contains(m2m.Blocked[0].Hint, "read:client_grants") {
		t.Fatalf("blocked: %+v", m2m.Blocked)
	}
	spa := r.record(app{ClientID: "id2", Name: "Shop", AppType: "spa"}, nil)
	if len(spa.Blocked) != 1 || spa.Blocked[0].Reason != client.BlockNotM2M {
		t.Fatalf("a SPA is blocked for being one, nothing more: %+v", spa.Blocked)
	}
}
