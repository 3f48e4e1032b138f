package tui

import (
	"slices"
	"strconv"
	"strings"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

var blockBadges = map[client.BlockReason]widget.Badge{
	client.BlockNotM2M:        {Text: "– not M2M", Tone: widget.ToneMuted},
	client.BlockKeyBased:      {Text: "✗ no secret", Tone: widget.ToneError},
	client.BlockNoSecret:      {Text: "✗ no secret", Tone: widget.ToneError},
	client.BlockSecretHidden:  {Text: "✗ secret hidden", Tone: widget.ToneError},
	client.BlockScopesHidden:  {Text: "✗ scopes hidden", Tone: widget.ToneError},
	client.BlockNoClientCreds: {Text: "✗ no client creds", Tone: widget.ToneError},
	client.BlockWeakSecret:    {Text: "✗ weak secret", Tone: widget.ToneError},
	client.BlockInvalidScope:  {Text: "! bad scope", Tone: widget.ToneWarn}, // fixable in Scopes
	client.BlockInvalidField:  {Text: "✗ invalid field", Tone: widget.ToneError},
	// The plan guard's: chosen, they are resolved in Scopes (untick) or on the plan (accept).
	client.BlockWidens:   {Text: "! widens access", Tone: widget.ToneWarn},
	client.BlockOrgBound: {Text: "! org-bound", Tone: widget.ToneWarn},
}

var (
	badgeReady    = widget.Badge{Text: "✓ ready", Tone: widget.ToneOK}
	badgeNoGrants = widget.Badge{Text: "! no grants", Tone: widget.ToneWarn}
	badgeLeftOut  = widget.Badge{Text: "! left out", Tone: widget.ToneWarn}
	badgeInStytch = widget.Badge{Text: "= already in Stytch", Tone: widget.ToneInfo}
	badgeConflict = widget.Badge{Text: "≠ conflict", Tone: widget.ToneWarn}
)

// badgeFor is a client's state as the list shows it: what blocks it, else what the plan
// would do with it (item is nil when there is no plan), else what is odd about it.
func badgeFor(c *client.Client, item *client.Item) widget.Badge {
	if blockers := blockersOf(c, item); len(blockers) > 0 {
		if b, ok := blockBadges[blockers[0].Reason]; ok {
			return b
		}
		return widget.Badge{Text: "✗ blocked", Tone: widget.ToneError}
	}
	switch {
	case item != nil && item.Action == client.ActionSkip:
		return badgeInStytch
	case item != nil && item.Action == client.ActionConflict:
		return badgeConflict
	case len(c.Grants) == 0:
		return badgeNoGrants
	case c.LeftOut != "":
		return badgeLeftOut // the source says "all" should pass it over
	}
	return badgeReady
}

// blockersOf is why a client can't be imported: its own blockers, or the plan's.
func blockersOf(c *client.Client, item *client.Item) []client.Blocker {
	if item != nil && item.Action == client.ActionBlocked {
		return item.Blockers
	}
	return c.Blocked
}

// pickRow is one client, with everything the list draws and filters on computed once, when
// the inventory arrives, so a keystroke only scans strings.
type pickRow struct {
	c      *client.Client
	name   string // sanitized
	id     string // sanitized
	apis   string // API names, sanitized
	scopes string // count
	badge  widget.Badge
	why    string           // why it can't be chosen, when it can't
	blocks []client.Blocker // its own blockers, or the plan's
	hay    string           // lower-case name, id and APIs, for the filter
}

func (r *pickRow) selectable() bool { return r.c.Importable() && r.badge.Tone != widget.ToneError }

// buildPickRows prepares the list: M2M apps first, then by name. plan, when not nil, is a
// plan of inv.Clients in the same order.
func buildPickRows(inv *client.Inventory, plan *client.Plan) []pickRow {
	names := make(map[string]string, len(inv.APIs))
	for _, a := range inv.APIs {
		names[a.Identifier] = sanitize.Line(a.Name)
	}
	rows := make([]pickRow, len(inv.Clients))
	for i := range inv.Clients {
		c := &inv.Clients[i]
		apis := make([]string, 0, len(c.Grants))
		for _, g := range c.Grants {
			apis = append(apis, grantName(g, names))
		}
		var item *client.Item
		if plan != nil && i < len(plan.Items) {
			item = &plan.Items[i]
		}
		r := pickRow{
			c:      c,
			name:   sanitize.Line(c.Name),
			id:     sanitize.Line(c.ID),
			apis:   strings.Join(apis, ", "),
			scopes: strconv.Itoa(len(c.Scopes)),
			badge:  badgeFor(c, item),
		}
		if r.blocks = blockersOf(c, item); len(r.blocks) > 0 {
			r.why = sanitize.Line(r.blocks[0].Message)
		}
		if r.name == "" {
			r.name = "(no name)"
		}
		// An app of another type that may use client_credentials says so on its row.
		if note := c.TypeNote(); note != "" && c.IsM2M() {
			r.name += " · " + sanitize.Line(note)
		}
		r.hay = strings.ToLower(r.name + "\x00" + r.id + "\x00" + r.apis)
		rows[i] = r
	}
	slices.SortStableFunc(rows, func(a, b pickRow) int {
		if am, bm := a.c.IsM2M(), b.c.IsM2M(); am != bm {
			if am {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name))
	})
	return rows
}
