package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/viewport"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/themes"
	"github.com/m2mport/m2mport/tui/list"
	"github.com/m2mport/m2mport/tui/widget"
)

// proofFocus is what the arrow keys move on a screen that shows a token's checks.
type proofFocus int

const (
	focusList   proofFocus = iota // the screen's own list (Validate's clients)
	focusChecks                   // the checks: one is highlighted and spelled out below them
	focusToken                    // the decoded token, scrolled
)

// proofPane draws one token's checks above the token itself, for Validate and the token
// check: lines from the screen (a title, a verdict), the checks as a table, the full values
// of the highlighted check — or of the first that failed — and the decoded JSON in a
// scrollable viewport that takes the rest of the height. With the token in focus the token
// takes all of it but the first line.
type proofPane struct {
	sh   *shared
	head []string
	// tokenHead is what stays above the token while it has focus: the first line of head
	// when nil.
	tokenHead []string
	checks    []checkRow
	cols      checkColumns
	json      func(w int) []string
	focus     proofFocus
	list      list.Model // over checks: the highlighted one, while the checks have focus

	width, height int
	vp            viewport.Model
	content       []string // the token, drawn for contentW cells
	contentW      int      // -1 when it needs drawing again
	top           []string // laid out: what is above the viewport
	vpShown       bool
}

func newProofPane(sh *shared) proofPane {
	return proofPane{sh: sh, vp: viewport.New(), contentW: -1, list: list.New()}
}

func (p *proofPane) st() *themes.Styles { return &p.sh.styles }

// set gives the pane what to draw, its times said against now, keeping the cursor and the
// scroll position.
func (p *proofPane) set(head []string, checks []client.Check, cols checkColumns, now time.Time, json func(w int) []string) {
	p.head, p.checks, p.cols, p.json = head, checkRows(checks, now), cols, json
	p.list.SetTotal(len(checks))
	p.contentW = -1
	p.layout()
}

// reset puts the cursor on the first failed check (else the first) and the token at its top,
// for a new token.
func (p *proofPane) reset() {
	p.list.SetCursor(max(p.firstFailed(), 0))
	p.vp.GotoTop()
	p.layout()
}

func (p *proofPane) setFocus(f proofFocus) {
	p.focus = f
	p.layout()
}

// Move, Top and Bottom (list.Scroller) move the highlighted check, or scroll the token:
// whichever has focus. PageUp and PageDown always scroll the token ("scroll token up"),
// which shows beside the list while it compares tokens.
func (p *proofPane) Move(d int) {
	p.scroll(func() { p.list.Move(d) }, func() { p.token().Move(d) })
}
func (p *proofPane) PageUp()   { p.vp.PageUp() }
func (p *proofPane) PageDown() { p.vp.PageDown() }
func (p *proofPane) Top()      { p.scroll(p.list.Top, p.token().Top) }
func (p *proofPane) Bottom()   { p.scroll(p.list.Bottom, p.token().Bottom) }

func (p *proofPane) token() pageScroller { return pageScroller{&p.vp} }

func (p *proofPane) scroll(checks, token func()) {
	switch p.focus {
	case focusChecks:
		checks()
		p.layout()
	case focusToken:
		token()
	}
}

func (p *proofPane) firstFailed() int {
	for i, c := range p.checks {
		if c.status == client.CheckFail {
			return i
		}
	}
	return -1
}

// subject is the check spelled out under the table: the highlighted one, else the first
// that failed, else none (-1).
func (p *proofPane) subject() int {
	if i, ok := p.list.Current(); ok && p.focus == focusChecks {
		return i
	}
	return p.firstFailed()
}

// Lines of token worth showing under the checks, with the blank line above them; with less
// room the token waits for the focus.
const tokenMinLines = 6

