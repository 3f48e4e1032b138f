package auth0_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
)

// Answers shaped like real tenants' (testdata/realshapes/README.md says from which recording
// each is modelled). M2MPORT_AUTH0_BODIES names a folder holding the recorded bodies
// themselves under the same names: the tests must pass on those too.
func shapesDir() (dir string, recorded bool) {
	if d := os.Getenv("M2MPORT_AUTH0_BODIES"); d != "" {
		return d, true
	}
	return filepath.Join("testdata", "realshapes"), false
}

func readShape(t *testing.T, name string) []byte {
	t.Helper()
	dir, _ := shapesDir()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// replayTenant answers each Management API list with one file, whatever the query, and
// counts the calls per path.
type replayTenant struct {
	t     *testing.T
	files map[string]string // path -> file
	mu    sync.Mutex
	calls map[string]int
}

func (rt *replayTenant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt.mu.Lock()
	rt.calls[r.Method+" "+r.URL.Path]++
	rt.mu.Unlock()
	name, ok := rt.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(readShape(rt.t, name))
}

// Raw views of the answers, as the test reads them independently of the reader.
type rawApp struct {
	ClientID   string                     `json:"client_id"`
	Secret     string                     `json:"client_secret"`
	AppType    string                     `json:"app_type"`
	GrantTypes *[]string                  `json:"grant_types"`
	AuthMethod *string                    `json:"token_endpoint_auth_method"`
	Methods    map[string]json.RawMessage `json:"client_authentication_methods"`
}

type rawGrant struct {
	ID          string   `json:"id"`
	ClientID    string   `json:"client_id"`
	Audience    string   `json:"audience"`
	Scope       []string `json:"scope"`
	SubjectType string   `json:"subject_type"`
}

// The reader against answers shaped like real tenants': it offers exactly the apps that may
// use client_credentials (whatever their type), joins each one's client grants as Auth0
// sends them, trims stray whitespace with a warning, takes APIs without scopes, and reads a
// token answer that has no scope field; one call per list.
func TestReaderOnRealTenantShapes(t *testing.T) {
	_, recorded := shapesDir()
	rt := &replayTenant{t: t, calls: map[string]int{}, files: map[string]string{
		"/oauth/token": "token.json", "/api/v2/clients": "clients.json",
		"/api/v2/client-grants": "client_grants.json", "/api/v2/resource-servers": "resource_servers.json",
	}}
	srv := httptest.NewServer(rt)
	t.Cleanup(srv.Close)
	src := newReader(t, srv.URL, nil, 5*time.Second)
	ctx := context.Background()

	info, err := src.Connect(ctx)
	if err != nil || len(info.Missing) != 0 {
		t.Fatalf("Connect: %+v %v; a token answer without scope must not read as 'no scopes'", info, err)
	}
	inv, err := src.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}

	var apps struct{ Clients []rawApp }
	var grants struct {
		ClientGrants []rawGrant `json:"client_grants"`
	}
	var apis struct {
		ResourceServers []map[string]json.RawMessage `json:"resource_servers"`
	}
	for name, into := range map[string]any{"clients.json": &apps, "client_grants.json": &grants, "resource_servers.json": &apis} {
		if err := json.Unmarshal(readShape(t, name), into); err != nil {
			t.Fatal(err)
		}
	}

	want := map[string]rawApp{}
	for _, a := range apps.Clients {
		if a.AppType == client.AppTypeM2M || (a.GrantTypes != nil && slices.Contains(*a.GrantTypes, "client_credentials")) {
			want[a.ClientID] = a
		}
	}
	got := map[string]client.Client{}
	for _, c := range inv.Clients {
		got[c.ID] = c
	}
	if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
		t.Fatalf("offered %v, want every app that may use client_credentials: %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	wantGrants := map[string]map[string]client.Scopes{} // client -> audience -> scopes
	var stray []string
	for _, g := range grants.ClientGrants {
		if g.ClientID == "" || (g.SubjectType != "" && g.SubjectType != "client") {
			continue
		}
		if wantGrants[g.ClientID] == nil {
			wantGrants[g.ClientID] = map[string]client.Scopes{}
		}
		for _, s := range g.Scope {
			if strings.TrimSpace(s) != s {
				stray = append(stray, g.ID)
			}
			wantGrants[g.ClientID][g.Audience] = wantGrants[g.ClientID][g.Audience].With(strings.TrimSpace(s))
		}
	}
	for id, a := range want {
		c := got[id]
		if c.Secret.Reveal() != a.Secret {
			t.Errorf("%s: secret not read as sent", id)
		}
		keyBased := a.AuthMethod == nil && a.Secret == ""
		for m := range a.Methods {
			keyBased = keyBased || m != "client_secret"
		}
		if isKeyBased := slices.ContainsFunc(c.Blocked, func(b client.Blocker) bool { return b.Reason == client.BlockKeyBased }); isKeyBased != keyBased {
			t.Errorf("%s: blocked %+v; key-based: %v", id, c.Blocked, keyBased)
		}
		if (c.TypeNote() == "") != (a.AppType == client.AppTypeM2M) {
			t.Errorf("%s (app_type %q): type note %q", id, a.AppType, c.TypeNote())
		}
		byAud := map[string]client.Scopes{}
		for _, g := range c.Grants {
			byAud[g.Audience] = g.Scopes
		}
		if fmt.Sprint(byAud) != fmt.Sprint(wantGrants[id]) && !(len(byAud) == 0 && len(wantGrants[id]) == 0) {
			t.Errorf("%s: grants %v, want its client grants %v", id, byAud, wantGrants[id])
		}
	}
	for _, id := range stray {
		if !slices.ContainsFunc(inv.Warnings, func(w string) bool { return strings.Contains(w, "stray whitespace") && strings.Contains(w, id) }) {
			t.Errorf("grant %s has a scope with stray whitespace, and no warning says so: %q", id, inv.Warnings)
		}
	}
	if len(inv.APIs) != len(apis.ResourceServers) {
		t.Errorf("%d APIs read, %d sent", len(inv.APIs), len(apis.ResourceServers))
	}
	for _, path := range []string{"POST /oauth/token", "GET /api/v2/clients", "GET /api/v2/client-grants", "GET /api/v2/resource-servers"} {
		if n := rt.calls[path]; (path == "GET /api/v2/clients" && n != 2) || (path != "GET /api/v2/clients" && n != 1) {
			t.Errorf("%s called %d times (one list page each; the count is Connect's)", path, n)
		}
	}

	if recorded {
		return
	}
	// What the written answers hold, case by case.
	checks := map[string]func(client.Client) bool{
		"Storefront Worker: a typeless app with client_credentials": func(c client.Client) bool {
			return c.Name == "Storefront Worker" && c.Importable() && c.TypeNote() == "typeless app" && c.Scopes.String() == "read:payments"
		},
		"Signer: private_key_jwt": func(c client.Client) bool {
			return c.Name == "Signer" && len(c.Blocked) > 0 && c.Blocked[0].Reason == client.BlockKeyBased
		},
		"Ledger Sync: the Management API grant trimmed and System": func(c client.Client) bool {
			return c.Name == "Ledger Sync" && len(c.Grants) == 2 && c.Grants[0].System && c.Grants[0].Scopes.String() == "read:clients read:resource_servers" &&
				c.Scopes.String() == "read:ledger write:ledger"
		},
		"Payments Service: organization-bound": func(c client.Client) bool {
			return c.Name == "Payments Service" && slices.ContainsFunc(c.Grants, func(g client.Grant) bool { return g.OrgUsage == client.OrgRequire && g.AnyOrg })
		},
		"Probe: a secret and no token_endpoint_auth_method": func(c client.Client) bool { return c.Name == "Probe" && c.Importable() },
	}
	for what, ok := range checks {
		if !slices.ContainsFunc(inv.Clients, ok) {
			t.Errorf("%s: not as expected in %+v", what, inv.Clients)
		}
	}
	for _, a := range inv.APIs {
		if a.Name == "Local Dev API" && len(a.Scopes) != 0 {
			t.Errorf("an API without scopes: %+v", a)
		}
	}
}

// A checkpoint answer (take/from) has no total and, on the last page, no next: one call, and
// a user grant is nobody's permission.
func TestReaderOnACheckpointAnswer(t *testing.T) {
	rt := &replayTenant{t: t, calls: map[string]int{}, files: map[string]string{
		"/oauth/token": "token.json", "/api/v2/clients": "clients.json",
		"/api/v2/client-grants": "client_grants_take.json", "/api/v2/resource-servers": "resource_servers.json",
	}}
	srv := httptest.NewServer(rt)
	t.Cleanup(srv.Close)
	inv, err := newReader(t, srv.URL, nil, 5*time.Second).Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := rt.calls["GET /api/v2/client-grants"]; n != 1 {
		t.Errorf("%d grant calls for one page without next", n)
	}
	for _, c := range inv.Clients {
		if len(c.Grants) != 0 {
			t.Errorf("%s got grants %+v from a user grant", c.Name, c.Grants)
		}
	}
}

// The 404 of an unknown client, as recorded.
func TestRecordedNotFoundDecodes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			w.Write(readShape(t, "token.json"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write(readShape(t, "client_404.json"))
	}))
	t.Cleanup(srv.Close)
	_, err := newReader(t, srv.URL, nil, 5*time.Second).Inventory(context.Background())
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != 404 || ae.Code != "inexistent_client" || ae.Message != "The client does not exist" {
		t.Fatalf("%v", err)
	}
}

