package sandbox

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// seed names the data a sandbox starts with.
type seed struct {
	kind string // "demo", "empty", "generated"
	n    int    // generated only
}

const maxGenerated = 100_000

func parseSeed(s string) (seed, error) {
	switch {
	case s == "" || s == "demo":
		return seed{kind: "demo"}, nil
	case s == "empty":
		return seed{kind: "empty"}, nil
	case strings.HasPrefix(s, "generated:"):
		n, err := strconv.Atoi(strings.TrimPrefix(s, "generated:"))
		if err != nil || n < 1 || n > maxGenerated {
			return seed{}, badOption("seed %q: want generated:N with N between 1 and %d", s, maxGenerated)
		}
		return seed{kind: "generated", n: n}, nil
	default:
		return seed{}, badOption("seed %q: want demo, empty or generated:N", s)
	}
}

type seedData struct {
	auth0  auth0Data
	stytch stytchSeed
}

type stytchSeed struct {
	projectID, secret string
	clients           []stytchSeedClient
}

// The Stytch project every seed uses: a B2B test project.
var (
	seedProjectID     = "project-test-" + uuidFrom(fixedBytes("stytch project"))
	seedProjectSecret = "secret-test-" + base64.RawURLEncoding.EncodeToString(fixedBytes("stytch project secret")[:27])
)

// build makes the seed's data for an Auth0 emulator at auth0URL. Demo and empty data are
// fixed (ids and secrets never change, whatever the random seed), so golden files and tapes
// stay stable; generated data depends on randomSeed only.
func (s seed) build(randomSeed int64, auth0URL string, mgmtScopes []string) seedData {
	if mgmtScopes == nil {
		mgmtScopes = auth0NeededScopes
	}
	t := &tenant{audience: auth0URL + "/api/v2/"}
	t.addAPI(&resourceServer{ID: fixedHex("api management"), Name: auth0ManagementAPI, Identifier: t.audience,
		Scopes: auth0ManagementScopes, IsSystem: true})
	mgmt := &auth0Client{ID: fixedClientID("m2mport"), Secret: fixedSecret("m2mport"), Name: "m2mport Migrator",
		Description: "Reads M2M apps, their secrets and grants for the move to Stytch", AppType: "non_interactive",
		FirstParty: true, GrantTypes: []string{auth0GrantTypeClient}, AuthMethod: "client_secret_post"}
	// A grant to Auth0's own API, flagged is_system as real tenants flag such grants.
	mgmtGrant := grant(t.audience, mgmtScopes...)
	mgmtGrant.IsSystem = true
	t.addApp(mgmt, mgmtGrant)
	t.data.mgmtClientID, t.data.mgmtSecret = mgmt.ID, mgmt.Secret

	data := seedData{stytch: stytchSeed{projectID: seedProjectID, secret: seedProjectSecret}}
	switch s.kind {
	case "demo":
		data.stytch.clients = t.demo()
	case "generated":
		t.generated(s.n, rand.New(rand.NewPCG(uint64(randomSeed), 0x6d326d706f7274)))
	}
	data.auth0 = t.data
	return data
}

// tenant assembles auth0Data.
type tenant struct {
	audience string
	data     auth0Data
}

func (t *tenant) addAPI(rs *resourceServer) *resourceServer {
	t.data.apis = append(t.data.apis, rs)
	return rs
}

func (t *tenant) addApp(c *auth0Client, grants ...*auth0Grant) {
	t.data.clients = append(t.data.clients, c)
	for i, g := range grants {
		g.ClientID = c.ID
		// Not from the audience: the Management API's holds the listener's port.
		g.ID = "cgr_" + fixedAlnum("grant "+c.ID+" "+strconv.Itoa(i), 16)
		t.data.grants = append(t.data.grants, g)
	}
}

func grant(audience string, scopes ...string) *auth0Grant {
	return &auth0Grant{Audience: audience, Scope: append([]string{}, scopes...)}
}

func scopes(defs ...string) []scopeDef {
	out := make([]scopeDef, 0, len(defs)/2)
	for i := 0; i+1 < len(defs); i += 2 {
		out = append(out, scopeDef{defs[i], defs[i+1]})
	}
	return out
}