func (p *proofPane) layout() {
	w, h := p.width, p.height
	if w <= 0 || h <= 0 {
		return
	}
	st := p.st()
	if p.contentW != w {
		// The token is drawn again when it or the width changes, not on every key.
		p.content, p.contentW = nil, w
		if p.json != nil {
			p.content = p.json(w)
		}
		p.vp.SetWidth(w)
		p.vp.SetContentLines(p.content)
	}
	content := p.content
	if p.focus == focusToken {
		p.top = p.tokenHead
		if p.top == nil {
			p.top = p.head[:min(1, len(p.head))]
		}
		p.vp.SetHeight(max(h-len(p.top), 1))
		p.vpShown = true
		return
	}

	var details []string
	subject := p.subject()
	if subject >= 0 {
		details = append([]string{""}, checkDetails(st, p.checks[subject], p.cols, w)...)
		// The table keeps four lines at least; the details give way.
		details = details[:max(min(len(details), h-len(p.head)-4), 0)]
	}
	room := h - len(p.head) - len(details)
	cursor := -1
	if p.focus == focusChecks {
		cursor = p.list.Cursor()
	}
	var head string
	var rows [][]string
	if len(p.checks) > 0 {
		// Values wrap onto up to three lines while the token keeps its room, then fewer.
		for wrap := 3; wrap >= 1; wrap-- {
			head, rows = checkTable(st, p.checks, p.cols, w, wrap, cursor, subject)
			if 1+lineCount(rows)+tokenMinLines <= room {
				break
			}
		}
	}
	tableLines := 0
	if len(p.checks) > 0 {
		tableLines = 1 + lineCount(rows)
	}
	vpH := room - tableLines - 1
	p.vpShown = vpH >= 3 && len(content) > 0
	top := append([]string{}, p.head...)
	if len(p.checks) > 0 {
		n := room
		if p.vpShown {
			n = tableLines
		}
		anchor := subject
		if cursor >= 0 {
			anchor = cursor
		}
		top = append(top, p.window(head, rows, n, anchor)...)
	}
	p.top = append(top, details...)
	if p.vpShown {
		p.vp.SetHeight(vpH)
	}
}

func lineCount(rows [][]string) int {
	n := 0
	for _, r := range rows {
		n += len(r)
	}
	return n
}

// window is the table in at most n lines: its head, then the rows that fit, scrolled so
// that row anchor (-1: none) shows, and a line saying how many more there are.
func (p *proofPane) window(head string, rows [][]string, n, anchor int) []string {
	out := []string{head}
	if 1+lineCount(rows) <= n {
		for _, r := range rows {
			out = append(out, r...)
		}
		return out
	}
	avail := n - 2 // the head, and the line that counts the others
	if avail < 1 {
		return out[:min(n, 1)]
	}
	heights := make([]int, len(rows))
	for i, r := range rows {
		heights[i] = len(r)
	}
	start, end := list.Span(heights, avail, anchor)
	for _, r := range rows[start:end] {
		out = append(out, r...)
	}
	out = out[:min(len(out), 1+avail)] // one row taller than the room
	more := start + len(rows) - end
	hint := "tab, then ↑/↓"
	if p.focus == focusChecks {
		hint = "↑/↓"
	}
	return append(out, p.st().Muted.Render(fmt.Sprintf("  %d more %s · %s", more, map[bool]string{true: "check", false: "checks"}[more == 1], hint)))
}

func (p *proofPane) View() string {
	lines := append([]string{}, p.top...)
	if p.vpShown {
		if p.focus != focusToken {
			lines = append(lines, "")
		}
		lines = append(lines, p.vp.View())
	}
	return widget.Fit(strings.Join(lines, "\n"), p.width, p.height)
}

// more says how to see the rest of the token when it does not all show, or "".
func (p *proofPane) more() string {
	if !p.vpShown || p.vp.AtBottom() {
		return ""
	}
	return "pgdn: more of the token"
}

// pageScroller is a viewport as a list.Scroller.
type pageScroller struct{ *viewport.Model }

func (p pageScroller) Move(lines int) {
	if lines < 0 {
		p.ScrollUp(-lines)
	} else {
		p.ScrollDown(lines)
	}
}
func (p pageScroller) Top()    { p.GotoTop() }
func (p pageScroller) Bottom() { p.GotoBottom() }
