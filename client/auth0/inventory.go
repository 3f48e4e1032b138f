package auth0

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/m2mport/m2mport/client"
)

// Connect fetches a Management API token and counts the tenant's M2M apps in one call. A
// missing scope is reported in SourceInfo.Missing, not as an error: the operator decides.
func (s *Source) Connect(ctx context.Context) (client.SourceInfo, error) {
	tok, err := s.managementToken(ctx)
	if err != nil {
		return client.SourceInfo{}, err
	}
	info := client.SourceInfo{Name: s.tenantFromHost(), Clients: -1, Missing: missing(tok)}
	if !tok.can("read:clients") {
		return info, nil
	}
	q := url.Values{"app_type": {client.AppTypeM2M}, "is_global": {"false"}, "per_page": {"1"}, "page": {"0"},
		"include_totals": {"true"}, "fields": {"client_id,tenant"}, "include_fields": {"true"}}
	var p listPage
	if err := s.get(ctx, "/api/v2/clients", q, &p); err != nil {
		if isInsufficientScopeErr(err) {
			info.Missing = addMissing(info.Missing, "read:clients")
			return info, nil
		}
		return info, fmt.Errorf("count applications: %w", err)
	}
	info.Clients = p.Total
	if len(p.Clients) > 0 && p.Clients[0].Tenant != "" {
		info.Name = p.Clients[0].Tenant
	}
	return info, nil
}

// Inventory reads every M2M app (every app, with IncludeNonM2M), all client grants and all
// resource servers, one paged list each, and joins them in memory: reading N apps, G grants
// and R APIs takes 1 + ⌈N/100⌉ + ⌈G/100⌉ + ⌈R/100⌉ calls (the first is the token, unless
// cached). What the credentials cannot read is said in Warnings and, per client, in Blocked.
func (s *Source) Inventory(ctx context.Context) (*client.Inventory, error) {
	tok, err := s.managementToken(ctx)
	if err != nil {
		return nil, err
	}
	inv := &client.Inventory{Source: s.Name()}
	mgmtApp := strconv.Quote(s.clientID)

	appQuery := url.Values{"is_global": {"false"}, "fields": {appFields}, "include_fields": {"true"}}
	if !s.includeNonM2M {
		appQuery.Set("app_type", client.AppTypeM2M)
	}
	// A large tenant's pages repeat the same few strings (audiences, scopes, app types) a
	// hundred thousand times over: each is kept once, so a tenant's records cost what is
	// particular to each client.
	in := interner{}
	var apps []app
	err = s.list(ctx, "/api/v2/clients", appQuery, func(p *listPage) {
		for i := range p.Clients {
			a := &p.Clients[i]
			a.AppType, a.Tenant = in.of(a.AppType), ""
		}
		apps = append(apps, p.Clients...)
	})
	if err != nil {
		return nil, fmt.Errorf("list applications: %w", err)
	}
	apps = uniqueBy(apps, func(a app) string { return a.ClientID })
	for _, a := range apps {
		if a.ClientID == s.clientID && a.Name != "" {
			// Quoted and cut to 40 characters: warnings and hints name it, and it is Auth0's text.
			mgmtApp = fmt.Sprintf("%.40q (%s)", a.Name, a.ClientID)
		}
	}

	grants := map[string][]grant{} // by client id
	grantsRead := tok.can("read:client_grants")
	if grantsRead {
		err := s.list(ctx, "/api/v2/client-grants", url.Values{}, func(p *listPage) {
			for _, g := range p.ClientGrants {
				if g.SubjectType != subjectUser {
					g.Audience, g.SubjectType, g.OrganizationUsage = in.of(g.Audience), in.of(g.SubjectType), in.of(g.OrganizationUsage)
					for j := range g.Scope {
						g.Scope[j] = in.of(g.Scope[j])
					}
					grants[g.ClientID] = append(grants[g.ClientID], g)
				}
			}
		})
		switch {
		case isInsufficientScopeErr(err):
			grantsRead = false
		case err != nil:
			return nil, fmt.Errorf("list client grants: %w", err)
		}
	}
	inv.GrantsHidden = !grantsRead
	if !grantsRead {
		inv.Warnings = append(inv.Warnings, fmt.Sprintf(
			"client grants hidden: add read:client_grants to the Management API grant of app %s; until then no client's scopes are known, so none can be imported", mgmtApp))
	}

	apis := map[string]*resourceServer{}
	apisRead := tok.can("read:resource_servers")
	if apisRead {
		err := s.list(ctx, "/api/v2/resource-servers", url.Values{}, func(p *listPage) {
			for i := range p.ResourceServers {
				apis[p.ResourceServers[i].Identifier] = &p.ResourceServers[i]
			}
		})
		switch {
		case isInsufficientScopeErr(err):
			apisRead = false
		case err != nil:
			return nil, fmt.Errorf("list APIs: %w", err)
		}
	}
	inv.APIsHidden = !apisRead
	if !apisRead {
		inv.Warnings = append(inv.Warnings, fmt.Sprintf(
			"APIs hidden: add read:resource_servers to the Management API grant of app %s; API names, scope descriptions and allow-all grants are unknown", mgmtApp))
	}
	for _, id := range slices.Sorted(maps.Keys(apis)) {
		inv.APIs = append(inv.APIs, apiOf(apis[id], s.audience))
	}

	r := reader{apis: apis, keysRead: tok.can("read:client_keys"), grantsRead: grantsRead, mgmtApp: mgmtApp, mgmtID: s.clientID, mgmtAudience: s.audience}
	inv.Clients = make([]client.Client, 0, len(apps))
	for i := range apps {
		inv.Clients = append(inv.Clients, r.record(apps[i], grants[apps[i].ClientID]))
		delete(grants, apps[i].ClientID) // what the record did not take is garbage from here on
		apps[i] = app{}
	}
	sortClients(inv.Clients)
	if r.hidden > 0 {
		inv.Warnings = append(inv.Warnings, fmt.Sprintf(
			"secrets hidden: add read:client_keys to the Management API grant of app %s (%d clients cannot be imported until then)", mgmtApp, r.hidden))
	}
	if r.unexpanded > 0 {
		inv.Warnings = append(inv.Warnings, fmt.Sprintf(
			"%d grants allow all scopes of an API m2mport cannot read; those clients' scopes are unknown, so they cannot be imported until read:resource_servers is added", r.unexpanded))
	}
	return inv, nil
}

