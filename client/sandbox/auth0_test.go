package sandbox_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/m2mport/m2mport/client/sandbox"
)

const (
	ordersAPI  = "https://api.acme.example/orders"
	billingAPI = "https://api.acme.example/billing"
)

var neededScopes = []string{"read:clients", "read:client_keys", "read:client_grants", "read:resource_servers"}

// tokenFor asks POST /oauth/token for a client-credentials token with form-encoded body
// credentials.
func tokenFor(t testing.TB, base, id, secret, audience, scope string) answer {
	t.Helper()
	f := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "audience": {audience}}
	if scope != "" {
		f.Set("scope", scope)
	}
	return do(t, http.MethodPost, base+"/oauth/token", formBody(f))
}

// mgmtToken is a Management API token of the sandbox's Management-API app; scope "" = all
// its grant holds.
func mgmtToken(t testing.TB, a sandbox.Auth0Info, scope string) string {
	t.Helper()
	ans := tokenFor(t, a.URL, a.ClientID, a.ClientSecret, a.Audience, scope)
	if ans.status != http.StatusOK {
		t.Fatalf("management token: %d %s", ans.status, ans.raw)
	}
	return str(ans.obj(t)["access_token"])
}

func mgmtGet(t testing.TB, a sandbox.Auth0Info, tok, path string) answer {
	t.Helper()
	return do(t, http.MethodGet, a.URL+path, nil, bearer(tok))
}

// apps lists every client of the tenant by name, secrets included.
func apps(t testing.TB, a sandbox.Auth0Info) map[string]map[string]any {
	t.Helper()
	ans := mgmtGet(t, a, mgmtToken(t, a, ""), "/api/v2/clients?per_page=100")
	if ans.status != http.StatusOK {
		t.Fatalf("list clients: %d %s", ans.status, ans.raw)
	}
	out := map[string]map[string]any{}
	for _, c := range ans.arr(t) {
		m := c.(map[string]any)
		out[str(m["name"])] = m
	}
	return out
}

// wantMgmtError checks a §5 error body.
func wantMgmtError(t testing.TB, ans answer, status int, code, message string) {
	t.Helper()
	if ans.status != status {
		t.Fatalf("status %d, want %d: %s", ans.status, status, ans.raw)
	}
	m := ans.obj(t)
	want(t, "statusCode", num(m["statusCode"]), int64(status))
	want(t, "error", str(m["error"]), http.StatusText(status))
	want(t, "message", str(m["message"]), message)
	want(t, "errorCode", str(m["errorCode"]), code)
	if _, has := m["errorCode"]; code == "" && has {
		t.Errorf("errorCode present, want it absent: %s", ans.raw)
	}
}

func wantOAuthError(t testing.TB, ans answer, status int, code, description string) {
	t.Helper()
	if ans.status != status {
		t.Fatalf("status %d, want %d: %s", ans.status, status, ans.raw)
	}
	m := ans.obj(t)
	want(t, "error", str(m["error"]), code)
	if description != "" {
		want(t, "error_description", str(m["error_description"]), description)
	} else if str(m["error_description"]) == "" {
		t.Errorf("error_description empty: %s", ans.raw)
	}
}

func TestAuth0TokenAcceptsEveryCredentialStyle(t *testing.T) {
	sb := start(t, sandbox.Options{})
	a := sb.Auth0()
	params := url.Values{"grant_type": {"client_credentials"}, "audience": {a.Audience}}
	withCreds := url.Values{"client_id": {a.ClientID}, "client_secret": {a.ClientSecret}}
	for k, v := range params {
		withCreds[k] = v
	}
	jsonOf := func(v url.Values) map[string]string {
		m := map[string]string{}
		for k := range v {
			m[k] = v.Get(k)
		}
		return m
	}
	keys, _ := fetchJWKS(t, a.URL+"/.well-known/jwks.json")
	for _, tc := range []struct {
		name string
		body any
		opts []reqOpt
	}{
		{"form body", formBody(withCreds), nil},
		{"json body", jsonOf(withCreds), nil},
		{"basic and form", formBody(params), []reqOpt{basic(a.ClientID, a.ClientSecret)}},
		{"basic and json", jsonOf(params), []reqOpt{basic(a.ClientID, a.ClientSecret)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ans := do(t, http.MethodPost, a.URL+"/oauth/token", tc.body, tc.opts...)
			if ans.status != http.StatusOK {
				t.Fatalf("%d %s", ans.status, ans.raw)
			}
			m := ans.obj(t)
			want(t, "token_type", str(m["token_type"]), "Bearer")
			want(t, "expires_in", num(m["expires_in"]), 86400)
			want(t, "scope", str(m["scope"]), strings.Join(neededScopes, " "))
			tok := str(m["access_token"])
			header, claims := verify(t, tok, keys, jwt.WithIssuer(a.URL+"/"), jwt.WithAudience(a.Audience))
			want(t, "alg", str(header["alg"]), "RS256")
			want(t, "typ", str(header["typ"]), "JWT")
			raw := rawClaims(t, tok)
			want(t, "aud (a string)", fmt.Sprint(raw["aud"]), a.Audience)
			want(t, "sub", str(claims["sub"]), a.ClientID+"@clients")
			want(t, "azp", str(claims["azp"]), a.ClientID)
			want(t, "gty", str(claims["gty"]), "client-credentials")
			want(t, "scope claim", str(claims["scope"]), strings.Join(neededScopes, " "))
			want(t, "exp - iat", num(claims["exp"])-num(claims["iat"]), 86400)
			if now := time.Now().Unix(); num(claims["iat"]) < now-60 || num(claims["iat"]) > now+60 {
				t.Errorf("iat %d is not now (%d)", num(claims["iat"]), now)
			}
		})
	}
}

