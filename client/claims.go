package client

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"
)

// The optional custom-claims comparison of the cutover analysis: Auth0 Actions can add
// claims to the tokens Auth0 mints, and services may rely on them; Stytch's tokens won't
// carry them. The only way to see them is to mint Auth0 tokens, one per client and API,
// which spends the tenant's M2M token quota: so it runs only when asked, at most a given
// number of tokens, and the caller says how many before it starts.

// DefaultClaimTokens is how many Auth0 tokens the comparison mints at most unless told.
const DefaultClaimTokens = 50

// TokenMinter mints a source token for a client and an API (auth0.Source.Token).
type TokenMinter interface {
	Token(ctx context.Context, clientID string, secret Secret, audience string) (Secret, error)
}

// ClaimsPair is a client and an API whose Auth0 token the comparison would mint.
type ClaimsPair struct {
	ClientID, Name string
	Audience, API  string
	secret         Secret
}

// ClaimsPairs lists the pairs the comparison could mint, by API then client: every grant of
// a moving client on the source's APIs, except grants that require an organization (a
// token for them must name one, and m2mport knows none); those are counted in orgOnly.
func ClaimsPairs(in CutoverInput) (pairs []ClaimsPair, orgOnly int) {
	inv := in.Inventory
	if inv == nil {
		return nil, 0
	}
	inProject := map[string]bool{}
	for _, id := range in.Target.InProject {
		inProject[id] = true
	}
	system := map[string]bool{}
	for _, a := range inv.APIs {
		system[a.Identifier] = a.System
	}
	clients := mergeClients(inv.Clients, in.Clients)
	for i := range clients {
		c := &clients[i]
		if !movesToTarget(c, inProject[c.ID]) || c.Secret.Reveal() == "" {
			continue
		}
		for _, g := range c.Grants {
			switch {
			case g.System || system[g.Audience]:
			case g.OrgUsage.Required():
				orgOnly++
			default:
				pairs = append(pairs, ClaimsPair{ClientID: c.ID, Name: c.Name, Audience: g.Audience, API: cmp.Or(g.API, g.Audience), secret: c.Secret})
			}
		}
	}
	slices.SortStableFunc(pairs, func(x, y ClaimsPair) int { return cmp.Compare(x.Audience, y.Audience) })
	return pairs, orgOnly
}

// SampleClaimsPairs picks at most n of pairs, one client of each API in turn, so that every
// API is looked at before any gets a second token.
func SampleClaimsPairs(pairs []ClaimsPair, n int) []ClaimsPair {
	if n >= len(pairs) {
		return pairs
	}
	byAPI := map[string][]ClaimsPair{}
	for _, p := range pairs {
		byAPI[p.Audience] = append(byAPI[p.Audience], p)
	}
	auds := slices.Sorted(maps.Keys(byAPI))
	var out []ClaimsPair
	for round := 0; len(out) < n; round++ {
		for _, a := range auds {
			if round < len(byAPI[a]) && len(out) < n {
				out = append(out, byAPI[a][round])
			}
		}
	}
	slices.SortStableFunc(out, func(x, y ClaimsPair) int { return cmp.Compare(x.Audience, y.Audience) })
	return out
}

// ClaimsRun is what the comparison did and found.
type ClaimsRun struct {
	Pairs   int `json:"pairs"`  // the pairs there were (ClaimsPairs)
	Minted  int `json:"minted"` // tokens minted and read
	Failed  int `json:"failed"` // token requests that failed
	OrgOnly int `json:"skipped_organization_bound"`
	// Errors are the first few failures, one line each.
	Errors []string `json:"errors,omitempty"`
	// APIs is what each API's tokens showed, by audience (also in each CutoverAPI).
	APIs map[string]*APIClaims `json:"-"`
}

// APIClaims is what the Auth0 tokens minted for one API showed.
type APIClaims struct {
	Compared int `json:"compared"` // tokens read
	Pairs    int `json:"of"`       // clients granted it that could have been asked
	// Claims are the claims beyond the ones Stytch's tokens carry, azp, gty and org_id:
	// custom claims, with how many of the tokens held each.
	Claims []ClaimUse `json:"claims"`
	// LifetimeSeconds is exp - iat of the tokens (the longest when they differ).
	LifetimeSeconds int64 `json:"lifetime_seconds,omitempty"`
}

// ClaimUse is a claim and how many tokens held it.
type ClaimUse struct {
	Claim  string `json:"claim"`
	Tokens int    `json:"tokens"`
}

const maxClaimErrors = 5

// CompareClaims mints an Auth0 token for each of sample with m, one at a time, and reads
// which claims each holds (names only: values may be anything). all are every pair there
// was, so that each API says how many of its clients were looked at. It stops early when ctx
// ends.
func CompareClaims(ctx context.Context, m TokenMinter, sample, all []ClaimsPair, orgOnly int) *ClaimsRun {
	run := &ClaimsRun{Pairs: len(all), OrgOnly: orgOnly, APIs: map[string]*APIClaims{}}
	api := func(aud string) *APIClaims {
		if run.APIs[aud] == nil {
			run.APIs[aud] = &APIClaims{Claims: []ClaimUse{}}
		}
		return run.APIs[aud]
	}
	for _, p := range all {
		api(p.Audience).Pairs++
	}
	counts := map[string]map[string]int{}
	for _, p := range sample {
		if ctx.Err() != nil {
			break
		}
		tok, err := m.Token(ctx, p.ClientID, p.secret, p.Audience)
		var claims map[string]any
		if err == nil {
			claims, err = claimsOf(tok)
		}
		if err != nil {
			run.Failed++
			if len(run.Errors) < maxClaimErrors {
				run.Errors = append(run.Errors, fmt.Sprintf("%s on the %s: %v", cmp.Or(p.Name, p.ClientID), p.API, err))
			}
			continue
		}
		run.Minted++
		a := api(p.Audience)
		a.Compared++
		if exp, ok := numericDate(claims["exp"]); ok {
			if iat, ok := numericDate(claims["iat"]); ok {
				a.LifetimeSeconds = max(a.LifetimeSeconds, int64(exp.Sub(iat)/time.Second))
			}
		}
		for name := range claims {
			if slices.Contains(stytchClaims, name) || slices.Contains(auth0OnlyClaims, name) || name == "org_id" {
				continue
			}
			if counts[p.Audience] == nil {
				counts[p.Audience] = map[string]int{}
			}
			counts[p.Audience][name]++
		}
	}
	for aud, byName := range counts {
		a := api(aud)
		for _, name := range slices.Sorted(maps.Keys(byName)) {
			a.Claims = append(a.Claims, ClaimUse{Claim: name, Tokens: byName[name]})
		}
	}
	return run
}
