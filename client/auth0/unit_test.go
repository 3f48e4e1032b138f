package auth0

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
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
		got := r.blockers(tc.app)
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
	r := reader{keysRead: true, apis: map[string]*resourceServer{
		"https://orders/": {Name: "Orders", Identifier: "https://orders/", Scopes: []struct {
			Value       string `json:"value"`
			Description string `json:"description"`
		}{{"read:orders", "Read"}, {"write:orders", "Write"}}},
	}}
	a := app{ClientID: "id1", ClientSecret: "sec", Name: "Billing", Description: "d", AppType: "non_interactive",
		TokenEndpointAuthMethod: strp("client_secret_post"), ClientMetadata: map[string]any{"team": "billing"}}
	c := r.record(a, []grant{
		{ClientID: "id1", Audience: "https://zeta/", Scope: []string{"z:b", "z:a"}},
		{ClientID: "id1", Audience: "https://orders/", AllowAllScopes: true},
		{ClientID: "id1", Audience: "https://unknown/", AllowAllScopes: true},
	})
	if c.ID != "id1" || c.Secret.Reveal() != "sec" || c.Name != "Billing" || c.Description != "d" || c.Metadata["team"] != "billing" || !c.Importable() {
		t.Fatalf("%+v", c)
	}
	got := fmt.Sprintf("%+v", c.Grants)
	want := "[{Audience:https://orders/ API:Orders Scopes:read:orders write:orders AllowAll:true} " +
		"{Audience:https://unknown/ API: Scopes: AllowAll:true} {Audience:https://zeta/ API: Scopes:z:a z:b AllowAll:false}]"
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
	s, err := New(Config{Credentials: client.SourceCredentials{Domain: srv.URL, ClientID: "mgmt", Secret: "mgmt-secret-value"}})
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
