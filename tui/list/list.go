// Package list is the one list component of m2mport's screens: a cursor over a list's items
// (or the ones a filter keeps), the window of them that fits the height, and the keys'
// arithmetic (move, page up/down, top/bottom). It also draws the "› " cursor row and the
// side list ("N clients") that Scopes and Validate show beside their main pane.
//
// A screen keeps its items and draws them; the Model keeps only positions, so a screen never
// does cursor or scroll arithmetic of its own.
//
// list may import themes, tui/widget and the charm libraries. It must not import client,
// client/auth0, client/stytch, client/sandbox or cli, nor package tui.
package list

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Model is a cursor and a window over a list of Total items, of which Len are shown: all of
// them, or the ones the last Filter kept. Positions (Cursor, Offset, Window) count shown
// items; Item turns a position into the index of the item in the whole list.
type Model struct {
	total    int
	shown    []int // item indexes shown, in order, when filtered
	filtered bool
	cursor   int // position among the shown items
	offset   int // first position drawn
	width    int
	height   int // items drawn; 1 at least
	center   bool
}

// New returns an empty list with a window of one item.
func New() Model { return Model{height: 1} }

// Centered returns an empty list whose window keeps the cursor in its middle where it can,
// as a side list does: the items on either side of the current one stay in view.
func Centered() Model { return Model{height: 1, center: true} }

// SetTotal says how many items the list has, clearing the filter; the cursor stays where it
// was, within the new length.
func (m *Model) SetTotal(n int) {
	m.total, m.filtered, m.shown = max(n, 0), false, m.shown[:0]
	m.clamp()
}

// Filter shows only the items keep keeps, in order. The cursor stays on the item it was on
// when that one is still shown, else it goes to the first; the window starts again from the
// top, as far as the cursor allows.
func (m *Model) Filter(total int, keep func(item int) bool) {
	current := -1
	if m.cursor < m.Len() {
		current = m.Item(m.cursor)
	}
	m.total = max(total, 0)
	m.shown = m.shown[:0]
	m.filtered = true
	m.cursor = 0
	for i := 0; i < m.total; i++ {
		if !keep(i) {
			continue
		}
		if i == current {
			m.cursor = len(m.shown)
		}
		m.shown = append(m.shown, i)
	}
	m.offset = 0
	m.scroll()
}

// SetSize gives the list the width its rows are drawn in and the height of its window in
// items (at least one).
func (m *Model) SetSize(w, h int) {
	m.width = w
	m.SetHeight(h)
}

// SetHeight sets the height of the window in items (at least one), keeping the cursor in it.
func (m *Model) SetHeight(h int) {
	m.height = max(h, 1)
	m.scroll()
}

func (m *Model) Width() int  { return m.width }
func (m *Model) Height() int { return m.height }

// Len is the number of items shown; Total, of items in the list.
func (m *Model) Len() int {
	if m.filtered {
		return len(m.shown)
	}
	return m.total
}

func (m *Model) Total() int { return m.total }

// Item is the index in the whole list of the item shown at position n.
func (m *Model) Item(n int) int {
	if m.filtered {
		return m.shown[n]
	}
	return n
}

// Shown is the indexes of the items shown, in order. The slice is the list's own while it is
// filtered: read it, don't keep it.
func (m *Model) Shown() []int {
	if m.filtered {
		return m.shown
	}
	out := make([]int, m.total)
	for i := range out {
		out[i] = i
	}
	return out
}

// Cursor is the cursor's position among the shown items (0 when there are none).
func (m *Model) Cursor() int { return m.cursor }

// Current is the item under the cursor, and false when no item is shown.
func (m *Model) Current() (int, bool) {
	if m.cursor < m.Len() {
		return m.Item(m.cursor), true
	}
	return -1, false
}

// CurrentOf is the element of items (the slice the list indexes) under the cursor, or nil
// when no item is shown.
func CurrentOf[T any](m *Model, items []T) *T {
	if i, ok := m.Current(); ok {
		return &items[i]
	}
	return nil
}

