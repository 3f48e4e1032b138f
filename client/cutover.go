package client

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"
)

// The cutover analysis: what changes for the services that accept these tokens.
//
// Auth0 mints one token per API (aud = the API's identifier, scope = that API's scopes);
// Stytch mints one token per client (aud = the project id, scope = every API's scopes). After
// the move a resource server can tell APIs apart only by scope names. Analyze says, per API,
// what its services verify today and after, who an audience-only check would admit, which
// scope names it shares with another API and who would gain access through them, and which
// grants are organization-bound. It does no I/O: the caller reads the source and the target,
// and mints the Auth0 tokens of the optional claims comparison (CompareClaims).

// CutoverInput is what the analysis reads.
type CutoverInput struct {
	Inventory *Inventory
	// Clients, when set, stand in for the inventory's clients of the same id: the clients
	// as the operator chose their scopes and accepted widenings. Otherwise a client already
	// in the project is judged by the scopes it holds there (Target.Scopes).
	Clients []Client
	Source  SourceFacts
	Target  TargetFacts
}

// SourceFacts are what the source's tokens are verified with today.
type SourceFacts struct {
	Name      string `json:"name"`        // the tenant, e.g. "acme.us.auth0.com"
	Issuer    string `json:"issuer"`      // "https://acme.us.auth0.com/"
	KeySetURL string `json:"key_set_url"` // "https://acme.us.auth0.com/.well-known/jwks.json"
}

// TargetFacts are what the target's tokens will be verified with, and what it holds.
type TargetFacts struct {
	ProjectID string `json:"project_id"`
	Issuer    string `json:"issuer"`      // "stytch.com/PROJECT_ID", or the custom domain
	KeySetURL string `json:"key_set_url"` // the JWKS path of the project's vertical
	// Lifetime is a token's lifetime as a token answer of the project gave it (expires_in);
	// zero when none was seen, and Stytch's usual TokenLifetime is assumed.
	Lifetime time.Duration `json:"-"`
	// Clients is how many clients the project holds today (-1 unknown); InProject are the
	// ids of the inventory's clients among them.
	Clients   int      `json:"-"`
	InProject []string `json:"-"`
	// Scopes are the scopes the project holds for those clients: what their tokens carry
	// now, whatever the source grants.
	Scopes map[string]Scopes `json:"-"`
}

// Cutover is the analysis: the whole of it is what `m2mport cutover --json` prints.
type Cutover struct {
	Source SourceFacts `json:"source"`
	Target TargetFacts `json:"target"`
	// Blind says why the analysis cannot see every scope name two APIs share; it then never
	// says that nothing widens access.
	Blind string `json:"blind,omitempty"`
	// WidensAccess is true when a client's Stytch token would be accepted by an API that
	// does not accept its Auth0 tokens the same way: a shared scope name, or an
	// organization-bound grant.
	WidensAccess bool `json:"widens_access"`
	// Moving counts the source's clients that move (importable, or already in the project);
	// ProjectClients is how many clients the project will hold after the move (a lower
	// bound when ProjectClientsAtLeast: the project's count was not read).
	Moving                int          `json:"clients_moving"`
	ProjectClients        int          `json:"project_clients_after"`
	ProjectClientsAtLeast bool         `json:"project_clients_at_least,omitempty"`
	APIs                  []CutoverAPI `json:"apis"`
	// Claims is the custom-claims comparison, when it ran.
	Claims *ClaimsRun `json:"claims_comparison,omitempty"`
}

// CutoverAPI is one API of the source, as its services see the move.
type CutoverAPI struct {
	Identifier string `json:"identifier"`
	Name       string `json:"name"`
	// Scopes are the scopes it defines: its own list and every scope granted on it.
	Scopes Scopes `json:"scopes"`
	// Clients are the clients granted it today.
	Clients []ClientRef  `json:"clients"`
	Today   Verification `json:"today"`
	After   Verification `json:"after"`
	// ClaimsGone are claims its services see today and won't after: azp, gty, org_id when
	// a grant is organization-bound, and custom claims the comparison found.
	ClaimsGone []string `json:"claims_gone"`
	// AudienceOnly is who an audience-only check would admit.
	AudienceOnly AudienceOnly `json:"audience_only"`
	// RequireScopes are the scopes its services must start requiring so that only today's
	// callers get in: a step m2mport can't verify, first in every checklist.
	RequireScopes Scopes `json:"require_scopes"`
	// Shared are the scope names it shares with another API.
	Shared []SharedScope `json:"shared_scopes"`
	// OrgGrants are its organization-bound grants (allow and require).
	OrgGrants []OrgGrant `json:"organization_grants"`
	// CustomClaims is what the comparison found in Auth0 tokens for it; nil when it did not run.
	CustomClaims *APIClaims `json:"custom_claims,omitempty"`
	// WidensAccess: a shared scope would let a client in, or an organization-bound grant
	// would work without an organization.
	WidensAccess bool `json:"widens_access"`
}

