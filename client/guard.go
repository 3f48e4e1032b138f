package client

import (
	"fmt"
	"maps"
	"slices"
)

// The plan guard: a client whose Stytch token would be accepted more widely than its Auth0
// tokens are is blocked until someone says what to do about it.
//
// Auth0 mints one token per API, with that API's scopes only, and, for a grant whose
// organization_usage is require, only for an organization (the token carries org_id).
// Stytch mints one token per client holding its scopes of every API, and no organization.
// So after the move a client's token is accepted:
//   - by every API that defines one of its scopes, granted there or not (WidenShared: the
//     Payouts API also defines read:payments, granted to it on the Billing API only);
//   - by an organization-bound API without any organization (WidenOrg).
//
// Either is resolved per client, the same way: drop the scopes involved (DropWidenings, or
// the Scopes screen), or accept them knowingly (AcceptWidenings, a confirmation, a flag).
// An acceptance covers exactly the widenings it was given: a scope added later widens anew.

// WideningKind says how a client's Stytch token would reach further than its Auth0 tokens.
type WideningKind string

const (
	// WidenShared: an API the client is not granted a scope on defines it too.
	WidenShared WideningKind = "shared_scope"
	// WidenOrg: an API grants the client scopes only for an organization.
	WidenOrg WideningKind = "organization"
)

// Widening is one way a client's Stytch token would be accepted by an API that would not
// accept its Auth0 tokens in the same way.
type Widening struct {
	Kind WideningKind `json:"kind"`
	// Audience and API name the API that would accept the token more widely.
	Audience string `json:"audience"`
	API      string `json:"api"`
	// Scopes are the client's scopes involved: shared with that API, or granted by it for
	// an organization only.
	Scopes Scopes `json:"scopes"`
	// GrantedOn names the APIs the client is granted the shared scopes on today (shared
	// only; empty for a scope the operator added).
	GrantedOn []string `json:"granted_on,omitempty"`
}

// Key identifies the widening in an acceptance: what it is, where, and which scopes.
func (w Widening) Key() string {
	return string(w.Kind) + " " + w.Audience + " " + w.Scopes.String()
}

// String is the widening in one line, as the plan's blocked reason says it.
func (w Widening) String() string {
	scopes := quoteScopes(w.Scopes)
	switch w.Kind {
	case WidenOrg:
		return fmt.Sprintf("widens access: the %s gives %s only for an organization; Stytch's tokens carry none, so %s would work without one",
			w.API, scopes, itThey(w.Scopes))
	default:
		owner := "scope"
		if len(w.Scopes) > 1 {
			owner = "scopes"
		}
		if len(w.GrantedOn) == 0 {
			return fmt.Sprintf("widens access: %s %s the %s's %s, not granted to it there", scopes, isAre(w.Scopes), w.API, owner)
		}
		return fmt.Sprintf("widens access: %s %s also the %s's %s", scopes, isAre(w.Scopes), w.API, owner)
	}
}

// Meaning says what accepting the widening means, for the confirmation that asks.
func (w Widening) Meaning() string {
	switch w.Kind {
	case WidenOrg:
		return fmt.Sprintf("Auth0 gives this client %s on the %s only in tokens for an organization, which carry org_id. "+
			"Stytch's token carries no organization: the %s's services will see %s with no org_id, for no organization or all of them.",
			quoteScopes(w.Scopes), w.API, w.API, quoteScopes(w.Scopes))
	default:
		today := "no API"
		if len(w.GrantedOn) > 0 {
			today = "the " + List(w.GrantedOn)
		}
		return fmt.Sprintf("Today this client may use %s on %s. Its Stytch token will hold %s for every API, "+
			"and the %s accepts %s too: the client can call the %s, which it cannot today.",
			quoteScopes(w.Scopes), today, itThem(w.Scopes), w.API, itThem(w.Scopes), w.API)
	}
}

func quoteScopes(s Scopes) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = "`" + v + "`"
	}
	return List(q)
}

