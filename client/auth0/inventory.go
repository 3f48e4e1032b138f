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

// Connect fetches a Management API token and counts the clients Inventory will offer —
// every app that may use the client credentials grant, whatever its type, and every
// non_interactive app (candidate) — in one call: the first page of all the apps, whose
// app_type and grant_types say which are candidates. A tenant of more than a page takes one
// call more, the number of its non_interactive apps, and the count is exact when every
// other app was on the first page, else a lower bound (SourceInfo.ClientsAtLeast). A missing
// scope is reported in SourceInfo.Missing, not as an error: the operator decides.
func (s *Source) Connect(ctx context.Context) (client.SourceInfo, error) {
	tok, err := s.managementToken(ctx)
	if err != nil {
		return client.SourceInfo{}, err
	}
	info := client.SourceInfo{Name: s.tenantFromHost(), Clients: -1, Missing: missing(tok)}
	if !tok.can("read:clients") {
		return info, nil
	}
	count := func(q url.Values) (*listPage, error) {
		q.Set("is_global", "false")
		q.Set("page", "0")
		q.Set("include_totals", "true")
		q.Set("include_fields", "true")
		var p listPage
		err := s.get(ctx, "/api/v2/clients", q, &p)
		return &p, err
	}
	p, err := count(url.Values{"per_page": {strconv.Itoa(perPage)}, "fields": {"client_id,app_type,grant_types,tenant"}})
	if err != nil {
		if isInsufficientScopeErr(err) {
			info.Missing = addMissing(info.Missing, "read:clients")
			return info, nil
		}
		return info, fmt.Errorf("count applications: %w", err)
	}
	if len(p.Clients) > 0 && p.Clients[0].Tenant != "" {
		info.Name = p.Clients[0].Tenant
	}
	var m2m, others, otherCandidates int // on the first page
	for _, a := range p.Clients {
		switch {
		case a.AppType == client.AppTypeM2M:
			m2m++
		case candidate(a):
			others++
			otherCandidates++
		default:
			others++
		}
	}
	info.Clients = m2m + otherCandidates
	if len(p.Clients) >= p.Total {
		return info, nil
	}
	// More apps than a page: count the M2M ones, then the others seen are all there are only
	// if the first page held every app that is not M2M.
	mp, err := count(url.Values{"app_type": {client.AppTypeM2M}, "per_page": {"1"}, "fields": {"client_id"}})
	if err != nil {
		return info, fmt.Errorf("count applications: %w", err)
	}
	info.Clients = mp.Total + otherCandidates
	info.ClientsAtLeast = p.Total-mp.Total > others
	return info, nil
}

