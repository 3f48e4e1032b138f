package tui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/m2mport/m2mport/tui/list"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

// The details pane sits beside the list on very wide terminals, under it on tall ones, and
// is a separate view (tab) otherwise.
type paneMode int

const (
	paneToggle paneMode = iota
	paneSide
	paneBelow
)

const belowPaneLines = 9

func (p *pickScreen) pane() paneMode {
	switch {
	case p.width >= 120:
		return paneSide
	case p.height >= 22:
		return paneBelow
	}
	return paneToggle
}

// listArea is the height of the list: filter line, column heads, rows and status line.
func (p *pickScreen) listArea() int {
	if p.pane() == paneBelow {
		return p.height - belowPaneLines - 1
	}
	return p.height
}

func (p *pickScreen) listHeight() int {
	return max(p.listArea()-2-p.warningLines()-len(p.statusLines(p.listWidth())), 1)
}

// warningLines is the lines the source's warnings take above the list (secrets hidden,
// say): the first, wrapped onto two lines at most, and how many more there are.
func (p *pickScreen) warningLines() int { return len(p.warningView(p.listWidth())) }

func (p *pickScreen) warningView(w int) []string {
	if p.inv == nil || len(p.inv.Warnings) == 0 {
		return nil
	}
	st := p.st()
	first := sanitize.Line(p.inv.Warnings[0])
	var more string
	if n := len(p.inv.Warnings) - 1; n > 0 {
		more = fmt.Sprintf("and %d more · w reads all", n)
	} else if len(widget.WrapText(first, w-2, 0)) > 2 {
		more = "w reads all" // longer than the two lines it gets here
	}
	lines := widget.Hang(st.Warning, "! ", first, w-widget.Width(more)-1, 2)
	lines[len(lines)-1] = widget.Spread(lines[len(lines)-1], st.Muted.Render(more), w)
	return lines
}

func (p *pickScreen) listWidth() int {
	if p.pane() == paneSide {
		return p.width * 3 / 5
	}
	return p.width
}

func (p *pickScreen) View() string {
	st := p.st()
	if p.loading {
		name := "the source"
		if p.source != nil {
			name = sanitize.Line(p.source.Name())
		}
		view := p.spinner.View() + " " + st.Text.Render("Reading clients, grants and APIs from "+name+", then looking for them in Stytch…")
		if p.loadNote != "" {
			view += "\n" + st.Warning.Render(widget.Truncate(p.loadNote, p.width))
		}
		return view
	}
	if p.warnings {
		return p.warningsView(p.width, p.height)
	}
	if p.details {
		return p.detailsView(p.width, p.height, true)
	}
	switch p.pane() {
	case paneSide:
		lw := p.listWidth()
		rule := widget.VRule(st, p.height)
		return lipgloss.JoinHorizontal(lipgloss.Top, p.listView(lw), " ", rule, " ", p.detailsView(p.width-lw-3, p.height, true))
	case paneBelow:
		return strings.Join([]string{
			p.listView(p.width),
			st.Subtle.Render(strings.Repeat("─", p.width)),
			p.detailsView(p.width, belowPaneLines, false),
		}, "\n")
	}
	return p.listView(p.width)
}

// columns decides which columns fit in w cells and how wide each is.
type pickColumns struct {
	name, id, apis, scopes, badge int
}

func columnsFor(w int) pickColumns {
	const mark = 6 // cursor and checkbox
	c := pickColumns{badge: 19, scopes: 6}
	rest := w - mark - c.badge - 1
	switch {
	case rest >= 70:
		c.id, c.apis = 20, 20
	case rest >= 44:
		c.id = 16
	case rest < 24:
		c.scopes = 0
	}
	used := 0
	for _, n := range []int{c.id, c.apis, c.scopes} {
		if n > 0 {
			used += n + 1
		}
	}
	c.name = max(rest-used, 8)
	return c
}