// kind is a JSON value's type, for comparing shapes.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// fields maps each key of an object, or of the objects in an array, to the kinds its values
// have.
func fields(v any) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	add := func(m map[string]any) {
		for k, x := range m {
			if out[k] == nil {
				out[k] = map[string]bool{}
			}
			out[k][kind(x)] = true
		}
	}
	switch v := v.(type) {
	case map[string]any:
		add(v)
	case []any:
		for _, x := range v {
			if m, ok := x.(map[string]any); ok {
				add(m)
			}
		}
	}
	return out
}

// The sandbox answers the recorded requests with the recorded shapes, field by field: every
// field the reader reads that a real answer has, the sandbox's answer has too, with the same
// JSON type; and every field both have, has the same type in both. Fields only the recording
// has are listed (the sandbox need not model every setting of a real app).
func TestSandboxAnswersHaveTheRecordedShape(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	a := sb.Auth0()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {a.ClientID}, "client_secret": {a.ClientSecret}, "audience": {a.Audience}}
	resp, err := http.PostForm(a.URL+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	bearer := fmt.Sprint(tok["access_token"])

	// Fields the reader reads, per answer, and envelope fields of real answers the sandbox
	// does not send (with why).
	read := []string{"access_token", "expires_in", "token_type", "total", "next", "clients", "client_grants", "resource_servers",
		"client_id", "client_secret", "name", "description", "app_type", "client_metadata", "grant_types", "token_endpoint_auth_method",
		"client_authentication_methods", "tenant", "id", "audience", "scope", "subject_type", "allow_all_scopes", "is_system",
		"organization_usage", "allow_any_organization", "identifier", "scopes", "token_lifetime", "statusCode", "error", "message", "errorCode"}
	notModelled := map[string]string{
		"length": "page answers of /clients carry it with values unrelated to the page (0 for 10 items): nothing reads it",
		"next":   "page answers of /clients carry next \"\" beside total; the reader follows next only in take/from answers",
	}
	cases := []struct {
		file, method, path string
		status             int
		items              string // the key holding the items, "" for a single object
	}{
		{"token.json", http.MethodPost, "/oauth/token", 200, ""},
		{"clients.json", http.MethodGet, "/api/v2/clients?include_totals=true&page=0&per_page=100", 200, "clients"},
		{"clients_fields.json", http.MethodGet, "/api/v2/clients?fields=client_id&include_fields=true&include_totals=true&per_page=50", 200, "clients"},
		{"client_404.json", http.MethodGet, "/api/v2/clients/this-client-does-not-exist", 404, ""},
		{"client_grants.json", http.MethodGet, "/api/v2/client-grants?include_totals=true&per_page=50", 200, "client_grants"},
		{"client_grants_take.json", http.MethodGet, "/api/v2/client-grants?include_totals=true&per_page=50&take=100", 200, "client_grants"},
		{"resource_servers.json", http.MethodGet, "/api/v2/resource-servers?include_totals=true&per_page=50", 200, "resource_servers"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			var recorded, answered map[string]any
			if err := json.Unmarshal(readShape(t, tc.file), &recorded); err != nil {
				t.Fatal(err)
			}
			var resp *http.Response
			var err error
			if tc.method == http.MethodPost {
				resp, err = http.PostForm(a.URL+tc.path, form)
			} else {
				req, _ := http.NewRequest(tc.method, a.URL+tc.path, nil)
				req.Header.Set("Authorization", "Bearer "+bearer)
				resp, err = http.DefaultClient.Do(req)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, recorded %d", resp.StatusCode, tc.status)
			}
			if err := json.NewDecoder(resp.Body).Decode(&answered); err != nil {
				t.Fatalf("the sandbox's answer is not a JSON object: %v", err)
			}
			compare := func(what string, rec, ans map[string]map[string]bool, notModelled map[string]string) {
				for k, kinds := range rec {
					got, has := ans[k]
					switch {
					case !has && notModelled[k] != "":
					case !has && slices.Contains(read, k):
						t.Errorf("%s: recorded %q (%v), which the reader reads; the sandbox's answer has none", what, k, slices.Sorted(maps.Keys(kinds)))
					case !has:
						t.Logf("%s: %q is not modelled by the sandbox", what, k)
					case !maps.Equal(got, kinds) && !(kinds["null"] || got["null"]):
						t.Errorf("%s: %q is %v in the recording, %v in the sandbox", what, k, slices.Sorted(maps.Keys(kinds)), slices.Sorted(maps.Keys(got)))
					}
				}
				for k := range ans {
					if _, has := rec[k]; !has {
						t.Logf("%s: the sandbox sends %q, which the recording has not", what, k)
					}
				}
			}
			envelope := notModelled
			if tc.items == "client_grants" || tc.items == "resource_servers" {
				envelope = nil
			}
			compare("envelope", fields(recorded), fields(answered), envelope)
			if tc.items != "" {
				compare(tc.items, fields(recorded[tc.items]), fields(answered[tc.items]), nil)
			}
		})
	}
}
