package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Action is what a plan will do with one client.
type Action string

const (
	ActionCreate   Action = "create"   // not in the target: import it
	ActionSkip     Action = "skip"     // already in the target and identical: nothing to write
	ActionConflict Action = "conflict" // in the target but different: see Diff and Resolution
	ActionBlocked  Action = "blocked"  // cannot be imported: see Blockers
	ActionDelete   Action = "delete"   // undo: created by an earlier run and unchanged since
	// ActionKeep is undo's for a client whose creation that run could not prove (Creation
	// CreatedUnconfirmed): listed, and left alone.
	ActionKeep Action = "keep"
)

// Resolution is what to do with a conflict.
type Resolution string

const (
	ResolveSkip   Resolution = "skip"   // leave the target's client as it is
	ResolveUpdate Resolution = "update" // write the record's name, description, scopes and metadata over it
)

// ParseResolution reads "skip" or "update".
func ParseResolution(s string) (Resolution, error) {
	switch r := Resolution(s); r {
	case ResolveSkip, ResolveUpdate:
		return r, nil
	}
	return "", fmt.Errorf("%q is not a conflict resolution: use skip or update", s)
}

// FieldDiff is one field in which the target's client differs from the record. Want is what
// the record asks for and Have what the target holds, both as display text (the secret as
// its last four only).
//
// In an undo plan (Since), the record is the client as the run left it: Want is that, Have
// is the client now, and Added and Removed are the scopes added and removed since.
type FieldDiff struct {
	Field string `json:"field"` // name, description, scopes, metadata, secret, status; rotation (undo only)
	Want  string `json:"want"`
	Have  string `json:"have"`
	// Added and Removed are the scopes an update would add and remove (scopes only).
	Added   Scopes `json:"added,omitempty"`
	Removed Scopes `json:"removed,omitempty"`
	// Updatable is false for what an update cannot change: the secret (Stytch stores only
	// its hash and cannot take a given one in place) and the status.
	Updatable bool `json:"updatable"`
	// Since marks a change made since an import run, found by an undo.
	Since bool `json:"since,omitempty"`
}

func (d FieldDiff) String() string {
	if d.Since {
		return d.changedSince()
	}
	if d.Field == "scopes" {
		var parts []string
		if len(d.Added) > 0 {
			parts = append(parts, "add "+d.Added.String())
		}
		if len(d.Removed) > 0 {
			parts = append(parts, "remove "+d.Removed.String())
		}
		return "scopes: " + strings.Join(parts, "; ")
	}
	return fmt.Sprintf("%s: %q in the target, %q wanted", d.Field, d.Have, d.Want)
}

// changedSince words an undo's diff: what changed since the run, not what an update would do.
func (d FieldDiff) changedSince() string {
	switch d.Field {
	case "scopes":
		var parts []string
		if len(d.Added) > 0 {
			parts = append(parts, d.Added.String()+" added since")
		}
		if len(d.Removed) > 0 {
			parts = append(parts, d.Removed.String()+" removed since")
		}
		return "scopes: " + strings.Join(parts, "; ")
	case "rotation":
		return fmt.Sprintf("secret rotation started since (the next secret is %s)", d.Have)
	}
	return fmt.Sprintf("%s: %q at that run, %q now", d.Field, d.Want, d.Have)
}

// Diff compares the record c with the target's client s field by field. No diff means s is
// exactly what importing c would have produced.
func Diff(c *Client, s Stored) []FieldDiff {
	return diffStored(Stored{Name: c.Name, Description: c.Description, Scopes: c.Scopes, Metadata: c.Metadata, SecretLast4: c.Secret.Last4()}, s)
}

// diffStored compares what a client should be with what the target holds.
func diffStored(want, have Stored) []FieldDiff {
	var out []FieldDiff
	if want.Name != have.Name {
		out = append(out, FieldDiff{Field: "name", Want: want.Name, Have: have.Name, Updatable: true})
	}
	if want.Description != have.Description {
		out = append(out, FieldDiff{Field: "description", Want: want.Description, Have: have.Description, Updatable: true})
	}
	if !want.Scopes.Equal(have.Scopes) {
		out = append(out, FieldDiff{Field: "scopes", Want: want.Scopes.String(), Have: have.Scopes.String(),
			Added: want.Scopes.Minus(have.Scopes), Removed: have.Scopes.Minus(want.Scopes), Updatable: true})
	}
	if !MetadataEqual(want.Metadata, have.Metadata) {
		out = append(out, FieldDiff{Field: "metadata", Want: compactJSON(want.Metadata), Have: compactJSON(have.Metadata), Updatable: true})
	}
	if want.SecretLast4 != have.SecretLast4 {
		out = append(out, FieldDiff{Field: "secret", Want: Mask + want.SecretLast4, Have: Mask + have.SecretLast4})
	}
	if have.Status != "" && have.Status != "active" {
		out = append(out, FieldDiff{Field: "status", Want: "active", Have: have.Status})
	}
	return out
}

