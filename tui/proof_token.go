package tui

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/themes"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

// tokenJSON draws a token's decoded payload and header as highlighted JSON in w cells, with
// times spelled out next to exp, nbf and iat. A line longer than w wraps, indented under its
// key, so no value is ever cut.
func tokenJSON(st *themes.Styles, cl *client.Checklist, now time.Time, w int) []string {
	if cl == nil || (len(cl.Header) == 0 && len(cl.Payload) == 0) {
		return nil
	}
	lines := []string{st.Muted.Bold(true).Render("Payload")}
	lines = append(lines, highlightJSON(st, cl.Payload, now, w)...)
	lines = append(lines, "", st.Muted.Bold(true).Render("Header"))
	return append(lines, highlightJSON(st, cl.Header, now, w)...)
}

// highlightJSON colours indented JSON line by line: keys, strings, numbers, literals. The
// text is sanitized first: a claim may hold anything.
func highlightJSON(st *themes.Styles, raw json.RawMessage, now time.Time, w int) []string {
	text := sanitize.Text(string(raw))
	var out []string
	for _, line := range strings.Split(text, "\n") {
		out = append(out, layoutPieces(jsonPieces(st, line, now), w)...)
	}
	return out
}

// piece is a run of text in one style.
type piece struct {
	text  string
	style lipgloss.Style
}

func jsonPieces(st *themes.Styles, line string, now time.Time) []piece {
	var out []piece
	add := func(s string, style lipgloss.Style) { out = append(out, piece{s, style}) }
	var key string
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(line) && line[j] != '"' {
				if line[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(line))
			tok := line[i:j]
			if strings.HasPrefix(strings.TrimSpace(line[j:]), ":") {
				key, _ = strconv.Unquote(tok)
				add(tok, st.JSONKey)
			} else {
				add(tok, st.JSONString)
			}
			i = j
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(line) && strings.IndexByte("0123456789.eE+-", line[j]) >= 0 {
				j++
			}
			add(line[i:j], st.JSONNumber)
			if when := claimTime(key, line[i:j]); !when.IsZero() {
				if strings.HasPrefix(line[j:], ",") {
					add(",", st.JSONPunct)
					j++
				}
				add("  "+describeTime(when, now), st.Muted)
			}
			i = j
		case strings.HasPrefix(line[i:], "true"), strings.HasPrefix(line[i:], "null"):
			add(line[i:i+4], st.JSONLiteral)
			i += 4
		case strings.HasPrefix(line[i:], "false"):
			add("false", st.JSONLiteral)
			i += 5
		case c == ' ':
			j := i
			for j < len(line) && line[j] == ' ' {
				j++
			}
			add(line[i:j], lipgloss.NewStyle())
			i = j
		default:
			add(line[i:i+1], st.JSONPunct)
			i++
		}
	}
	return out
}

// layoutPieces lays one line's pieces out in w cells. What does not fit goes on the next
// line, indented two cells more than the line itself: a piece moves there whole when it fits
// there or starts with a space (a comment after a value), else it is cut where the line
// ends — at its last space there, if it has one.
func layoutPieces(pieces []piece, w int) []string {
	w = max(w, 4)
	indent := 0
	if len(pieces) > 0 && strings.TrimSpace(pieces[0].text) == "" {
		indent = widget.Width(pieces[0].text)
	}
	indent = min(indent+2, w/2)
	var lines []string
	var b strings.Builder
	used := 0
	newLine := func() {
		lines = append(lines, b.String())
		b.Reset()
		b.WriteString(strings.Repeat(" ", indent))
		used = indent
	}
	for _, p := range pieces {
		text := p.text
		for text != "" {
			tw := widget.Width(text)
			if used+tw <= w {
				b.WriteString(p.style.Render(text))
				used += tw
				break
			}
			if used > indent && (tw <= w-indent || text[0] == ' ') {
				newLine()
				text = strings.TrimLeft(text, " ")
				continue
			}
			// A fresh line has room for a grapheme at least, so head is never empty there.
			head := ansi.Truncate(text, w-used, "")
			if i := strings.LastIndexByte(head, ' '); i > 0 {
				head = head[:i]
			}
			if head == "" {
				newLine()
				continue
			}
			b.WriteString(p.style.Render(head))
			text = strings.TrimLeft(text[len(head):], " ")
			newLine()
		}
	}
	if used > indent || len(lines) == 0 {
		lines = append(lines, b.String())
	}
	return lines
}

func claimTime(key, num string) time.Time {
	switch key {
	case "exp", "nbf", "iat", "auth_time":
		if n, err := strconv.ParseInt(num, 10, 64); err == nil {
			return time.Unix(n, 0)
		}
	}
	return time.Time{}
}

// describeTime says when t is, in UTC and relative to now: "// 14:05:07 UTC, in 59 min 55 s".
func describeTime(t, now time.Time) string {
	return "// " + t.UTC().Format("2006-01-02 15:04:05") + " UTC, " + relativeTime(t, now)
}

// relativeTime says how far t is from now, to the second: "in 59 min 55 s", "5 s ago",
// "now". The checks and the token beside them say it against the same clock.
func relativeTime(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	switch {
	case d > 0:
		return "in " + client.HumanDuration(d)
	case d < 0:
		return client.HumanDuration(-d) + " ago"
	}
	return "now"
}
