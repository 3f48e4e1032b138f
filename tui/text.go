package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/m2mport/m2mport/client"
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

// spreadOrStack is spread when left and right fit on one line of w cells, else the two on
// lines of their own.
func spreadOrStack(left, right string, w int) []string {
	if lipgloss.Width(left)+2+lipgloss.Width(right) <= w {
		return []string{spread(left, right, w)}
	}
	return []string{left, right}
}

// wrapText wraps plain text to w cells, at spaces, hyphens, slashes and @ (ids and URLs
// break where they read well) or inside a word longer than a line, and keeps at most n lines (n < 1: all), the last cut with an ellipsis.
func wrapText(s string, w, n int) []string {
	w = max(w, 2)
	if n > 0 {
		// n lines hold at most n×w cells and the n-1 spaces they broke at: the rest of a
		// long text can't change them, so it is not wrapped.
		s = ansi.Truncate(s, n*(w+1)+1, "")
	}
	lines := strings.Split(ansi.Wrap(s, w, "/@"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	if n > 0 && len(lines) > n {
		lines = lines[:n]
		lines[n-1] = ansi.Truncate(lines[n-1], w-1, "") + "…"
	}
	return lines
}

// wrapLines is wrapText with each line drawn in style.
func wrapLines(style lipgloss.Style, s string, w, n int) []string {
	lines := wrapText(s, w, n)
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return lines
}

// hang wraps s after a prefix, the lines after the first indented to line up under the text:
// "✗ the secret is too weak" with its second line under "the".
func hang(style lipgloss.Style, prefix, s string, w, n int) []string {
	pw := textWidth(prefix)
	if w-pw < 10 {
		return wrapLines(style, prefix+s, w, n)
	}
	lines := wrapText(s, w-pw, n)
	for i, l := range lines {
		if i == 0 {
			lines[i] = style.Render(prefix + l)
		} else {
			lines[i] = strings.Repeat(" ", pw) + style.Render(l)
		}
	}
	return lines
}

// span says how long d is, the way the UI shows durations: "850 ms", "1.2 s", "45 s",
// "59 min 55 s", "1 h", "23 h 59 min", "3 days" (client.HumanDuration counts a day in
// minutes: "1440 min 0 s"). Under a minute, a duration in whole seconds shows no decimal.
func span(d time.Duration) string {
	part := func(n int64, unit string, m int64, minor string) string {
		if m == 0 {
			return fmt.Sprintf("%d %s", n, unit)
		}
		return fmt.Sprintf("%d %s %d %s", n, unit, m, minor)
	}
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute && d%time.Second == 0:
		return fmt.Sprintf("%d s", d/time.Second)
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Hour:
		return part(int64(d/time.Minute), "min", int64(d%time.Minute/time.Second), "s")
	case d < 48*time.Hour:
		return part(int64(d/time.Hour), "h", int64(d%time.Hour/time.Minute), "min")
	}
	return fmt.Sprintf("%d days", d/(24*time.Hour))
}

func plural(n int, noun string) string { return client.Plural(n, noun) }

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