// sortClients puts M2M clients first, then orders by name without regard to case, then by
// id. It sorts indices on precomputed keys: records are large and names are compared often.
func sortClients(clients []client.Client) {
	type key struct {
		other    bool
		name, id string
		i        int
	}
	keys := make([]key, len(clients))
	for i := range clients {
		keys[i] = key{!clients[i].IsM2M(), strings.ToLower(clients[i].Name), clients[i].ID, i}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.other != b.other {
			if a.other {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.id, b.id))
	})
	// Apply the order in place, cycle by cycle: no second copy of every record.
	for j := range keys {
		if keys[j].i < 0 {
			continue
		}
		first, at := clients[j], j
		for keys[at].i != j {
			next := keys[at].i
			clients[at] = clients[next]
			keys[at].i = -1
			at = next
		}
		clients[at] = first
		keys[at].i = -1
	}
}

// interner keeps one copy of each string it is given.
type interner map[string]string

func (in interner) of(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}

// list reads every page of a list endpoint, stopping at the total the first page announces
// so that a tenant of exactly k·100 items costs k calls, not k+1. A page identical to the one
// before it is an error: something between us and Auth0 (a cache or proxy that drops the
// query) is not paging, and going on would return a list with items missing.
func (s *Source) list(ctx context.Context, path string, q url.Values, each func(*listPage)) error {
	q.Set("per_page", strconv.Itoa(perPage))
	q.Set("include_totals", "true")
	seen := 0
	var previous []byte
	for page := 0; ; page++ {
		q.Set("page", strconv.Itoa(page))
		var p listPage
		if err := s.get(ctx, path, q, &p); err != nil {
			return err
		}
		current, _ := json.Marshal(&p) // decoded JSON: cannot fail
		if page > 0 && p.len() > 0 && bytes.Equal(current, previous) {
			return &client.APIError{API: "auth0", Method: http.MethodGet, Path: path, Status: http.StatusOK,
				Message: fmt.Sprintf("page %d repeats page %d: the answers ignore the page asked for, so the list would be incomplete", page, page-1),
				Hint:    "check for a proxy or cache between m2mport and Auth0 that drops query parameters"}
		}
		previous = current
		each(&p)
		n := p.len()
		seen += n
		if n == 0 || n < perPage || seen >= p.Total {
			return nil
		}
	}
}

