package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"

	"github.com/m2mport/m2mport/themes"
)

// output is one of a command's streams as the operator sees it: on a terminal, marks by
// meaning (✓ green, ✗ red; NO_COLOR respected) and a width that tables and hints fit; to a
// pipe or a file, plain text with no escape codes and no width.
type output struct {
	w     io.Writer
	m     themes.Marks
	width int // the terminal's columns; 0 when w is not a terminal
}

// maxHintWidth is where a what-to-do line wraps on a wide terminal: past about 100 columns,
// a sentence is hard to follow.
const maxHintWidth = 100

// outputOf returns w as the operator sees it.
func (env *Env) outputOf(w io.Writer) *output {
	width, tty := env.terminalWidth(w)
	if !tty {
		return &output{w: w, m: themes.NoMarks()}
	}
	profile := colorprofile.ANSI
	if env.ttyWidth == nil { // a real terminal: TERM, COLORTERM and NO_COLOR say what it can show
		profile = colorprofile.Detect(w, environ(env.Getenv))
	}
	return &output{w: &colorprofile.Writer{Forward: w, Profile: profile}, m: themes.HeadlessMarks(env.Getenv), width: width}
}

// terminalWidth says whether w is a terminal, and how wide.
func (env *Env) terminalWidth(w io.Writer) (int, bool) {
	if env.ttyWidth != nil {
		return env.ttyWidth(w)
	}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return 0, false
	}
	width, _, err := term.GetSize(f.Fd())
	if err != nil || width <= 0 {
		width = 80
	}
	return width, true
}