// ClientRef names a client in the analysis.
type ClientRef struct {
	ID   string `json:"client_id"`
	Name string `json:"name"`
	// Moving is false for a client that stays behind (blocked, or left out of the move).
	Moving bool `json:"moving"`
	// Accepted is set where the client's operator accepted the widening knowingly.
	Accepted bool `json:"accepted,omitempty"`
}

// Label is the client's name, or its id when it has none.
func (c ClientRef) Label() string { return cmp.Or(c.Name, c.ID) }

// Verification is what an API's services check in a token.
type Verification struct {
	Issuer    string `json:"issuer"`
	KeySetURL string `json:"key_set_url"`
	Audience  string `json:"audience"`
	Subject   string `json:"subject"` // the shape of sub: "{client_id}@clients", "{client_id}"
	// LifetimeSeconds is exp - iat (0 unknown); LifetimeFrom says where it comes from:
	// "token" (a token minted for the comparison), "api" (the API's token_lifetime),
	// "project" (a token answer of the project), "assumed" (Stytch's usual hour).
	LifetimeSeconds int64  `json:"lifetime_seconds"`
	LifetimeFrom    string `json:"lifetime_from,omitempty"`
}

// AudienceOnly is who holds a token an audience-only check would accept: today the clients
// granted the API (its identifier is their token's aud), after the move every client of
// the project (the project id is every token's aud).
type AudienceOnly struct {
	Today int `json:"today"`
	After int `json:"after"`
	// Granted are the clients of the project after the move that are granted the API today
	// (Today less those that stay behind): After = Granted + More.
	Granted int `json:"granted_after"`
	// More are the clients it would admit after the move that it does not admit today.
	More    int  `json:"more"`
	AtLeast bool `json:"at_least,omitempty"` // After and More are lower bounds
}

// SharedScope is a scope name an API shares with other APIs.
type SharedScope struct {
	Scope string   `json:"scope"`
	With  []APIRef `json:"also_defined_by"`
	// Gain are the clients that would gain access to this API with it: granted the name on
	// another API, not on this one.
	Gain []ClientRef `json:"clients_gaining_access"`
}

// OrgGrant is a grant bound to organizations.
type OrgGrant struct {
	Client ClientRef `json:"client"`
	Usage  OrgUsage  `json:"organization_usage"`
	AnyOrg bool      `json:"allow_any_organization"`
	// Scopes are the grant's scopes the client's Stytch token would hold, with no
	// organization; empty when they were dropped.
	Scopes Scopes `json:"scopes"`
	// WidensAccess: require, and the scopes still held.
	WidensAccess bool `json:"widens_access"`
}

// The claims of an Auth0 client-credentials token that Stytch's tokens carry too, and those
// it drops by design (spec auth0.md §1, stytch.md §5).
var (
	stytchClaims    = []string{"aud", "exp", "iat", "iss", "nbf", "scope", "sub"}
	auth0OnlyClaims = []string{"azp", "gty"}
)

