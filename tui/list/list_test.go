package list

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/m2mport/m2mport/themes"
)

// state is what a test reads off a Model: cursor, window, and what is out of it.
type state struct{ cursor, start, end, above, below int }

func read(m *Model) state {
	s, e := m.Window()
	return state{m.Cursor(), s, e, m.Above(), m.Below()}
}

func sized(n, h int) Model {
	m := New()
	m.SetTotal(n)
	m.SetSize(40, h)
	return m
}

func TestCursorStopsAtTheEnds(t *testing.T) {
	m := sized(5, 3)
	m.Move(-1)
	if got := read(&m); got != (state{0, 0, 3, 0, 2}) {
		t.Fatalf("up at the top: %+v", got)
	}
	m.Move(10)
	if got := read(&m); got != (state{4, 2, 5, 2, 0}) {
		t.Fatalf("down past the end: %+v", got)
	}
	m.Move(1)
	if m.Cursor() != 4 {
		t.Fatalf("down at the bottom moved to %d", m.Cursor())
	}
	m.Top()
	if got := read(&m); got != (state{0, 0, 3, 0, 2}) {
		t.Fatalf("top: %+v", got)
	}
	m.Bottom()
	if got := read(&m); got != (state{4, 2, 5, 2, 0}) {
		t.Fatalf("bottom: %+v", got)
	}
}

func TestScrollMovesTheWindowAsLittleAsItCan(t *testing.T) {
	m := sized(10, 4)
	m.Move(3)
	if got := read(&m); got.start != 0 {
		t.Fatalf("the cursor on the window's last row scrolled it: %+v", got)
	}
	m.Move(1)
	if got := read(&m); got.start != 1 || got.end != 5 {
		t.Fatalf("one past the window: %+v", got)
	}
	m.Move(-2)
	if got := read(&m); got.start != 1 {
		t.Fatalf("moving up inside the window scrolled it: %+v", got)
	}
	m.Move(-1)
	if got := read(&m); got.start != 1 || got.cursor != 1 {
		t.Fatalf("%+v", got)
	}
	m.Move(-1)
	if got := read(&m); got.start != 0 {
		t.Fatalf("one above the window: %+v", got)
	}
}

func TestPaging(t *testing.T) {
	m := sized(10, 4)
	for _, step := range []struct {
		name  string
		pages int // down when positive
		want  state
	}{
		{"page down", 1, state{4, 1, 5, 1, 5}},
		{"paged past the end", 2, state{9, 6, 10, 6, 0}},
		{"page up", -1, state{5, 5, 9, 5, 1}},
		{"paged past the top", -2, state{0, 0, 4, 0, 6}},
	} {
		for range step.pages {
			m.PageDown()
		}
		for range -step.pages {
			m.PageUp()
		}
		if got := read(&m); got != step.want {
			t.Fatalf("%s: %+v", step.name, got)
		}
	}
}

func TestEmptyList(t *testing.T) {
	m := sized(0, 5)
	for _, f := range []func(){func() { m.Move(1) }, func() { m.Move(-1) }, m.PageDown, m.PageUp, m.Top, m.Bottom} {
		f()
		if got := read(&m); got != (state{}) {
			t.Fatalf("an empty list moved: %+v", got)
		}
	}
	if _, ok := m.Current(); ok {
		t.Fatal("an empty list has a current item")
	}
	if lines := m.Lines(func(int, bool) string { return "x" }); len(lines) != 0 {
		t.Fatalf("an empty list drew %q", lines)
	}
}

func TestFilterKeepsTheCursorOnItsItem(t *testing.T) {
	m := sized(10, 3)
	m.SetCursor(6)
	even := func(i int) bool { return i%2 == 0 }
	m.Filter(10, even)
	if item, _ := m.Current(); item != 6 || m.Len() != 5 || m.Total() != 10 {
		t.Fatalf("after the filter: item %d, %d of %d shown", item, m.Len(), m.Total())
	}
	if !slices.Equal(m.Shown(), []int{0, 2, 4, 6, 8}) {
		t.Fatalf("shown %v", m.Shown())
	}
	if got := read(&m); got.cursor != 3 || got.start > 3 || got.end <= 3 {
		t.Fatalf("the cursor's item is out of the window: %+v", got)
	}
	// An item the filter hides: the cursor goes to the first shown.
	m.Filter(10, func(i int) bool { return i > 6 })
	if item, _ := m.Current(); item != 7 || m.Offset() != 0 {
		t.Fatalf("item %d, offset %d", item, m.Offset())
	}
}

// CurrentOf is the element the cursor's item indexes, through a filter, and nil with nothing
// shown.
func TestCurrentOf(t *testing.T) {
	names := []string{"a", "b", "c", "d"}
	m := sized(len(names), 3)
	m.Filter(len(names), func(i int) bool { return i >= 2 })
	m.Move(1)
	if got := CurrentOf(&m, names); got == nil || *got != "d" {
		t.Fatalf("CurrentOf = %v, want d", got)
	}
	m.Filter(len(names), func(int) bool { return false })
	if got := CurrentOf(&m, names); got != nil {
		t.Fatalf("CurrentOf with nothing shown = %q, want nil", *got)
	}
}

func TestFilterToNothingAndBack(t *testing.T) {
	m := sized(10, 3)
	m.SetCursor(8)
	m.Filter(10, func(int) bool { return false })
	if _, ok := m.Current(); ok || m.Len() != 0 {
		t.Fatalf("a filter that keeps nothing left %d shown", m.Len())
	}
	m.Move(1)
	m.PageDown()
	m.Bottom()
	if got := read(&m); got != (state{}) {
		t.Fatalf("moved in an empty filter: %+v", got)
	}
	m.Filter(10, func(int) bool { return true })
	if item, ok := m.Current(); !ok || item != 0 || m.Len() != 10 {
		t.Fatalf("filter cleared: item %d, %d shown", item, m.Len())
	}
}