// Inventory reads every application, all client grants and all resource servers, one paged
// list each, and joins them in memory: reading N apps, G grants and R APIs takes
// 1 + ⌈N/100⌉ + ⌈G/100⌉ + ⌈R/100⌉ calls (the first is the token, unless cached). An app is
// a candidate when it may use the client credentials grant, whatever its app_type (spec §2:
// services use confidential regular_web apps exactly like M2M apps); Auth0 cannot filter on
// grant types, so every app is read and the others are dropped (or, with IncludeNonM2M,
// kept blocked). What the credentials cannot read is said in Warnings and, per client, in
// Blocked.
func (s *Source) Inventory(ctx context.Context) (*client.Inventory, error) {
	tok, err := s.managementToken(ctx)
	if err != nil {
		return nil, err
	}
	inv := &client.Inventory{Source: s.Name()}
	mgmtApp := strconv.Quote(s.clientID)

	appQuery := url.Values{"is_global": {"false"}, "fields": {appFields}, "include_fields": {"true"}}
	// A large tenant's pages repeat the same few strings (audiences, scopes, app types) a
	// hundred thousand times over: each is kept once, so a tenant's records cost what is
	// particular to each client.
	in := interner{}
	var apps []app
	err = s.listPages(ctx, "/api/v2/clients", appQuery, func(p *listPage) {
		for i := range p.Clients {
			p.Clients[i].AppType = in.of(p.Clients[i].AppType)
		}
		apps = append(apps, p.Clients...)
	})
	if err != nil {
		return nil, fmt.Errorf("list applications: %w", err)
	}
	apps = uniqueBy(apps, func(a app) string { return a.ClientID })
	allApps := len(apps)
	for _, a := range apps {
		if a.ClientID == s.clientID && a.Name != "" {
			// Quoted and cut to 40 characters: warnings and hints name it, and it is Auth0's text.
			mgmtApp = fmt.Sprintf("%.40q (%s)", a.Name, a.ClientID)
		}
	}
	if !s.includeNonM2M {
		apps = slices.DeleteFunc(apps, func(a app) bool { return !candidate(a) })
	}

	apis := map[string]*resourceServer{}
	apisRead := tok.can("read:resource_servers")
	if apisRead {
		err := s.listPages(ctx, "/api/v2/resource-servers", url.Values{}, func(p *listPage) {
			for i := range p.ResourceServers {
				rs := &p.ResourceServers[i]
				for j := range rs.Scopes {
					rs.Scopes[j].Value = strings.TrimSpace(rs.Scopes[j].Value)
				}
				apis[rs.Identifier] = rs
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
	var notes scopeNotes
	grants := map[string][]grant{} // by client id
	grantsRead := tok.can("read:client_grants")
	if grantsRead {
		// A grant is one per app (the global one and default grants' none included), API and
		// subject type: with the APIs known, that bounds a list that would never end.
		most := maxListItems
		if apisRead {
			most = min(most, (allApps+2)*max(len(apis), 1)*len(subjectTypes))
		}
		err := s.listCheckpoints(ctx, "/api/v2/client-grants", url.Values{}, most, func(p *listPage) {
			for _, g := range p.ClientGrants {
				// A default grant (default_for) has no client_id and belongs to no client; a
				// user or anonymous_user grant is what people may do through the app, not the
				// app's own permission (spec §3).
				if g.ClientID == "" || !clientSubject(g.SubjectType) {
					continue
				}
				g.Scope = notes.trim(g.Scope, g.ID, g.ClientID)
				g.Audience, g.SubjectType, g.OrganizationUsage = in.of(g.Audience), in.of(g.SubjectType), in.of(g.OrganizationUsage)
				for j := range g.Scope {
					g.Scope[j] = in.of(g.Scope[j])
				}
				grants[g.ClientID] = append(grants[g.ClientID], g)
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
	if !apisRead {
		inv.Warnings = append(inv.Warnings, fmt.Sprintf(
			"APIs hidden: add read:resource_servers to the Management API grant of app %s; API names, scope descriptions and allow-all grants are unknown", mgmtApp))
	}

	for _, id := range slices.Sorted(maps.Keys(apis)) {
		inv.APIs = append(inv.APIs, apiOf(apis[id], s.audience))
	}

	// A token whose scopes are unknown shows whether it reads secrets by the secrets it got.
	keysRead := tok.can("read:client_keys") && (!tok.unknown || slices.ContainsFunc(apps, func(a app) bool { return a.ClientSecret != "" }))
	r := reader{apis: apis, keysRead: keysRead, grantsRead: grantsRead, mgmtApp: mgmtApp, mgmtID: s.clientID, mgmtAudience: s.audience}
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
	inv.Warnings = append(inv.Warnings, notes.warnings()...)
	return inv, nil
}

// candidate reports whether an app is one m2mport offers: any app whose grant_types holds
// client_credentials, whatever its type, and every non_interactive app (one without the
// grant type is shown blocked, with how to enable it).
func candidate(a app) bool {
	return a.AppType == client.AppTypeM2M || (a.GrantTypes != nil && slices.Contains(*a.GrantTypes, grantTypeCC))
}

// clientSubject reports whether a grant's subject_type makes it a client's own permission:
// "client", or absent on grants older than subject types.
func clientSubject(t string) bool { return t == "" || t == subjectClient }

// scopeNotes collects the scopes that came with stray whitespace (a real grant holds
// " read:resource_servers"): they are trimmed rather than blocking the client, and said.
type scopeNotes struct {
	trimmed []string
	n       int
}

// trim returns scopes with surrounding whitespace removed and empty ones dropped, noting
// each one it changed.
func (n *scopeNotes) trim(scopes []string, grantID, clientID string) []string {
	out := scopes[:0:0]
	for _, sc := range scopes {
		t := strings.TrimSpace(sc)
		if t != sc {
			n.n++
			if len(n.trimmed) < maxScopeNotes {
				n.trimmed = append(n.trimmed, fmt.Sprintf("%.60q in grant %.40s of client %.40s", sc, grantID, clientID))
			}
		}
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

func (n *scopeNotes) warnings() []string {
	if n.n == 0 {
		return nil
	}
	more := ""
	if n.n > len(n.trimmed) {
		more = fmt.Sprintf(" and %d more", n.n-len(n.trimmed))
	}
	return []string{fmt.Sprintf("%s had stray whitespace in Auth0 and will be imported trimmed: %s%s",
		client.Plural(n.n, "scope"), strings.Join(n.trimmed, "; "), more)}
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

// listPages reads every page of a page/per_page list (applications, resource servers),
// stopping at the total the first page announces so that a tenant of exactly k·100 items
// costs k calls, not k+1. A server that never ends the list is stopped by bounds.
func (s *Source) listPages(ctx context.Context, path string, q url.Values, each func(*listPage)) error {
	q.Set("per_page", strconv.Itoa(perPage))
	q.Set("include_totals", "true")
	b := bounds{path: path, ids: map[string]bool{}}
	for page := 0; ; page++ {
		q.Set("page", strconv.Itoa(page))
		var p listPage
		if err := s.get(ctx, path, q, &p); err != nil {
			return err
		}
		if err := b.page(page, &p); err != nil {
			return err
		}
		each(&p)
		n := p.len()
		if n == 0 || n < perPage || b.seen >= p.Total {
			return nil
		}
	}
}

// listCheckpoints reads every page of a take/from list (client grants: Auth0's current spec
// offers only checkpoint paging there), following next until an answer has none. A short
// page says nothing: only the absence of next ends the list (spec §3).
func (s *Source) listCheckpoints(ctx context.Context, path string, q url.Values, most int, each func(*listPage)) error {
	q.Set("take", strconv.Itoa(perPage))
	b := bounds{path: path, ids: map[string]bool{}, cursors: map[string]bool{}, most: most}
	for page := 0; ; page++ {
		var p listPage
		if err := s.get(ctx, path, q, &p); err != nil {
			return err
		}
		if err := b.page(page, &p); err != nil {
			return err
		}
		each(&p)
		if p.Next == "" {
			return nil
		}
		if err := b.cursor(page, p.Next); err != nil {
			return err
		}
		q.Set("from", p.Next)
	}
}

// bounds stops a paged read that a server (or something between it and us) would make
// endless: a total beyond what m2mport reads, more pages than the first answer announced,
// an item or a cursor served twice, or more pages than any tenant m2mport reads has.
type bounds struct {
	path      string
	ids       map[string]bool
	cursors   map[string]bool
	seen      int // items so far
	announced int // pages the first answer's total makes, -1 when it gave none
	previous  []byte
	most      int // the most items the list can hold; 0 = maxListItems
}

func (b *bounds) fail(msg, hint string) error {
	return &client.APIError{API: "auth0", Method: http.MethodGet, Path: b.path, Status: http.StatusOK, Message: msg, Hint: hint}
}

const hintProxy = "check for a proxy or cache between m2mport and Auth0 that drops query parameters"

func (b *bounds) page(page int, p *listPage) error {
	maxItems := cmp.Or(b.most, maxListItems)
	if page == 0 {
		b.announced = -1
		if b.cursors == nil && p.Total == 0 && p.len() > 0 {
			return b.fail(fmt.Sprintf("the first page holds %d items but announces a total of 0", p.len()),
				"check the domain: something other than Auth0 may be answering")
		}
		if p.Total > 0 || p.Total < 0 {
			if p.Total < 0 || p.Total > maxItems {
				return b.fail(fmt.Sprintf("the first page announces %d items, more than m2mport reads from one list (%d): the answer cannot be right", p.Total, maxItems),
					"check the domain: something other than Auth0 may be answering")
			}
			b.announced = (p.Total + perPage - 1) / perPage
		}
	}
	current, _ := json.Marshal(p) // decoded JSON: cannot fail
	if page > 0 && p.len() > 0 && bytes.Equal(current, b.previous) {
		return b.fail(fmt.Sprintf("page %d repeats page %d: the answers ignore the page asked for, so the list would be incomplete", page, page-1), hintProxy)
	}
	b.previous = current
	if b.announced >= 0 && page >= b.announced+pageMargin {
		return b.fail(fmt.Sprintf("page %d is more than the %d pages the first answer announced, and the list has not ended", page+1, b.announced), hintProxy)
	}
	for _, id := range p.ids() {
		if id == "" {
			continue
		}
		if b.ids[id] {
			return b.fail(fmt.Sprintf("item %.40q came again on page %d: the list is not advancing", id, page+1), hintProxy)
		}
		b.ids[id] = true
	}
	b.seen += p.len()
	if b.seen > maxItems {
		return b.fail(fmt.Sprintf("more than %d items and the list has not ended, more than the tenant can hold: the answers cannot be right", maxItems), hintProxy)
	}
	return nil
}

func (b *bounds) cursor(page int, next string) error {
	if b.cursors[next] {
		return b.fail(fmt.Sprintf("page %d hands out a checkpoint (next) already followed: the list would never end", page+1), hintProxy)
	}
	b.cursors[next] = true
	return nil
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
		AppType:     cmp.Or(a.AppType, client.AppTypeNone),
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
	if !candidate(a) {
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
			Message: fmt.Sprintf("%s is %s without the Client Credentials grant, so it is not machine-to-machine", a.Name, kind),
			Hint:    "only applications that get tokens with their own secret (Client Credentials) can be moved to Stytch"}}
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
	return t.unknown || t.scopes.Has(scope) || slices.ContainsFunc(standIns[scope], t.scopes.Has)
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