func TestAuth0JWKS(t *testing.T) {
	sb := start(t, sandbox.Options{})
	_, raw := fetchJWKS(t, sb.Auth0().URL+"/.well-known/jwks.json")
	if len(raw) != 1 {
		t.Fatalf("%d keys, want 1", len(raw))
	}
	for _, member := range []string{"kty", "use", "alg", "kid", "n", "e", "x5c", "x5t"} {
		if raw[0][member] == nil {
			t.Errorf("JWK lacks %s: %v", member, raw[0])
		}
	}
	want(t, "kty", str(raw[0]["kty"]), "RSA")
	want(t, "alg", str(raw[0]["alg"]), "RS256")
}

func TestAuth0TokenErrors(t *testing.T) {
	sb := start(t, sandbox.Options{})
	a := sb.Auth0()
	all := apps(t, a)
	secret := func(name string) string { return str(all[name]["client_secret"]) }
	id := func(name string) string { return str(all[name]["client_id"]) }
	cc := func(extra url.Values) formBody {
		f := url.Values{"grant_type": {"client_credentials"}, "client_id": {a.ClientID},
			"client_secret": {a.ClientSecret}, "audience": {a.Audience}}
		for k, v := range extra {
			if v[0] == "" {
				f.Del(k)
			} else {
				f[k] = v
			}
		}
		return formBody(f)
	}
	for _, tc := range []struct {
		name         string
		body         any
		status       int
		code, descr  string
		descrIsExact bool
	}{
		{"unknown client", cc(url.Values{"client_id": {"nope"}}), 401, "access_denied", "Unauthorized", true},
		{"wrong secret", cc(url.Values{"client_secret": {"wrong"}}), 401, "invalid_client", "Client authentication failed", true},
		{"private_key_jwt app has no secret", cc(url.Values{"client_id": {id("Warehouse Gateway")}, "client_secret": {"anything"}}),
			401, "invalid_client", "Client authentication failed", true},
		{"no grant for the audience", cc(url.Values{"client_id": {id("Audit Log Shipper")}, "client_secret": {secret("Audit Log Shipper")}, "audience": {ordersAPI}}),
			403, "access_denied", `Client is not authorized to access "` + ordersAPI + `". You might probably want to create a "client-grant" associated to this API.`, true},
		{"only a user grant for the audience", cc(url.Values{"client_id": {id("Partner Webhooks")}, "client_secret": {secret("Partner Webhooks")}, "audience": {billingAPI}}),
			403, "access_denied", `Client is not authorized to access "` + billingAPI + `". You might probably want to create a "client-grant" associated to this API.`, true},
		{"unknown audience", cc(url.Values{"audience": {"https://nope.example/"}}), 403, "access_denied", "Service not enabled within domain: https://nope.example/", true},
		{"client_credentials not allowed", cc(url.Values{"client_id": {id("Shipping Label Printer")}, "client_secret": {secret("Shipping Label Printer")}, "audience": {ordersAPI}}),
			403, "unauthorized_client", "Grant type 'client_credentials' not allowed for the client.", true},
		{"scope not granted", cc(url.Values{"scope": {"read:clients read:users delete:clients"}}), 403, "access_denied", "Client has not been granted scopes: read:users, delete:clients", true},
		{"missing grant_type", cc(url.Values{"grant_type": {""}}), 400, "invalid_request", "", false},
		{"missing client_id", cc(url.Values{"client_id": {""}}), 400, "invalid_request", "", false},
		{"missing client_secret", cc(url.Values{"client_secret": {""}}), 400, "invalid_request", "", false},
		{"missing audience", cc(url.Values{"audience": {""}}), 400, "invalid_request", "", false},
		{"wrong grant type", cc(url.Values{"grant_type": {"password"}}), 400, "unsupported_grant_type", "", false},
		{"malformed json", rawBody{"application/json", `{"grant_type":`}, 400, "invalid_request", "", false},
		{"non-string json value", rawBody{"application/json", `{"grant_type":"client_credentials","client_id":1}`}, 400, "invalid_request", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ans := do(t, http.MethodPost, a.URL+"/oauth/token", tc.body)
			descr := ""
			if tc.descrIsExact {
				descr = tc.descr
			}
			wantOAuthError(t, ans, tc.status, tc.code, descr)
		})
	}
}