// The APIs of the demo tenant; generated tenants add three more.
var (
	ordersAPI = resourceServer{Name: "Orders API", Identifier: "https://api.acme.example/orders", Scopes: scopes(
		"read:orders", "Read orders",
		"write:orders", "Create and update orders",
		"read:inventory", "Read stock levels",
		"write:inventory", "Adjust stock levels",
	)}
	billingAPI = resourceServer{Name: "Billing API", Identifier: "https://api.acme.example/billing", Scopes: scopes(
		"read:invoices", "Read invoices",
		"write:invoices", "Create and void invoices",
		"read:payments", "Read payments and refunds",
	)}
	// Payouts API shares read:payments with the Billing API: a Stytch token holding it for
	// the Billing API is accepted here too.
	payoutsAPI = resourceServer{Name: "Payouts API", Identifier: "https://api.acme.example/payouts", Scopes: scopes(
		"read:payments", "Read payments awaiting payout",
		"write:payouts", "Schedule payouts",
	)}
	moreAPIs = []resourceServer{
		{Name: "Catalog API", Identifier: "https://api.acme.example/catalog", Scopes: scopes(
			"read:products", "Read products", "write:products", "Create and update products", "read:prices", "Read price lists")},
		{Name: "Shipping API", Identifier: "https://api.acme.example/shipping", Scopes: scopes(
			"read:shipments", "Read shipments", "write:shipments", "Book shipments",
			"read:carriers", "Read carriers", "write:labels", "Print shipping labels")},
		{Name: "Analytics API", Identifier: "https://api.acme.example/analytics", Scopes: scopes(
			"read:metrics", "Read metrics", "write:events", "Send events", "read:reports", "Read reports")},
	}
)

func (t *tenant) addFixedAPI(rs resourceServer) string {
	rs.ID = fixedHex("api " + rs.Identifier)
	return t.addAPI(&rs).Identifier
}

