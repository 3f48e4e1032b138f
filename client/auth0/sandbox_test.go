package auth0_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/auth0"
	"github.com/m2mport/m2mport/client/internal/testclock"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
)

func newSource(t testing.TB, sb *sandbox.Sandbox, mod func(*auth0.Config)) *auth0.Source {
	t.Helper()
	return sandboxtest.NewClient(t, auth0.New, auth0.Config{Credentials: sandboxtest.SourceCredentials(sb), HTTPConfig: client.HTTPConfig{UserAgent: "m2mport/test"}}, mod)
}

func byName(inv *client.Inventory) map[string]client.Client {
	m := map[string]client.Client{}
	for _, c := range inv.Clients {
		m[c.Name] = c
	}
	return m
}

func blockReasons(c client.Client) string {
	var out []string
	for _, b := range c.Blocked {
		out = append(out, string(b.Reason))
	}
	return strings.Join(out, ",")
}

func TestConnectReportsTenantCountAndNothingMissing(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	info, err := newSource(t, sb, nil).Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != sb.Auth0().Tenant || info.Clients != 13 || info.ClientsAtLeast || len(info.Missing) != 0 {
		t.Fatalf("%+v; want tenant %s, the demo's 12 M2M apps and its web app with client_credentials, nothing missing", info, sb.Auth0().Tenant)
	}
	st := sandboxtest.Stats(t, sb.Auth0().URL)
	if st.Total != 2 {
		t.Fatalf("connect took %d calls, want 2 (token and one count): %v", st.Total, st.Routes)
	}
}

func TestConnectSaysWhichScopesAreMissingAndWhatThatCosts(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{ManagementScopes: []string{"read:clients"}})
	info, err := newSource(t, sb, nil).Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range info.Missing {
		if m.Consequence == "" {
			t.Errorf("%s has no consequence", m.Scope)
		}
		got = append(got, m.Scope)
	}
	if strings.Join(got, " ") != "read:client_keys read:client_grants read:resource_servers" || info.Clients != 13 {
		t.Fatalf("%+v", info)
	}
	if !strings.Contains(info.Missing[0].Consequence, "secrets are hidden") {
		t.Errorf("read:client_keys consequence: %q", info.Missing[0].Consequence)
	}

	sb2 := sandboxtest.Start(t, sandbox.Options{ManagementScopes: []string{"read:client_grants"}})
	info, err = newSource(t, sb2, nil).Connect(context.Background())
	if err != nil || info.Clients != -1 || len(info.Missing) != 3 || info.Missing[0].Scope != "read:clients" {
		t.Fatalf("without read:clients nothing can be counted: %+v %v", info, err)
	}
}