func isAre(s Scopes) string {
	if len(s) == 1 {
		return "is"
	}
	return "are"
}

func itThey(s Scopes) string {
	if len(s) == 1 {
		return "it"
	}
	return "they"
}

func itThem(s Scopes) string {
	if len(s) == 1 {
		return "it"
	}
	return "them"
}

// Blocker is the widening as a plan's reason to block the client, with what to do.
func (w Widening) Blocker() Blocker {
	reason := BlockWidens
	if w.Kind == WidenOrg {
		reason = BlockOrgBound
	}
	return Blocker{Reason: reason, Message: w.String(),
		Hint: fmt.Sprintf("drop %s, or accept the widening knowingly", w.Scopes.String())}
}

// APIRef names an API: its identifier (the audience) and its name when known.
type APIRef struct {
	Audience string `json:"identifier"`
	Name     string `json:"name"`
}

// Label is the API's name, or its identifier when it has none.
func (a APIRef) Label() string {
	if a.Name != "" {
		return a.Name
	}
	return a.Audience
}

// Guard knows, for a tenant, which APIs define each scope name and which of its grants are
// organization-bound, and judges a client's chosen scopes against that. Build one with
// NewGuard; the zero Guard (and a nil one) finds nothing.
type Guard struct {
	defines map[string][]APIRef // scope -> the APIs that define it, by audience
	apis    map[string]APIRef   // audience -> the API
	// Blind says why the guard cannot see every API's scopes ("" when it can).
	Blind string
}

// NewGuard reads what the guard needs from an inventory: the scopes each API defines (its
// own list, and every scope any client is granted on it, so an allow-all grant counts as
// defining every scope the API has) and every grant's organization usage. The source's own
// management API is left out: its services are the source's, and never accept the target's
// tokens.
func NewGuard(inv *Inventory) *Guard {
	g := &Guard{defines: map[string][]APIRef{}, apis: map[string]APIRef{}}
	if inv == nil {
		return g
	}
	system := map[string]bool{}
	// Each API's scopes as a set: a large tenant grants the same few scopes on an API to
	// thousands of clients.
	sets := map[string]map[string]bool{}
	define := func(aud string, scopes ...string) {
		set := sets[aud]
		if set == nil {
			set = map[string]bool{}
			sets[aud] = set
		}
		for _, s := range scopes {
			if s != "" {
				set[s] = true
			}
		}
	}
	for _, a := range inv.APIs {
		if a.System {
			system[a.Identifier] = true
			continue
		}
		g.apis[a.Identifier] = APIRef{Audience: a.Identifier, Name: a.Name}
		for _, s := range a.Scopes {
			define(a.Identifier, s.Value)
		}
	}
	for i := range inv.Clients {
		for _, gr := range inv.Clients[i].Grants {
			if gr.System || system[gr.Audience] {
				continue
			}
			if _, ok := g.apis[gr.Audience]; !ok {
				g.apis[gr.Audience] = APIRef{Audience: gr.Audience, Name: gr.API}
			}
			define(gr.Audience, gr.Scopes...)
		}
	}
	for _, aud := range slices.Sorted(maps.Keys(sets)) {
		for _, s := range slices.Sorted(maps.Keys(sets[aud])) {
			g.defines[s] = append(g.defines[s], g.apis[aud])
		}
	}
	g.Blind = inv.Blind()
	return g
}

// Defines returns the APIs that define scope, by audience.
func (g *Guard) Defines(scope string) []APIRef {
	if g == nil {
		return nil
	}
	return g.defines[scope]
}

