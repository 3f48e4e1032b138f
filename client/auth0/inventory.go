package auth0

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
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
	for i := range p.Clients {
		switch a := &p.Clients[i]; {
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
//
// A large tenant is read in the memory its records take: each app becomes a record as its
// page arrives, and each grant is folded into its client's record as its page does, so no
// page outlives the next one.
func (s *Source) Inventory(ctx context.Context) (*client.Inventory, error) {
	tok, err := s.managementToken(ctx)
	if err != nil {
		return nil, err
	}
	inv := &client.Inventory{Source: s.Name()}
	r := &reader{in: interner{}, metadata: map[string]map[string]any{}, sets: map[string]client.Scopes{}, index: map[string]int32{},
		mgmtApp: strconv.Quote(s.clientID), mgmtID: s.clientID, mgmtAudience: s.audience, includeNonM2M: s.includeNonM2M}

	appQuery := url.Values{"is_global": {"false"}, "fields": {appFields}, "include_fields": {"true"}}
	if err := s.listPages(ctx, "/api/v2/clients", appQuery, r.apps); err != nil {
		return nil, fmt.Errorf("list applications: %w", err)
	}
	r.metadata = nil // shared by the records; no more apps to share it with

	r.apis = map[string]*resourceServer{}
	apisRead := tok.can("read:resource_servers")
	if apisRead {
		err := s.listPages(ctx, "/api/v2/resource-servers", url.Values{}, func(p *listPage) {
			for i := range p.ResourceServers {
				rs := &p.ResourceServers[i]
				for j := range rs.Scopes {
					rs.Scopes[j].Value = r.in.of(strings.TrimSpace(rs.Scopes[j].Value))
				}
				r.apis[rs.Identifier] = rs
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
	r.grantsRead = tok.can("read:client_grants")
	if r.grantsRead {
		// A grant is one per app (the global one and default grants' none included), API and
		// subject type: with the APIs known, that bounds a list that would never end.
		most := maxListItems
		if apisRead {
			most = min(most, (r.allApps+2)*max(len(r.apis), 1)*len(subjectTypes))
		}
		err := s.listCheckpoints(ctx, "/api/v2/client-grants", url.Values{}, most, r.grants)
		switch {
		case isInsufficientScopeErr(err):
			r.grantsRead = false
		case err != nil:
			return nil, fmt.Errorf("list client grants: %w", err)
		}
	}
	inv.GrantsHidden = !r.grantsRead
	if !r.grantsRead {
		inv.Warnings = append(inv.Warnings, fmt.Sprintf(
			"client grants hidden: add read:client_grants to the Management API grant of app %s; until then no client's scopes are known, so none can be imported", r.mgmtApp))
	}
	if !apisRead {
		inv.Warnings = append(inv.Warnings, fmt.Sprintf(
			"APIs hidden: add read:resource_servers to the Management API grant of app %s; API names, scope descriptions and allow-all grants are unknown", r.mgmtApp))
	}

	for _, id := range slices.Sorted(maps.Keys(r.apis)) {
		inv.APIs = append(inv.APIs, apiOf(r.apis[id], s.audience))
	}

	// A token whose scopes are unknown shows whether it reads secrets by the secrets it got.
	r.keysRead = tok.can("read:client_keys") && (!tok.unknown || slices.ContainsFunc(r.clients, func(c client.Client) bool { return !c.Secret.IsZero() }))
	inv.Clients = r.finish()
	sortClients(inv.Clients)
	if r.hidden > 0 {
		inv.Warnings = append(inv.Warnings, fmt.Sprintf(
			"secrets hidden: add read:client_keys to the Management API grant of app %s (%d clients cannot be imported until then)", r.mgmtApp, r.hidden))
	}
	if r.unexpanded > 0 {
		inv.Warnings = append(inv.Warnings, fmt.Sprintf(
			"%d grants allow all scopes of an API m2mport cannot read; those clients' scopes are unknown, so they cannot be imported until read:resource_servers is added", r.unexpanded))
	}
	inv.Warnings = append(inv.Warnings, r.notes.warnings()...)
	return inv, nil
}

// candidate reports whether an app is one m2mport offers: any app whose grant_types holds
// client_credentials, whatever its type, and every non_interactive app (one without the
// grant type is shown blocked, with how to enable it).
func candidate(a *app) bool {
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
	b := bounds{path: path, ids: newIDSet()}
	for page := 0; ; page++ {
		q.Set("page", strconv.Itoa(page))
		p, err := s.readPage(ctx, &b, page, q, each)
		if err != nil {
			return err
		}
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
	b := bounds{path: path, ids: newIDSet(), cursors: map[string]bool{}, most: most}
	for page := 0; ; page++ {
		p, err := s.readPage(ctx, &b, page, q, each)
		if err != nil {
			return err
		}
		if p.Next == "" {
			return nil
		}
		if err := b.cursor(page, p.Next); err != nil {
			return err
		}
		q.Set("from", p.Next)
	}
}

// readPage gets page number page of b's list with query q, checks it against the bounds and
// only then hands it to each.
func (s *Source) readPage(ctx context.Context, b *bounds, page int, q url.Values, each func(*listPage)) (*listPage, error) {
	var p listPage
	if err := s.get(ctx, b.path, q, &p); err != nil {
		return nil, err
	}
	if err := b.page(page, &p); err != nil {
		return nil, err
	}
	each(&p)
	return &p, nil
}

// bounds stops a paged read that a server (or something between it and us) would make
// endless: a total beyond what m2mport reads, more pages than the first answer announced,
// an item or a cursor served twice, or more pages than any tenant m2mport reads has.
type bounds struct {
	path      string
	ids       idSet
	cursors   map[string]bool
	seen      int // items so far
	empty     int // pages in a row that held no item
	announced int // pages the first answer's total makes, -1 when it gave none
	previous  []byte
	most      int // the most items the list can hold; 0 = maxListItems
}

// idSet is the items a list served so far, by a 128-bit hash of each one's kind and id: a
// tenant's grants are hundreds of thousands, and the set lives as long as the list is read.
// Two items take each other's place only if both hashes collide (about once in 2^128).
type idSet struct {
	seeds [2]maphash.Seed
	seen  map[[2]uint64]struct{}
}

func newIDSet() idSet {
	return idSet{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, seen: map[[2]uint64]struct{}{}}
}

// add reports whether the item is new, and remembers it.
func (s idSet) add(kind, id string) bool {
	var key [2]uint64
	for i, seed := range s.seeds {
		var h maphash.Hash
		h.SetSeed(seed)
		h.WriteString(kind)
		h.WriteByte(0)
		h.WriteString(id)
		key[i] = h.Sum64()
	}
	if _, ok := s.seen[key]; ok {
		return false
	}
	s.seen[key] = struct{}{}
	return true
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
	// A checkpoint list announces no total, and empty pages add no item to count or repeat:
	// only their run stops a list that hands out fresh checkpoints and nothing else.
	b.empty++
	if p.len() > 0 {
		b.empty = 0
	}
	if b.empty > pageMargin {
		return b.fail(fmt.Sprintf("%d pages in a row held nothing, and the list has not ended", b.empty), hintProxy)
	}
	for kind, id := range p.ids() {
		if id == "" {
			continue
		}
		if !b.ids.add(kind, id) {
			return b.fail(fmt.Sprintf("item %.40q came again on page %d: the list is not advancing", kind+" "+id, page+1), hintProxy)
		}
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

// reader builds an inventory's records from the pages of the three lists as they arrive:
// apps, then APIs, then grants. Each app becomes a record when its page comes, keeping what
// the record holds and a few facts for its blockers; each grant is folded into its client's
// record when its page comes. What is left to do once everything is read (scopes, blockers)
// is finish's.
type reader struct {
	// A large tenant's pages repeat the same few strings (audiences, scopes, app types) and
	// often the same metadata a hundred thousand times over: each is kept once, so a
	// tenant's records cost what is particular to each client.
	in       interner
	metadata map[string]map[string]any // decoded client_metadata by its JSON, while apps are read
	sets     map[string]client.Scopes  // sets of scopes by their text

	clients []client.Client
	facts   []appFacts       // by record: what its blockers depend on
	index   map[string]int32 // client id -> record
	allApps int              // apps read, offered or not
	noID    bool             // an app without a client_id was read

	apis          map[string]*resourceServer
	keysRead      bool
	grantsRead    bool
	includeNonM2M bool
	mgmtApp       string
	// The app m2mport reads with and the Management API's audience: neither belongs in Stytch
	// by default.
	mgmtID, mgmtAudience string
	notes                scopeNotes
	hidden               int // clients whose secret the credentials could not read
	unexpanded           int // allow-all grants whose API is unknown
}

// appFacts are what an app's blockers depend on, besides what its record keeps.
type appFacts uint8

const (
	factCandidate appFacts = 1 << iota // it may use client credentials (candidate)
	factUntyped                        // it has no app_type
	factKeyBased                       // it authenticates with a key or certificate (keyBased)
	factPublic                         // its token_endpoint_auth_method is none
	factNoCC                           // its grant_types leave client_credentials out
)

func factsOf(a *app) appFacts {
	var f appFacts
	set := func(fact appFacts, ok bool) {
		if ok {
			f |= fact
		}
	}
	set(factCandidate, candidate(a))
	set(factUntyped, a.AppType == "")
	set(factKeyBased, keyBased(a))
	set(factPublic, a.TokenEndpointAuthMethod != nil && *a.TokenEndpointAuthMethod == authNone)
	set(factNoCC, a.GrantTypes != nil && !slices.Contains(*a.GrantTypes, grantTypeCC))
	return f
}

func (f appFacts) has(fact appFacts) bool { return f&fact != 0 }

// maxSharedMetadata bounds how many distinct client_metadata objects the reader keeps to
// share: a tenant where each app's is its own shares nothing, and is not made to keep them
// twice.
const maxSharedMetadata = 4096

// maxSharedGrantLists bounds, for the same reason, the distinct lists of grants kept to share.
const maxSharedGrantLists = 16384

// apps turns a page of apps into records. bounds has refused a list that serves an id
// twice, so only apps without an id can come again: the first of them is read.
func (r *reader) apps(p *listPage) {
	if r.clients == nil && p.Total > 0 {
		// The first page's total, which bounds checked: room for them all at once, rather
		// than a quarter more than all in the end.
		r.clients, r.facts = make([]client.Client, 0, p.Total), make([]appFacts, 0, p.Total)
	}
	for i := range p.Clients {
		a := &p.Clients[i]
		if a.ClientID == "" && r.noID {
			continue
		}
		r.noID = r.noID || a.ClientID == ""
		r.allApps++
		if a.ClientID == r.mgmtID && a.Name != "" {
			// Quoted and cut to 40 characters: warnings and hints name it, and it is Auth0's text.
			r.mgmtApp = fmt.Sprintf("%.40q (%s)", a.Name, a.ClientID)
		}
		f := factsOf(a)
		if !r.includeNonM2M && !f.has(factCandidate) {
			continue
		}
		if a.ClientID != "" {
			r.index[a.ClientID] = int32(len(r.clients))
		}
		r.clients = append(r.clients, client.Client{
			ID:          a.ClientID,
			Secret:      client.NewSecret(a.ClientSecret),
			Name:        a.Name,
			Description: a.Description,
			Metadata:    r.metadataOf(a.ClientMetadata),
			AppType:     r.in.of(cmp.Or(a.AppType, client.AppTypeNone)),
		})
		r.facts = append(r.facts, f)
	}
}

// metadataOf decodes an app's client_metadata, sharing one map between the apps whose
// metadata is the same: nothing changes a record's metadata in place.
func (r *reader) metadataOf(raw metadataJSON) map[string]any {
	if raw == nil {
		return nil
	}
	if m, ok := r.metadata[string(raw)]; ok {
		return m
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil { // the page it came in was valid JSON: cannot fail
		return nil
	}
	if len(r.metadata) < maxSharedMetadata {
		r.metadata[string(raw)] = m
	}
	return m
}

// grants folds a page of grants into their clients' records: one client.Grant per API, its
// scopes the union of the grants' (an allow-all grant's are the API's), its organization
// usage the strictest. Grants of apps that are not offered are dropped.
func (r *reader) grants(p *listPage) {
	for i := range p.ClientGrants {
		g := &p.ClientGrants[i]
		// A default grant (default_for) has no client_id and belongs to no client; a user
		// or anonymous_user grant is what people may do through the app, not the app's own
		// permission (spec §3).
		if g.ClientID == "" || !clientSubject(g.SubjectType) {
			continue
		}
		scopes := r.notes.trim(g.Scope, g.ID, g.ClientID) // said of every client's grants, offered or not
		at, ok := r.index[g.ClientID]
		if !ok {
			continue
		}
		c := &r.clients[at]
		aud := r.in.of(g.Audience)
		j := slices.IndexFunc(c.Grants, func(cg client.Grant) bool { return cg.Audience == aud })
		if j < 0 {
			// One more, exactly: a client has a grant or three, and append would leave room
			// for more in every record.
			j = len(c.Grants)
			c.Grants = append(make([]client.Grant, 0, j+1), c.Grants...)
			c.Grants = append(c.Grants, client.Grant{Audience: aud})
		}
		cg := &c.Grants[j]
		api := r.apis[aud]
		if api != nil {
			cg.API = api.Name
		}
		cg.System = cg.System || g.IsSystem || aud == r.mgmtAudience || (api != nil && api.IsSystem)
		if u := client.OrgUsage(r.in.of(g.OrganizationUsage)); cg.OrgUsage == "" || u.Stricter(cg.OrgUsage) {
			cg.OrgUsage = u
		}
		cg.AnyOrg = cg.AnyOrg || g.AllowAnyOrganization
		for k := range scopes {
			scopes[k] = r.in.of(scopes[k])
		}
		if g.AllowAllScopes {
			cg.AllowAll = true
			if api == nil {
				r.unexpanded++
			} else {
				for _, sc := range api.Scopes {
					scopes = append(scopes, sc.Value)
				}
			}
		}
		cg.Scopes = r.set(cg.Scopes.Union(client.NewScopes(scopes...)))
	}
}

// set keeps one copy of each set of scopes: a large tenant grants the same few sets on an
// API to thousands of clients. Sets are never changed in place, so records may share them.
func (r *reader) set(s client.Scopes) client.Scopes {
	if len(s) == 0 {
		return s
	}
	key := strings.Join(s, " ")
	if v, ok := r.sets[key]; ok {
		return v
	}
	s = slices.Clip(s)
	r.sets[key] = s
	return s
}

// finish completes the records once every list is read: grants in audience order, scopes,
// blockers, and whether "all" leaves each out. Sets of scopes are kept once, as strings are.
func (r *reader) finish() []client.Client {
	hints := r.hints()
	lists := map[string][]client.Grant{}
	var key strings.Builder
	for i := range r.clients {
		c := &r.clients[i]
		slices.SortFunc(c.Grants, func(a, b client.Grant) int { return cmp.Compare(a.Audience, b.Audience) })
		// Clients granted the same (a tenant's services often are) share one list of grants,
		// as they share sets of scopes; nothing changes a record's grants in place.
		key.Reset()
		for _, g := range c.Grants {
			fmt.Fprintf(&key, "%q %q %q %t %t %q %t\n", g.Audience, g.API, g.Scopes.String(), g.AllowAll, g.System, g.OrgUsage, g.AnyOrg)
		}
		if shared, ok := lists[key.String()]; ok {
			c.Grants = shared
		} else if len(lists) < maxSharedGrantLists && len(c.Grants) > 0 {
			lists[key.String()] = c.Grants
		}
		c.Scopes = r.set(client.ScopesOf(c.Grants, nil))
		c.Blocked = r.blockers(c, r.facts[i], hints)
		if len(c.Blocked) == 0 || c.Blocked[0].Reason != client.BlockNotM2M {
			// Imported without its scopes, a client would look done while its services' tokens
			// lack every permission; and a later "update" would strip them in Stytch too.
			c.Blocked = append(c.Blocked, r.scopeBlockers(c, hints)...)
		}
		c.LeftOut = r.leftOut(c)
	}
	out := r.clients
	r.clients, r.facts, r.index, r.sets = nil, nil, nil, nil
	return out
}

// hints are the hints that name the management app, made once for every client they block.
type hints struct{ keys, grants, apis string }

func (r *reader) hints() hints {
	const add = "add %s to the Management API grant of app %s"
	return hints{fmt.Sprintf(add, "read:client_keys", r.mgmtApp), fmt.Sprintf(add, "read:client_grants", r.mgmtApp),
		fmt.Sprintf(add, "read:resource_servers", r.mgmtApp)}
}

// scopeBlockers says why c's scopes are not known in full: the grants were not readable, or
// one allows all scopes of an API that was not.
func (r *reader) scopeBlockers(c *client.Client, h hints) []client.Blocker {
	if !r.grantsRead {
		return []client.Blocker{{Reason: client.BlockScopesHidden,
			Message: "Auth0 did not return its grants, so its scopes are unknown",
			Hint:    h.grants}}
	}
	for _, g := range c.Grants {
		if g.AllowAll && r.apis[g.Audience] == nil {
			return []client.Blocker{{Reason: client.BlockScopesHidden,
				Message: fmt.Sprintf("it may use every scope of %s, which Auth0 did not describe, so its scopes are unknown", g.Audience),
				Hint:    h.apis}}
		}
	}
	return nil
}

// leftOut says why "import all" should pass over an importable client: the app m2mport
// itself reads Auth0 with, or one whose every grant is to Auth0's own Management API — both
// serve Auth0 administration, which Stytch does not offer.
func (r *reader) leftOut(c *client.Client) string {
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

func (r *reader) blockers(c *client.Client, f appFacts, h hints) []client.Blocker {
	if !f.has(factCandidate) {
		appType := c.AppType
		if f.has(factUntyped) {
			appType = ""
		}
		kind, ok := map[string]string{
			"":            "an application without a type",
			"spa":         "a single-page application",
			"regular_web": "a regular web application",
			"native":      "a native application",
		}[appType]
		if !ok {
			kind = fmt.Sprintf("an application of type %q", appType)
		}
		return []client.Blocker{{Reason: client.BlockNotM2M,
			Message: fmt.Sprintf("%s is %s without the Client Credentials grant, so it is not machine-to-machine", c.Name, kind),
			Hint:    "only applications that get tokens with their own secret (Client Credentials) can be moved to Stytch"}}
	}
	var out []client.Blocker
	switch {
	case f.has(factKeyBased):
		out = append(out, client.Blocker{Reason: client.BlockKeyBased,
			Message: "authenticates with a private key or certificate, so there is no secret to carry over",
			Hint:    "to migrate it, give it a client secret in Auth0 (Credentials > Authentication Method: Client Secret)"})
	case f.has(factPublic):
		out = append(out, client.Blocker{Reason: client.BlockNoSecret,
			Message: "is a public client (authentication method none), so it has no secret",
			Hint:    "to migrate it, set Credentials > Authentication Method to Client Secret in Auth0"})
	case c.Secret.IsZero() && !r.keysRead:
		r.hidden++
		out = append(out, client.Blocker{Reason: client.BlockSecretHidden,
			Message: "Auth0 did not return the secret: m2mport's credentials may not read client keys",
			Hint:    h.keys})
	case c.Secret.IsZero():
		out = append(out, client.Blocker{Reason: client.BlockNoSecret,
			Message: "Auth0 returned no secret for this application",
			Hint:    "rotate the client secret in Auth0, then read the tenant again"})
	}
	if f.has(factNoCC) {
		out = append(out, client.Blocker{Reason: client.BlockNoClientCreds,
			Message: "the Client Credentials grant is not enabled for it",
			Hint:    "enable it in Auth0 (Settings > Advanced Settings > Grant Types) if the app should get tokens with its secret"})
	}
	return out
}

// keyBased reports whether the app authenticates with private_key_jwt or mTLS. Without
// read:client_keys Auth0 hides client_authentication_methods, but such apps still stand out
// by having no token_endpoint_auth_method (spec §2).
func keyBased(a *app) bool {
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