func TestInventoryOfTheDemoTenant(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	inv, err := newSource(t, sb, nil).Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	clients := byName(inv)
	if len(inv.Clients) != 13 || len(inv.Warnings) != 0 {
		t.Fatalf("%d clients, warnings %q; want the 12 M2M apps and a web app with client_credentials", len(inv.Clients), inv.Warnings)
	}
	for _, n := range []string{"All Applications", "Customer Portal", "Admin Dashboard"} {
		if _, ok := clients[n]; ok {
			t.Errorf("%s is not an M2M app and was not asked for", n)
		}
	}
	want := map[string]string{
		"Warehouse Gateway":      "key_based",
		"Shipping Label Printer": "no_client_credentials",
		"Legacy Batch Importer":  "", // weak for Stytch, but that is the planner's call
		"Billing Worker":         "",
		"Metrics Forwarder":      "",
	}
	for name, reasons := range want {
		c, ok := clients[name]
		if !ok || blockReasons(c) != reasons {
			t.Errorf("%s: blocked %q, want %q", name, blockReasons(c), reasons)
		}
		for _, b := range c.Blocked {
			if b.Message == "" || b.Hint == "" {
				t.Errorf("%s: %+v needs a message and a hint", name, b)
			}
		}
	}
	for _, c := range inv.Clients {
		if c.Importable() && (len(c.Secret.Reveal()) < 8 || c.ID == "" || !c.IsM2M()) {
			t.Errorf("importable %s has no secret or id", c.Name)
		}
		if (c.TypeNote() == "") != (c.AppType == client.AppTypeM2M) {
			t.Errorf("%s (%s): type note %q", c.Name, c.AppType, c.TypeNote())
		}
	}
	// A regular web app that may use client_credentials is read like an M2M app, and says
	// what it is.
	if sf := clients["Storefront Backend"]; !sf.Importable() || sf.TypeNote() != "regular web app" || sf.Scopes.String() != "read:orders write:orders" {
		t.Errorf("Storefront Backend: %+v (%q)", sf, sf.TypeNote())
	}
	// An anonymous_user grant is not the app's permission; a default grant (no client_id)
	// is nobody's.
	if m := clients["Metrics Forwarder"]; fmt.Sprint(m.Grants) != "[{https://api.acme.example/billing Billing API read:invoices false false  false}]" {
		t.Errorf("Metrics Forwarder grants: %+v", m.Grants)
	}
	if mgmt := clients["m2mport Migrator"]; mgmt.ID != sb.Auth0().ClientID || mgmt.Secret.Reveal() != sb.Auth0().ClientSecret {
		t.Errorf("the Management API app reads back as %s", mgmt.ID)
	}
	// m2mport's own app holds only Management API scopes: nothing Stytch should get by
	// default, so "import all" passes over it and its default scopes are empty.
	if mgmt := clients["m2mport Migrator"]; mgmt.LeftOut == "" || len(mgmt.Scopes) != 0 ||
		len(mgmt.Grants) != 1 || !mgmt.Grants[0].System || len(mgmt.Grants[0].Scopes) != 4 {
		t.Errorf("the Management API app: left out %q, scopes %q, grants %+v", mgmt.LeftOut, mgmt.Scopes, mgmt.Grants)
	}
	for _, c := range inv.Clients {
		if c.LeftOut != "" && c.Name != "m2mport Migrator" {
			t.Errorf("%s is left out of import-all: %s", c.Name, c.LeftOut)
		}
	}

	billing := clients["Billing Worker"]
	if got := fmt.Sprint(billing.Grants); got != "[{https://api.acme.example/billing Billing API read:invoices write:invoices false false  false} {https://api.acme.example/orders Orders API read:orders false false  false}]" {
		t.Errorf("billing grants %s", got)
	}
	if billing.Scopes.String() != "read:invoices read:orders write:invoices" || billing.Description != "Nightly invoice run" {
		t.Errorf("billing %+v", billing)
	}
	fulfil := clients["Order Fulfillment"]
	if len(fulfil.Grants) != 1 || !fulfil.Grants[0].AllowAll || fulfil.Scopes.String() != "read:inventory read:orders write:inventory write:orders" {
		t.Errorf("allow_all_scopes should expand to the API's four scopes: %+v", fulfil.Grants)
	}
	partner := clients["Partner Webhooks"]
	if fmt.Sprint(partner.Grants) != "[{https://api.acme.example/orders Orders API read:orders false false require true}]" {
		t.Errorf("a user-subject grant is not a permission, and the Orders API's is organization-bound: %+v", partner.Grants)
	}
	if partner.Metadata["team"] != "partners" || len(partner.Metadata) != 3 {
		t.Errorf("metadata %v", partner.Metadata)
	}
	if c := clients["Audit Log Shipper"]; len(c.Grants) != 0 || len(c.Scopes) != 0 || !c.Importable() {
		t.Errorf("an app without grants: %+v", c)
	}
	if _, ok := clients["Zahlungsabgleich für Überweisungen & Rückbuchungen — 決済照合サービス (EMEA/APAC) 💶"]; !ok {
		t.Error("the unicode name did not survive")
	}

	var apis []string
	for _, a := range inv.APIs {
		apis = append(apis, fmt.Sprintf("%s %v %d", a.Name, a.System, len(a.Scopes)))
	}
	if strings.Join(apis, "; ") != "Auth0 Management API true 18; Billing API false 3; Orders API false 4; Payouts API false 2" {
		t.Errorf("APIs: %s", strings.Join(apis, "; "))
	}
	// M2M first, then by name.
	names := make([]string, len(inv.Clients))
	for i, c := range inv.Clients {
		names[i] = strings.ToLower(c.Name)
	}
	if !slices.IsSorted(names) {
		t.Errorf("not sorted by name: %v", names)
	}
}