func TestAuth0TokensForOtherAPIs(t *testing.T) {
	sb := start(t, sandbox.Options{})
	a := sb.Auth0()
	all := apps(t, a)
	keys, _ := fetchJWKS(t, a.URL+"/.well-known/jwks.json")
	for _, tc := range []struct {
		app, audience, scope, want string
	}{
		{"Billing Worker", billingAPI, "", "read:invoices write:invoices"},
		{"Billing Worker", ordersAPI, "", "read:orders"},
		{"Order Fulfillment", ordersAPI, "", "read:orders write:orders read:inventory write:inventory"}, // allow_all_scopes
		{"Order Fulfillment", ordersAPI, "write:inventory read:orders", "write:inventory read:orders"},
		{"Metrics Forwarder", billingAPI, "", "read:invoices"},
	} {
		t.Run(tc.app+" "+tc.audience+" "+tc.scope, func(t *testing.T) {
			c := all[tc.app]
			ans := tokenFor(t, a.URL, str(c["client_id"]), str(c["client_secret"]), tc.audience, tc.scope)
			if ans.status != http.StatusOK {
				t.Fatalf("%d %s", ans.status, ans.raw)
			}
			want(t, "scope", str(ans.obj(t)["scope"]), tc.want)
			_, claims := verify(t, str(ans.obj(t)["access_token"]), keys, jwt.WithAudience(tc.audience))
			want(t, "scope claim", str(claims["scope"]), tc.want)
			want(t, "sub", str(claims["sub"]), str(c["client_id"])+"@clients")
			// An Action adds a claim to Order Fulfillment's tokens (demo data).
			want(t, "custom claim", str(claims["https://acme.example/warehouse"]), map[bool]string{true: "eu-1"}[tc.app == "Order Fulfillment"])
		})
	}
}

// An organization-bound grant (§3): a token for its API must be asked for an organization,
// and carries its org_id; a grant without organization_usage refuses one.
func TestAuth0OrganizationBoundGrants(t *testing.T) {
	sb := start(t, sandbox.Options{})
	a := sb.Auth0()
	all := apps(t, a)
	keys, _ := fetchJWKS(t, a.URL+"/.well-known/jwks.json")
	ask := func(app, audience, org string) answer {
		c := all[app]
		f := url.Values{"grant_type": {"client_credentials"}, "client_id": {str(c["client_id"])}, "client_secret": {str(c["client_secret"])}, "audience": {audience}}
		if org != "" {
			f.Set("organization", org)
		}
		return do(t, http.MethodPost, a.URL+"/oauth/token", formBody(f))
	}

	wantOAuthError(t, ask("Partner Webhooks", ordersAPI, ""), 403, "access_denied", `An organization is required to access "`+ordersAPI+`".`)
	ans := ask("Partner Webhooks", ordersAPI, "org_acme_partner")
	if ans.status != http.StatusOK {
		t.Fatalf("%d %s", ans.status, ans.raw)
	}
	_, claims := verify(t, str(ans.obj(t)["access_token"]), keys, jwt.WithAudience(ordersAPI))
	want(t, "org_id", str(claims["org_id"]), "org_acme_partner")
	want(t, "scope", str(claims["scope"]), "read:orders")
	wantOAuthError(t, ask("Partner Webhooks", ordersAPI, "acme"), 400, "invalid_request", "Invalid organization: acme")

	wantOAuthError(t, ask("Billing Worker", ordersAPI, "org_acme_partner"), 403, "access_denied", `Organizations are not allowed for this client on "`+ordersAPI+`".`)
	plain := ask("Billing Worker", ordersAPI, "")
	if _, has := plain.obj(t)["access_token"]; !has {
		t.Fatalf("no token without an organization: %s", plain.raw)
	}
	if _, claims := verify(t, str(plain.obj(t)["access_token"]), keys); claims["org_id"] != nil {
		t.Errorf("a token asked without an organization carries org_id %v", claims["org_id"])
	}

	tok := mgmtToken(t, a, "")
	for _, g := range mgmtGet(t, a, tok, "/api/v2/client-grants?client_id="+str(all["Partner Webhooks"]["client_id"])).arr(t) {
		m := g.(map[string]any)
		switch str(m["audience"]) {
		case ordersAPI:
			want(t, "organization_usage", str(m["organization_usage"]), "require")
			want(t, "allow_any_organization", m["allow_any_organization"], any(true))
		default:
			if _, has := m["organization_usage"]; has {
				t.Errorf("%s: organization_usage %v on a grant without one", m["audience"], m["organization_usage"])
			}
			if _, has := m["allow_any_organization"]; has {
				t.Errorf("allow_any_organization is sent only when true: %v", m)
			}
		}
	}
}

