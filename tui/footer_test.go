package tui

import (
	"strings"
	"testing"

	"github.com/m2mport/m2mport/client/sandbox"
)

// TestFootersDropWholeBindings walks every screen of the demo at 100×30 and 60×20 and reads
// its footer: it fits the terminal, never ends in a separator or an ellipsis, and keeps the
// keys that work everywhere — "? more keys" and quit — while a screen's own keys that do not
// fit are dropped whole.
func TestFootersDropWholeBindings(t *testing.T) {
	atBothSizes(t, func(t *testing.T, w, ht int) {
		h := newHarness(t, sandboxConfig(t, sandbox.Options{Seed: "demo"}), w, ht)
		footer := func(where string) {
			t.Helper()
			lines := strings.Split(h.plain(), "\n")
			f := strings.TrimSpace(lines[len(lines)-1])
			switch {
			case ansiWidth(lines[len(lines)-1]) > w:
				t.Errorf("%s: the footer is wider than the terminal: %q", where, f)
			case strings.HasSuffix(f, "·"), strings.HasSuffix(f, "…"), strings.HasSuffix(f, "· "):
				t.Errorf("%s: the footer ends in a separator: %q", where, f)
			case h.top().Capturing() && !strings.HasSuffix(f, "ctrl+c quit"):
				t.Errorf("%s: a text field has focus, the footer must end with ctrl+c quit: %q", where, f)
			case !h.top().Capturing() && !strings.HasSuffix(f, "? more keys · q quit"):
				t.Errorf("%s: the footer must end with ? more keys · q quit: %q", where, f)
			}
			if fields := strings.Split(f, " · "); len(fields) > 0 && strings.Count(fields[0], " ") == 0 {
				t.Errorf("%s: a binding was cut: %q", where, f)
			}
		}
		footer("connect")
		h.press("enter")
		footer("connected")
		h.press("enter")
		footer("pick")
		h.press("tab")
		footer("pick details")
		h.press("tab", "/")
		footer("pick filter")
		h.press("esc", "enter")
		footer("scopes")
		h.press("e")
		footer("scopes text")
		h.press("esc", "enter")
		footer("plan")
		h.press("c")
		footer("cutover")
		h.press("esc")
		footer("plan again")
		h.press("enter")
		footer("confirm")
		h.press("y")
		footer("import done")
		h.press("enter")
		footer("validate")
		h.press("tab")
		footer("validate checks")
		h.press("tab")
		footer("validate token")
		h.press("a")
		footer("validate compared")
		for range 10 {
			if _, ok := h.top().(*connectScreen); ok {
				break
			}
			h.press("esc")
		}
		footer("back on connect")
		h.press("t")
		if _, ok := h.top().(*spotCheckScreen); !ok {
			t.Fatalf("t opened %T", h.top())
		}
		footer("token check")
		h.press("esc", "m")
		if _, ok := h.top().(*manualScreen); !ok {
			t.Fatalf("m opened %T", h.top())
		}
		footer("manual")
	})
}
