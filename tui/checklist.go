package tui

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/themes"
	"github.com/m2mport/m2mport/tui/sanitize"
)

// checkLines draws a token checklist in w cells as a table: ✓/✗/· and the claim, what the
// token holds, and what was expected; a failed line adds why it matters.
func checkLines(st *themes.Styles, cl *client.Checklist, w int) []string {
	if cl == nil {
		return nil
	}
	return checkTable(st, cl.Checks, "the token says", "expected", w)
}

// checkTable draws check lines under the given titles for the Actual and Expected columns.
func checkTable(st *themes.Styles, checks []client.Check, actualTitle, expectedTitle string, w int) []string {
	const nameW = 12 // glyph, space, name
	actualW := max((w-nameW)*11/20, 10)
	expW := max(w-nameW-actualW-1, 0)
	lines := []string{st.Muted.Render(cell("  check", nameW) + cell(actualTitle, actualW) + " " + ansi.Truncate(expectedTitle, expW, ""))}
	for _, c := range checks {
		name := cell(sanitize.Line(c.Name), nameW-2)
		actual := sanitize.Line(c.Actual)
		if actual == "" {
			actual = "(none)"
		}
		// Cut in the middle: both ends of an id or a project id tell it apart.
		actual = cell(middle(actual, actualW-1), actualW)
		expected := middle(sanitize.Line(c.Expected), expW)
		switch c.Status {
		case client.CheckPass:
			lines = append(lines, st.Success.Render("✓ ")+st.Text.Render(name)+st.Text.Render(actual)+" "+st.Muted.Render(expected))
		case client.CheckFail:
			lines = append(lines, st.Error.Render("✗ ")+st.Error.Bold(true).Render(name)+st.Text.Render(actual)+" "+st.Text.Render(expected))
			if c.Note != "" {
				lines = append(lines, st.Error.Render(ansi.Truncate(strings.Repeat(" ", nameW)+sanitize.Line(c.Note), w, "…")))
			}
		default:
			lines = append(lines, st.Muted.Render("· "+name+actual+" "+expected))
		}
	}
	return lines
}

// verdict is the checklist in one line.
func verdict(st *themes.Styles, cl *client.Checklist) string {
	switch {
	case cl == nil:
		return st.Muted.Render("not checked")
	case cl.Passed():
		n := 0
		for _, c := range cl.Checks {
			if c.Status == client.CheckPass {
				n++
			}
		}
		return st.Success.Render(fmt.Sprintf("✓ all %d checks pass", n))
	}
	return st.Error.Render(fmt.Sprintf("✗ %s failed", plural(len(cl.Failed()), "check")))
}

// tokenJSON draws a token's decoded payload and header as highlighted JSON, with times
// spelled out next to exp, nbf and iat.
func tokenJSON(st *themes.Styles, cl *client.Checklist, now time.Time) []string {
	if cl == nil || (len(cl.Header) == 0 && len(cl.Payload) == 0) {
		return nil
	}
	lines := []string{st.Muted.Bold(true).Render("Payload")}
	lines = append(lines, highlightJSON(st, cl.Payload, now)...)
	lines = append(lines, "", st.Muted.Bold(true).Render("Header"))
	return append(lines, highlightJSON(st, cl.Header, now)...)
}

// highlightJSON colours indented JSON line by line: keys, strings, numbers, literals. The
// text is sanitized first: a claim may hold anything.
func highlightJSON(st *themes.Styles, raw json.RawMessage, now time.Time) []string {
	text := sanitize.Text(string(raw))
	var out []string
	for _, line := range strings.Split(text, "\n") {
		out = append(out, highlightLine(st, line, now))
	}
	return out
}

func highlightLine(st *themes.Styles, line string, now time.Time) string {
	var b strings.Builder
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
				b.WriteString(st.JSONKey.Render(tok))
			} else {
				b.WriteString(st.JSONString.Render(tok))
			}
			i = j
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(line) && strings.IndexByte("0123456789.eE+-", line[j]) >= 0 {
				j++
			}
			b.WriteString(st.JSONNumber.Render(line[i:j]))
			if when := claimTime(key, line[i:j]); !when.IsZero() {
				if strings.HasPrefix(line[j:], ",") {
					b.WriteString(st.JSONPunct.Render(","))
					j++
				}
				b.WriteString(st.Muted.Render("  " + describeTime(when, now)))
			}
			i = j
		case strings.HasPrefix(line[i:], "true"), strings.HasPrefix(line[i:], "null"):
			b.WriteString(st.JSONLiteral.Render(line[i : i+4]))
			i += 4
		case strings.HasPrefix(line[i:], "false"):
			b.WriteString(st.JSONLiteral.Render("false"))
			i += 5
		case c == ' ':
			j := i
			for j < len(line) && line[j] == ' ' {
				j++
			}
			b.WriteString(line[i:j])
			i = j
		default:
			b.WriteString(st.JSONPunct.Render(line[i : i+1]))
			i++
		}
	}
	return b.String()
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

// describeTime says when t is, in UTC and relative to now: "// 14:05:07 UTC, in 59 min".
func describeTime(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	rel := "now"
	switch {
	case d > 0:
		rel = "in " + client.HumanDuration(d)
	case d < 0:
		rel = client.HumanDuration(-d) + " ago"
	}
	return "// " + t.UTC().Format("2006-01-02 15:04:05") + " UTC, " + rel
}
