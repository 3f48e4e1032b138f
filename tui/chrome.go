package tui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/m2mport/m2mport/themes"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

func defaultTheme() themes.Theme {
	t, _ := themes.Lookup(themes.Default)
	return t
}

// header draws the app's name, the four steps with the current one marked, and on the right
// where the operator is pointed: the demo sandbox, a live project, or the connected project.
func (a *App) header(w int) string {
	st := a.sh.styles
	current := a.top().Step()
	// A step is done when the operator went through it to get here: the token check skips
	// Scopes and Import, a client typed by hand skips Scopes.
	done := map[step]bool{}
	for _, s := range a.stack[:len(a.stack)-1] {
		if s.Step() != current {
			done[s.Step()] = true
		}
	}
	trail := func(marks bool) string {
		var steps []string
		for i, name := range stepNames {
			s := step(i)
			switch {
			case done[s]:
				if marks {
					name = "✓ " + name
				}
				steps = append(steps, st.StepDone.Render(name))
			case s == current:
				steps = append(steps, st.StepCurrent.Render(name))
			default:
				steps = append(steps, st.StepTodo.Render(name))
			}
		}
		return st.Brand.Render("m2mport") + "  " + strings.Join(steps, st.StepSep.Render(" › "))
	}
	// The ✓ marks say which steps are done also without colour: they go only when the
	// narrowest right-hand marker would not fit beside them.
	left := trail(true)
	if markers := a.markers(0); len(markers) > 0 && w-lipgloss.Width(left)-2 < lipgloss.Width(markers[len(markers)-1]) {
		left = trail(false)
	}

	var right string
	room := w - lipgloss.Width(left) - 2
	for _, candidate := range a.markers(room) {
		if lipgloss.Width(candidate) <= room {
			right = candidate
			break
		}
	}
	gap := max(w-lipgloss.Width(left)-lipgloss.Width(right), 1)
	return left + strings.Repeat(" ", gap) + right
}

// markers are the header's right side from the most to the least informative; the first that
// fits in room cells is drawn.
func (a *App) markers(room int) []string {
	st := a.sh.styles
	switch {
	case a.sh.demo:
		return []string{st.Demo.Render("DEMO — local sandbox"), st.Demo.Render("DEMO")}
	}
	target := a.session.target
	if c, ok := a.top().(*connectScreen); ok && c.tgt != nil && c.target.state == sideOK {
		target = c.tgt // checked, not yet gone on with: the live guard is shown under it
	}
	switch {
	case target != nil && target.IsLive():
		// "LIVE" says what the id's prefix does; the rest tells projects apart.
		id := sanitize.Line(strings.TrimPrefix(target.ProjectID(), "project-live-"))
		return []string{st.Danger.Render("LIVE " + id), st.Danger.Render("LIVE " + widget.Middle(id, max(room-7, 16))), st.Danger.Render("LIVE")}
	case target != nil:
		id := sanitize.Line(target.ProjectID())
		return []string{st.Muted.Render(id), st.Muted.Render(widget.Middle(id, max(room, 16)))}
	}
	return nil
}

// tooSmallHint is what the operator can do without room for the screen: quit, or answer
// the question quitting asked while an import runs.
func (a *App) tooSmallHint() string {
	if a.confirmQuit != "" {
		return "Quit while " + a.confirmQuit + "? y quit · n keep going"
	}
	return "Make it larger or press q to quit."
}

func (a *App) tooSmallView() string {
	st := a.sh.styles
	w := max(a.width-4, 10)
	msg := lipgloss.JoinVertical(lipgloss.Center,
		st.Title.Render("Terminal too small"),
		"",
		st.Text.Width(w).Align(lipgloss.Center).Render(fmt.Sprintf("%d×%d here, %d×%d needed.", a.width, a.height, minWidth, minHeight)),
		st.Muted.Width(w).Align(lipgloss.Center).Render(a.tooSmallHint()),
	)
	return lipgloss.Place(a.width, a.height, lipgloss.Center, lipgloss.Center, msg)
}

// problemView is the full-screen error: what happened, what to do, and how to go on.
func (a *App) problemView(w, h int) string {
	st := a.sh.styles
	p := a.problem
	inner := min(w-4, 72)
	lines := []string{st.Error.Bold(true).Width(inner).Render("✗ " + p.What)}
	if p.Hint != "" {
		lines = append(lines, "", st.Text.Width(inner).Render(p.Hint))
	}
	if p.Ref != "" {
		lines = append(lines, "", st.Muted.Render("request id "+p.Ref))
	}
	box := st.Panel.BorderForeground(st.Palette.Error).Render(lipgloss.JoinVertical(lipgloss.Left, lines...))
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, box)
}

func (a *App) confirmView(w int) string {
	st := a.sh.styles
	inner := min(w-6, 56)
	body := lipgloss.JoinVertical(lipgloss.Left,
		st.Warning.Bold(true).Render("Quit while "+a.confirmQuit+"?"),
		"",
		st.Text.Width(inner).Render("Calls already sent finish; nothing new starts. Running m2mport again picks up where this run stopped."),
		"",
		widget.Answers(&st, quitAnswers()...),
	)
	return st.PanelFocus.BorderForeground(st.Palette.Warning).Render(body)
}
