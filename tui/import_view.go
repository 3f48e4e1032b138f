package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/themes"
	"github.com/m2mport/m2mport/tui/list"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

func (s *importScreen) View() string {
	st := s.st()
	switch s.phase {
	case impPlanning:
		return s.spinner.View() + " " + st.Text.Render(fmt.Sprintf("Comparing %s with %s…", plural(len(s.clients), "client"), sanitize.Line(s.target.ProjectID())))
	}
	var lines []string
	lines = append(lines, s.titleLine(), s.countsLine(), "")
	// A run that never started has no progress to show: a bar would read "2/2", full.
	if s.phase == impRunning || (s.phase == impDone && !s.notStarted()) {
		lines = append(lines, s.progressLine(), "")
	}
	lines = append(lines, widget.FitLines(s.list.Lines(s.itemLine), s.list.Height())...)
	switch s.phase {
	case impReview, impConfirm:
		lines = append(lines, st.Subtle.Render(strings.Repeat("─", s.width)))
		lines = append(lines, widget.FitLines(s.itemDetails(s.list.Cursor()), s.detailHeight())...)
	case impDone:
		lines = append(lines, s.summaryLines()...)
	}
	lines = append(lines, s.statusLine())
	view := strings.Join(lines, "\n")
	switch {
	case s.phase == impConfirm:
		return widget.Overlay(widget.Fit(view, s.width, s.height), s.confirmBox(), s.width, s.height)
	case s.accepting:
		return widget.Overlay(widget.Fit(view, s.width, s.height), s.acceptBox(), s.width, s.height)
	case s.asking:
		return widget.Overlay(widget.Fit(view, s.width, s.height), s.cancelBox(), s.width, s.height)
	}
	return view
}

func (s *importScreen) titleLine() string {
	st := s.st()
	title := "Review the plan"
	switch s.phase {
	case impRunning:
		title = "Importing"
		if s.cancelling {
			title = "Cancelling — waiting for calls in flight"
		}
	case impDone:
		title = "Import finished"
		switch {
		case s.summary != nil && s.summary.NotStarted != "":
			title = "Import not started"
		case s.summary != nil && s.summary.Canceled:
			title = "Import cancelled"
		}
	}
	target := sanitize.Line(s.target.ProjectID())
	return widget.Spread(st.Title.Render(title), st.Muted.Render(widget.Middle(target, max(s.width-len(title)-4, 8))), s.width)
}

func (s *importScreen) countsLine() string {
	st := s.st()
	if s.phase == impRunning || s.phase == impDone {
		return s.progressCounts()
	}
	n := s.plan.Counts()
	return counts(st, []count{
		{n.Create, "to create", st.Success}, {n.Update, "to update", st.Warning}, {n.Skip, "identical", st.Accent},
		{n.Conflict, keptAsTheyAre(n.Conflict), st.Warning}, {n.Blocked, "blocked", st.Error},
	})
}

// count is one number of a counts line: "3 imported", in its tone.
type count struct {
	n     int
	text  string
	style lipgloss.Style
}

func keptAsTheyAre(n int) string {
	if n == 1 {
		return "kept as it is"
	}
	return "kept as they are"
}

// counts joins the non-zero counts: "3 imported · 1 identical".
func counts(st *themes.Styles, cs []count) string {
	var parts []string
	for _, c := range cs {
		if c.n > 0 {
			parts = append(parts, c.style.Render(fmt.Sprintf("%d %s", c.n, c.text)))
		}
	}
	return strings.Join(parts, st.Subtle.Render(" · "))
}

func (s *importScreen) itemLine(n int, onCursor bool) string {
	st := s.st()
	it := &s.plan.Items[n]
	var b widget.Badge
	if s.phase == impRunning || s.phase == impDone {
		b = s.stateBadge(n)
	} else {
		b = actionBadge(it)
	}
	name := sanitize.Line(it.Client.Name)
	if name == "" {
		name = "(no name)"
	}
	idW := 20
	if s.width < 80 || s.phase == impRunning || s.phase == impDone {
		idW = 0 // during the run the news matter more than the ids, shown in the plan
	}
	const badgeW = 14
	// The name takes what the id, the state and 20 cells of news leave, up to 26.
	nameW := min(max(s.width-2-idW-1-badgeW-1-20, 12), 26)
	text := widget.Cell(name, nameW)
	if idW > 0 {
		text += " " + widget.Cell(widget.Middle(sanitize.Line(it.Client.ID), idW), idW)
	}
	note := ""
	live := &s.live[n]
	switch {
	case live.note != "":
		note = live.note
	case live.check != nil:
		note = checkBadge(live.check)
	case s.phase == impReview || s.phase == impConfirm:
		if it.Action == client.ActionConflict || it.Action == client.ActionBlocked {
			note = it.Reason()
		}
	}
	rest := s.width - 2 - widget.Width(text) - 1 - badgeW - 1
	line := text + " " + widget.Cell(b.Text, badgeW) + " " + widget.Truncate(sanitize.Line(note), max(rest, 0))
	if onCursor && s.phase != impRunning {
		return list.CursorRow(st, line, s.width)
	}
	noteStyle := st.Muted
	if live.check != nil && !live.check.Passed() || live.state == client.StateFailed {
		noteStyle = st.Error
	}
	return list.Row(st.Text.Render(text) + " " + b.Render(st) + strings.Repeat(" ", max(badgeW-widget.Width(b.Text), 0)) + " " + noteStyle.Render(widget.Truncate(sanitize.Line(note), max(rest, 0))))
}

func (s *importScreen) statusLine() string {
	st := s.st()
	switch s.phase {
	case impReview:
		// The longest wording that fits: the line is never cut.
		n := s.plan.Counts()
		switch {
		case s.plan.Writes():
			return st.Muted.Render(widget.LongestFitting(s.width, "Nothing is written until you confirm. Nothing is ever deleted in Auth0.", "Nothing is written until you confirm."))
		case n.Skip > 0:
			return st.Muted.Render(widget.LongestFitting(s.width, "Nothing to write: enter checks the identical clients' tokens.", "Nothing to write: enter checks their tokens."))
		}
		return st.Warning.Render(widget.LongestFitting(s.width, "Nothing to import: every chosen client is blocked or kept as it is.", "Nothing to import: each is blocked or kept as it is."))
	}
	// The highlighted client's latest news, in full: the list cuts it to its column.
	var news string
	if n, ok := s.list.Current(); ok {
		it := &s.live[n]
		switch {
		case it.note != "":
			news = sanitize.Line(s.plan.Items[n].Client.Name) + ": " + sanitize.Line(it.note)
		case it.err != nil && it.err.Hint != "":
			news = sentence(sanitize.Line(it.err.Hint))
		}
	}
	if s.phase == impRunning {
		status := client.HumanDuration(s.cfg.now().Sub(s.started).Round(100*time.Millisecond)) + " · esc cancels"
		if news != "" {
			status += " · " + news
		}
		news = status
	}
	return st.Muted.Render(widget.Truncate(news, s.width))
}