func TestInventoryWithNonM2MApps(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	inv, err := newSource(t, sb, func(c *auth0.Config) { c.IncludeNonM2M = true }).Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Clients) != 15 {
		t.Fatalf("%d clients, want 13 M2M + a SPA + a web app (never the global client)", len(inv.Clients))
	}
	for i, c := range inv.Clients {
		if (i >= 13) != (blockReasons(c) == "not_m2m") {
			t.Errorf("%d %s %s: non-M2M apps come last, blocked not_m2m", i, c.Name, blockReasons(c))
		}
	}
}

func TestInventoryWithoutReadClientKeys(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{ManagementScopes: []string{"read:clients", "read:client_grants", "read:resource_servers"}})
	inv, err := newSource(t, sb, nil).Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	clients := byName(inv)
	if r := blockReasons(clients["Warehouse Gateway"]); r != "key_based" {
		t.Errorf("a key-based app is still recognised without read:client_keys: %q", r)
	}
	hidden := 0
	for _, c := range inv.Clients {
		if !c.Secret.IsZero() {
			t.Errorf("%s has a secret the token may not read", c.Name)
		}
		for _, b := range c.Blocked {
			if b.Reason == client.BlockSecretHidden {
				hidden++
				if !strings.Contains(b.Hint, `add read:client_keys to the Management API grant of app "m2mport Migrator"`) {
					t.Errorf("hint %q should say which app's grant to fix", b.Hint)
				}
			}
		}
	}
	if hidden != 12 || len(inv.Warnings) != 1 || !strings.HasPrefix(inv.Warnings[0], "secrets hidden: add read:client_keys") {
		t.Fatalf("%d hidden, warnings %q", hidden, inv.Warnings)
	}
}

func TestInventoryWithoutGrantsOrAPIs(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{ManagementScopes: []string{"read:clients", "read:client_keys"}})
	inv, err := newSource(t, sb, nil).Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Clients) != 13 || len(inv.APIs) != 0 || len(inv.Warnings) != 2 ||
		!strings.Contains(inv.Warnings[0], "read:client_grants") || !strings.Contains(inv.Warnings[1], "read:resource_servers") {
		t.Fatalf("%d clients, %d APIs, warnings %q", len(inv.Clients), len(inv.APIs), inv.Warnings)
	}
	if st := sandboxtest.Stats(t, sb.Auth0().URL); st.Statuses["403"] != 0 {
		t.Errorf("lists the token may not read were called: %v", st.Routes)
	}

	sb2 := sandboxtest.Start(t, sandbox.Options{ManagementScopes: []string{"read:clients", "read:client_keys", "read:client_grants"}})
	inv, err = newSource(t, sb2, nil).Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f := byName(inv)["Order Fulfillment"]
	if len(f.Grants) != 1 || !f.Grants[0].AllowAll || len(f.Scopes) != 0 || len(inv.Warnings) != 2 ||
		!strings.Contains(inv.Warnings[1], "1 grants allow all scopes of an API m2mport cannot read") {
		t.Fatalf("unexpandable allow-all grant: %+v, warnings %q", f.Grants, inv.Warnings)
	}
}

func TestInventoryWithoutReadClientsFails(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{ManagementScopes: []string{"read:client_grants"}})
	_, err := newSource(t, sb, nil).Inventory(context.Background())
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != 403 || ae.Code != "insufficient_scope" || !strings.Contains(ae.Hint, "Management API grant") {
		t.Fatalf("%v", err)
	}
}