// Move moves the cursor by d positions, stopping at either end.
func (m *Model) Move(d int) { m.SetCursor(m.cursor + d) }

// SetCursor puts the cursor at position n, or the nearest end.
func (m *Model) SetCursor(n int) {
	m.cursor = n
	m.clamp()
}

// Select puts the cursor on item i when it is shown, and reports whether it is.
func (m *Model) Select(item int) bool {
	for n := 0; n < m.Len(); n++ {
		if m.Item(n) == item {
			m.SetCursor(n)
			return true
		}
	}
	return false
}

func (m *Model) PageUp()   { m.Move(-m.height) }
func (m *Model) PageDown() { m.Move(m.height) }
func (m *Model) Top()      { m.SetCursor(0) }
func (m *Model) Bottom()   { m.SetCursor(m.Len() - 1) }

// Offset is the position of the first item drawn.
func (m *Model) Offset() int { return m.offset }

// Window is the positions drawn, from start up to end (not included).
func (m *Model) Window() (start, end int) {
	return m.offset, min(m.offset+m.height, m.Len())
}

// Above and Below count the shown items out of the window, before and after it.
func (m *Model) Above() int { return m.offset }
func (m *Model) Below() int { return max(m.Len()-m.offset-m.height, 0) }

// Lines draws the window: row draws the item at each position drawn, told whether the
// cursor is on it.
func (m *Model) Lines(row func(item int, onCursor bool) string) []string {
	start, end := m.Window()
	lines := make([]string, 0, end-start)
	for n := start; n < end; n++ {
		lines = append(lines, row(m.Item(n), n == m.cursor))
	}
	return lines
}

func (m *Model) clamp() {
	m.cursor = max(min(m.cursor, m.Len()-1), 0)
	m.scroll()
}

// scroll moves the window as little as keeps the cursor in it and no room empty below the
// last item (or, centred, puts the cursor in its middle where the ends allow).
func (m *Model) scroll() {
	h, n := m.height, m.Len()
	if m.center {
		m.offset = max(min(m.cursor-h/2, n-h), 0)
		return
	}
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(min(m.offset, n-h), 0)
}

// Span is the window of rows taller than one line: of rows whose heights in lines are
// given, the ones from start up to end (not included) that fit in room lines, the first as
// late as keeps row anchor (-1: none) in them. A row taller than room alone is the window.
func Span(heights []int, room, anchor int) (start, end int) {
	sum := func(from, to int) int {
		n := 0
		for _, h := range heights[from:to] {
			n += h
		}
		return n
	}
	for start < anchor && sum(start, anchor+1) > room {
		start++
	}
	end = start
	for used := 0; end < len(heights) && used+heights[end] <= room; end++ {
		used += heights[end]
	}
	if end == start && end < len(heights) {
		end++
	}
	return start, end
}

// KeyMap is the keys that move a list's cursor. A screen embeds it in its own KeyMap and
// passes key presses to KeyMap.Scroll.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
}

// DefaultKeyMap is the arrows and vi's j/k, page up/down (and ctrl+u/d), home/end (g/G).
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		PageUp:   b("pgup", "page up", "pgup", "ctrl+u"),
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+d"),
		Top:      b("g", "first", "home", "g"),
		Bottom:   b("G", "last", "end", "G"),
	}
}

// Scroller is what a KeyMap moves: a list's cursor, or a pane's view.
type Scroller interface {
	Move(d int)
	PageUp()
	PageDown()
	Top()
	Bottom()
}

// Scroll moves s when msg is one of k's keys, and reports whether it was.
func (k KeyMap) Scroll(msg tea.KeyPressMsg, s Scroller) bool {
	switch {
	case key.Matches(msg, k.Up):
		s.Move(-1)
	case key.Matches(msg, k.Down):
		s.Move(1)
	case key.Matches(msg, k.PageUp):
		s.PageUp()
	case key.Matches(msg, k.PageDown):
		s.PageDown()
	case key.Matches(msg, k.Top):
		s.Top()
	case key.Matches(msg, k.Bottom):
		s.Bottom()
	default:
		return false
	}
	return true
}