// Widenings lists how c's Stytch token, holding c.Scopes, would be accepted more widely than
// its Auth0 tokens are: for each API that defines some of c's scopes without granting them
// to c there, one WidenShared; for each organization-bound (require) grant whose scopes c
// still holds, one WidenOrg. Organization-bound ones come first, then by API.
func (g *Guard) Widenings(c *Client) []Widening {
	if g == nil {
		return nil
	}
	var out []Widening
	granted := map[string]Scopes{} // audience -> scopes granted there
	for _, gr := range c.Grants {
		granted[gr.Audience] = granted[gr.Audience].Union(gr.Scopes)
		if gr.System || !gr.OrgUsage.Required() {
			continue
		}
		if held := intersect(gr.Scopes, c.Scopes); len(held) > 0 {
			out = append(out, Widening{Kind: WidenOrg, Audience: gr.Audience, API: g.label(gr.Audience, gr.API), Scopes: held})
		}
	}
	shared := map[string]Scopes{}
	for _, s := range c.Scopes {
		for _, api := range g.defines[s] {
			if !granted[api.Audience].Has(s) {
				shared[api.Audience] = shared[api.Audience].With(s)
			}
		}
	}
	for _, aud := range slices.Sorted(maps.Keys(shared)) {
		w := Widening{Kind: WidenShared, Audience: aud, API: g.label(aud, ""), Scopes: shared[aud]}
		for _, gr := range c.Grants {
			if gr.Audience != aud && !gr.System && len(intersect(gr.Scopes, w.Scopes)) > 0 {
				w.GrantedOn = append(w.GrantedOn, g.label(gr.Audience, gr.API))
			}
		}
		out = append(out, w)
	}
	return out
}

// Unaccepted is Widenings without those c's operator accepted.
func (g *Guard) Unaccepted(c *Client) []Widening {
	var out []Widening
	for _, w := range g.Widenings(c) {
		if !slices.Contains(c.Accepted, w.Key()) {
			out = append(out, w)
		}
	}
	return out
}

// Notices are what the operator should hear about c that blocks nothing: grants whose
// tokens could be asked for an organization (organization_usage allow), which carried
// org_id then and no longer will.
func (g *Guard) Notices(c *Client) []string {
	var out []string
	for _, gr := range c.Grants {
		if gr.System || gr.OrgUsage != OrgAllow || len(intersect(gr.Scopes, c.Scopes)) == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("the %s's tokens requested for an organization carried org_id; Stytch's never will (its services see no organization)",
			g.label(gr.Audience, gr.API)))
	}
	return out
}

func (g *Guard) label(audience, name string) string {
	if name != "" {
		return name
	}
	if api, ok := g.apis[audience]; ok {
		return api.Label()
	}
	return audience
}

// AcceptWidenings records that the operator knowingly accepts ws for c.
func AcceptWidenings(c *Client, ws []Widening) {
	for _, w := range ws {
		if !slices.Contains(c.Accepted, w.Key()) {
			c.Accepted = append(c.Accepted, w.Key())
		}
	}
}

// WideningScopes are the scopes involved in ws: what dropping them takes away.
func WideningScopes(ws []Widening) Scopes {
	var out Scopes
	for _, w := range ws {
		out = out.Union(w.Scopes)
	}
	return out
}

// DropWidenings removes from c's scopes every scope involved in ws.
func DropWidenings(c *Client, ws []Widening) {
	c.Scopes = c.Scopes.Minus(WideningScopes(ws))
}

// AcceptedWidenings are the widenings of c its operator accepted, as they stand now.
func (g *Guard) AcceptedWidenings(c *Client) []Widening {
	var out []Widening
	for _, w := range g.Widenings(c) {
		if slices.Contains(c.Accepted, w.Key()) {
			out = append(out, w)
		}
	}
	return out
}

func intersect(a, b Scopes) Scopes {
	out := Scopes{}
	for _, s := range a {
		if b.Has(s) {
			out = append(out, s)
		}
	}
	return out
}

// Blind says why the inventory cannot show every scope each API defines, or "" when it can:
// without the APIs' own lists, two APIs may share a scope name no grant shows.
func (inv *Inventory) Blind() string {
	switch {
	case inv.GrantsHidden:
		return "the source did not return its client grants (read:client_grants is missing), so no client's scopes are known"
	case inv.APIsHidden:
		return "the source did not return its APIs (read:resource_servers is missing), so the scopes each API defines are known only from the grants, and two APIs may share a scope name no grant shows"
	}
	return ""
}