func TestManagementTokenErrors(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	a := sb.Auth0()
	cases := []struct {
		name   string
		creds  client.SourceCredentials
		status int
		hint   string
	}{
		{"wrong secret", client.SourceCredentials{Domain: a.Domain, ClientID: a.ClientID, Secret: client.NewSecret("wrong-secret-value-123")}, 401, "check the client ID and secret"},
		{"unknown client", client.SourceCredentials{Domain: a.Domain, ClientID: "nobody-at-all", Secret: client.NewSecret("wrong-secret-value-123")}, 401, "check the client ID and secret"},
	}
	for _, tc := range cases {
		s, err := auth0.New(auth0.Config{Credentials: tc.creds})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Connect(context.Background())
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.Status != tc.status || !strings.Contains(ae.Hint, tc.hint) {
			t.Errorf("%s: %v (hint %q)", tc.name, err, ae.Hint)
		}
		sandboxtest.NoSecretIn(t, err, tc.creds.Secret.Reveal(), a.ClientSecret)
	}

	sbNoScopes := sandboxtest.Start(t, sandbox.Options{ManagementScopes: []string{}})
	info, err := newSource(t, sbNoScopes, nil).Connect(context.Background())
	if err != nil || len(info.Missing) != 4 || info.Clients != -1 {
		t.Errorf("an app granted no scope connects and lacks all four: %+v %v", info, err)
	}

	// Other apps of the demo tenant as the Management API app: one without a grant for the
	// Management API, one without the client_credentials grant type.
	inv, err := newSource(t, sb, nil).Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	apps := byName(inv)
	for name, want := range map[string]string{
		"Audit Log Shipper":      "authorize the app for the Auth0 Management API",
		"Shipping Label Printer": "enable the Client Credentials grant",
	} {
		s, err := auth0.New(auth0.Config{Credentials: client.SourceCredentials{Domain: a.Domain, ClientID: apps[name].ID, Secret: apps[name].Secret}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Connect(context.Background())
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.Status != 403 || !strings.Contains(ae.Hint, want) {
			t.Errorf("%s: %v (hint %q)", name, err, ae.Hint)
		}
		sandboxtest.NoSecretIn(t, err, apps[name].Secret.Reveal())
	}
}

func TestClientTokens(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	src := newSource(t, sb, nil)
	ctx := context.Background()
	inv, err := src.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := byName(inv)
	const orders, billing = "https://api.acme.example/orders", "https://api.acme.example/billing"

	tok, err := src.Token(ctx, c["Billing Worker"].ID, c["Billing Worker"].Secret, orders)
	if err != nil {
		t.Fatal(err)
	}
	claims := payload(t, tok.Reveal())
	if claims["sub"] != c["Billing Worker"].ID+"@clients" || claims["aud"] != orders || claims["scope"] != "read:orders" ||
		claims["iss"] != sb.Auth0().URL+"/" {
		t.Fatalf("claims %v", claims)
	}
	if _, err := src.Token(ctx, c["Metrics Forwarder"].ID, c["Metrics Forwarder"].Secret, billing); err != nil {
		t.Fatalf("a client_secret_basic app: %v", err)
	}

	var secrets []string
	for _, cl := range inv.Clients {
		secrets = append(secrets, cl.Secret.Reveal())
	}
	errCases := []struct {
		name, id string
		secret   client.Secret
		audience string
		status   int
		code     string
		hint     string
	}{
		{"wrong secret", c["Billing Worker"].ID, client.NewSecret("not-the-secret-123"), orders, 401, "invalid_client", "did not accept the ID and secret"},
		{"unknown client", "no-such-client", client.NewSecret("not-the-secret-123"), orders, 401, "access_denied", "did not accept the ID and secret"},
		{"no grant", c["Audit Log Shipper"].ID, c["Audit Log Shipper"].Secret, orders, 403, "access_denied", "has no grant for"},
		{"unknown audience", c["Billing Worker"].ID, c["Billing Worker"].Secret, "https://nope/", 403, "access_denied", "no API with identifier https://nope/"},
		{"no client_credentials", c["Shipping Label Printer"].ID, c["Shipping Label Printer"].Secret, orders, 403, "unauthorized_client", "enable the Client Credentials grant"},
	}
	for _, tc := range errCases {
		_, err := src.Token(ctx, tc.id, tc.secret, tc.audience)
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.Status != tc.status || ae.Code != tc.code || !strings.Contains(ae.Hint, tc.hint) {
			t.Errorf("%s: %v (hint %q)", tc.name, err, ae.Hint)
		}
		sandboxtest.NoSecretIn(t, err, append(secrets, tc.secret.Reveal())...)
	}
}

func payload(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// inventoryCalls is the call budget: the token, then one call per page of 100.
func inventoryCalls(inv *client.Inventory) (want, grants int) {
	for _, c := range inv.Clients {
		grants += len(c.Grants)
	}
	return 1 + ceilDiv(len(inv.Clients), 100) + ceilDiv(grants, 100) + ceilDiv(len(inv.APIs), 100), grants
}

// Apps of any type are read in the same paged calls (Auth0 cannot filter on grant types):
// the budget counts every app of the tenant, every grant and every API, one call per 100,
// plus the token (issue 12 §3). The counts are the sandbox's own, asked after the run.
func TestCallBudgetWithAppsOfAnyType(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	inv, err := newSource(t, sb, nil).Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st := sandboxtest.Stats(t, sb.Auth0().URL)
	if _, ok := byName(inv)["Storefront Backend"]; !ok {
		t.Fatal("the regular_web app with client_credentials was not read")
	}
	a := sb.Auth0()
	tok, err := newSource(t, sb, nil).Token(context.Background(), a.ClientID, client.NewSecret(a.ClientSecret), a.Audience)
	if err != nil {
		t.Fatal(err)
	}
	total := func(path string) int {
		req, _ := http.NewRequest(http.MethodGet, a.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok.Reveal())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var page struct{ Total int }
		if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
			t.Fatal(err)
		}
		return page.Total
	}
	apps := total("/api/v2/clients?is_global=false&include_totals=true&per_page=1")
	grants := total("/api/v2/client-grants?include_totals=true&per_page=1")
	want := 1 + ceilDiv(apps, 100) + ceilDiv(grants, 100) + ceilDiv(len(inv.APIs), 100)
	if apps <= len(inv.Clients) || st.Total != want {
		t.Fatalf("%d apps (%d offered), %d grants, %d APIs took %d calls, want %d: %v", apps, len(inv.Clients), grants, len(inv.APIs), st.Total, want, st.Routes)
	}
}

func TestCallBudgetForAThousandApps(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Seed: "generated:1000", RandomSeed: 7})
	inv, err := newSource(t, sb, nil).Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want, grants := inventoryCalls(inv)
	st := sandboxtest.Stats(t, sb.Auth0().URL)
	if len(inv.Clients) != 1001 || st.Total != want {
		t.Fatalf("%d apps, %d grants, %d APIs took %d calls, want %d: %v", len(inv.Clients), grants, len(inv.APIs), st.Total, want, st.Routes)
	}
	if st.Routes["GET /api/v2/clients"]["200"] != 11 || st.Routes["POST /oauth/token"]["200"] != 1 {
		t.Fatalf("%v", st.Routes)
	}
	for _, c := range inv.Clients {
		if !c.Importable() || len(c.Grants) == 0 || (len(c.Scopes) == 0) != (c.LeftOut != "") {
			t.Fatalf("generated app %s: %+v", c.Name, c)
		}
	}
}

