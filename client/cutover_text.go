package client

import (
	"fmt"
	"strings"
)

// The analysis in words: the same items for the command's human and Markdown output and the
// TUI's pages. Text from the source (names) is raw here; renderers sanitize it.

// CutoverItem is one line of an API's page: a finding, or a step of the checklist for its
// services.
type CutoverItem struct {
	Title  string
	Detail []string
	// Widens: this finding widens access. Accepted: its operator accepted it knowingly.
	Widens, Accepted bool
}

// Findings are what the analysis found about the API, widenings and organization-bound
// grants first, then what only informs.
func (a *CutoverAPI) Findings() []CutoverItem {
	var widens, info []CutoverItem
	for _, sh := range a.Shared {
		with := apiLabels(sh.With)
		switch {
		case len(sh.Gain) > 0:
			it := CutoverItem{Widens: true, Accepted: allAccepted(sh.Gain)}
			if len(sh.With) > 0 {
				it.Title = fmt.Sprintf("`%s` is also the %s's scope: %s granted it there would gain access here",
					sh.Scope, List(with), Plural(len(sh.Gain), "client"))
			} else {
				it.Title = fmt.Sprintf("`%s` is its scope, and %s would hold it without a grant here", sh.Scope, Plural(len(sh.Gain), "client"))
			}
			for _, c := range sh.Gain {
				it.Detail = append(it.Detail, c.Label()+accepted(c.Accepted))
			}
			widens = append(widens, it)
		default:
			info = append(info, CutoverItem{Title: fmt.Sprintf("shares `%s` with the %s; no client would gain access here with it", sh.Scope, List(with))})
		}
	}
	for _, og := range a.OrgGrants {
		anyOrg := ""
		if og.AnyOrg {
			anyOrg = ", any organization"
		}
		switch {
		case og.WidensAccess:
			widens = append(widens, CutoverItem{Widens: true, Accepted: og.Client.Accepted,
				Title: fmt.Sprintf("organization-bound: %s gets %s only for an organization (organization_usage %s%s); its Stytch token holds %s for no organization%s",
					og.Client.Label(), quoteScopes(og.Scopes), og.Usage, anyOrg, itThem(og.Scopes), accepted(og.Client.Accepted))})
		case og.Usage.Required():
			info = append(info, CutoverItem{Title: fmt.Sprintf("organization-bound: %s gets its scopes here only for an organization; they are dropped from its Stytch client", og.Client.Label())})
		default:
			info = append(info, CutoverItem{Title: fmt.Sprintf("%s may ask for tokens for an organization (organization_usage %s%s): those carried org_id, Stytch's never will",
				og.Client.Label(), og.Usage, anyOrg)})
		}
	}
	if cc := a.CustomClaims; cc != nil {
		it := CutoverItem{Title: fmt.Sprintf("no custom claims in the Auth0 tokens of %d of its %s", cc.Compared, Plural(cc.Pairs, "client"))}
		if len(cc.Claims) > 0 {
			var names []string
			for _, u := range cc.Claims {
				names = append(names, fmt.Sprintf("%s (%d of %d)", u.Claim, u.Tokens, cc.Compared))
			}
			it.Title = fmt.Sprintf("custom claims in its Auth0 tokens that Stytch's won't carry: %s", strings.Join(names, ", "))
			it.Detail = []string{fmt.Sprintf("from %d of its %s' tokens; an Auth0 Action adds them", cc.Compared, Plural(cc.Pairs, "client"))}
		}
		info = append(info, it)
	}
	return append(widens, info...)
}

