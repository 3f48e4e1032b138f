package client

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var cutoverFacts = CutoverInput{
	Source: SourceFacts{Name: "acme.auth0.com", Issuer: "https://acme.auth0.com/", KeySetURL: "https://acme.auth0.com/.well-known/jwks.json"},
	Target: TargetFacts{ProjectID: "project-test-1", Issuer: "stytch.com/project-test-1",
		KeySetURL: "https://test.stytch.com/v1/b2b/sessions/jwks/project-test-1", Clients: 3, InProject: []string{"everywhere"}},
}

func analyze(inv *Inventory, claims *ClaimsRun) *Cutover {
	in := cutoverFacts
	in.Inventory = inv
	return Analyze(in, claims)
}

func apiOf(t *testing.T, c *Cutover, aud string) *CutoverAPI {
	t.Helper()
	for i := range c.APIs {
		if c.APIs[i].Identifier == aud {
			return &c.APIs[i]
		}
	}
	t.Fatalf("no API %s in %+v", aud, c.APIs)
	return nil
}

func refIDs(refs []ClientRef) string {
	var ids []string
	for _, r := range refs {
		ids = append(ids, r.ID)
	}
	return strings.Join(ids, " ")
}

func TestCutoverSharedNamesAcrossThreeAPIs(t *testing.T) {
	cut := analyze(threeAPIs(), nil)
	if !cut.WidensAccess || !cut.Sure() {
		t.Fatalf("widens %v, blind %q", cut.WidensAccess, cut.Blind)
	}
	// The management API is not one of the APIs that move; the ones that widen come first.
	var order []string
	for _, a := range cut.APIs {
		order = append(order, fmt.Sprintf("%s %v", a.Name, a.WidensAccess))
	}
	if got := strings.Join(order, ", "); got != "Billing API true, Orders API true, Reports API true" {
		t.Errorf("APIs: %s", got)
	}
	// 7 clients move (admin too: its grants are on the management API, but nothing left
	// it out in this inventory); the project holds 3 today, one of them "everywhere".
	if cut.Moving != 7 || cut.ProjectClients != 9 || cut.ProjectClientsAtLeast {
		t.Errorf("moving %d, project after %d (at least %v)", cut.Moving, cut.ProjectClients, cut.ProjectClientsAtLeast)
	}

	billing := apiOf(t, cut, audBilling)
	if got := fmt.Sprintf("%s | %s", billing.Scopes, refIDs(billing.Clients)); got != "export invoice read | everywhere exporter invoicer" {
		t.Errorf("billing: %s", got)
	}
	var shared []string
	for _, sh := range billing.Shared {
		shared = append(shared, fmt.Sprintf("%s with %s gain [%s]", sh.Scope, strings.Join(apiLabels(sh.With), "+"), refIDs(sh.Gain)))
	}
	if got := strings.Join(shared, "; "); got != "export with Reports API gain []; read with Orders API+Reports API gain [fulfil orders-reader partner]" {
		t.Errorf("billing shared: %s", got)
	}
	if ao := billing.AudienceOnly; ao.Today != 3 || ao.After != 9 || ao.Granted != 3 || ao.More != 6 {
		t.Errorf("audience only %+v", ao)
	}
	if billing.RequireScopes.String() != "export invoice read" || fmt.Sprint(billing.ClaimsGone) != "[azp gty org_id]" {
		t.Errorf("require %s, gone %v", billing.RequireScopes, billing.ClaimsGone)
	}
	if og := billing.OrgGrants; len(og) != 1 || og[0].Usage != OrgAllow || og[0].WidensAccess {
		t.Errorf("allow is a notice: %+v", og)
	}

	orders := apiOf(t, cut, audOrders)
	if og := orders.OrgGrants; len(og) != 1 || og[0].Client.ID != "partner" || !og[0].WidensAccess || og[0].Scopes.String() != "read" {
		t.Errorf("org-bound: %+v", og)
	}
	if got := fmt.Sprint(orders.Today, " → ", orders.After); got != "{https://acme.auth0.com/ https://acme.auth0.com/.well-known/jwks.json https://orders/ {client_id}@clients 86400 api} → "+
		"{stytch.com/project-test-1 https://test.stytch.com/v1/b2b/sessions/jwks/project-test-1 project-test-1 {client_id} 3600 assumed}" {
		t.Errorf("verification: %s", got)
	}

	// Findings: widenings first, each naming who gains.
	var lines []string
	for _, it := range billing.Findings() {
		lines = append(lines, fmt.Sprintf("%v %s %v", it.Widens, it.Title, it.Detail))
	}
	want := "true `read` is also the Orders API and Reports API's scope: 3 clients granted it there would gain access here [Client fulfil Client orders-reader Client partner]\n" +
		"false shares `export` with the Reports API; no client would gain access here with it []\n" +
		"false Client invoicer may ask for tokens for an organization (organization_usage allow): those carried org_id, Stytch's never will []"
	if got := strings.Join(lines, "\n"); got != want {
		t.Errorf("findings\n got %s\nwant %s", got, want)
	}
	if steps := billing.Steps(); len(steps) != 7 || !strings.HasPrefix(steps[0].Title, "require one of its scopes") ||
		steps[0].Detail[0] != "checking only the audience would admit 6 clients it does not today: after the move every client of the project (9) holds its audience, and 3 of them are granted it today" {
		t.Errorf("the first step is the scopes to require: %+v", steps[0])
	}
	if !strings.HasPrefix(cut.Headline(), "Something would widen access: 4 clients, on 3 APIs.") {
		t.Errorf("headline %q", cut.Headline())
	}
}