func TestFreeTierDrawsNo429(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 1,000 apps at 2 requests/s (~15 s)")
	}
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{Seed: "generated:1000", RandomSeed: 7, Auth0Rate: sandbox.Rate{PerSecond: 2, Burst: 2}})
	var mu sync.Mutex
	var waits []client.Wait
	ctx := client.WithWaitReporter(context.Background(), func(w client.Wait) { mu.Lock(); waits = append(waits, w); mu.Unlock() })
	inv, err := newSource(t, sb, nil).Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := inventoryCalls(inv)
	st := sandboxtest.Stats(t, sb.Auth0().URL)
	if st.Statuses["429"] != 0 || st.Total != want {
		t.Fatalf("%d 429s in %d calls (want 0 in %d): %v", st.Statuses["429"], st.Total, want, st.Routes)
	}
	for _, w := range waits {
		if w.Reason != client.WaitQuota {
			t.Fatalf("unexpected wait %+v", w)
		}
	}
	if len(waits) < want/2-2 {
		t.Fatalf("only %d pre-emptive waits for %d calls at 2/s", len(waits), want)
	}
}

func TestInventorySurvivesFaults(t *testing.T) {
	t.Parallel()
	cleanSB := sandboxtest.Start(t, sandbox.Options{Seed: "generated:300", RandomSeed: 3})
	clean, err := newSource(t, cleanSB, nil).Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, faults := range []string{
		"auth0:429=0.3",
		"auth0:500=0.2,503=0.2",
		"auth0:drop=0.25",
		"auth0:slow:2s=0.25",
		"auth0:429=0.1,500=0.05,503=0.05,drop=0.05,slow:2s=0.05",
	} {
		t.Run(faults, func(t *testing.T) {
			// Faults are drawn per request, not per moment, so the reader meets the same ones
			// when its waits cost no time.
			clk := testclock.New(time.Now())
			sb := sandboxtest.Start(t, sandbox.Options{Seed: "generated:300", RandomSeed: 3, Faults: faults, Now: clk.Now})
			ctx, waits := sandboxtest.FaultWaits(t, context.Background())
			src := newSource(t, sb, func(c *auth0.Config) { c.Timeout = 300 * time.Millisecond; c.MaxAttempts = 8 })
			auth0.SetClock(src, clk)
			start := time.Now()
			inv, err := src.Inventory(ctx)
			if err != nil {
				t.Fatal(err)
			}
			norm := func(inv *client.Inventory, sb *sandbox.Sandbox) string {
				u := sb.Auth0().URL
				return strings.ReplaceAll(strings.ReplaceAll(fmt.Sprint(inv), u, "URL"), strings.TrimPrefix(u, "http://"), "HOST")
			}
			if norm(inv, sb) != norm(clean, cleanSB) {
				t.Fatal("the inventory read under faults differs from the clean one")
			}
			st := sandboxtest.Stats(t, sb.Auth0().URL)
			faulted := 0
			for _, n := range st.Faults {
				faulted += n
			}
			if faulted == 0 || len(waits.ByReason()) == 0 {
				t.Fatalf("no fault was injected or no wait reported: %v %v", st.Faults, waits.ByReason())
			}
			t.Logf("%d calls, faults %v, waits %v, %s", st.Total, st.Faults, waits.ByReason(), time.Since(start).Round(time.Millisecond))
		})
	}
}

