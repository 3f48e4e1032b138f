package tui

import (
	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

// scopeGroup is one API a client was granted, with the scopes the grant holds.
type scopeGroup struct {
	audience string
	name     string // sanitized
	scopes   client.Scopes
	system   bool // the source's own management API: its scopes mean nothing in Stytch
}

// draft is one client as the operator shapes it before the import. Drafts outlive the
// Scopes screen: going back to Pick keeps them for the clients that stay chosen.
type draft struct {
	c      client.Client // Name, Description and Scopes are edited here
	from   client.Client // as the source gave it, to tell what the operator changed
	name   string        // sanitized, for lists: the id when the name is empty
	groups []scopeGroup
	extra  client.Scopes // custom scopes the operator added (kept even when unticked)
	// resolution is the operator's choice on the Import plan if the client is a conflict
	// there ("" = not chosen), kept when the operator steps back and forward again.
	resolution client.Resolution
}

// edited reports whether the draft differs from what the source gave.
func (d *draft) edited() bool {
	return d.c.Name != d.from.Name || d.c.Description != d.from.Description || !d.c.Scopes.Equal(d.from.Scopes)
}

// rows lists what the scope list draws: a header per API, then its scopes; custom scopes last.
type scopeRow struct {
	group int    // index into groups, or -1 for custom scopes
	scope string // "" on a header row
}

func (d *draft) rows() []scopeRow {
	var out []scopeRow
	for gi, g := range d.groups {
		out = append(out, scopeRow{group: gi})
		for _, s := range g.scopes {
			out = append(out, scopeRow{group: gi, scope: s})
		}
	}
	if custom := d.custom(); len(custom) > 0 {
		out = append(out, scopeRow{group: -1})
		for _, s := range custom {
			out = append(out, scopeRow{group: -1, scope: s})
		}
	}
	return out
}

// granted is every scope of every grant.
func (d *draft) granted() client.Scopes {
	var all client.Scopes
	for _, g := range d.groups {
		all = all.Union(g.scopes)
	}
	return all
}

// custom is the scopes that come from no grant: added by hand or typed in the text editor.
func (d *draft) custom() client.Scopes {
	return d.extra.Union(d.c.Scopes).Minus(d.granted())
}

func (d *draft) toggle(s string) {
	if d.c.Scopes.Has(s) {
		d.c.Scopes = d.c.Scopes.Without(s)
	} else {
		d.c.Scopes = d.c.Scopes.With(s)
	}
}

// setGroup turns every scope of one API on or off.
func (d *draft) setGroup(g scopeGroup, on bool) {
	if on {
		d.c.Scopes = d.c.Scopes.Union(g.scopes)
	} else {
		d.c.Scopes = d.c.Scopes.Minus(g.scopes)
	}
}

// problems lists what Stytch would refuse in this draft, as the planner will.
func (d *draft) problems() []string {
	var out []string
	for _, b := range client.LimitBlockers(&d.c) {
		out = append(out, sanitize.Line(b.Message))
	}
	return out
}

// listName is how lists show a client: its name, or its id when the name is empty (Stytch
// allows an empty name).
func listName(c *client.Client) string {
	if n := sanitize.Line(c.Name); n != "" {
		return n
	}
	return sanitize.Line(c.ID)
}

// grantName is how lists name the API of a grant: the grant's own name for it, else the
// name the inventory gives its audience (names, sanitized), else the audience.
func grantName(g client.Grant, names map[string]string) string {
	if n := sanitize.Line(g.API); n != "" {
		return n
	}
	if n := names[g.Audience]; n != "" {
		return n
	}
	return sanitize.Line(g.Audience)
}

func newDraft(c client.Client, apis map[string]string) draft {
	d := draft{c: c, from: c, name: listName(&c)}
	d.c.Scopes = append(client.Scopes(nil), c.Scopes...)
	for _, g := range c.Grants {
		d.groups = append(d.groups, scopeGroup{audience: g.Audience, name: grantName(g, apis), scopes: g.Scopes, system: g.System})
	}
	return d
}

// scopeWidth is the width of the draft's longest scope, at most limit cells, so the
// descriptions after the scopes line up.
func (d *draft) scopeWidth(limit int) int {
	n := 0
	for _, r := range d.rows() {
		n = max(n, widget.Width(sanitize.Line(r.scope)))
	}
	return min(n, limit)
}