func TestCutoverNeverSaysNothingWidensWhenBlind(t *testing.T) {
	inv := &Inventory{APIsHidden: true, Clients: []Client{withGrants("a", granted(audOrders, "", "read:orders")), withGrants("b", granted(audBilling, "", "read:invoices"))}}
	cut := analyze(inv, nil)
	if cut.WidensAccess || cut.Sure() {
		t.Fatalf("widens %v blind %q", cut.WidensAccess, cut.Blind)
	}
	if h := cut.Headline(); !strings.HasPrefix(h, "Can't tell whether anything widens access") || !strings.Contains(h, "read:resource_servers") {
		t.Errorf("headline %q", h)
	}
	// Without the API list, names are the audiences, and each API defines what is granted on it.
	if a := apiOf(t, cut, audOrders); a.Label() != audOrders || a.Scopes.String() != "read:orders" {
		t.Errorf("%+v", a)
	}
	inv.GrantsHidden = true
	if h := analyze(inv, nil).Headline(); !strings.Contains(h, "read:client_grants") {
		t.Errorf("headline without grants %q", h)
	}
	// And when it could look and found nothing, it says so.
	inv.APIsHidden, inv.GrantsHidden = false, false
	if h := analyze(inv, nil).Headline(); !strings.HasPrefix(h, "Nothing would widen access") {
		t.Errorf("headline %q", h)
	}
}

func TestCutoverFollowsTheOperatorsChoices(t *testing.T) {
	inv := threeAPIs()
	g := NewGuard(inv)
	partner := *clientOf(inv, "partner")
	DropWidenings(&partner, g.Widenings(&partner))
	reader := *clientOf(inv, "orders-reader")
	AcceptWidenings(&reader, g.Widenings(&reader))
	in := cutoverFacts
	in.Inventory, in.Clients = inv, []Client{partner, reader}
	cut := Analyze(in, nil)
	orders := apiOf(t, cut, audOrders)
	if og := orders.OrgGrants[0]; og.WidensAccess || len(og.Scopes) != 0 {
		t.Errorf("dropped: %+v", og)
	}
	billing := apiOf(t, cut, audBilling)
	for _, sh := range billing.Shared {
		if sh.Scope == "read" && refIDs(sh.Gain) != "fulfil orders-reader" {
			t.Errorf("gain %s", refIDs(sh.Gain))
		}
		for _, r := range sh.Gain {
			if r.Accepted != (r.ID == "orders-reader") {
				t.Errorf("%s accepted %v", r.ID, r.Accepted)
			}
		}
	}
	if f := billing.Findings()[0]; !strings.Contains(fmt.Sprint(f.Detail), "Client orders-reader (accepted knowingly)") || f.Accepted {
		t.Errorf("finding %+v", f)
	}
}

// A client already in the project is judged by the scopes it holds there.
func TestCutoverJudgesImportedClientsByTheirStoredScopes(t *testing.T) {
	in := cutoverFacts
	in.Inventory = threeAPIs()
	in.Target.InProject = []string{"partner"}
	in.Target.Scopes = map[string]Scopes{"partner": {}}
	orders := apiOf(t, Analyze(in, nil), audOrders)
	if og := orders.OrgGrants[0]; og.WidensAccess || len(og.Scopes) != 0 {
		t.Errorf("partner holds no scope in the project: %+v", og)
	}
	if f := orders.Findings(); !strings.Contains(f[len(f)-1].Title, "they are dropped from its Stytch client") {
		t.Errorf("findings %+v", f)
	}
}

