package tui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

func (c *connectScreen) View() string {
	st := c.st()
	compact := c.height < 24
	var parts []string
	if !compact {
		parts = append(parts,
			st.Title.Render("Connect"),
			st.Muted.Width(c.width).Render("Point m2mport at the Auth0 tenant to read from and the Stytch project to write to."),
			"")
	}
	pw := c.panelWidth()
	h := max(len(c.sourceStatus(pw-4)), len(c.targetStatus(pw-4)))
	left := c.panel("Source · Auth0", []int{fDomain, fClientID, fClientSecret}, widget.FitLines(c.sourceStatus(pw-4), h), pw, compact)
	right := c.panel("Target · Stytch", []int{fProjectID, fProjectSecret, fBaseURL}, widget.FitLines(c.targetStatus(pw-4), h), pw, compact)
	parts = append(parts, lipgloss.JoinHorizontal(lipgloss.Top, left, " ", right))
	parts = append(parts, "")
	if c.state == connLiveGuard {
		// Asked in place, under the credentials just checked: the operator stays where they
		// were, and esc leaves them there.
		parts = append(parts, c.guardLines()...)
	}
	details := c.details()
	parts = append(parts, details...)
	if c.state != connLiveGuard && (!compact || len(details) == 0) {
		parts = append(parts, c.footerLine())
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

func (c *connectScreen) panel(title string, idx []int, status []string, w int, compact bool) string {
	st := c.st()
	inner := w - 4
	focused := false
	lines := []string{st.PanelTitle.Render(title)}
	if !compact {
		lines = append(lines, "")
	}
	for n, i := range idx {
		if i == c.form.focus {
			focused = true
		}
		if n > 0 && !compact {
			lines = append(lines, "")
		}
		lines = append(lines, c.form.fieldView(i, inner, st))
	}
	if len(status) > 0 {
		lines = append(lines, "")
		lines = append(lines, status...)
	}
	box := st.Panel
	if focused {
		box = st.PanelFocus
	}
	return box.Width(w).Render(lipgloss.JoinVertical(lipgloss.Left, lines...))
}

// status is a side's verdict in its panel, at most two lines (details go under the panels):
// the spinner and why it is taking long while it is checked, what went wrong, or what ok
// says once connected.
func (c *connectScreen) status(sd side, doing, note string, w int, ok func() []string) []string {
	st := c.st()
	switch sd.state {
	case sideChecking:
		lines := []string{c.spinner.View() + " " + st.Muted.Render(doing)}
		if note != "" {
			lines = append(lines, widget.WrapLines(st.Warning, note, w, 2)...)
		}
		return lines
	case sideFailed:
		return widget.WrapLines(st.Error, "✗ "+sd.problem.What, w, 2)
	case sideSkipped:
		return []string{st.Muted.Render("Left empty: Stytch only.")}
	case sideOK:
		return ok()
	}
	return nil
}

func (c *connectScreen) sourceStatus(w int) []string {
	return c.status(c.source, "Reading the tenant…", c.sourceNote, w, func() []string {
		st := c.st()
		info := c.sourceInfo
		head := "✓ " + sanitize.Line(info.Name)
		head += sourceCount(info)
		lines := []string{st.Success.Render(widget.Truncate(head, w))}
		if n := len(info.Missing); n > 0 {
			lines = append(lines, st.Warning.Render(widget.Truncate("! "+plural(n, "permission")+" missing, see below", w)))
		}
		return lines
	})
}

// sourceCount is " · N M2M clients": what Pick will list (every app that may use client
// credentials, whatever its type), or " · at least N M2M clients" when a large tenant was
// counted without reading it all.
func sourceCount(info client.SourceInfo) string {
	switch {
	case info.Clients < 0:
		return ""
	case info.ClientsAtLeast:
		return " · at least " + plural(info.Clients, "M2M client")
	}
	return " · " + plural(info.Clients, "M2M client")
}

func (c *connectScreen) targetStatus(w int) []string {
	return c.status(c.target, "Checking the project…", c.targetNote, w, func() []string {
		st := c.st()
		info := c.targetInfo
		lines := []string{st.Success.Render(widget.Truncate("✓ "+sanitize.Line(info.ProjectID), w))}
		switch {
		case info.Live:
			lines = append(lines, st.Error.Bold(true).Render("LIVE — production"))
		case info.Clients == 0:
			lines = append(lines, st.Muted.Render("no M2M clients yet"))
		case info.Clients > 0:
			lines = append(lines, st.Muted.Render(widget.Truncate(plural(info.Clients, "client")+" already there", w)))
		}
		return lines
	})
}

// details are what the panels' verdicts need explained, full width under them: each
// failure's hint and request id, each missing permission and what it costs.
func (c *connectScreen) details() []string {
	st := c.st()
	w := c.width
	var lines []string
	for _, sd := range []struct {
		api  string
		side side
	}{{"Auth0", c.source}, {"Stytch", c.target}} {
		p := sd.side.problem
		if sd.side.state != sideFailed || (p.Hint == "" && p.Ref == "") {
			continue
		}
		text := sd.api + ": " + p.Hint
		if p.Ref != "" {
			text += " (request id " + p.Ref + ")"
		}
		lines = append(lines, st.Muted.Width(w).Render(text))
	}
	if c.source.state == sideOK {
		for _, m := range c.sourceInfo.Missing {
			lines = append(lines, st.Warning.Width(w).Render("! "+sanitize.Line(m.Scope)+" missing: "+sanitize.Line(m.Consequence)))
		}
		if len(c.sourceInfo.Missing) > 0 {
			lines = append(lines, widget.Hang(st.Muted, "  ", "Grant them in the Auth0 dashboard: Applications › APIs › Auth0 Management API › Machine to Machine Applications › this app; then connect again.", w, 3)...)
		}
	}
	return lines
}

// footerLine says what happens next, under the panels.
func (c *connectScreen) footerLine() string {
	st := c.st()
	w := c.width
	const byHand = " No Management API access? Leave Auth0 empty to enter clients by hand."
	switch c.state {
	case connReady:
		if c.blank() {
			return st.Muted.Width(w).Render("Press e to type the credentials (tab moves between fields); Enter connects and checks both." + byHand)
		}
		switch {
		case c.source.state == sideFailed:
			return st.Muted.Width(w).Render("Enter tries again; e edits the Auth0 credentials." + byHand)
		case c.target.state == sideFailed:
			return st.Muted.Width(w).Render("Enter tries again; e edits the Stytch credentials.")
		}
		return st.Muted.Width(w).Render("Enter connects and checks both; e edits the credentials." + byHand)
	case connEditing:
		return st.Muted.Width(w).Render("Enter connects and checks both; esc stops editing." + byHand)
	case connVerifying:
		return c.spinner.View() + " " + st.Text.Render("Connecting…") + "  " + st.Muted.Render("esc cancels")
	case connVerified:
		next := st.Success.Render("✓ Connected.") + " " + st.Muted.Render("Press enter to pick the clients to move.")
		if c.src == nil {
			next = st.Success.Render("✓ Connected to Stytch.") + " " + st.Muted.Render("Press enter to type in a client.")
		}
		switch {
		case c.saved != "" && c.savedErr:
			next += "\n" + st.Error.Width(w).Render(c.saved)
		case c.saved != "":
			next += "\n" + st.Muted.Width(w).Render(c.saved)
		}
		return next
	}
	return ""
}

// guardPrompt comes before the live guard's input.
const guardPrompt = "Type its id to continue: › "

// guardLines stop the operator in front of a live project until they type its id: what it
// means (or why the id typed is not it), then the question, in three lines at most.
func (c *connectScreen) guardLines() []string {
	st := c.st()
	w := c.width
	var lines []string
	if c.guardErr != "" {
		lines = widget.WrapLines(st.Error, "✗ "+c.guardErr, w, 2)
	} else {
		banner := st.Danger.Render("PRODUCTION")
		const means = " a live project: your production services will see whatever m2mport imports."
		// The id, when it leaves room for what it means (the panel above shows it too).
		text := widget.WrapText(sanitize.Line(c.tgt.ProjectID())+" is"+means, w-widget.Width(banner)-1, 0)
		if len(text) > 2 {
			text = widget.WrapText("This is"+means, w-widget.Width(banner)-1, 2)
		}
		lines = append(lines, banner+" "+st.Text.Render(text[0]))
		for _, l := range text[1:] {
			lines = append(lines, strings.Repeat(" ", widget.Width(banner)+1)+st.Text.Render(l))
		}
	}
	return append(lines, st.Bold.Render("Type its id to continue: ")+st.Error.Render("› ")+c.guard.View())
}