func TestAuth0ManagementRefusesBadTokens(t *testing.T) {
	clk := newClock()
	sb := start(t, sandbox.Options{Now: clk.Now})
	a := sb.Auth0()
	all := apps(t, a)
	worker := all["Billing Worker"]
	ordersTok := str(tokenFor(t, a.URL, str(worker["client_id"]), str(worker["client_secret"]), ordersAPI, "").obj(t)["access_token"])
	other := start(t, sandbox.Options{Now: clk.Now})
	otherTok := mgmtToken(t, other.Auth0(), "")
	tok := mgmtToken(t, a, "")

	for _, tc := range []struct {
		name    string
		opts    []reqOpt
		message string
		before  func()
	}{
		{"no Authorization header", nil, "Missing authentication", nil},
		{"not a JWT", []reqOpt{bearer("garbage")}, "Invalid token", nil},
		{"a token of another tenant", []reqOpt{bearer(otherTok)}, "Invalid token", nil},
		{"a token for another API", []reqOpt{bearer(ordersTok)}, "Bad audience: " + ordersAPI, nil},
		{"an expired token", []reqOpt{bearer(tok)}, "Expired token received for JSON Web Token validation",
			func() { clk.Advance(86401 * time.Second) }},
		{"an expired token of another tenant", []reqOpt{bearer(otherTok)}, "Invalid token", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				want(t, "status before", mgmtGet(t, a, tok, "/api/v2/clients").status, 200)
				tc.before()
			}
			for _, path := range []string{"/api/v2/clients", "/api/v2/clients/x", "/api/v2/client-grants", "/api/v2/client-grants/x", "/api/v2/resource-servers"} {
				wantMgmtError(t, do(t, http.MethodGet, a.URL+path, nil, tc.opts...), 401, "", tc.message)
			}
		})
	}
}

func TestAuth0InsufficientScope(t *testing.T) {
	clientsMsg := "Insufficient scope, expected any of: read:clients,read:client_keys,read:client_summary"
	for _, tc := range []struct {
		name    string
		granted []string // the Management-API app's grant
		scope   string   // requested at /oauth/token
		path    string
		message string // "" = allowed
	}{
		{"clients without read:clients", []string{"read:client_grants"}, "", "/api/v2/clients", clientsMsg},
		{"client without read:clients", []string{"read:client_grants"}, "", "/api/v2/clients/x", clientsMsg},
		{"clients with read:client_keys only", []string{"read:client_keys"}, "", "/api/v2/clients", ""},
		{"clients with read:client_summary only", []string{"read:client_summary"}, "", "/api/v2/clients", ""},
		{"grants without read:client_grants", []string{"read:clients"}, "", "/api/v2/client-grants", "Insufficient scope, expected any of: read:client_grants"},
		{"grant without read:client_grants", []string{"read:clients"}, "", "/api/v2/client-grants/x", "Insufficient scope, expected any of: read:client_grants"},
		{"resource servers without read:resource_servers", []string{"read:clients"}, "", "/api/v2/resource-servers", "Insufficient scope, expected any of: read:resource_servers"},
		{"a token asking for less than the grant", nil, "read:clients", "/api/v2/client-grants", "Insufficient scope, expected any of: read:client_grants"},
		{"a grant with no scopes at all", []string{}, "", "/api/v2/clients", clientsMsg},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := start(t, sandbox.Options{ManagementScopes: tc.granted})
			a := sb.Auth0()
			ans := mgmtGet(t, a, mgmtToken(t, a, tc.scope), tc.path)
			if tc.message == "" {
				want(t, "status", ans.status, http.StatusOK)
				return
			}
			wantMgmtError(t, ans, 403, "insufficient_scope", tc.message)
		})
	}
}