func TestShrinkingBelowTheCursor(t *testing.T) {
	m := sized(20, 5)
	m.SetCursor(15)
	// The window shrinks: the cursor stays in it.
	m.SetHeight(2)
	if got := read(&m); got.cursor != 15 || got.start > 15 || got.end <= 15 || got.end-got.start != 2 {
		t.Fatalf("height 2: %+v", got)
	}
	// A height below one still draws one row.
	m.SetHeight(0)
	if got := read(&m); got.end-got.start != 1 || got.start != 15 {
		t.Fatalf("height 0: %+v", got)
	}
	// The list shrinks under the cursor: it goes to the last item, the window fills.
	m.SetHeight(5)
	m.SetTotal(3)
	if got := read(&m); got != (state{2, 0, 3, 0, 0}) {
		t.Fatalf("3 items: %+v", got)
	}
	// The window grows past the end: no room is left empty while items are above it.
	m.SetTotal(20)
	m.SetCursor(19)
	m.SetHeight(8)
	if got := read(&m); got != (state{19, 12, 20, 12, 0}) {
		t.Fatalf("grown: %+v", got)
	}
}

func TestSelect(t *testing.T) {
	m := sized(10, 3)
	m.Filter(10, func(i int) bool { return i%3 == 0 })
	if !m.Select(9) || m.Cursor() != 3 {
		t.Fatalf("select 9: cursor %d", m.Cursor())
	}
	if m.Select(4) || m.Cursor() != 3 {
		t.Fatal("selected a hidden item")
	}
}

func TestLinesMarkTheCursor(t *testing.T) {
	m := sized(6, 3)
	m.Filter(6, func(i int) bool { return i != 1 })
	m.Move(1)
	lines := m.Lines(func(item int, on bool) string {
		if on {
			return ">" + string(rune('a'+item))
		}
		return string(rune('a' + item))
	})
	if got := strings.Join(lines, " "); got != "a >c d" {
		t.Fatalf("drew %q", got)
	}
}

func TestCenteredWindow(t *testing.T) {
	m := Centered()
	m.SetTotal(20)
	m.SetHeight(5)
	for _, c := range []struct{ cursor, start int }{{0, 0}, {2, 0}, {3, 1}, {10, 8}, {18, 15}, {19, 15}} {
		m.SetCursor(c.cursor)
		if m.Offset() != c.start {
			t.Errorf("cursor %d: window from %d, want %d", c.cursor, m.Offset(), c.start)
		}
	}
}

func TestSpan(t *testing.T) {
	heights := []int{1, 3, 1, 2, 1}
	for _, c := range []struct{ room, anchor, start, end int }{
		{10, -1, 0, 5}, // all fit
		{4, -1, 0, 2},  // from the top
		{4, 3, 2, 5},   // as late as keeps row 3, then what fits after it
		{4, 1, 0, 2},
		{2, 1, 1, 2}, // a row taller than the room is the window alone
		{0, -1, 0, 1},
	} {
		if s, e := Span(heights, c.room, c.anchor); s != c.start || e != c.end {
			t.Errorf("room %d anchor %d: [%d,%d), want [%d,%d)", c.room, c.anchor, s, e, c.start, c.end)
		}
	}
}

func TestRowsAndSide(t *testing.T) {
	th, _ := themes.Lookup(themes.Default)
	st := th.Styles(true)
	if got := Row("x"); got != "  x" {
		t.Fatalf("row %q", got)
	}
	if got := CursorRow(&st, "name", 10); !strings.Contains(got, "› name    ") {
		t.Fatalf("cursor row %q", got)
	}
	s := NewSide(12)
	s.SetSize(5) // a title and four rows
	s.SetCursor(6)
	view := s.View(&st, "12 clients", func(i int, cur bool) string {
		if cur {
			return "*" + string(rune('a'+i))
		}
		return string(rune('a' + i))
	})
	lines := strings.Split(view, "\n")
	if len(lines) != 5 || !strings.Contains(lines[0], "12 clients") {
		t.Fatalf("side view %q", lines)
	}
	var rows []string
	for _, l := range lines[1:] {
		if w := len([]rune(l)); w != SideWidth {
			t.Fatalf("a side row is %d cells, not %d: %q", w, SideWidth, l)
		}
		rows = append(rows, strings.TrimSpace(l))
	}
	if got := strings.Join(rows, " "); got != "e f *g h" {
		t.Fatalf("side rows %q", got)
	}
}

func TestScroll(t *testing.T) {
	m := sized(10, 4)
	k := DefaultKeyMap()
	press := func(code rune, text string) bool {
		return k.Scroll(tea.KeyPressMsg{Code: code, Text: text}, &m)
	}
	for _, c := range []struct {
		code   rune
		text   string
		cursor int
	}{{'j', "j", 1}, {tea.KeyDown, "", 2}, {'k', "k", 1}, {tea.KeyPgDown, "", 5}, {'G', "G", 9}, {tea.KeyPgUp, "", 5}, {'g', "g", 0}} {
		if !press(c.code, c.text) || m.Cursor() != c.cursor {
			t.Fatalf("%q: cursor %d, want %d", c.text, m.Cursor(), c.cursor)
		}
	}
	if press('x', "x") || m.Cursor() != 0 {
		t.Fatal("a key the list does not have moved it")
	}
	k.Down.SetEnabled(false)
	if press('j', "j") {
		t.Fatal("a disabled key moved the list")
	}
}
