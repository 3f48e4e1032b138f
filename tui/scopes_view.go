package tui

import (
	"fmt"
	"strings"

	"github.com/m2mport/m2mport/tui/list"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

func (s *scopesScreen) View() string {
	if !s.wide() {
		return s.editorView(s.width)
	}
	ew := s.editorWidth()
	return list.Beside(s.st(), s.sideView(), s.height, s.editorView(ew))
}

// sideView lists the chosen clients with their scope counts.
func (s *scopesScreen) sideView() string {
	st := s.st()
	w := s.side.Width()
	return s.side.View(st, plural(len(s.drafts), "client"), func(i int, current bool) string {
		d := &s.drafts[i]
		count := fmt.Sprintf(" %d", len(d.c.Scopes))
		name := widget.Cell(d.name, w-2-len(count))
		if current {
			return list.CursorRow(st, name+count, w)
		}
		mark := "  "
		if len(d.problems()) > 0 {
			mark = st.Error.Render("✗ ")
		} else if len(s.widenings(d)) > 0 {
			mark = st.Warning.Render("! ")
		} else if d.edited() {
			mark = st.Accent2.Render("• ")
		}
		return mark + name + st.Muted.Render(count)
	})
}

func (s *scopesScreen) editorView(w int) string {
	st := s.st()
	d := s.draft()
	var lines []string

	title := st.Title.Render(widget.Truncate(d.name, w-12))
	if len(s.drafts) > 1 && !s.wide() {
		title = widget.Spread(title, st.Muted.Render(fmt.Sprintf("%d of %d", s.side.Cursor()+1, len(s.drafts))), w)
	}
	lines = append(lines, title)
	value := func(v, none string) string {
		if v = sanitize.Line(v); v == "" {
			return st.Subtle.Render(none)
		}
		return st.Text.Render(v)
	}
	lines = append(lines,
		widget.Truncate(st.Muted.Render("Name         ")+value(d.c.Name, "no name: Stytch will list it by its id"), w),
		widget.Truncate(st.Muted.Render("Description  ")+value(d.c.Description, "no description"), w),
	)
	lines = append(lines, s.wideningLines(d, w)...)

	lines = append(lines, s.editLines(w)...)

	summary := fmt.Sprintf("Scopes  %d chosen", len(d.c.Scopes))
	lines = append(lines, "", st.Accent.Bold(true).Render("Scopes")+st.Muted.Render(strings.TrimPrefix(summary, "Scopes")))

	rows := d.rows()
	if len(rows) == 0 {
		lines = append(lines, st.Muted.Render("No grants: press + to add a scope, or e to type them."))
	}
	scopeW := d.scopeWidth(w / 2)
	notes := s.wideningNotes(d)
	lines = append(lines, s.list.Lines(func(n int, onCursor bool) string {
		return s.rowView(d, rows[n], onCursor && s.mode == modeBrowse, scopeW, w, notes)
	})...)
	lines = widget.FitLines(lines, s.height-1)
	if s.note != "" {
		style := st.Error
		if s.noteOK {
			style = st.Success
		}
		lines = append(lines, style.Render(widget.Truncate(s.note, w)))
	} else if p := d.problems(); len(p) > 0 {
		lines = append(lines, st.Error.Render(widget.Truncate("✗ "+p[0], w)))
	}
	return strings.Join(lines, "\n")
}

// maxEditErrLines is how many lines an editor's error may wrap onto: a scope's error quotes
// it and says where it breaks Stytch's rules, which takes more than one line of 60 cells.
const maxEditErrLines = 3

// editLines are the open editor: its label, its input, and what is wrong with the text (or
// how to save it), wrapped to w cells.
func (s *scopesScreen) editLines(w int) []string {
	if s.mode == modeBrowse {
		return nil
	}
	st := s.st()
	label := map[scopesMode]string{
		modeText: "Scopes, separated by spaces",
		modeAdd:  "Add a scope",
		modeName: "Name",
		modeDesc: "Description",
	}[s.mode]
	lines := []string{"", st.LabelFocus.Render(label), s.input.View()}
	if s.inErr != "" {
		return append(lines, widget.Hang(st.Error, "✗ ", s.inErr, w, maxEditErrLines)...)
	}
	return append(lines, st.Muted.Render("enter saves · esc cancels"))
}

func (s *scopesScreen) rowView(d *draft, r scopeRow, onCursor bool, scopeW, w int, notes map[string]string) string {
	st := s.st()
	var text string
	var style = st.Text
	if r.scope == "" {
		if r.group < 0 {
			text = "Custom scopes"
		} else {
			g := d.groups[r.group]
			on := len(g.scopes) - len(g.scopes.Minus(d.c.Scopes))
			text = fmt.Sprintf("%s  %d/%d", g.name, on, len(g.scopes))
			if g.system {
				text += "  · not imported unless ticked"
			}
		}
		style = st.Accent.Bold(true)
	} else {
		box := "[ ] "
		if d.c.Scopes.Has(r.scope) {
			box = "[x] "
		}
		text = "  " + box + sanitize.Line(r.scope)
		var desc string
		if r.group >= 0 {
			desc = s.descs[d.groups[r.group].audience][r.scope]
		}
		if note, ok := notes[r.scope]; ok {
			desc, style = note, st.Warning
		}
		if p := scopeProblem(r.scope); p != "" && d.c.Scopes.Has(r.scope) {
			desc = "✗ " + p
			style = st.Error
		}
		if desc != "" {
			pad := max(6+scopeW-widget.Width(text), 0) + 2
			text += strings.Repeat(" ", pad) + desc
		}
		if !d.c.Scopes.Has(r.scope) {
			style = st.Muted
		}
	}
	text = widget.Truncate(text, w-2)
	if onCursor {
		return list.CursorRow(st, text, w)
	}
	return list.Row(style.Render(text))
}
