package tui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/m2mport/m2mport/themes"
)

// Text layout helpers. Widths are terminal cells, measured with ansi (never bytes).

// fit cuts or pads s to exactly h lines of at most w cells.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if textWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// box is fit with every line padded to w cells, for blocks laid side by side.
func box(s string, w, h int) string {
	lines := strings.Split(fit(s, w, h), "\n")
	for i, l := range lines {
		if pad := w - textWidth(l); pad > 0 {
			lines[i] = l + strings.Repeat(" ", pad)
		}
	}
	return strings.Join(lines, "\n")
}

// overlay draws box centred over base (w×h).
func overlay(base, box string, w, h int) string {
	x := max((w-lipgloss.Width(box))/2, 0)
	y := max((h-lipgloss.Height(box))/2, 0)
	c := lipgloss.NewCompositor(lipgloss.NewLayer(base), lipgloss.NewLayer(box).X(x).Y(y).Z(1))
	return c.Render()
}

// textWidth is ansi.StringWidth with a fast path for what most cells hold: printable ASCII
// (each byte one cell) and bytes that can't widen a line (a string's width is never more
// than its length in bytes).
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// cell pads or truncates s to exactly w cells.
func cell(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := textWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

func padLeft(s string, w int) string {
	sw := textWidth(s)
	if sw >= w {
		return s
	}
	return strings.Repeat(" ", w-sw) + s
}

// middle shortens s to w cells by cutting its middle, so both ends of an id stay readable.
func middle(s string, w int) string {
	sw := textWidth(s)
	if sw <= w || w < 5 {
		return s
	}
	head := (w - 1) / 2
	tail := w - 1 - head
	return ansi.Truncate(s, head, "") + "…" + ansi.TruncateLeft(s, sw-tail, "")
}

// spread puts left and right at the two ends of w cells.
func spread(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return ansi.Truncate(left, w, "…")
	}
	return left + strings.Repeat(" ", gap) + right
}

// wrapLines wraps s to w cells and keeps at most n lines, the last cut with an ellipsis.
func wrapLines(style lipgloss.Style, s string, w, n int) []string {
	lines := strings.Split(style.Width(w).Render(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = ansi.Truncate(lines[n-1], w-1, "") + "…"
	}
	return lines
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// fitLines pads or cuts lines to n.
func fitLines(lines []string, n int) []string {
	if len(lines) > n {
		return lines[:n]
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return lines
}

func vrule(st *themes.Styles, h int) string {
	return strings.TrimSuffix(strings.Repeat(st.Subtle.Render("│")+"\n", h), "\n")
}