// reader turns one app and its grants into a record.
type reader struct {
	apis       map[string]*resourceServer
	keysRead   bool
	grantsRead bool
	mgmtApp    string
	// The app m2mport reads with and the Management API's audience: neither belongs in Stytch
	// by default.
	mgmtID, mgmtAudience string
	hidden               int // clients whose secret the credentials could not read
	unexpanded           int // allow-all grants whose API is unknown
}

func (r *reader) record(a app, grants []grant) client.Client {
	c := client.Client{
		ID:          a.ClientID,
		Secret:      client.NewSecret(a.ClientSecret),
		Name:        a.Name,
		Description: a.Description,
		Metadata:    a.ClientMetadata,
		AppType:     a.AppType,
	}
	byAudience := map[string]*client.Grant{}
	for _, g := range grants {
		cg := byAudience[g.Audience]
		if cg == nil {
			cg = &client.Grant{Audience: g.Audience}
			byAudience[g.Audience] = cg
		}
		api := r.apis[g.Audience]
		if api != nil {
			cg.API = api.Name
		}
		cg.System = cg.System || g.IsSystem || g.Audience == r.mgmtAudience || (api != nil && api.IsSystem)
		if u := client.OrgUsage(g.OrganizationUsage); cg.OrgUsage == "" || u.Stricter(cg.OrgUsage) {
			cg.OrgUsage = u
		}
		cg.AnyOrg = cg.AnyOrg || g.AllowAnyOrganization
		scopes := client.NewScopes(g.Scope...)
		if g.AllowAllScopes {
			cg.AllowAll = true
			if api == nil {
				r.unexpanded++
			} else {
				for _, sc := range api.Scopes {
					scopes = scopes.With(sc.Value)
				}
			}
		}
		cg.Scopes = cg.Scopes.Union(scopes)
	}
	for _, aud := range slices.Sorted(maps.Keys(byAudience)) {
		c.Grants = append(c.Grants, *byAudience[aud])
	}
	c.Scopes = client.ScopesOf(c.Grants, nil)
	c.Blocked = r.blockers(a)
	if len(c.Blocked) == 0 || c.Blocked[0].Reason != client.BlockNotM2M {
		// Imported without its scopes, a client would look done while its services' tokens
		// lack every permission; and a later "update" would strip them in Stytch too.
		c.Blocked = append(c.Blocked, r.scopeBlockers(c)...)
	}
	c.LeftOut = r.leftOut(c)
	return c
}

// scopeBlockers says why c's scopes are not known in full: the grants were not readable, or
// one allows all scopes of an API that was not.
func (r *reader) scopeBlockers(c client.Client) []client.Blocker {
	if !r.grantsRead {
		return []client.Blocker{{Reason: client.BlockScopesHidden,
			Message: "Auth0 did not return its grants, so its scopes are unknown",
			Hint:    "add read:client_grants to the Management API grant of app " + r.mgmtApp}}
	}
	for _, g := range c.Grants {
		if g.AllowAll && r.apis[g.Audience] == nil {
			return []client.Blocker{{Reason: client.BlockScopesHidden,
				Message: fmt.Sprintf("it may use every scope of %s, which Auth0 did not describe, so its scopes are unknown", g.Audience),
				Hint:    "add read:resource_servers to the Management API grant of app " + r.mgmtApp}}
		}
	}
	return nil
}

// leftOut says why "import all" should pass over an importable client: the app m2mport
// itself reads Auth0 with, or one whose every grant is to Auth0's own Management API — both
// serve Auth0 administration, which Stytch does not offer.
func (r *reader) leftOut(c client.Client) string {
	if len(c.Blocked) > 0 {
		return ""
	}
	if c.ID == r.mgmtID {
		return "m2mport reads Auth0 with this app"
	}
	if len(c.Grants) > 0 && !slices.ContainsFunc(c.Grants, func(g client.Grant) bool { return !g.System }) {
		return "its only grants are to Auth0's Management API, which Stytch does not serve"
	}
	return ""
}