// Steps are the checklist for the API's services, in order: first the scopes they must
// start requiring (which m2mport cannot verify), then what they must trust instead.
func (a *CutoverAPI) Steps() []CutoverItem {
	ao := a.AudienceOnly
	atLeast := ""
	if ao.AtLeast {
		atLeast = "at least "
	}
	// Both counts are of the project's clients after the move: those granted the API today
	// hold its audience now; the rest are the ones it would newly admit.
	grantedToday := fmt.Sprintf("%d of them are", ao.Granted)
	switch ao.Granted {
	case 0:
		grantedToday = "none of them is"
	case 1:
		grantedToday = "1 of them is"
	}
	admit := fmt.Sprintf("checking only the audience would admit %s%s it does not today: after the move every client of the project (%s%d) holds its audience, and %s granted it today",
		atLeast, Plural(ao.More, "client"), atLeast, ao.After, grantedToday)
	require := CutoverItem{Title: fmt.Sprintf("require one of its scopes in every token: %s", strings.Join(a.RequireScopes, " ")), Detail: []string{admit}}
	if len(a.RequireScopes) == 0 {
		require = CutoverItem{Title: "it defines no scopes: define one, grant it to today's callers, and require it", Detail: []string{admit}}
	}
	gone := "stop relying on " + List(a.ClaimsGone) + ": Stytch's tokens don't carry them"
	keys := fmt.Sprintf("fetch signing keys from %s", a.After.KeySetURL)
	if a.After.KeySetURL == "" {
		keys = "fetch signing keys from the project's key set: /v1/b2b/sessions/jwks/PROJECT_ID for a B2B project, /v1/sessions/jwks/PROJECT_ID for a Consumer one (m2mport could not tell which)"
	}
	return []CutoverItem{
		require,
		{Title: fmt.Sprintf("trust the issuer %s", a.After.Issuer), Detail: []string{"today " + a.Today.Issuer}},
		{Title: keys, Detail: []string{"today " + a.Today.KeySetURL}},
		{Title: fmt.Sprintf("accept the audience %s (aud is a list)", a.After.Audience), Detail: []string{"today " + a.Today.Audience}},
		{Title: fmt.Sprintf("read the client id from sub as %s", a.After.Subject), Detail: []string{"today " + a.Today.Subject}},
		{Title: gone},
		{Title: fmt.Sprintf("expect tokens to live %s", a.After.LifetimeText()+lifetimeFrom(a.After.LifetimeFrom)),
			Detail: []string{"today " + a.Today.LifetimeText() + lifetimeFrom(a.Today.LifetimeFrom)}},
	}
}

// Headline is the analysis's verdict in one sentence: what widens access, that nothing
// does, or that it couldn't look.
func (c *Cutover) Headline() string {
	var clients, apis, accepted int
	seen := map[string]bool{}
	count := func(r ClientRef) {
		if !seen[r.ID] {
			seen[r.ID], clients = true, clients+1
			if r.Accepted {
				accepted++
			}
		}
	}
	for _, a := range c.APIs {
		if a.WidensAccess {
			apis++
		}
		for _, sh := range a.Shared {
			for _, r := range sh.Gain {
				count(r)
			}
		}
		for _, og := range a.OrgGrants {
			if og.WidensAccess {
				count(og.Client)
			}
		}
	}
	var s string
	switch {
	case c.WidensAccess && accepted == clients:
		s = fmt.Sprintf("Access would widen for %s, on %s, as accepted knowingly.", Plural(clients, "client"), Plural(apis, "API"))
	case c.WidensAccess:
		s = fmt.Sprintf("Something would widen access: %s, on %s. import blocks each until it is resolved: drop the scopes, or accept them knowingly.",
			Plural(clients, "client"), Plural(apis, "API"))
	case !c.Sure():
		return "Can't tell whether anything widens access: " + c.Blind + "."
	default:
		return "Nothing would widen access: no scope name reaches an API that does not grant it today, and no grant is organization-bound."
	}
	if !c.Sure() {
		s += " There may be more: " + c.Blind + "."
	}
	return s
}

// Summary says who moves, in one sentence.
func (c *Cutover) Summary() string {
	atLeast := ""
	if c.ProjectClientsAtLeast {
		atLeast = "at least "
	}
	return fmt.Sprintf("%s move; the project will then hold %s%s, each with a token every API's audience-only check would accept.",
		Plural(c.Moving, "client"), atLeast, Plural(c.ProjectClients, "client"))
}

func lifetimeFrom(from string) string {
	switch from {
	case "token":
		return " (its tokens)"
	case "api":
		return " (the API's token lifetime)"
	case "project":
		return " (the project's token answers)"
	case "assumed":
		return " (Stytch's usual; import checks each client's)"
	}
	return ""
}

func accepted(yes bool) string {
	if yes {
		return " (accepted knowingly)"
	}
	return ""
}

func allAccepted(refs []ClientRef) bool {
	for _, r := range refs {
		if !r.Accepted {
			return false
		}
	}
	return len(refs) > 0
}

func apiLabels(refs []APIRef) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.Label()
	}
	return out
}