// environ is the part of the environment that says what a terminal can show.
func environ(getenv func(string) string) []string {
	var out []string
	for _, k := range []string{"TERM", "COLORTERM", "NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM_PROGRAM", "TMUX", "WT_SESSION"} {
		if v := getenv(k); v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

func (o *output) Write(p []byte) (int, error) { return o.w.Write(p) }

// wrap fits text to the terminal (at most maxHintWidth columns), breaking at spaces, with
// indent before every line but the first. Off a terminal it stays one line, for grep.
func (o *output) wrap(text, indent string) string {
	if o.width == 0 {
		return text
	}
	width := min(o.width, maxHintWidth) - ansi.StringWidth(indent)
	return strings.ReplaceAll(wrap(text, width), "\n", "\n"+indent)
}

// column is one column of a table: its header; how far it may narrow on a terminal too small
// for the table (0: never, its cells are whole ids and words); and, for a terminal too small
// even for that, how its cell reads on a line of its own under the row's first columns
// ("2" as "2 scopes"; nil keeps it on the first line).
type column struct {
	header string
	narrow int
	stack  func(cell string) string
}

// minLastColumn is the least width the last column (the why, the what to do) wraps to beside
// the others; narrower than that, it goes under its row.
const minLastColumn = 24

// table lays rows out in columns two spaces apart, measured in cells (so a wide character or
// an emoji counts as what it takes on screen). Off a terminal every column is as wide as its
// widest cell. On a terminal the last column wraps to the room left; if that is too little,
// the columns that may narrow do (their cells cut with "…"); failing that the last column
// goes under its row, indented; and when even the other columns don't fit, the stackable
// ones join it there, on a line of their own. A cell of the last column may hold several
// lines; a line that starts with spaces keeps them on the lines it wraps to. style, when set,
// styles a cell (row -1 is the header).
//
// The table is streamed: row(i) is asked for each of the rows twice, widths first, and no
// row is kept, so a table of 100,000 rows takes no more memory than one.
func (o *output) table(cols []column, rows int, row func(i int) []string, style func(row, col int) lipgloss.Style) {
	n := len(cols)
	widths := make([]int, n)
	for i, c := range cols {
		widths[i] = ansi.StringWidth(c.header)
	}
	longestWord := 0 // in the last column, with its line's indent: it can't wrap narrower
	for r := range rows {
		for i, cell := range row(r) {
			for _, l := range strings.Split(cell, "\n") {
				widths[i] = max(widths[i], ansi.StringWidth(l))
				if i == n-1 {
					indent := len(l) - len(strings.TrimLeft(l, " "))
					for _, w := range strings.Fields(l) {
						longestWord = max(longestWord, indent+ansi.StringWidth(w))
					}
				}
			}
		}
	}
	shown := make([]bool, n-1) // the columns on the row's first line
	for i := range shown {
		shown[i] = true
	}
	fixed := func() int {
		sum := 0
		for i, w := range widths[:n-1] {
			if shown[i] {
				sum += w + 2
			}
		}
		return sum
	}
	natural := slices.Clone(widths)
	last, under, stacked := widths[n-1], false, false
	if o.width > 0 {
		for i := range n - 1 {
			if room := o.width - fixed(); room < minLastColumn && cols[i].narrow > 0 && widths[i] > cols[i].narrow {
				widths[i] = max(cols[i].narrow, widths[i]-(minLastColumn-room))
			}
		}
		last = min(widths[n-1], o.width-fixed())
		if last < max(minLastColumn, longestWord) {
			last, under = o.width-4, true
			// The last column is out of the way: what narrowed may take the room back.
			for i := range n - 1 {
				if spare := o.width - (fixed() - 2); spare > 0 && widths[i] < natural[i] {
					widths[i] = min(natural[i], widths[i]+spare)
				}
			}
		}
		if fixed()-2 > o.width {
			stacked = true
			for i := range shown {
				shown[i] = cols[i].stack == nil
			}
		}
	}
	cellStyle := func(row, col int) lipgloss.Style {
		s := lipgloss.NewStyle()
		if style != nil {
			s = style(row, col)
		}
		if row < 0 {
			s = s.Inherit(o.m.Bold)
		}
		return s
	}
	b := bufio.NewWriter(o)
	defer b.Flush()
	// Each line is written without the spaces that would end it.
	writeLine := func(l string) { b.WriteString(strings.TrimRight(l, " ") + "\n") }
	line := func(row int, cells []string) {
		var lines []string
		for _, l := range strings.Split(cells[n-1], "\n") {
			if o.width == 0 {
				lines = append(lines, l)
				continue
			}
			text := strings.TrimLeft(l, " ")
			indent := l[:len(l)-len(text)]
			lines = append(lines, strings.Split(indent+strings.ReplaceAll(wrap(text, last-len(indent)), "\n", "\n"+indent), "\n")...)
		}
		var first strings.Builder
		var stack []string
		for i, cell := range cells[:n-1] {
			if !shown[i] {
				if row >= 0 {
					stack = append(stack, cellStyle(row, i).Render(cols[i].stack(cell)))
				}
				continue
			}
			if w := ansi.StringWidth(cell); w > widths[i] || (stacked && w > o.width) {
				cell = ansi.Truncate(cell, min(widths[i], o.width), "…")
			}
			first.WriteString(cellStyle(row, i).Render(cell))
			first.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(cell)+2))
		}
		pad := strings.Repeat(" ", ansi.StringWidth(ansi.Strip(first.String())))
		if under {
			writeLine(first.String())
			pad = "    "
			if len(stack) > 0 {
				writeLine(pad + ansi.Truncate(strings.Join(stack, " · "), o.width-len(pad), "…"))
			}
			if row < 0 {
				return // the header of a column under its row would name nothing
			}
		} else {
			writeLine(first.String() + cellStyle(row, n-1).Render(lines[0]))
			lines = lines[1:]
		}
		for _, l := range lines {
			writeLine(pad + cellStyle(row, n-1).Render(l))
		}
	}
	headers := make([]string, n)
	for i, c := range cols {
		headers[i] = c.header
	}
	line(-1, headers)
	for r := range rows {
		line(r, row(r))
	}
}

// note prints a line for the operator on stderr, wrapped to the terminal, its label ("left
// out:", "warning:") marked.
func note(env *Env, line string) {
	o := env.outputOf(env.Err)
	line = o.wrap(line, "  ")
	if label, rest, ok := strings.Cut(line, ": "); ok && (label == "warning" || label == "left out" || label == "note") {
		line = o.m.Warning.Render(label+":") + " " + rest
	}
	o.printf("%s\n", line)
}

// printf writes to the stream.
func (o *output) printf(format string, args ...any) { fmt.Fprintf(o, format, args...) }