func compactJSON(m map[string]any) string {
	if len(m) == 0 {
		return "{}"
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "(not JSON)"
	}
	return string(b)
}

// Item is one client in a plan.
type Item struct {
	Client Client
	Action Action
	// Stored is the target's client when it exists.
	Stored *Stored
	// Diff lists how the target's client differs (conflicts only).
	Diff []FieldDiff
	// Resolution is what the engine does with a conflict. Set it with Plan.Resolve.
	Resolution Resolution
	// Blockers say why a blocked client cannot be imported: the source's reasons, the
	// target's limits it breaks, and the guard's widenings.
	Blockers []Blocker
	// Widenings are how the client's Stytch token would reach further than its Auth0
	// tokens, not yet accepted (see Guard); each is also one of Blockers.
	Widenings []Widening
	// Warnings are what the operator should know that blocks nothing: widenings accepted
	// knowingly, tokens that will no longer carry an organization.
	Warnings []string

	undo      bool // an item of an undo plan
	duplicate bool // the client's id came earlier in the selection
	searched  bool // looked up in the target when planned: Stored is what it holds
	dropped   []Widening
}

// CanUpdate reports whether an update can make the target's client identical to the record:
// false when the secret (or status) differs, since an update cannot change those.
func (it *Item) CanUpdate() bool {
	if it.Action != ActionConflict {
		return false
	}
	for _, d := range it.Diff {
		if !d.Updatable {
			return false
		}
	}
	return true
}

// Reason says in one sentence why the item has its action, for the plan table.
func (it *Item) Reason() string {
	switch it.Action {
	case ActionCreate:
		return "not in the target yet"
	case ActionSkip:
		if it.Stored == nil {
			return "already gone from the target"
		}
		return "already in the target, identical"
	case ActionDelete:
		return "created by that run and unchanged since"
	case ActionKeep:
		return "kept: that run found it stored after an attempt got no answer, so another run may have created it (--include-unconfirmed deletes it too)"
	case ActionBlocked:
		if len(it.Blockers) > 0 {
			return it.Blockers[0].Message
		}
		return "cannot be imported"
	case ActionConflict:
		if it.undo {
			return fmt.Sprintf("changed in the target since that run (%s): kept", diffFields(it.Diff))
		}
		for _, d := range it.Diff {
			if d.Field == "secret" {
				return fmt.Sprintf("the target's client has another secret (%s, not %s); a secret can't be replaced in place: delete the client in Stytch and run again", d.Have, d.Want)
			}
			if d.Field == "status" {
				return fmt.Sprintf("the target's client is %s; activate it in Stytch and run again", d.Have)
			}
		}
		return fmt.Sprintf("differs in the target: %s", diffFields(it.Diff))
	}
	return string(it.Action)
}

func diffFields(diff []FieldDiff) string {
	fields := make([]string, len(diff))
	for i, d := range diff {
		fields[i] = d.Field
	}
	return strings.Join(fields, ", ")
}

// update is the change that makes the stored client equal the record. Metadata keys the
// record lacks are removed (Stytch merges metadata key by key; nil removes a key).
func (it *Item) update() Update {
	c := &it.Client
	var u Update
	for _, d := range it.Diff {
		switch d.Field {
		case "name":
			u.Name = &c.Name
		case "description":
			u.Description = &c.Description
		case "scopes":
			s := slices.Clone(c.Scopes)
			if s == nil {
				s = Scopes{}
			}
			u.Scopes = &s
		case "metadata":
			u.Metadata = map[string]any{}
			for k, v := range c.Metadata {
				u.Metadata[k] = v
			}
			for k := range it.Stored.Metadata {
				if _, ok := c.Metadata[k]; !ok {
					u.Metadata[k] = nil
				}
			}
		}
	}
	return u
}