func TestAuth0RedactsSecretsByTokenScope(t *testing.T) {
	for _, tc := range []struct {
		name    string
		granted []string
		scope   string
		secrets bool
	}{
		{"read:clients and read:client_keys", nil, "", true},
		{"token asks for read:clients only", nil, "read:clients", false},
		{"grant lacks read:client_keys", []string{"read:clients", "read:client_grants", "read:resource_servers"}, "", false},
		{"read:client_keys alone", []string{"read:client_keys"}, "", true},
		{"read:client_credentials", []string{"read:clients", "read:client_credentials"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := start(t, sandbox.Options{ManagementScopes: tc.granted})
			a := sb.Auth0()
			tok := mgmtToken(t, a, tc.scope)
			list := mgmtGet(t, a, tok, "/api/v2/clients?per_page=100")
			want(t, "status", list.status, 200)
			seen := map[string]bool{}
			for _, c := range list.arr(t) {
				m := c.(map[string]any)
				for _, f := range []string{"client_secret", "client_authentication_methods", "signing_keys"} {
					if _, ok := m[f]; ok {
						seen[f] = true
					}
				}
				one := mgmtGet(t, a, tok, "/api/v2/clients/"+url.PathEscape(str(m["client_id"]))).obj(t)
				if _, ok := one["client_secret"]; ok != tc.secrets && m["client_secret"] != nil {
					t.Errorf("GET one %s: client_secret present = %v, want %v", m["name"], ok, tc.secrets)
				}
			}
			for _, f := range []string{"client_secret", "client_authentication_methods", "signing_keys"} {
				if seen[f] != tc.secrets {
					t.Errorf("%s present = %v, want %v", f, seen[f], tc.secrets)
				}
			}
		})
	}
}

func TestAuth0ClientsPaging(t *testing.T) {
	sb := start(t, sandbox.Options{})
	a := sb.Auth0()
	tok := mgmtToken(t, a, "")
	get := func(q string) answer { return mgmtGet(t, a, tok, "/api/v2/clients?"+q) }

	everything := get("")
	want(t, "status", everything.status, 200)
	all := everything.arr(t) // default per_page 50 > 15 clients: one bare array
	var ids []string
	for _, c := range all {
		ids = append(ids, str(c.(map[string]any)["client_id"]))
	}
	if len(ids) < 12 {
		t.Fatalf("demo tenant has %d clients, want at least 12", len(ids))
	}

	t.Run("page/per_page with totals", func(t *testing.T) {
		var got []string
		for page := 0; ; page++ {
			m := get(fmt.Sprintf("page=%d&per_page=4&include_totals=true", page)).obj(t)
			want(t, "total", num(m["total"]), int64(len(ids)))
			want(t, "start", num(m["start"]), int64(page*4))
			want(t, "limit", num(m["limit"]), 4)
			if _, has := m["length"]; has {
				t.Error("totals answer has length")
			}
			items := m["clients"].([]any)
			if len(items) == 0 {
				break
			}
			for _, c := range items {
				got = append(got, str(c.(map[string]any)["client_id"]))
			}
		}
		want(t, "paged ids", strings.Join(got, ","), strings.Join(ids, ","))
	})
	t.Run("page past the end is an empty list", func(t *testing.T) {
		ans := get("page=50&per_page=100")
		want(t, "status", ans.status, 200)
		want(t, "body", strings.TrimSpace(string(ans.raw)), "[]")
	})
	t.Run("checkpoint take/from", func(t *testing.T) {
		var got []string
		q := "take=4"
		for range 100 {
			m := get(q).obj(t)
			for _, c := range m["clients"].([]any) {
				got = append(got, str(c.(map[string]any)["client_id"]))
			}
			next, has := m["next"]
			if !has {
				break
			}
			q = "take=4&from=" + url.QueryEscape(str(next))
		}
		want(t, "checkpoint ids", strings.Join(got, ","), strings.Join(ids, ","))
	})
	for _, q := range []string{"per_page=101", "per_page=0", "per_page=ten", "page=-1", "include_totals=yes",
		"take=0", "take=101", "from=not-a-checkpoint", "perPage=10", "is_global=maybe", "include_fields=perhaps"} {
		t.Run("400 on "+q, func(t *testing.T) {
			ans := get(q)
			want(t, "status", ans.status, 400)
			m := ans.obj(t)
			want(t, "errorCode", str(m["errorCode"]), "invalid_query_string")
			want(t, "error", str(m["error"]), "Bad Request")
			if !strings.HasPrefix(str(m["message"]), "Invalid request query string. ") {
				t.Errorf("message %q", m["message"])
			}
		})
	}
}

