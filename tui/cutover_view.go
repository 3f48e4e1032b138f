package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/list"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

func (s *cutoverScreen) View() string {
	st := s.st()
	if s.loading {
		return s.spinner.View() + " " + st.Text.Render("Reading who is in "+sanitize.Line(s.target.ProjectID())+"…")
	}
	if s.cut == nil {
		return ""
	}
	w := s.pageWidth()
	lines := s.headLines(w)
	if len(s.cut.APIs) == 0 {
		lines = append(lines, "", st.Muted.Width(w).Render("The source describes no API the clients are granted: there are no services to cut over."))
		return strings.Join(lines, "\n")
	}
	lines = append(lines, s.page.View(), s.statusLine(w))
	body := strings.Join(lines, "\n")
	if !s.wide() {
		return body
	}
	return list.Beside(st, s.sideView(), s.height, body)
}

// headLines are the title and the verdict: what widens access, or that nothing does, or
// that m2mport could not look.
func (s *cutoverScreen) headLines(w int) []string {
	st := s.st()
	title := st.Title.Render("Cutting services over")
	if n := len(s.cut.APIs); n > 1 && !s.wide() {
		title = widget.Spread(title, st.Muted.Render(fmt.Sprintf("API %d of %d", s.side.Cursor()+1, n)), w)
	}
	style, mark := st.Success, "✓ "
	if s.cut.WidensAccess || !s.cut.Sure() {
		style, mark = st.Warning, "! "
	}
	lines := []string{title}
	lines = append(lines, widget.FitLines(widget.Hang(style, mark, sanitize.Line(s.cut.Headline()), w, 0), 3)...)
	return append(lines, "")
}

// sideView lists the APIs, those that widen access marked.
func (s *cutoverScreen) sideView() string {
	st := s.st()
	w := s.side.Width()
	return s.side.View(st, plural(len(s.cut.APIs), "API"), func(i int, current bool) string {
		a := &s.cut.APIs[i]
		name := widget.Cell(sanitize.Line(a.Label()), w-2)
		if current {
			return list.CursorRow(st, name, w)
		}
		if a.WidensAccess {
			return st.Warning.Render("! ") + name
		}
		return "  " + name
	})
}

// pageLines is one API's page: its name, who is granted it, the findings (what widens access
// first), then the checklist for its services.
func (s *cutoverScreen) pageLines(a *client.CutoverAPI, w int) []string {
	st := s.st()
	lines := []string{st.Bold.Render(widget.Truncate(sanitize.Line(a.Label()), w)), st.Muted.Render(widget.Middle(sanitize.Line(a.Identifier), w))}
	lines = append(lines, widget.WrapLines(st.Text, "Granted today: "+grantedTo(a), w, 0)...)
	if f := a.Findings(); len(f) > 0 {
		lines = append(lines, "")
		for _, it := range f {
			style, mark := st.Muted, "· "
			switch {
			case it.Widens && it.Accepted:
				style, mark = st.Warning, "! "
			case it.Widens:
				style, mark = st.Error, "✗ "
			}
			lines = append(lines, widget.Hang(style, mark, sanitize.Line(it.Title), w, 0)...)
			for _, d := range it.Detail {
				lines = append(lines, widget.Hang(st.Text, "    ", sanitize.Line(d), w, 0)...)
			}
		}
	}
	lines = append(lines, "", st.Accent.Bold(true).Render("Checklist for its services"))
	for _, it := range a.Steps() {
		lines = append(lines, widget.Hang(st.Text, "[ ] ", sanitize.Line(it.Title), w, 0)...)
		for _, d := range it.Detail {
			lines = append(lines, widget.Hang(st.Muted, "    ", sanitize.Line(d), w, 0)...)
		}
	}
	return lines
}

// grantedTo names the clients granted an API today, those that stay behind marked.
func grantedTo(a *client.CutoverAPI) string {
	if len(a.Clients) == 0 {
		return "no client"
	}
	names := make([]string, 0, len(a.Clients))
	for _, c := range a.Clients {
		n := sanitize.Line(c.Label())
		if !c.Moving {
			n += " (stays behind)"
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

func (s *cutoverScreen) statusLine(w int) string {
	st := s.st()
	var parts []string
	if s.page.TotalLineCount() > s.page.Height() {
		parts = append(parts, fmt.Sprintf("%d%%", int(s.page.ScrollPercent()*100)))
	}
	parts = append(parts, "m2mport cutover prints this for service owners")
	return st.Muted.Render(widget.LongestFitting(w, strings.Join(parts, " · "), parts[0]))
}

func (s *cutoverScreen) ShortHelp() []key.Binding {
	k := s.keys
	if s.cut == nil || len(s.cut.APIs) < 2 {
		return []key.Binding{k.Up, k.Back}
	}
	return []key.Binding{k.NextAPI, k.Up, k.Back}
}

func (s *cutoverScreen) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{{k.NextAPI, k.PrevAPI}, {k.Up, k.Down, k.PageUp, k.PageDown}, {k.Back}}
}
