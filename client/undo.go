package client

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrNothingToUndo is matched (errors.Is) by PlanUndo's error for a report that created no
// client, or whose clients were all undone already; the error says which.
var ErrNothingToUndo = errors.New("that run created no client")

type nothingToUndo struct{ why string }

func (e *nothingToUndo) Error() string        { return e.why }
func (e *nothingToUndo) Is(target error) bool { return target == ErrNothingToUndo }

// UndoOptions are what the operator allows an undo beyond what is proven.
type UndoOptions struct {
	// Unauthenticated trusts a report that can't be authenticated (Report.Authenticated):
	// one written without a keyring, on another machine, or read without this machine's key.
	Unauthenticated bool
	// IncludeUnconfirmed deletes the clients that run created unconfirmed too (a create that
	// got no answer or a server error, the client then found stored and identical): another
	// run may have created them.
	IncludeUnconfirmed bool
}

// ErrUnauthenticated is matched (errors.Is) by PlanUndo's error for a report it can't
// authenticate, when UndoOptions.Unauthenticated is not set.
var ErrUnauthenticated = errors.New("the report can't be authenticated")

// PlanUndo plans the reversal of an import run from its report: delete exactly the clients
// that run provably created (a create answered 2xx), and only those still as it left them.
// A client changed since, or with a secret rotation started since, is a conflict (kept); one
// already gone is a skip; one whose creation is unconfirmed is listed and kept (ActionKeep)
// unless opt includes those. Clients the run skipped or updated are not part of the plan at
// all. The report must be authenticated unless opt says otherwise. Execute runs the plan like
// an import's. reportPath names the report in the undo's own report.
func PlanUndo(ctx context.Context, t Target, r *Report, reportPath string, opt UndoOptions) (*Plan, error) {
	if r.Kind != "import" {
		return nil, fmt.Errorf("%s is the report of an %s, not of an import", reportPath, r.Kind)
	}
	if !r.Authenticated() && !opt.Unauthenticated {
		return nil, fmt.Errorf("%w: %s: %s. Undo deletes only what a report it can trust says a run created; "+
			"if you know this report is as m2mport wrote it, say so with --unauthenticated", ErrUnauthenticated, reportPath, r.WhyUnauthenticated())
	}
	if r.ProjectID != t.ProjectID() {
		return nil, fmt.Errorf("that run wrote to project %s, not to %s: connect to %s to undo it", r.ProjectID, t.ProjectID(), r.ProjectID)
	}
	p := &Plan{Source: r.Source, ProjectID: r.ProjectID, Live: t.IsLive(), Undoes: reportPath}
	var ids []string
	undoneBy := ""
	var keep []Item
	for _, c := range r.Clients {
		if c.Created == "" || c.Stored == nil {
			continue
		}
		if c.UndoneBy != "" {
			// Undone already: a client under that id now is not this run's, even if it
			// looks the same (a later import of the same source makes it so).
			undoneBy = c.UndoneBy
			continue
		}
		if c.Created != CreatedProven && !opt.IncludeUnconfirmed {
			keep = append(keep, Item{Client: Client{ID: c.ID, Name: c.Name, Scopes: c.Scopes}, Action: ActionKeep, undo: true})
			continue
		}
		ids = append(ids, c.ID)
		p.Items = append(p.Items, Item{Client: Client{ID: c.ID, Name: c.Name, Scopes: c.Scopes}, undo: true})
	}
	// The journal lists clients in the order they ended, which varies from run to run: the
	// plan is in name order, as the import's was.
	byName := func(a, b Item) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Client.Name), strings.ToLower(b.Client.Name)), cmp.Compare(a.Client.ID, b.Client.ID))
	}
	slices.SortFunc(p.Items, byName)
	slices.SortFunc(keep, byName)
	if len(ids) == 0 && len(keep) > 0 {
		p.Items = keep // nothing to delete; the plan still lists what it leaves, and why
		return p, nil
	}
	if len(ids) == 0 {
		if undoneBy != "" {
			return nil, fmt.Errorf("%s: %w", reportPath, &nothingToUndo{"every client that run created was undone already, by " + undoneBy})
		}
		return nil, fmt.Errorf("%s: %w", reportPath, &nothingToUndo{ErrNothingToUndo.Error()})
	}
	stored, err := t.Search(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("find the clients that run created in project %s: %w", r.ProjectID, err)
	}
	created := map[string]*StoredRecord{}
	for _, c := range r.Clients {
		if c.Created != "" && c.Stored != nil {
			created[c.ID] = c.Stored
		}
	}
	for i := range p.Items {
		it := &p.Items[i]
		s, ok := stored[it.Client.ID]
		if !ok {
			it.Action = ActionSkip
			continue
		}
		it.Stored = &s
		was := created[it.Client.ID].stored(it.Client.ID)
		if it.Diff = changedSince(was, s); len(it.Diff) == 0 {
			it.Action = ActionDelete
			continue
		}
		it.Action, it.Resolution = ActionConflict, ResolveSkip
	}
	p.Items = append(p.Items, keep...)
	return p, nil
}

// changedSince lists how the client now differs from the client as a run left it (was), for
// an undo: a client changed in any way is someone's work and is kept. A secret rotation
// started since counts too: someone holds, or is about to hold, the next secret.
func changedSince(was, now Stored) []FieldDiff {
	diff := diffStored(was, now)
	for j := range diff {
		d := &diff[j]
		d.Since = true
		d.Updatable = false // an undo never writes a client back
		d.Added, d.Removed = d.Removed, d.Added
	}
	if now.NextSecretLast4 != "" {
		diff = append(diff, FieldDiff{Field: "rotation", Have: Mask + now.NextSecretLast4, Since: true})
	}
	return diff
}
