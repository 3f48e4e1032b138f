package tui

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/themes"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

// checkColumns are the titles of a check table's two value columns: what the token holds
// and what it was held against.
type checkColumns struct{ actual, expected string }

var (
	checklistColumns  = checkColumns{"the token says", "expected"}
	comparisonColumns = checkColumns{"Stytch", "Auth0"}
)

// checkRow is one check as the table and its details draw it, prepared once per token:
// sanitized, cut to what a screen can show, a missing value named.
type checkRow struct {
	status                 client.CheckStatus
	name, actual, expected string
	note                   string
	shown                  string // the expected value in the table: "same" when it is the actual one
	actualW, shownW        int
}

// shownBytes bounds a value: the details show six lines of it at most, so a 10 KB claim is
// not measured and wrapped again at every key.
const shownBytes = 4 << 10

// checkRows prepares checks for the table, the time claims said against now (the screen's
// clock, the one its token's JSON is said against too) rather than the check's.
func checkRows(checks []client.Check, now time.Time) []checkRow {
	rows := make([]checkRow, len(checks))
	for i, c := range checks {
		cut := func(s string) string {
			s = sanitize.Line(s)
			if len(s) > shownBytes {
				s = strings.ToValidUTF8(s[:shownBytes], "") + "…"
			}
			return s
		}
		note, actual := causeText(c)
		if !c.At.IsZero() {
			actual = c.At.UTC().Format(time.RFC3339) + " (" + relativeTime(c.At, now) + ")"
		}
		r := checkRow{status: c.Status, name: cut(c.Name), actual: cut(actual), expected: cut(c.Expected), note: cut(note)}
		if r.actual == "" {
			r.actual = "(none)"
		}
		// An expected value identical to the actual one is written "same", so the column
		// keeps its room for the values that differ.
		r.shown = r.expected
		if r.shown == r.actual {
			r.shown = "same"
		}
		r.actualW, r.shownW = widget.Width(r.actual), widget.Width(r.shown)
		rows[i] = r
	}
	return rows
}

// causeText is a check's note and actual value with the error that kept it from being made
// said the way the UI says errors ("Stytch is rate limiting m2mport. Wait a minute…"), not
// as the Go error chain the engine keeps for the report.
func causeText(c client.Check) (note, actual string) {
	note, actual = c.Note, c.Actual
	if c.Cause == nil {
		return note, actual
	}
	p := describeInfo(c.Cause, "Stytch")
	why := strings.TrimSpace(p.What + " " + p.Hint)
	if head, ok := strings.CutSuffix(note, ": "+c.Cause.Message); ok {
		note = head + ": " + why
	}
	if actual == c.Cause.Message {
		actual = p.What
	}
	return note, actual
}

// checkTable draws checks as a table in w cells: ✓/✗/· and the claim, what the token holds,
// what was expected. A value longer than its column wraps onto at most wrap lines. The row
// at cursor (-1: none) is highlighted; a failed row that is not the subject of the details
// under the table (-1: none) adds why it failed. It returns the head line and each row's
// lines.
func checkTable(st *themes.Styles, rows []checkRow, cols checkColumns, w, wrap, cursor, subject int) (string, [][]string) {
	nameW := widget.Width("check")
	for _, r := range rows {
		nameW = max(nameW, widget.Width(r.name))
	}
	nameW = min(nameW, 16) + 4 // the cursor and the glyph before, a gap after
	actW, expW := splitColumns(rows, cols, max(w-nameW-2, 2))

	head := st.Muted.Render(widget.Cell("   check", nameW) + widget.Cell(cols.actual, actW) + "  " + ansi.Truncate(cols.expected, expW, ""))
	out := make([][]string, len(rows))
	for i, r := range rows {
		as, es := widget.WrapText(r.actual, actW, wrap), widget.WrapText(r.shown, expW, wrap)
		mark, glyphStyle, nameStyle, actStyle, expStyle := "·", st.Muted, st.Muted, st.Muted, st.Muted
		switch r.status {
		case client.CheckPass:
			mark, glyphStyle, nameStyle, actStyle = "✓", st.Success, st.Text, st.Text
		case client.CheckFail:
			mark, glyphStyle, nameStyle, actStyle, expStyle = "✗", st.Error, st.Error.Bold(true), st.Text, st.Text
		}
		lines := make([]string, max(len(as), len(es)))
		for j := range lines {
			var av, ev, name string
			if j < len(as) {
				av = as[j]
			}
			if j < len(es) {
				ev = es[j]
			}
			if j == 0 {
				name = r.name
			}
			switch {
			case i == cursor:
				// The cursor goes beside the verdict, not over it.
				lead := "   "
				if j == 0 {
					lead = "›" + mark + " "
				}
				lines[j] = st.Cursor.Render(widget.Cell(lead+widget.Cell(name, nameW-3)+widget.Cell(av, actW)+"  "+ev, w))
			case j == 0:
				lines[j] = " " + glyphStyle.Render(mark+" ") + nameStyle.Render(widget.Cell(name, nameW-3)) + actStyle.Render(widget.Cell(av, actW)) + "  " + expStyle.Render(ev)
			default:
				lines[j] = strings.Repeat(" ", nameW) + actStyle.Render(widget.Cell(av, actW)) + "  " + expStyle.Render(ev)
			}
		}
		if r.status == client.CheckFail && r.note != "" && i != subject && i != cursor {
			for _, l := range widget.WrapText(r.note, max(w-nameW, 10), 0) {
				lines = append(lines, strings.Repeat(" ", nameW)+st.Error.Render(l))
			}
		}
		out[i] = lines
	}
	return head, out
}