// Analyze runs the cutover analysis on in; claims, when not nil, is a custom-claims
// comparison to fold in.
func Analyze(in CutoverInput, claims *ClaimsRun) *Cutover {
	inv := in.Inventory
	if inv == nil {
		inv = &Inventory{}
	}
	guard := NewGuard(inv)
	cut := &Cutover{Source: in.Source, Target: in.Target, Blind: inv.Blind(), Claims: claims}

	clients := mergeClients(inv.Clients, in.Clients)
	if len(in.Target.Scopes) > 0 {
		chosen := map[string]bool{}
		for _, c := range in.Clients {
			chosen[c.ID] = true
		}
		clients = slices.Clone(clients)
		for i := range clients {
			if sc, ok := in.Target.Scopes[clients[i].ID]; ok && !chosen[clients[i].ID] {
				clients[i].Scopes = sc
			}
		}
	}
	inProject := map[string]bool{}
	for _, id := range in.Target.InProject {
		inProject[id] = true
	}
	moving := map[string]bool{}
	for i := range clients {
		if c := &clients[i]; movesToTarget(c, inProject[c.ID]) {
			moving[c.ID] = true
		}
	}
	cut.Moving = len(moving)
	cut.ProjectClients = len(moving)
	if in.Target.Clients >= 0 {
		ours := map[string]bool{}
		for i := range clients {
			ours[clients[i].ID] = true
		}
		others := in.Target.Clients
		for id := range inProject {
			if ours[id] {
				others--
			}
		}
		cut.ProjectClients += max(others, 0)
	} else {
		cut.ProjectClientsAtLeast = true
	}

	byAudience := map[string]*CutoverAPI{}
	api := func(ref APIRef) *CutoverAPI {
		a := byAudience[ref.Audience]
		if a == nil {
			a = &CutoverAPI{Identifier: ref.Audience, Name: ref.Name}
			byAudience[ref.Audience] = a
		}
		return a
	}
	lifetimes := map[string]int{}
	for _, a := range inv.APIs {
		if !a.System {
			api(APIRef{a.Identifier, a.Name})
			lifetimes[a.Identifier] = a.TokenLifetime
		}
	}
	for _, ref := range guard.apis {
		api(ref)
	}

	// Who is granted each API today, and its organization-bound grants.
	for i := range clients {
		c := &clients[i]
		for _, g := range c.Grants {
			a := byAudience[g.Audience]
			if a == nil || g.System {
				continue
			}
			ref := ClientRef{ID: c.ID, Name: c.Name, Moving: moving[c.ID]}
			a.Clients = append(a.Clients, ref)
			if g.OrgUsage.Stricter(OrgDeny) && ref.Moving {
				og := OrgGrant{Client: ref, Usage: g.OrgUsage, AnyOrg: g.AnyOrg, Scopes: intersect(g.Scopes, c.Scopes)}
				og.WidensAccess = g.OrgUsage.Required() && len(og.Scopes) > 0
				if og.WidensAccess {
					og.Client.Accepted = slices.ContainsFunc(guard.AcceptedWidenings(c), func(w Widening) bool {
						return w.Kind == WidenOrg && w.Audience == g.Audience
					})
				}
				a.OrgGrants = append(a.OrgGrants, og)
			}
		}
	}

	// Shared names, and who would gain access through them: the guard's shared widenings
	// of every moving client, filed under the API that would accept the token.
	gains := map[string]map[string][]ClientRef{} // audience -> scope -> clients
	for i := range clients {
		c := &clients[i]
		if !moving[c.ID] {
			continue
		}
		accepted := guard.AcceptedWidenings(c)
		for _, w := range guard.Widenings(c) {
			if w.Kind != WidenShared {
				continue
			}
			ref := ClientRef{ID: c.ID, Name: c.Name, Moving: true,
				Accepted: slices.ContainsFunc(accepted, func(a Widening) bool { return a.Key() == w.Key() })}
			if gains[w.Audience] == nil {
				gains[w.Audience] = map[string][]ClientRef{}
			}
			for _, s := range w.Scopes {
				gains[w.Audience][s] = append(gains[w.Audience][s], ref)
			}
		}
	}

	for aud, a := range byAudience {
		for s, defs := range guard.defines {
			if !slices.ContainsFunc(defs, func(r APIRef) bool { return r.Audience == aud }) {
				continue
			}
			a.Scopes = a.Scopes.With(s)
			if len(defs) < 2 && len(gains[aud][s]) == 0 {
				continue
			}
			sh := SharedScope{Scope: s, Gain: gains[aud][s]}
			for _, d := range defs {
				if d.Audience != aud {
					sh.With = append(sh.With, d)
				}
			}
			if len(sh.With) == 0 {
				continue // a scope the operator added that only this API defines: a gain, not a shared name
			}
			a.Shared = append(a.Shared, sh)
		}
		slices.SortFunc(a.Shared, func(x, y SharedScope) int { return cmp.Compare(x.Scope, y.Scope) })
		// Scopes the operator added that this API defines but no other does still let
		// clients in: keep them as gains under their own name.
		for s, refs := range gains[aud] {
			if !slices.ContainsFunc(a.Shared, func(sh SharedScope) bool { return sh.Scope == s }) {
				a.Shared = append(a.Shared, SharedScope{Scope: s, Gain: refs})
			}
		}
		slices.SortFunc(a.Shared, func(x, y SharedScope) int { return cmp.Compare(x.Scope, y.Scope) })
		for i := range a.Shared {
			sortRefs(a.Shared[i].Gain)
		}
		sortRefs(a.Clients)
		slices.SortFunc(a.OrgGrants, func(x, y OrgGrant) int { return compareRefs(x.Client, y.Client) })
		a.RequireScopes = a.Scopes
		if a.Scopes == nil {
			a.Scopes, a.RequireScopes = Scopes{}, Scopes{}
		}

		a.Today = Verification{Issuer: in.Source.Issuer, KeySetURL: in.Source.KeySetURL, Audience: aud, Subject: "{client_id}@clients"}
		if lt := lifetimes[aud]; lt > 0 {
			a.Today.LifetimeSeconds, a.Today.LifetimeFrom = int64(lt), "api"
		}
		a.After = Verification{Issuer: in.Target.Issuer, KeySetURL: in.Target.KeySetURL, Audience: in.Target.ProjectID, Subject: "{client_id}",
			LifetimeSeconds: int64(TokenLifetime / time.Second), LifetimeFrom: "assumed"}
		if in.Target.Lifetime > 0 {
			a.After.LifetimeSeconds, a.After.LifetimeFrom = int64(in.Target.Lifetime/time.Second), "project"
		}

		a.ClaimsGone = slices.Clone(auth0OnlyClaims)
		if len(a.OrgGrants) > 0 {
			a.ClaimsGone = append(a.ClaimsGone, "org_id")
		}
		if claims != nil {
			if ac := claims.APIs[aud]; ac != nil {
				a.CustomClaims = ac
				for _, u := range ac.Claims {
					a.ClaimsGone = append(a.ClaimsGone, u.Claim)
				}
				if ac.LifetimeSeconds > 0 {
					a.Today.LifetimeSeconds, a.Today.LifetimeFrom = ac.LifetimeSeconds, "token"
				}
			}
		}
		a.ClaimsGone = NewScopes(a.ClaimsGone...) // a sorted set of names

		today := 0
		for _, r := range a.Clients {
			if r.Moving {
				today++
			}
		}
		a.AudienceOnly = AudienceOnly{Today: len(a.Clients), After: cut.ProjectClients, Granted: today, More: cut.ProjectClients - today, AtLeast: cut.ProjectClientsAtLeast}

		for _, sh := range a.Shared {
			a.WidensAccess = a.WidensAccess || len(sh.Gain) > 0
		}
		for _, og := range a.OrgGrants {
			a.WidensAccess = a.WidensAccess || og.WidensAccess
		}
		cut.WidensAccess = cut.WidensAccess || a.WidensAccess
	}
	for _, aud := range slices.Sorted(maps.Keys(byAudience)) {
		cut.APIs = append(cut.APIs, *byAudience[aud])
	}
	// The APIs that need attention first, then by name.
	slices.SortStableFunc(cut.APIs, func(x, y CutoverAPI) int {
		if x.WidensAccess != y.WidensAccess {
			if x.WidensAccess {
				return -1
			}
			return 1
		}
		return cmp.Compare(strings.ToLower(x.Label()), strings.ToLower(y.Label()))
	})
	return cut
}