func names(t testing.TB, ans answer) []string {
	t.Helper()
	var out []string
	for _, c := range ans.arr(t) {
		out = append(out, str(c.(map[string]any)["name"]))
	}
	return out
}

func TestAuth0ClientFilters(t *testing.T) {
	sb := start(t, sandbox.Options{})
	a := sb.Auth0()
	tok := mgmtToken(t, a, "")
	get := func(q string) answer { return mgmtGet(t, a, tok, "/api/v2/clients?"+q) }
	total := len(get("").arr(t))

	m2m := get("app_type=non_interactive")
	for _, c := range m2m.arr(t) {
		want(t, "app_type", str(c.(map[string]any)["app_type"]), "non_interactive")
	}
	for _, n := range []string{"m2mport Migrator", "Inventory Sync", "Warehouse Gateway", "Shipping Label Printer"} {
		if !slices.Contains(names(t, m2m), n) {
			t.Errorf("app_type=non_interactive lacks %s", n)
		}
	}
	if got := names(t, get("app_type=spa,regular_web")); !slices.Equal(got, []string{"Storefront Backend", "Customer Portal", "Admin Dashboard"}) {
		t.Errorf("app_type=spa,regular_web = %v", got)
	}
	if got := names(t, get("is_global=true")); !slices.Equal(got, []string{"All Applications"}) {
		t.Errorf("is_global=true = %v", got)
	}
	notGlobal := names(t, get("is_global=false"))
	if slices.Contains(notGlobal, "All Applications") || len(notGlobal) != total-1 {
		t.Errorf("is_global=false = %v", notGlobal)
	}
	if got := names(t, get("is_first_party=false")); !slices.Equal(got, []string{"Partner Webhooks"}) {
		t.Errorf("is_first_party=false = %v", got)
	}
	// Filters apply before paging: totals count what matched.
	m := get("app_type=non_interactive&is_global=false&include_totals=true&per_page=5").obj(t)
	want(t, "filtered total", num(m["total"]), int64(len(m2m.arr(t))))
}

func TestAuth0ClientFieldsAndOmittedFields(t *testing.T) {
	sb := start(t, sandbox.Options{})
	a := sb.Auth0()
	tok := mgmtToken(t, a, "")
	all := apps(t, a)

	keysOf := func(m map[string]any) string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return strings.Join(ks, ",")
	}
	for _, c := range mgmtGet(t, a, tok, "/api/v2/clients?fields=client_id,name").arr(t) {
		want(t, "fields=client_id,name keys", keysOf(c.(map[string]any)), "client_id,name,tenant")
	}
	for _, c := range mgmtGet(t, a, tok, "/api/v2/clients?fields=client_id,name&include_fields=true").arr(t) {
		want(t, "include_fields=true keys", keysOf(c.(map[string]any)), "client_id,name,tenant")
	}
	for _, c := range mgmtGet(t, a, tok, "/api/v2/clients?fields=client_secret,signing_keys,tenant&include_fields=false").arr(t) {
		m := c.(map[string]any)
		if m["client_secret"] != nil || m["signing_keys"] != nil || m["client_id"] == nil || m["tenant"] == nil {
			t.Errorf("include_fields=false: %v", keysOf(m))
		}
	}
	one := mgmtGet(t, a, tok, "/api/v2/clients/"+str(all["Inventory Sync"]["client_id"])+"?fields=name").obj(t)
	want(t, "GET one with fields", keysOf(one), "name,tenant")

	// Unset fields are omitted, never null.
	for name, c := range all {
		for k, v := range c {
			if v == nil {
				t.Errorf("%s: %s is null", name, k)
			}
		}
		want(t, name+" tenant", str(c["tenant"]), "acme")
	}
	gw := all["Warehouse Gateway"]
	for _, absent := range []string{"client_secret", "token_endpoint_auth_method"} {
		if _, has := gw[absent]; has {
			t.Errorf("private_key_jwt app has %s", absent)
		}
	}
	if creds := gw["client_authentication_methods"].(map[string]any)["private_key_jwt"].(map[string]any)["credentials"].([]any); len(creds) != 1 ||
		!strings.HasPrefix(str(creds[0].(map[string]any)["id"]), "cred_") {
		t.Errorf("private_key_jwt credentials = %v", creds)
	}
	if _, has := all["Customer Portal"]["client_secret"]; has {
		t.Error("SPA has a client_secret")
	}
	want(t, "metadata", fmt.Sprint(all["Partner Webhooks"]["client_metadata"]), "map[owner:partner-eng@acme.example team:partners tier:gold]")
	want(t, "basic auth method", str(all["Metrics Forwarder"]["token_endpoint_auth_method"]), "client_secret_basic")
	if gt := strs(all["Shipping Label Printer"]["grant_types"]); slices.Contains(gt, "client_credentials") {
		t.Errorf("Shipping Label Printer grant_types %v", gt)
	}
}

