package tui

import (
	"bytes"
	"strings"
	"testing"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/themes"
	"github.com/m2mport/m2mport/tui/widget"
)

// harness drives the root model the way Bubble Tea would, synchronously: it runs every
// command a message returns and feeds the result back, skipping animation ticks.
type harness struct {
	t    *testing.T
	app  *App
	quit bool
}

func newHarness(t *testing.T, cfg Config, w, h int) *harness {
	t.Helper()
	if cfg.Theme.Name == "" {
		cfg.Theme, _ = themes.Lookup(themes.Default)
	}
	hs := &harness{t: t, app: New(cfg)}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(hs.app.Init())
	return hs
}

func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.app.Update(msg)
	h.run(cmd)
}

func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
	case tea.QuitMsg:
		h.quit = true
	case spinner.TickMsg, clockMsg:
		// animation and a clock's ticks only: a test moves the clock by sending clockMsg
	default:
		h.send(msg)
	}
}

// press sends keys by name: "enter", "tab", "shift+tab", "ctrl+r", "space", "esc", "up",
// "down", or a single character.
func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyPress(k))
	}
}

// typeText types s one key at a time.
func (h *harness) typeText(s string) {
	h.t.Helper()
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (h *harness) paste(s string) { h.send(tea.PasteMsg{Content: s}) }

func keyPress(name string) tea.KeyPressMsg {
	named := map[string]rune{
		"enter": tea.KeyEnter, "tab": tea.KeyTab, "esc": tea.KeyEscape, "space": tea.KeySpace,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"backspace": tea.KeyBackspace, "pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp,
		"home": tea.KeyHome, "end": tea.KeyEnd,
	}
	var mod tea.KeyMod
	for {
		switch {
		case strings.HasPrefix(name, "ctrl+"):
			mod |= tea.ModCtrl
			name = strings.TrimPrefix(name, "ctrl+")
			continue
		case strings.HasPrefix(name, "shift+"):
			mod |= tea.ModShift
			name = strings.TrimPrefix(name, "shift+")
			continue
		}
		break
	}
	if code, ok := named[name]; ok {
		k := tea.KeyPressMsg{Code: code, Mod: mod}
		if code == tea.KeySpace {
			k.Text = " "
		}
		return k
	}
	r := []rune(name)[0]
	if mod != 0 {
		return tea.KeyPressMsg{Code: r, Mod: mod}
	}
	return tea.KeyPressMsg{Code: r, Text: name}
}

// view is the frame as a terminal without colour would show it (the ASCII profile keeps
// bold, faint and reverse video, and drops every colour).
func (h *harness) view() string {
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.ASCII}
	_, _ = w.Write([]byte(h.app.View().Content))
	return b.String()
}

// plain is the frame's text alone.
func (h *harness) plain() string {
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.NoTTY}
	_, _ = w.Write([]byte(h.app.View().Content))
	return b.String()
}

func (h *harness) top() screen { return h.app.top() }

// onTop returns the screen on top, and fails with why unless it is an S.
func onTop[S screen](h *harness, why string) S {
	h.t.Helper()
	s, ok := h.top().(S)
	if !ok {
		h.t.Fatalf("%s: on %T, want %T", why, h.top(), s)
	}
	return s
}

// mustQuitOn presses keys and fails with why unless the program then quits.
func (h *harness) mustQuitOn(why string, keys ...string) {
	h.t.Helper()
	h.press(keys...)
	if !h.quit {
		h.t.Fatal(why)
	}
}

// mustFit fails unless the frame keeps to a w×ht terminal: no line wider than w cells and,
// when ht is not 0, exactly ht lines.
func (h *harness) mustFit(where string, w, ht int) {
	h.t.Helper()
	lines := strings.Split(h.plain(), "\n")
	if ht != 0 && len(lines) != ht {
		h.t.Fatalf("%s: %d lines, want %d", where, len(lines), ht)
	}
	for i, l := range lines {
		if cw := ansiWidth(l); cw > w {
			h.t.Fatalf("%s: line %d is %d wide, the terminal %d: %q", where, i, cw, w, l)
		}
	}
}

func (h *harness) mustSee(parts ...string) {
	h.t.Helper()
	v := h.plain()
	for _, p := range parts {
		if !strings.Contains(v, p) {
			h.t.Fatalf("the screen does not show %q:\n%s", p, v)
		}
	}
}

func (h *harness) mustNotSee(parts ...string) {
	h.t.Helper()
	v := h.plain()
	for _, p := range parts {
		if strings.Contains(v, p) {
			h.t.Fatalf("the screen shows %q:\n%s", p, v)
		}
	}
}

// testConfig wires the fakes into a Config prefilled like the demo.
func testConfig(src *fakeSource, tgt *fakeTarget) Config {
	return Config{
		NewSource: func(client.SourceCredentials) (client.Source, error) { return src, nil },
		NewTarget: func(client.TargetCredentials) (client.Target, error) { return tgt, nil },
		Source:    client.SourceCredentials{Domain: "acme.us.auth0.com", ClientID: "mgmt-app-1234", Secret: client.NewSecret("mgmt-secret-value-WXYZ")},
		Target:    client.TargetCredentials{ProjectID: tgt.projectID, Secret: client.NewSecret("project-secret-value-DzJj")},
	}
}

func fakes() (*fakeSource, *fakeTarget) {
	src := &fakeSource{name: "acme.us.auth0.com", info: client.SourceInfo{Name: "acme", Clients: 4}, inv: demoInventory()}
	tgt := &fakeTarget{projectID: "project-test-6c1a2b3c-0000-4d5e-8f90-123456789abc"}
	return src, tgt
}

func ansiStrip(s string) string {
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.NoTTY}
	_, _ = w.Write([]byte(s))
	return b.String()
}

func ansiWidth(s string) int { return widget.Width(s) }