// Plan is what an import will do, client by client, before it does anything. The UI shows
// it and may change conflict resolutions; the engine executes it.
type Plan struct {
	Source    string // the source's name, for the report
	ProjectID string
	Live      bool
	// Undoes is set on an undo plan (see PlanUndo): the path of the report it reverses.
	Undoes string
	Items  []Item

	guard      *Guard
	onConflict Resolution
}

// PlanCounts counts a plan's items by what the engine will do with them.
type PlanCounts struct {
	Create   int `json:"create"`
	Skip     int `json:"skip"`
	Conflict int `json:"conflict"`
	Update   int `json:"update"`
	Blocked  int `json:"blocked"`
	Delete   int `json:"delete"`
	Keep     int `json:"keep,omitempty"` // undo: creations that run could not prove, left alone
}

// Counts counts the items; Conflict counts conflicts left as they are, Update the ones to
// be updated.
func (p *Plan) Counts() PlanCounts {
	var n PlanCounts
	for i := range p.Items {
		switch it := &p.Items[i]; it.Action {
		case ActionCreate:
			n.Create++
		case ActionSkip:
			n.Skip++
		case ActionBlocked:
			n.Blocked++
		case ActionDelete:
			n.Delete++
		case ActionKeep:
			n.Keep++
		case ActionConflict:
			if it.Resolution == ResolveUpdate {
				n.Update++
			} else {
				n.Conflict++
			}
		}
	}
	return n
}

// Writes reports whether executing the plan would change the target.
func (p *Plan) Writes() bool {
	n := p.Counts()
	return n.Create+n.Update+n.Delete > 0
}

// ErrCannotUpdate is returned by Resolve when an update cannot make the target's client
// identical: its secret or status differs.
var ErrCannotUpdate = errors.New("an update cannot change the secret or status of a client in Stytch")

// Resolve sets how the engine treats the conflict at index i.
func (p *Plan) Resolve(i int, r Resolution) error {
	if i < 0 || i >= len(p.Items) {
		return fmt.Errorf("no plan item %d", i)
	}
	it := &p.Items[i]
	if it.Action != ActionConflict {
		return fmt.Errorf("client %s is not a conflict (%s)", it.Client.ID, it.Action)
	}
	if r == ResolveUpdate && !it.CanUpdate() {
		return fmt.Errorf("client %s: %w: %s", it.Client.ID, ErrCannotUpdate, it.Reason())
	}
	it.Resolution = r
	return nil
}

// ResolveAll sets r on every conflict it can apply to (an update only where CanUpdate).
func (p *Plan) ResolveAll(r Resolution) {
	for i := range p.Items {
		if p.Items[i].Action == ActionConflict && (r != ResolveUpdate || p.Items[i].CanUpdate()) {
			p.Items[i].Resolution = r
		}
	}
}

// PlanOption adds to what NewPlan checks.
type PlanOption func(*Plan)

// WithGuard makes the plan block every client whose Stytch token would be accepted more
// widely than its Auth0 tokens are (see Guard), unless its operator accepted exactly that:
// nothing widens access without someone saying so. Every plan of a source's clients should
// have one; without it (clients from a file, undo) nothing is judged.
func WithGuard(g *Guard) PlanOption { return func(p *Plan) { p.guard = g } }

// NewPlan compares clients with the target and decides, for each, create, skip, conflict or
// blocked. It finds which exist with the target's batched Search, never one read per client.
// Conflicts get onConflict where it can apply (ResolveSkip when empty). A client listed
// twice is blocked the second time. source names the source in the report.
//
// A client blocked only by the guard is looked up in the target too, so that accepting or
// dropping its widenings (AcceptWidenings, DropWidenings) settles its action in place.
func NewPlan(ctx context.Context, t Target, source string, clients []Client, onConflict Resolution, opts ...PlanOption) (*Plan, error) {
	if onConflict == "" {
		onConflict = ResolveSkip
	}
	p := &Plan{Source: source, ProjectID: t.ProjectID(), Live: t.IsLive(), Items: make([]Item, len(clients)), onConflict: onConflict}
	for _, o := range opts {
		o(p)
	}
	seen := make(map[string]bool, len(clients))
	ids := make([]string, 0, len(clients))
	for i := range clients {
		it := &p.Items[i]
		it.Client = clients[i]
		it.duplicate = seen[it.Client.ID]
		seen[it.Client.ID] = true
		p.check(it)
		if it.Action == ActionBlocked && !it.onlyResolvable() {
			continue
		}
		it.searched = true
		ids = append(ids, it.Client.ID)
	}
	stored := map[string]Stored{}
	if len(ids) > 0 {
		var err error
		if stored, err = t.Search(ctx, ids); err != nil {
			return nil, fmt.Errorf("find which clients are already in project %s: %w", p.ProjectID, err)
		}
	}
	for i := range p.Items {
		it := &p.Items[i]
		if !it.searched {
			continue
		}
		if s, ok := stored[it.Client.ID]; ok {
			it.Stored = &s
		}
		p.decide(it)
	}
	return p, nil
}