func TestAuth0DemoSecretsHaveAuth0Shapes(t *testing.T) {
	sb := start(t, sandbox.Options{})
	for name, c := range apps(t, sb.Auth0()) {
		id, secret := str(c["client_id"]), str(c["client_secret"])
		if len(id) != 32 || strings.Trim(id, alnum) != "" {
			t.Errorf("%s: client_id %q is not 32 characters of [A-Za-z0-9]", name, id)
		}
		if secret != "" && name != "Legacy Batch Importer" && (len(secret) != 64 || strings.Trim(secret, alnum+"-_") != "") {
			t.Errorf("%s: client_secret is not 64 characters of [A-Za-z0-9_-]", name)
		}
	}
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func TestAuth0GetClient(t *testing.T) {
	sb := start(t, sandbox.Options{})
	a := sb.Auth0()
	tok := mgmtToken(t, a, "")
	c := apps(t, a)["Billing Worker"]
	one := mgmtGet(t, a, tok, "/api/v2/clients/"+str(c["client_id"]))
	want(t, "status", one.status, 200)
	want(t, "same object as in the list", fmt.Sprint(one.obj(t)), fmt.Sprint(c))
	for _, id := range []string{"nope", "a%2Fb", "%E2%9C%93"} {
		wantMgmtError(t, mgmtGet(t, a, tok, "/api/v2/clients/"+id), 404, "inexistent_client", "The client does not exist")
	}
	ans := mgmtGet(t, a, tok, "/api/v2/clients/"+str(c["client_id"])+"?page=1")
	want(t, "unknown parameter on GET one", ans.status, 400)
}

func TestAuth0ClientGrants(t *testing.T) {
	sb := start(t, sandbox.Options{})
	a := sb.Auth0()
	tok := mgmtToken(t, a, "")
	all := apps(t, a)
	get := func(q string) answer { return mgmtGet(t, a, tok, "/api/v2/client-grants?"+q) }

	grants := get("").arr(t)
	byID := map[string]map[string]any{}
	for _, g := range grants {
		m := g.(map[string]any)
		byID[str(m["id"])] = m
		if !strings.HasPrefix(str(m["id"]), "cgr_") {
			t.Errorf("grant id %q", m["id"])
		}
	}

	t.Run("filters", func(t *testing.T) {
		worker := str(all["Billing Worker"]["client_id"])
		got := get("client_id=" + worker).arr(t)
		want(t, "Billing Worker grants", len(got), 2)
		aud := map[string][]string{}
		for _, g := range got {
			m := g.(map[string]any)
			aud[str(m["audience"])] = strs(m["scope"])
		}
		want(t, "billing scopes", fmt.Sprint(aud[billingAPI]), "[read:invoices write:invoices]")
		want(t, "orders scopes", fmt.Sprint(aud[ordersAPI]), "[read:orders]")

		for _, g := range get("audience=" + url.QueryEscape(a.Audience)).arr(t) {
			want(t, "audience filter", str(g.(map[string]any)["audience"]), a.Audience)
		}
		users := get("subject_type=user").arr(t)
		want(t, "user grants", len(users), 1)
		want(t, "user grant client", str(users[0].(map[string]any)["client_id"]), str(all["Partner Webhooks"]["client_id"]))
		anonymous := get("subject_type=anonymous_user").arr(t)
		want(t, "anonymous_user grants", len(anonymous), 1)
		want(t, "anonymous_user grant client", str(anonymous[0].(map[string]any)["client_id"]), str(all["Metrics Forwarder"]["client_id"]))
		want(t, "client grants", len(get("subject_type=client").arr(t)), len(grants)-2)
		want(t, "combined filters", len(get("client_id="+worker+"&audience="+url.QueryEscape(ordersAPI)).arr(t)), 1)
	})
	t.Run("as recorded: subject_type always, default grants without client_id", func(t *testing.T) {
		defaults := 0
		for _, g := range grants {
			m := g.(map[string]any)
			if _, has := m["subject_type"]; !has {
				t.Errorf("grant %s has no subject_type; real grants always carry it", m["id"])
			}
			if _, has := m["client_id"]; !has {
				defaults++
				want(t, "default_for", str(m["default_for"]), "third_party_clients")
			}
		}
		want(t, "default grants", defaults, 1)
	})
	t.Run("allow_all_scopes omits scope", func(t *testing.T) {
		g := get("client_id=" + str(all["Order Fulfillment"]["client_id"])).arr(t)[0].(map[string]any)
		if g["allow_all_scopes"] != true {
			t.Errorf("allow_all_scopes = %v", g["allow_all_scopes"])
		}
		if _, has := g["scope"]; has {
			t.Error("scope present on an allow_all_scopes grant")
		}
	})
	t.Run("totals and checkpoint", func(t *testing.T) {
		m := get("include_totals=true&per_page=3&page=1").obj(t)
		want(t, "total", num(m["total"]), int64(len(grants)))
		want(t, "start", num(m["start"]), 3)
		want(t, "limit", num(m["limit"]), 3)
		want(t, "page size", len(m["client_grants"].([]any)), 3)
		seen := 0
		q := "take=5"
		for range 100 {
			m := get(q).obj(t)
			seen += len(m["client_grants"].([]any))
			next, has := m["next"]
			if !has {
				break
			}
			q = "take=5&from=" + url.QueryEscape(str(next))
		}
		want(t, "grants seen by checkpoint", seen, len(grants))
	})
	t.Run("by id", func(t *testing.T) {
		for id, g := range byID {
			one := mgmtGet(t, a, tok, "/api/v2/client-grants/"+id)
			want(t, "GET grant", fmt.Sprint(one.obj(t)), fmt.Sprint(g))
			break
		}
		wantMgmtError(t, mgmtGet(t, a, tok, "/api/v2/client-grants/cgr_nope"), 404, "inexistent_client_grant", "The grant does not exist.")
	})
	for _, q := range []string{"subject_type=robot", "per_page=101", "take=0", "clientId=x"} {
		ans := get(q)
		want(t, q+" status", ans.status, 400)
		want(t, q+" errorCode", str(ans.obj(t)["errorCode"]), "invalid_query_string")
	}
}

func TestAuth0ResourceServers(t *testing.T) {
	sb := start(t, sandbox.Options{})
	a := sb.Auth0()
	tok := mgmtToken(t, a, "")
	list := mgmtGet(t, a, tok, "/api/v2/resource-servers")
	want(t, "status", list.status, 200)
	byName := map[string]map[string]any{}
	for _, rs := range list.arr(t) {
		m := rs.(map[string]any)
		byName[str(m["name"])] = m
	}
	sys := byName["Auth0 Management API"]
	want(t, "system identifier", str(sys["identifier"]), a.Audience)
	want(t, "is_system", sys["is_system"], any(true))
	for name, tc := range map[string]struct {
		identifier string
		scopes     int
	}{"Orders API": {ordersAPI, 4}, "Billing API": {billingAPI, 3}, "Payouts API": {"https://api.acme.example/payouts", 2}} {
		rs := byName[name]
		want(t, name+" identifier", str(rs["identifier"]), tc.identifier)
		if _, has := rs["is_system"]; has {
			t.Errorf("%s: is_system sent on an API of the tenant's own (real answers send it only when true)", name)
		}
		sc := rs["scopes"].([]any)
		want(t, name+" scopes", len(sc), tc.scopes)
		for _, s := range sc {
			if m := s.(map[string]any); str(m["value"]) == "" || str(m["description"]) == "" {
				t.Errorf("%s scope %v lacks value or description", name, m)
			}
		}
	}
	m := mgmtGet(t, a, tok, "/api/v2/resource-servers?include_totals=true&per_page=1&page=2").obj(t)
	want(t, "total", num(m["total"]), 4)
	want(t, "start", num(m["start"]), 2)
	want(t, "page", len(m["resource_servers"].([]any)), 1)
	want(t, "take is not served here", mgmtGet(t, a, tok, "/api/v2/resource-servers?take=5").status, 400)
	want(t, "per_page above 100", mgmtGet(t, a, tok, "/api/v2/resource-servers?per_page=101").status, 400)
}
