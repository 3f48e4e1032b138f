package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

type detailsKey struct {
	row, w, h int
	stacked   bool
}

// warningsView is every warning the source gave, in full: what the list's warning line
// can only begin.
func (p *pickScreen) warningsView(w, h int) string {
	st := p.st()
	lines := []string{st.Title.Render("Warnings from reading " + sanitize.Line(p.source.Name()))}
	for _, warning := range p.inv.Warnings {
		lines = append(append(lines, ""), widget.Hang(st.Warning, "! ", sentence(sanitize.Line(warning)), w, 0)...)
	}
	return widget.Fit(strings.Join(lines, "\n"), w, h)
}

// detailsView is the highlighted client in w×h cells: id, description, why it is blocked,
// grants by API with scope descriptions, and metadata. stacked puts everything in one
// column; otherwise the grants take a second column, for the short pane under the list.
func (p *pickScreen) detailsView(w, h int, stacked bool) string {
	i, ok := p.list.Current()
	if !ok {
		return ""
	}
	r := &p.rows[i]
	key := detailsKey{row: i, w: w, h: h, stacked: stacked}
	if s, ok := p.detailsCache[key]; ok {
		return s
	}
	s := p.drawDetails(r, w, h, stacked)
	p.detailsCache[key] = s
	return s
}

func (p *pickScreen) drawDetails(r *pickRow, w, h int, stacked bool) string {
	if stacked {
		lines := append(p.aboutLines(r, w), p.grantLines(r, w)...)
		if meta := p.metadataLines(r, w); len(meta) > 0 {
			lines = append(append(lines, ""), meta...)
		}
		return widget.Fit(strings.Join(lines, "\n"), w, h)
	}
	// The grants take the width they need, up to half; the client's own text the rest.
	grants := p.grantLines(r, w/2)[1:]
	gw := 0
	for _, l := range grants {
		gw = max(gw, widget.Width(l))
	}
	if gw == 0 {
		return widget.Fit(strings.Join(append(p.aboutLines(r, w), p.metadataLines(r, w)...), "\n"), w, h)
	}
	lw := w - gw - 2
	left := widget.Box(strings.Join(append(p.aboutLines(r, lw), p.metadataLines(r, lw)...), "\n"), lw, h)
	return lipgloss.JoinHorizontal(lipgloss.Top, left, "  ", widget.Fit(strings.Join(grants, "\n"), gw, h))
}

func (p *pickScreen) aboutLines(r *pickRow, w int) []string {
	st := p.st()
	c := r.c
	lines := []string{st.Title.Render(widget.Truncate(r.name, w)), st.Muted.Render(widget.Truncate(r.id, w))}
	// What blocks the client comes before its description: it is what the operator is
	// looking for when the row says "✗".
	resolvable := false
	for _, b := range r.blocks {
		if b.Resolvable() {
			resolvable = true
			lines = append(lines, widget.Hang(st.Warning, "! ", sentence(sanitize.Line(b.Message)), w, 0)...)
			continue
		}
		lines = append(lines, widget.Hang(st.Error, "✗ ", sentence(sanitize.Line(b.Message)), w, 0)...)
		if b.Hint != "" {
			lines = append(lines, widget.Hang(st.Muted, "  ", sentence(sanitize.Line(b.Hint)), w, 0)...)
		}
	}
	if resolvable {
		lines = append(lines, widget.Hang(st.Muted, "  ", "Choose it, then untick those scopes on the Scopes screen, or accept them knowingly on the plan.", w, 0)...)
	}
	if len(c.Grants) == 0 && c.Importable() {
		lines = append(lines, widget.Hang(st.Warning, "! ", "No grants: it would be imported with no scopes.", w, 0)...)
	}
	if note := c.TypeNote(); note != "" && c.IsM2M() {
		lines = append(lines, widget.Hang(st.Muted, "· ", "A "+sanitize.Line(note)+" in Auth0 with client_credentials: imported like an M2M app.", w, 0)...)
	}
	if c.LeftOut != "" && c.Importable() {
		lines = append(lines, widget.Hang(st.Warning, "! ", "Left out of “all ready”: "+sanitize.Line(c.LeftOut)+". Space chooses it anyway.", w, 0)...)
	}
	if d := sanitize.Line(c.Description); d != "" {
		lines = append(lines, widget.WrapLines(st.Text, d, w, 3)...)
	}
	return lines
}

func (p *pickScreen) metadataLines(r *pickRow, w int) []string {
	st := p.st()
	c := r.c
	var lines []string
	if len(c.Metadata) > 0 {
		keys := make([]string, 0, len(c.Metadata))
		for k := range c.Metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		lines = append(lines, st.Accent.Bold(true).Render("Metadata"))
		for _, k := range keys {
			v := sanitize.Line(fmt.Sprint(c.Metadata[k]))
			lines = append(lines, widget.Truncate("  "+st.Muted.Render(sanitize.Line(k)+": ")+st.Text.Render(v), w))
		}
	}
	return lines
}

func (p *pickScreen) grantLines(r *pickRow, w int) []string {
	st := p.st()
	lines := []string{""}
	// The scope column fits the longest scope, so descriptions line up without cutting.
	scopeW := 8
	for _, g := range r.c.Grants {
		for _, sc := range g.Scopes {
			scopeW = max(scopeW, widget.Width(sanitize.Line(sc)))
		}
	}
	scopeW = min(scopeW, w/2)
	for _, g := range r.c.Grants {
		name := grantName(g, nil)
		// The API's name, then its audience on the same line if it fits, else under it.
		head := st.Accent.Bold(true).Render(name)
		if g.AllowAll {
			head += st.Muted.Render(" · all scopes")
		}
		audience := sanitize.Line(g.Audience)
		if audience != name {
			if widget.Width(head)+1+widget.Width(audience) <= w {
				lines = append(lines, head+" "+st.Subtle.Render(audience))
			} else {
				lines = append(lines, widget.Truncate(head, w), "  "+st.Subtle.Render(widget.Middle(audience, w-2)))
			}
		} else {
			lines = append(lines, widget.Truncate(head, w))
		}
		scopeStyle := st.Text
		if g.System {
			// Its scopes are not in the client's (the Scopes column): say why.
			lines = append(lines, widget.Hang(st.Muted, "  ", "Auth0's own API: these scopes are not imported unless you tick them in Scopes.", w, 0)...)
			scopeStyle = st.Muted
		}
		for _, s := range g.Scopes {
			line := "  " + scopeStyle.Render(widget.Cell(sanitize.Line(s), scopeW))
			if d := p.descs[g.Audience][s]; d != "" {
				line += " " + st.Muted.Render(d)
			}
			lines = append(lines, widget.Truncate(line, w))
		}
	}
	return lines
}