// fakeMinter mints Auth0-shaped tokens, with a custom claim for the Orders API.
type fakeMinter struct {
	key   *rsa.PrivateKey
	calls int
	fail  string // a client whose token request fails
}

func (m *fakeMinter) Token(_ context.Context, id string, _ Secret, audience string) (Secret, error) {
	m.calls++
	if id == m.fail {
		return Secret{}, errors.New("403 access_denied")
	}
	now := time.Now().Unix()
	claims := jwt.MapClaims{"iss": "https://acme.auth0.com/", "sub": id + "@clients", "aud": audience, "azp": id, "gty": "client-credentials",
		"iat": now, "exp": now + 7200, "scope": "read"}
	if audience == audOrders {
		claims["https://acme.example/tier"] = "gold"
	}
	return NewSecret(sign(m.key, "k1", claims)), nil
}

func TestCutoverClaimsComparison(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	in := cutoverFacts
	in.Inventory = threeAPIs()
	pairs, orgOnly := ClaimsPairs(in)
	// everywhere 3, orders-reader 1, fulfil 1, invoicer 1, exporter 1; partner's grant
	// needs an organization; admin's is the management API's.
	if len(pairs) != 7 || orgOnly != 1 {
		t.Fatalf("%d pairs, %d org-only", len(pairs), orgOnly)
	}
	sample := SampleClaimsPairs(pairs, 3)
	var auds []string
	for _, p := range sample {
		auds = append(auds, p.Audience)
	}
	if fmt.Sprint(auds) != "[https://billing/ https://orders/ https://reports/]" {
		t.Errorf("a sample looks at every API first: %v", auds)
	}
	m := &fakeMinter{key: key, fail: "fulfil"}
	run := CompareClaims(context.Background(), m, SampleClaimsPairs(pairs, 5), pairs, orgOnly)
	if m.calls != 5 || run.Minted+run.Failed != 5 || run.Pairs != 7 {
		t.Fatalf("calls %d, run %+v", m.calls, run)
	}
	cut := Analyze(in, run)
	orders := apiOf(t, cut, audOrders)
	if got := fmt.Sprint(orders.ClaimsGone); got != "[azp gty https://acme.example/tier org_id]" {
		t.Errorf("claims gone %s", got)
	}
	if orders.Today.LifetimeSeconds != 7200 || orders.Today.LifetimeFrom != "token" {
		t.Errorf("lifetime from the tokens: %+v", orders.Today)
	}
	b, err := json.Marshal(cut)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); strings.Contains(s, "s3cret") || !strings.Contains(s, `"custom_claims":{"compared":`) {
		t.Errorf("json %s", s)
	}
	found := false
	for _, it := range orders.Findings() {
		found = found || strings.HasPrefix(it.Title, "custom claims in its Auth0 tokens that Stytch's won't carry: https://acme.example/tier")
	}
	if !found {
		t.Errorf("findings %+v", orders.Findings())
	}
}

// The audience-only line counts one set, the project's clients after the move, in each of
// its forms: a lower bound when the project's count is unknown, one client, none.
func TestAudienceOnlySaysWhoOfTheProjectIsGranted(t *testing.T) {
	for _, tc := range []struct {
		ao   AudienceOnly
		want string
	}{
		{AudienceOnly{Today: 9, After: 9, Granted: 6, More: 3},
			"would admit 3 clients it does not today: after the move every client of the project (9) holds its audience, and 6 of them are granted it today"},
		{AudienceOnly{Today: 2, After: 5, Granted: 1, More: 4, AtLeast: true},
			"would admit at least 4 clients it does not today: after the move every client of the project (at least 5) holds its audience, and 1 of them is granted it today"},
		{AudienceOnly{After: 1, More: 1},
			"would admit 1 client it does not today: after the move every client of the project (1) holds its audience, and none of them is granted it today"},
	} {
		a := CutoverAPI{AudienceOnly: tc.ao, RequireScopes: NewScopes("read")}
		if got := a.Steps()[0].Detail[0]; !strings.HasSuffix(got, tc.want) {
			t.Errorf("%+v:\n got %s\nwant …%s", tc.ao, got, tc.want)
		}
	}
}