// demo fills the demo tenant: every case the importer must handle, with names fit for a live
// demo. It returns the Stytch clients already imported (one identical, one in conflict).
func (t *tenant) demo() []stytchSeedClient {
	orders, billing := t.addFixedAPI(ordersAPI), t.addFixedAPI(billingAPI)
	t.addFixedAPI(payoutsAPI) // granted to no one: read:payments on the Billing API reaches it after the move
	m2m := func(key, name, description string) *auth0Client {
		return &auth0Client{ID: fixedClientID(key), Secret: fixedSecret(key), Name: name, Description: description,
			AppType: "non_interactive", FirstParty: true, GrantTypes: []string{auth0GrantTypeClient},
			AuthMethod: "client_secret_post"}
	}

	// Imported identically into Stytch already: the plan says skip.
	inventory := m2m("inventory-sync", "Inventory Sync", "Keeps warehouse stock levels in step with the order system")
	t.addApp(inventory, grant(orders, "read:inventory", "write:inventory"))

	// Two APIs.
	t.addApp(m2m("billing-worker", "Billing Worker", "Nightly invoice run"),
		grant(billing, "read:invoices", "write:invoices"), grant(orders, "read:orders"))

	// In Stytch with fewer scopes: the plan says conflict.
	reporting := m2m("reporting-exporter", "Reporting Exporter", "Exports order and stock reports to the data warehouse")
	t.addApp(reporting, grant(orders, "read:orders", "read:inventory"))

	// allow_all_scopes: scope omitted, means all four Orders API scopes; and an Action that
	// adds a custom claim to its tokens, which Stytch's won't carry.
	fulfillment := m2m("order-fulfillment", "Order Fulfillment", "Picks, packs and ships paid orders")
	fulfillment.ActionClaims = map[string]string{"https://acme.example/warehouse": "eu-1"}
	t.addApp(fulfillment, &auth0Grant{Audience: orders, AllowAllScopes: true})

	// private_key_jwt: no secret, no token_endpoint_auth_method.
	gateway := m2m("warehouse-gateway", "Warehouse Gateway", "Signs its token requests with a private key")
	gateway.Secret, gateway.AuthMethod = "", ""
	gateway.PrivateKeyCredential = "cred_" + fixedAlnum("warehouse-gateway credential", 22)
	t.addApp(gateway, grant(orders, "read:orders", "write:inventory"))

	// An M2M app with no grant at all.
	t.addApp(m2m("audit-log-shipper", "Audit Log Shipper", "Not yet authorised for any API"))

	// client_metadata, a third-party app, a user-subject grant that is not a permission, and
	// an organization-bound grant: Auth0 mints its Orders API tokens only for an organization.
	partner := m2m("partner-webhooks", "Partner Webhooks", "Delivers order events to partner endpoints")
	partner.FirstParty = false
	partner.Metadata = map[string]string{"team": "partners", "owner": "partner-eng@acme.example", "tier": "gold"}
	userGrant := grant(billing, "read:invoices")
	userGrant.SubjectType = "user"
	orgGrant := grant(orders, "read:orders")
	orgGrant.OrganizationUsage = auth0OrgRequire
	orgGrant.AllowAnyOrganization = true // as the recorded require grant has it
	t.addApp(partner, orgGrant, userGrant)

	// A long unicode name; read:payments is also the Payouts API's scope.
	t.addApp(m2m("settlement", "Zahlungsabgleich für Überweisungen & Rückbuchungen — 決済照合サービス (EMEA/APAC) 💶",
		"Reconciles bank transfers and chargebacks"), grant(billing, "read:payments", "read:invoices"))

	// A custom secret that fails Stytch's entropy rule (only 3 distinct characters).
	legacy := m2m("legacy-batch-importer", "Legacy Batch Importer", "Imports the old ERP's order files")
	legacy.Secret = "passpasspasspass"
	t.addApp(legacy, grant(orders, "write:orders"))

	// client_secret_basic, and an anonymous_user grant that is not the app's permission.
	metrics := m2m("metrics-forwarder", "Metrics Forwarder", "Forwards invoice metrics to the monitoring stack")
	metrics.AuthMethod = "client_secret_basic"
	anonymous := grant(orders, "read:orders")
	anonymous.SubjectType = "anonymous_user"
	t.addApp(metrics, grant(billing, "read:invoices"), anonymous)

	// A confidential regular web app whose server also gets tokens with its own secret
	// (client_credentials): services use such apps exactly like M2M apps (spec §2).
	storefront := m2m("storefront-backend", "Storefront Backend", "The shop's web app; its server books orders with its own token")
	storefront.AppType = "regular_web"
	storefront.GrantTypes = []string{"authorization_code", "refresh_token", auth0GrantTypeClient}
	storefront.Callbacks = []string{"https://shop.acme.example/callback"}
	t.addApp(storefront, grant(orders, "read:orders", "write:orders"))

	// A default grant for third-party apps: no client_id, no client's permission.
	t.data.grants = append(t.data.grants, &auth0Grant{ID: "cgr_" + fixedAlnum("default grant billing", 16), Audience: billing,
		Scope: []string{"read:invoices"}, DefaultFor: "third_party_clients"})

	// Non-interactive but without the client_credentials grant type.
	printer := m2m("shipping-label-printer", "Shipping Label Printer", "Prints labels on behalf of warehouse staff")
	printer.GrantTypes = []string{"authorization_code", "refresh_token"}
	t.addApp(printer, grant(orders, "read:orders"))

	// Not M2M: a SPA and a regular web app.
	t.addApp(&auth0Client{ID: fixedClientID("customer-portal"), Name: "Customer Portal", Description: "Order tracking for customers",
		AppType: "spa", FirstParty: true, GrantTypes: []string{"authorization_code", "implicit", "refresh_token"},
		AuthMethod: "none", Callbacks: []string{"https://portal.acme.example/callback"}})
	t.addApp(&auth0Client{ID: fixedClientID("admin-dashboard"), Secret: fixedSecret("admin-dashboard"), Name: "Admin Dashboard",
		Description: "Back-office dashboard", AppType: "regular_web", FirstParty: true,
		GrantTypes: []string{"authorization_code", "refresh_token"}, AuthMethod: "client_secret_post",
		Callbacks: []string{"https://admin.acme.example/callback"}})

	// The legacy global client.
	t.addApp(&auth0Client{ID: fixedClientID("global"), Secret: fixedSecret("global"), Name: "All Applications",
		Global: true, FirstParty: true, AuthMethod: "client_secret_post",
		GrantTypes: []string{"authorization_code", "implicit", "refresh_token", auth0GrantTypeClient}})

	return []stytchSeedClient{
		{id: inventory.ID, secret: inventory.Secret, name: inventory.Name, description: inventory.Description,
			scopes: []string{"read:inventory", "write:inventory"}},
		{id: reporting.ID, secret: reporting.Secret, name: reporting.Name, description: reporting.Description,
			scopes: []string{"read:orders"}},
	}
}