func (p *pickScreen) listView(w int) string {
	st := p.st()
	cols := columnsFor(w)
	lines := make([]string, 0, p.height)

	// The filter line, with counts on the right and, when the rows don't all fit, how many
	// are above and below the window.
	h := p.list.Height()
	m2m := len(p.rows) - p.others
	count := fmt.Sprintf("%d of %d", p.list.Len(), m2m)
	if p.showOthers {
		count = fmt.Sprintf("%d of %d", p.list.Len(), len(p.rows))
	}
	above, below := p.list.Above(), p.list.Below()
	switch {
	case above > 0 && below > 0:
		count = fmt.Sprintf("↑ %d ↓ %d · %s", above, below, count)
	case above > 0:
		count = fmt.Sprintf("↑ %d above · %s", above, count)
	case below > 0:
		count = fmt.Sprintf("↓ %d more · %s", below, count)
	}
	var filter string
	if p.filtering || p.filter.Value() != "" {
		filter = p.filter.View()
	} else {
		filter = st.Muted.Render("/ to filter")
	}
	lines = append(lines, widget.Spread(filter, st.Muted.Render(count), w))
	lines = append(lines, p.warningView(w)...)

	head := "      " + widget.Cell("Name", cols.name)
	if cols.id > 0 {
		head += " " + widget.Cell("Client ID", cols.id)
	}
	if cols.apis > 0 {
		head += " " + widget.Cell("APIs", cols.apis)
	}
	if cols.scopes > 0 {
		head += " " + widget.PadLeft("Scopes", cols.scopes)
	}
	head += " " + "Status"
	lines = append(lines, st.Muted.Bold(true).Render(ansi.Truncate(head, w, "")))

	if p.list.Len() == 0 {
		msg := "No client matches the filter."
		if len(p.rows) == 0 {
			msg = "The source holds no clients."
		} else if p.filter.Value() == "" {
			msg = "No M2M app here; press o to show the other apps."
		}
		lines = append(lines, "", st.Muted.Render("  "+msg))
	}
	lines = append(lines, p.list.Lines(func(i int, onCursor bool) string { return p.rowView(i, onCursor, cols, w) })...)
	for len(lines) < h+2+p.warningLines() {
		lines = append(lines, "")
	}
	lines = append(lines, p.statusLines(w)...)
	return strings.Join(lines, "\n")
}

func (p *pickScreen) rowView(i int, onCursor bool, cols pickColumns, w int) string {
	if onCursor {
		return p.drawRow(i, cols, w, true)
	}
	if p.rowCacheW != w {
		p.rowCache, p.rowCacheW = map[int]string{}, w
	}
	if s, ok := p.rowCache[i]; ok {
		return s
	}
	s := p.drawRow(i, cols, w, false)
	p.rowCache[i] = s
	return s
}

func (p *pickScreen) drawRow(i int, cols pickColumns, w int, onCursor bool) string {
	st := p.st()
	r := &p.rows[i]

	var b strings.Builder
	switch {
	case p.selected[i]:
		b.WriteString("[x] ")
	case r.selectable():
		b.WriteString("[ ] ")
	default:
		b.WriteString("    ")
	}
	b.WriteString(widget.Cell(r.name, cols.name))
	if cols.id > 0 {
		b.WriteString(" " + widget.Cell(widget.Middle(r.id, cols.id), cols.id))
	}
	if cols.apis > 0 {
		b.WriteString(" " + widget.Cell(r.apis, cols.apis))
	}
	if cols.scopes > 0 {
		b.WriteString(" " + widget.PadLeft(r.scopes, cols.scopes))
	}
	b.WriteString(" ")
	text := b.String()
	bdg := widget.Truncate(r.badge.Text, cols.badge)

	switch {
	case onCursor:
		return list.CursorRow(st, text+bdg, w)
	case !r.selectable():
		return st.Subtle.Render(list.Row(text)) + r.badge.Render(st)
	case p.selected[i]:
		return st.Check.Render(list.Row(text[:4])) + st.Text.Render(text[4:]) + (widget.Badge{Text: bdg, Tone: r.badge.Tone}).Render(st)
	}
	return st.Text.Render(list.Row(text)) + (widget.Badge{Text: bdg, Tone: r.badge.Tone}).Render(st)
}

// statusLines is the line under the list: the note, wrapped onto three lines at most so a
// sentence is read whole, else the comparison in progress, else the counts.
func (p *pickScreen) statusLines(w int) []string {
	st := p.st()
	if p.note != "" {
		lines := widget.WrapText(p.note, w, 3)
		for i, l := range lines {
			lines[i] = (widget.Badge{Text: l, Tone: p.noteTone}).Render(st)
		}
		return lines
	}
	if p.replanning {
		text := "Comparing with Stytch again after the import…"
		if p.loadNote != "" {
			text += " " + p.loadNote
		}
		return []string{p.spinner.View() + " " + st.Muted.Render(widget.Truncate(text, w-2))}
	}
	parts := []string{fmt.Sprintf("%d chosen", p.nSelected)}
	if p.others > 0 {
		if p.showOthers {
			parts = append(parts, "o hides other apps")
		} else {
			parts = append(parts, fmt.Sprintf("%s hidden · o shows", plural(p.others, "other app")))
		}
	}
	return []string{st.Muted.Render(widget.Truncate(strings.Join(parts, " · "), w))}
}