// check sets the item's blockers, widenings and warnings from its client as it stands, and
// blocks it when there is any blocker.
func (p *Plan) check(it *Item) {
	it.Blockers = append(slices.Clone(it.Client.Blocked), LimitBlockers(&it.Client)...)
	if it.duplicate {
		it.Blockers = append(it.Blockers, Blocker{Reason: BlockInvalidField, Message: "the client id appears twice in the selection", Hint: "keep one of the two records"})
	}
	it.Widenings, it.Warnings = nil, nil
	if p.guard != nil {
		for _, w := range p.guard.Widenings(&it.Client) {
			if slices.Contains(it.Client.Accepted, w.Key()) {
				it.Warnings = append(it.Warnings, "accepted knowingly: "+w.String())
				continue
			}
			it.Widenings = append(it.Widenings, w)
			it.Blockers = append(it.Blockers, w.Blocker())
		}
		for _, w := range it.dropped {
			it.Warnings = append(it.Warnings, fmt.Sprintf("dropped %s, which %s", w.Scopes, strings.Replace(w.String(), "widens access", "widened access", 1)))
		}
		it.Warnings = append(it.Warnings, p.guard.Notices(&it.Client)...)
	}
	if len(it.Blockers) > 0 {
		it.Action = ActionBlocked
	}
}

// decide gives a checked item its action from what the target holds (it.Stored).
func (p *Plan) decide(it *Item) {
	it.Diff, it.Resolution = nil, ""
	switch {
	case len(it.Blockers) > 0:
		it.Action = ActionBlocked
		return
	case it.Stored == nil:
		it.Action = ActionCreate
		return
	}
	if it.Diff = Diff(&it.Client, *it.Stored); len(it.Diff) == 0 {
		it.Action = ActionSkip
		return
	}
	it.Action = ActionConflict
	it.Resolution = ResolveSkip
	if p.onConflict == ResolveUpdate && it.CanUpdate() {
		it.Resolution = ResolveUpdate
	}
}

// onlyResolvable reports whether every blocker of the item is one the operator can resolve
// on the client (Blocker.Resolvable).
func (it *Item) onlyResolvable() bool {
	for _, b := range it.Blockers {
		if !b.Resolvable() {
			return false
		}
	}
	return len(it.Blockers) > 0
}

// ErrNothingToResolve is returned by AcceptWidenings and DropWidenings for an item the guard
// does not block.
var ErrNothingToResolve = errors.New("nothing widens access")

// AcceptWidenings resolves item i's widenings by accepting them knowingly: the client keeps
// its scopes, its record says who accepted what (Client.Accepted), and the item gets the
// action it would have had without them.
func (p *Plan) AcceptWidenings(i int) error {
	return p.resolveWidenings(i, AcceptWidenings)
}

// DropWidenings resolves item i's widenings by dropping the scopes involved from the client.
func (p *Plan) DropWidenings(i int) error {
	return p.resolveWidenings(i, func(c *Client, ws []Widening) {
		p.Items[i].dropped = append(p.Items[i].dropped, ws...)
		DropWidenings(c, ws)
	})
}

func (p *Plan) resolveWidenings(i int, resolve func(*Client, []Widening)) error {
	if i < 0 || i >= len(p.Items) {
		return fmt.Errorf("no plan item %d", i)
	}
	it := &p.Items[i]
	if len(it.Widenings) == 0 {
		return fmt.Errorf("client %s: %w", it.Client.ID, ErrNothingToResolve)
	}
	resolve(&it.Client, it.Widenings)
	p.check(it)
	if !it.searched {
		// Blocked for another reason too when planned, so never looked up: it stays
		// blocked until planned again.
		it.Action = ActionBlocked
		return nil
	}
	p.decide(it)
	return nil
}
