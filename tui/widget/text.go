package widget

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/m2mport/m2mport/themes"
)

// Text layout helpers. Widths are terminal cells, measured with ansi (never bytes).

// Fit cuts or pads s to exactly h lines of at most w cells.
func Fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// Box is Fit with every line padded to w cells, for blocks laid side by side.
func Box(s string, w, h int) string {
	lines := strings.Split(Fit(s, w, h), "\n")
	for i, l := range lines {
		if pad := w - Width(l); pad > 0 {
			lines[i] = l + strings.Repeat(" ", pad)
		}
	}
	return strings.Join(lines, "\n")
}

// Overlay draws box centred over base (w×h).
func Overlay(base, box string, w, h int) string {
	x := max((w-lipgloss.Width(box))/2, 0)
	y := max((h-lipgloss.Height(box))/2, 0)
	c := lipgloss.NewCompositor(lipgloss.NewLayer(base), lipgloss.NewLayer(box).X(x).Y(y).Z(1))
	return c.Render()
}

// Width is ansi.StringWidth with a fast path for what most cells hold: printable ASCII
// (each byte one cell) and bytes that can't widen a line (a string's width is never more
// than its length in bytes).
func Width(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// Cell pads or truncates s to exactly w cells.
func Cell(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := Width(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

func PadLeft(s string, w int) string {
	sw := Width(s)
	if sw >= w {
		return s
	}
	return strings.Repeat(" ", w-sw) + s
}

// Middle shortens s to w cells by cutting its middle, so both ends of an id stay readable.
func Middle(s string, w int) string {
	sw := Width(s)
	if sw <= w || w < 5 {
		return s
	}
	head := (w - 1) / 2
	tail := w - 1 - head
	return ansi.Truncate(s, head, "") + "…" + ansi.TruncateLeft(s, sw-tail, "")
}

// Spread puts left and right at the two ends of w cells.
func Spread(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return ansi.Truncate(left, w, "…")
	}
	return left + strings.Repeat(" ", gap) + right
}

// SpreadOrStack is Spread when left and right fit on one line of w cells, else the two on
// lines of their own.
func SpreadOrStack(left, right string, w int) []string {
	if lipgloss.Width(left)+2+lipgloss.Width(right) <= w {
		return []string{Spread(left, right, w)}
	}
	return []string{left, right}
}

// WrapText wraps plain text to w cells, at spaces, hyphens, slashes and @ (ids and URLs
// break where they read well) or inside a word longer than a line, and keeps at most n lines (n < 1: all), the last cut with an ellipsis.
func WrapText(s string, w, n int) []string {
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

// WrapLines is WrapText with each line drawn in style.
func WrapLines(style lipgloss.Style, s string, w, n int) []string {
	lines := WrapText(s, w, n)
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return lines
}

// Hang wraps s after a prefix, the lines after the first indented to line up under the text:
// "✗ the secret is too weak" with its second line under "the".
func Hang(style lipgloss.Style, prefix, s string, w, n int) []string {
	pw := Width(prefix)
	if w-pw < 10 {
		return WrapLines(style, prefix+s, w, n)
	}
	lines := WrapText(s, w-pw, n)
	for i, l := range lines {
		if i == 0 {
			lines[i] = style.Render(prefix + l)
		} else {
			lines[i] = strings.Repeat(" ", pw) + style.Render(l)
		}
	}
	return lines
}

// FitLines pads or cuts lines to n.
func FitLines(lines []string, n int) []string {
	if len(lines) > n {
		return lines[:n]
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return lines
}

func VRule(st *themes.Styles, h int) string {
	return strings.TrimSuffix(strings.Repeat(st.Subtle.Render("│")+"\n", h), "\n")
}

// LongestFitting is the first of texts that fits in w cells, else the last.
func LongestFitting(w int, texts ...string) string {
	for _, t := range texts {
		if Width(t) <= w {
			return t
		}
	}
	return texts[len(texts)-1]
}

// Truncate cuts s to at most w cells, an ellipsis marking the cut.
func Truncate(s string, w int) string { return ansi.Truncate(s, w, "…") }