var (
	generatedDomains = []string{"Inventory", "Billing", "Orders", "Shipping", "Catalog", "Payments", "Ledger",
		"Search", "Analytics", "Notifications", "Pricing", "Returns", "Fraud", "Loyalty", "Tax", "Warehouse"}
	generatedRoles = []string{"Sync", "Worker", "Exporter", "Importer", "Gateway", "Scheduler", "Reconciler",
		"Indexer", "Forwarder", "Collector", "Auditor", "Publisher"}
)

// generated adds n M2M apps with 1–3 grants each over five APIs, for load work.
func (t *tenant) generated(n int, rng *rand.Rand) {
	apis := []string{t.addFixedAPI(ordersAPI), t.addFixedAPI(billingAPI)}
	for _, rs := range moreAPIs {
		apis = append(apis, t.addFixedAPI(rs))
	}
	byIdentifier := map[string]*resourceServer{}
	for _, rs := range t.data.apis {
		byIdentifier[rs.Identifier] = rs
	}
	seen := map[string]int{}
	for i := range n {
		domain := generatedDomains[rng.IntN(len(generatedDomains))]
		name := domain + " " + generatedRoles[rng.IntN(len(generatedRoles))]
		if seen[name]++; seen[name] > 1 {
			name += " " + strconv.Itoa(seen[name])
		}
		c := &auth0Client{ID: randomString(rng, alnum, 32), Secret: randomString(rng, urlSafe, 64), Name: name,
			Description: fmt.Sprintf("Generated app %d", i+1), AppType: "non_interactive", FirstParty: true,
			GrantTypes: []string{auth0GrantTypeClient}, AuthMethod: "client_secret_post",
			Metadata: map[string]string{"team": strings.ToLower(domain)}}
		var grants []*auth0Grant
		for _, k := range rng.Perm(len(apis))[:1+rng.IntN(3)] {
			rs := byIdentifier[apis[k]]
			var sc []string
			for _, s := range rs.Scopes {
				if rng.IntN(2) == 0 {
					sc = append(sc, s.Value)
				}
			}
			if len(sc) == 0 {
				sc = []string{rs.Scopes[rng.IntN(len(rs.Scopes))].Value}
			}
			grants = append(grants, grant(rs.Identifier, sc...))
		}
		t.addApp(c, grants...)
	}
}

const (
	alnum   = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	urlSafe = alnum + "-_"
)

func randomString(rng *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// fixedBytes derives 64 bytes from a label: fixed demo data without a table of literals.
func fixedBytes(label string) []byte {
	sum := sha512.Sum512([]byte("m2mport sandbox seed: " + label))
	return sum[:]
}

// fixedAlnum derives n (≤ 64) characters of [A-Za-z0-9] from a label.
func fixedAlnum(label string, n int) string {
	b := fixedBytes(label)
	out := make([]byte, n)
	for i := range out {
		out[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(out)
}

// fixedClientID looks like an Auth0 client_id: 32 characters of [A-Za-z0-9].
func fixedClientID(key string) string { return fixedAlnum("client "+key, 32) }

// fixedSecret looks like an Auth0 client_secret: 64 characters of [A-Za-z0-9_-].
func fixedSecret(key string) string {
	return base64.RawURLEncoding.EncodeToString(fixedBytes("secret " + key)[:48])
}

// fixedHex looks like an Auth0 resource server id: 24 hex digits.
func fixedHex(label string) string { return hex.EncodeToString(fixedBytes(label)[:12]) }