// Label is the API's name, or its identifier when it has none.
func (a *CutoverAPI) Label() string { return cmp.Or(a.Name, a.Identifier) }

// Sure reports whether the analysis could look everywhere: only then may it say that
// nothing widens access.
func (c *Cutover) Sure() bool { return c.Blind == "" }

// mergeClients is the inventory's clients with those of chosen standing in for the ones of
// the same id.
func mergeClients(inv, chosen []Client) []Client {
	if len(chosen) == 0 {
		return inv
	}
	byID := make(map[string]int, len(chosen))
	for i := range chosen {
		byID[chosen[i].ID] = i
	}
	out := make([]Client, len(inv))
	for i := range inv {
		out[i] = inv[i]
		if j, ok := byID[inv[i].ID]; ok {
			out[i] = chosen[j]
		}
	}
	return out
}

// movesToTarget reports whether c will be in the target after the move: it is there
// already, or it is an M2M client that nothing but the guard blocks and "all" includes.
func movesToTarget(c *Client, inProject bool) bool {
	if inProject {
		return true
	}
	if !c.IsM2M() || c.LeftOut != "" || len(c.Blocked) > 0 {
		return false
	}
	return len(LimitBlockers(c)) == 0
}

func compareRefs(x, y ClientRef) int {
	return cmp.Or(cmp.Compare(strings.ToLower(x.Label()), strings.ToLower(y.Label())), cmp.Compare(x.ID, y.ID))
}

func sortRefs(refs []ClientRef) { slices.SortFunc(refs, compareRefs) }

// LifetimeText formats the lifetime for people ("24 h", "unknown").
func (v Verification) LifetimeText() string {
	if v.LifetimeSeconds <= 0 {
		return "unknown"
	}
	return lifetimeText(time.Duration(v.LifetimeSeconds) * time.Second)
}
