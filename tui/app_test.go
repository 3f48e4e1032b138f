package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

func TestTooSmallIsPoliteAndRecovers(t *testing.T) {
	src, tgt := fakes()
	h, p := openPick(t, src, tgt, 100, 30)
	h.press("down")
	chosen := p.nSelected
	h.send(tea.WindowSizeMsg{Width: 40, Height: 12})
	h.mustSee("Terminal too small", "40×12 here, 60×16 needed.", "press q to quit")
	h.press("space", "enter")
	if p.nSelected != chosen || h.top() != screen(p) {
		t.Fatal("keys other than quit do nothing while the terminal is too small")
	}
	h.mustFit("too small", 40, 0)
	h.send(tea.WindowSizeMsg{Width: 60, Height: 16})
	h.mustSee("›     Key-based reporter")
	h.mustQuitOn("q quits", "q")
}

func TestResizeKeepsEveryFrameInsideTheTerminal(t *testing.T) {
	src, tgt := fakes()
	src.inv = manyClients(300)
	h, p := openPick(t, src, tgt, 100, 30)
	h.press("pgdown", "pgdown")
	for _, size := range [][2]int{{60, 20}, {140, 45}, {61, 16}, {100, 30}, {200, 60}, {75, 24}} {
		h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		h.mustFit(sizeName(size), size[0], size[1])
		if start, end := p.list.Window(); p.list.Cursor() < start || p.list.Cursor() >= end || end-start != min(p.listHeight(), p.list.Len()) {
			t.Fatalf("%v: cursor %d outside the window %d-%d, or the window is not %d rows", size, p.list.Cursor(), start, end, p.listHeight())
		}
		h.mustSee("› [x] " + p.current().name)
	}
}

func TestQuitAndHelp(t *testing.T) {
	src, tgt := fakes()
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	h.press("e", "q")
	if h.quit {
		t.Fatal("q types into a focused field instead of quitting")
	}
	h.mustSee("ctrl+c quit")
	h.press("backspace", "enter") // connected: no field has focus
	h.press("?")
	h.mustSee("enter a client by hand", "show secrets", "fewer keys")
	h.press("?")
	h.mustQuitOn("q quits when no field has focus", "q")
}

func TestCtrlCQuitsFromAField(t *testing.T) {
	src, tgt := fakes()
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	h.mustQuitOn("ctrl+c always quits", "ctrl+c")
}

func TestBackgroundColourPicksThePalette(t *testing.T) {
	src, tgt := fakes()
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	if !h.app.sh.styles.Dark {
		t.Fatal("dark until the terminal says otherwise")
	}
	h.send(tea.BackgroundColorMsg{Color: lipgloss.Color("#fdfdfd")})
	if h.app.sh.styles.Dark {
		t.Fatal("a light background picks the light palette")
	}
	// The screens copy the new styles into their components.
	if c := h.top().(*connectScreen); c.spinner.Style.GetForeground() != h.app.sh.styles.Accent.GetForeground() {
		t.Fatal("the connect screen's spinner keeps the dark palette's colour")
	}
}

// Too small to draw the screen, the terminal still shows the question q asked while an
// import runs, and its answers.
func TestTooSmallShowsAnOpenQuitQuestion(t *testing.T) {
	src, tgt := fakes()
	h := newHarness(t, testConfig(src, tgt), 40, 12)
	h.mustSee("Make it larger or press q to quit.")
	h.app.confirmQuit = "importing"
	h.mustSee("Quit while importing?", "y quit · n", "keep going")
}