func (r *reader) blockers(a app) []client.Blocker {
	if a.AppType != client.AppTypeM2M {
		kind, ok := map[string]string{
			"":            "an application without a type",
			"spa":         "a single-page application",
			"regular_web": "a regular web application",
			"native":      "a native application",
		}[a.AppType]
		if !ok {
			kind = fmt.Sprintf("an application of type %q", a.AppType)
		}
		return []client.Blocker{{Reason: client.BlockNotM2M,
			Message: fmt.Sprintf("%s is %s, not machine-to-machine", a.Name, kind),
			Hint:    "only machine-to-machine applications can be moved to Stytch"}}
	}
	var out []client.Blocker
	method := ""
	if a.TokenEndpointAuthMethod != nil {
		method = *a.TokenEndpointAuthMethod
	}
	switch {
	case keyBased(a):
		out = append(out, client.Blocker{Reason: client.BlockKeyBased,
			Message: "authenticates with a private key or certificate, so there is no secret to carry over",
			Hint:    "to migrate it, give it a client secret in Auth0 (Credentials > Authentication Method: Client Secret)"})
	case method == authNone:
		out = append(out, client.Blocker{Reason: client.BlockNoSecret,
			Message: "is a public client (authentication method none), so it has no secret",
			Hint:    "to migrate it, set Credentials > Authentication Method to Client Secret in Auth0"})
	case a.ClientSecret == "" && !r.keysRead:
		r.hidden++
		out = append(out, client.Blocker{Reason: client.BlockSecretHidden,
			Message: "Auth0 did not return the secret: m2mport's credentials may not read client keys",
			Hint:    "add read:client_keys to the Management API grant of app " + r.mgmtApp})
	case a.ClientSecret == "":
		out = append(out, client.Blocker{Reason: client.BlockNoSecret,
			Message: "Auth0 returned no secret for this application",
			Hint:    "rotate the client secret in Auth0, then read the tenant again"})
	}
	if a.GrantTypes != nil && !slices.Contains(*a.GrantTypes, grantTypeCC) {
		out = append(out, client.Blocker{Reason: client.BlockNoClientCreds,
			Message: "the Client Credentials grant is not enabled for it",
			Hint:    "enable it in Auth0 (Settings > Advanced Settings > Grant Types) if the app should get tokens with its secret"})
	}
	return out
}

// keyBased reports whether the app authenticates with private_key_jwt or mTLS. Without
// read:client_keys Auth0 hides client_authentication_methods, but such apps still stand out
// by having no token_endpoint_auth_method (spec §2).
func keyBased(a app) bool {
	for m := range a.ClientAuthenticationMethods {
		if m != "client_secret" {
			return true
		}
	}
	return a.TokenEndpointAuthMethod == nil && a.ClientSecret == ""
}

func apiOf(rs *resourceServer, mgmtAudience string) client.API {
	api := client.API{Identifier: rs.Identifier, Name: rs.Name, System: rs.IsSystem || rs.Identifier == mgmtAudience, TokenLifetime: rs.TokenLifetime}
	for _, sc := range rs.Scopes {
		api.Scopes = append(api.Scopes, client.ScopeInfo{Value: sc.Value, Description: sc.Description})
	}
	return api
}

// can reports whether the token gives what scope gives.
func (t *mgmtToken) can(scope string) bool {
	return t.scopes.Has(scope) || slices.ContainsFunc(standIns[scope], t.scopes.Has)
}

func missing(t *mgmtToken) []client.MissingPermission {
	var out []client.MissingPermission
	for _, p := range requiredScopes {
		if !t.can(p.Scope) {
			out = append(out, p)
		}
	}
	return out
}

func addMissing(list []client.MissingPermission, scope string) []client.MissingPermission {
	for _, p := range list {
		if p.Scope == scope {
			return list
		}
	}
	for _, p := range requiredScopes {
		if p.Scope == scope {
			list = append(list, p)
		}
	}
	return list
}

func isInsufficientScopeErr(err error) bool {
	var ae *client.APIError
	return errors.As(err, &ae) && isInsufficientScope(ae)
}

// tenantFromHost guesses the tenant's name when no application says it: the first label of
// an *.auth0.com domain, else the host.
func (s *Source) tenantFromHost() string {
	if strings.HasSuffix(s.host, ".auth0.com") {
		name, _, _ := strings.Cut(s.host, ".")
		return name
	}
	return s.host
}

func uniqueBy[T any](items []T, key func(T) string) []T {
	seen := make(map[string]bool, len(items))
	out := items[:0]
	for _, it := range items {
		if k := key(it); !seen[k] {
			seen[k] = true
			out = append(out, it)
		}
	}
	return out
}
