package client

import (
	"context"
	"fmt"
)

// What the cutover analysis needs to know of the source and the target, read through the
// ports: the analysis itself does no I/O.

// SourceFactsOf says where a source's tokens come from today. A source that is not an Auth0
// tenant (a file) has no issuer to report.
func SourceFactsOf(s Source) SourceFacts {
	f := SourceFacts{Name: s.Name()}
	if b, ok := s.(interface{ BaseURL() string }); ok {
		f.Issuer = b.BaseURL() + "/"
		f.KeySetURL = b.BaseURL() + "/.well-known/jwks.json"
	}
	return f
}

// TargetFactsOf says what the target's tokens will be verified with and who is in it: info
// is what Connect learned, and the inventory's clients are looked up with the target's
// batched Search (read only).
func TargetFactsOf(ctx context.Context, t Target, info TargetInfo, inv *Inventory) (TargetFacts, error) {
	f := TargetFacts{ProjectID: t.ProjectID(), Clients: info.Clients}
	if is := t.Issuers(); len(is) > 0 {
		f.Issuer = is[0]
	}
	if i, ok := t.(interface{ Issuer() string }); ok {
		f.Issuer = i.Issuer()
	}
	if k, ok := t.(interface{ KeySetURL() string }); ok {
		f.KeySetURL = k.KeySetURL()
	}
	ids := make([]string, 0, len(inv.Clients))
	for i := range inv.Clients {
		ids = append(ids, inv.Clients[i].ID)
	}
	if len(ids) == 0 {
		return f, nil
	}
	stored, err := t.Search(ctx, ids)
	if err != nil {
		return f, fmt.Errorf("find which clients are already in project %s: %w", f.ProjectID, err)
	}
	for _, id := range ids {
		if st, ok := stored[id]; ok {
			f.InProject = append(f.InProject, id)
			if f.Scopes == nil {
				f.Scopes = map[string]Scopes{}
			}
			f.Scopes[id] = st.Scopes
		}
	}
	return f, nil
}