// splitColumns shares room cells between the two value columns so that the table takes
// the fewest lines, the actual values (the ones people read) getting the larger share when
// that makes no difference. Each column keeps a quarter of the room at least.
func splitColumns(rows []checkRow, cols checkColumns, room int) (actW, expW int) {
	eMax := widget.Width(cols.expected)
	for _, r := range rows {
		eMax = max(eMax, r.shownW)
	}
	lines := func(n, w int) int { return max((n+w-1)/w, 1) }
	best := -1
	for e := max(room/4, 1); e <= min(eMax, room*3/4); e++ {
		total := 0
		for _, r := range rows {
			total += max(lines(r.actualW, room-e), lines(r.shownW, e))
		}
		if best < 0 || total < best {
			best, expW = total, e
		}
	}
	if best < 0 { // every expected value is shorter than a quarter of the room
		expW = min(max(eMax, 1), room/2)
	}
	return room - expW, expW
}

// checkDetails spells one check out in full under the table: its verdict and why, then the
// token's value and the expected one, each wrapped.
func checkDetails(st *themes.Styles, r checkRow, cols checkColumns, w int) []string {
	var lines []string
	switch r.status {
	case client.CheckPass:
		lines = widget.Hang(st.Success, "✓ "+r.name+"  ", "passes", w, 4)
	case client.CheckFail:
		lines = widget.Hang(st.Error, "✗ "+r.name+"  ", cmp.Or(r.note, "fails"), w, 0)
	default:
		lines = widget.Hang(st.Muted, "· "+r.name+"  ", cmp.Or(r.note, "for information"), w, 0)
	}
	labelW := max(widget.Width(cols.actual), widget.Width(cols.expected)) + 4
	value := func(label, v string) []string {
		out := widget.WrapText(cmp.Or(v, "(none)"), w-labelW, 6)
		for i := range out {
			pad := strings.Repeat(" ", labelW)
			if i == 0 {
				pad = st.Muted.Render(widget.Cell("  "+label, labelW))
			}
			out[i] = pad + st.Text.Render(out[i])
		}
		return out
	}
	lines = append(lines, value(cols.actual, r.actual)...)
	return append(lines, value(cols.expected, r.expected)...)
}

// verdict is the checklist in one line.
func verdict(st *themes.Styles, cl *client.Checklist) string {
	switch {
	case cl == nil:
		return st.Muted.Render("not checked")
	case cl.Passed():
		n := 0
		for _, c := range cl.Checks {
			if c.Status == client.CheckPass {
				n++
			}
		}
		return st.Success.Render(fmt.Sprintf("✓ all %d checks pass", n))
	}
	return st.Error.Render(fmt.Sprintf("✗ %s failed", plural(len(cl.Failed()), "check")))
}
