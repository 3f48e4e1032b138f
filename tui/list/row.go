package list

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/m2mport/m2mport/themes"
	"github.com/m2mport/m2mport/tui/widget"
)

// Pointer marks the row under the cursor; every other row starts with as many spaces.
const Pointer = "› "

// CursorRow draws the row under the cursor: the pointer and text (unstyled: the whole row
// takes the cursor's style), padded or cut to w cells.
func CursorRow(st *themes.Styles, text string, w int) string {
	return st.Cursor.Render(widget.Cell(Pointer+text, w))
}

// Row draws a row the cursor is not on: text (styled as the screen likes) after the
// pointer's room.
func Row(text string) string { return "  " + text }

// SideWidth is the width of a side list, in cells.
const SideWidth = 28

// Side is the narrow list beside a screen's main pane ("5 clients", one line each): the
// current one under the cursor, the window centred on it.
type Side struct{ Model }

// NewSide returns a side list of n items.
func NewSide(n int) Side {
	s := Side{Centered()}
	s.SetTotal(n)
	return s
}

// SetSize gives the side list the height of the body it stands in: the title takes a line.
func (s *Side) SetSize(h int) { s.Model.SetSize(SideWidth, h-1) }

// Width is the side list's width in cells.
func (s *Side) Width() int { return SideWidth }

// MainWidth is what a screen width cells wide leaves its main pane: all of it, or, when the
// side list is shown, what the list and the rule after it (see Beside) leave.
func (s *Side) MainWidth(width int, shown bool) int {
	if shown {
		return width - SideWidth - 3
	}
	return width
}

// Beside draws a side list's view, a rule as high as the body, then main, side by side.
func Beside(st *themes.Styles, side string, height int, main string) string {
	return lipgloss.JoinHorizontal(lipgloss.Top, side, " ", widget.VRule(st, height), " ", main)
}

// View draws the title, then each item in the window as row draws it, SideWidth cells wide.
func (s *Side) View(st *themes.Styles, title string, row func(item int, current bool) string) string {
	lines := append([]string{st.Muted.Bold(true).Render(title)}, s.Lines(row)...)
	return lipgloss.NewStyle().Width(SideWidth).Render(strings.Join(lines, "\n"))
}