func TestInventoryStopsWhenCancelled(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Seed: "generated:1000", Auth0Rate: sandbox.Rate{PerSecond: 2, Burst: 2}})
	ctx, cancel := context.WithCancel(context.Background())
	ctx = client.WithWaitReporter(ctx, func(client.Wait) { cancel() })
	start := time.Now()
	_, err := newSource(t, sb, nil).Inventory(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %s to stop", d)
	}
}

// TestSharedBucketRecoversFrom429s: two readers drink from one tenant bucket, so each draws
// 429s that carry no Retry-After, only x-ratelimit-reset, and both must still finish. It runs
// on the wall clock: on a testclock.Clock one reader's wait would move time on for both and
// refill the bucket twice, and the readers would seldom collide.
func TestSharedBucketRecoversFrom429s(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{Seed: "generated:300", RandomSeed: 5, Auth0Rate: sandbox.Rate{PerSecond: 10, Burst: 2}})
	var wg sync.WaitGroup
	invs := make([]*client.Inventory, 2)
	for i := range invs {
		wg.Go(func() {
			inv, err := newSource(t, sb, nil).Inventory(context.Background())
			if err != nil {
				t.Errorf("reader %d: %v", i, err)
			}
			invs[i] = inv
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if len(invs[0].Clients) != 301 || fmt.Sprint(invs[0]) != fmt.Sprint(invs[1]) {
		t.Fatal("the two readers read different tenants")
	}
	if st := sandboxtest.Stats(t, sb.Auth0().URL); st.Statuses["429"] == 0 {
		t.Fatalf("no 429 drawn: the test shows nothing: %v", st.Statuses)
	} else {
		t.Logf("%d calls, %d 429s", st.Total, st.Statuses["429"])
	}
}
