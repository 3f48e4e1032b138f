package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
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

// footer is the current screen's keys and the global ones, one line, or the full help.
func (a *App) footer() string {
	k := a.sh.keys
	switch {
	case a.confirmQuit != "":
		return a.shortHelp(quitAnswers(), nil)
	case a.quitting:
		// Waiting for the calls in flight: a second ctrl+c is the one key that does anything.
		now := k.ForceQuit
		now.SetHelp("ctrl+c", "quit now")
		return a.shortHelp(nil, []key.Binding{now})
	}
	if a.problem != nil {
		back := k.Back
		back.SetHelp("esc", "go back")
		return a.shortHelp(nil, []key.Binding{back, k.Quit})
	}
	if a.top().Capturing() {
		// A text field has focus: q and ? are text, ctrl+c quits.
		return a.shortHelp(a.top().ShortHelp(), []key.Binding{k.ForceQuit})
	}
	if a.showHelp && !a.tooSmall() {
		fewer := k.Help
		fewer.SetHelp("?", "fewer keys")
		return a.fullHelp(append(a.top().FullHelp(), []key.Binding{fewer, k.Quit}))
	}
	return a.shortHelp(a.top().ShortHelp(), []key.Binding{k.Help, k.Quit})
}

// shortHelp draws the screen's bindings in their order, then the global ones, on one line.
// The global ones always show; a screen binding that does not fit is dropped whole, with
// those after it: the line never ends in a separator or an ellipsis.
func (a *App) shortHelp(bindings, always []key.Binding) string {
	st := a.sh.styles
	sep := st.HelpSep.Render(" · ")
	item := func(b key.Binding) string {
		return st.Key.Render(b.Help().Key) + " " + st.KeyDesc.Render(b.Help().Desc)
	}
	var tail []string
	for _, b := range always {
		if b.Enabled() {
			tail = append(tail, item(b))
		}
	}
	room := a.width - 2*padX - lipgloss.Width(strings.Join(tail, sep))
	var head []string
	for _, b := range bindings {
		if !b.Enabled() {
			continue
		}
		it := item(b)
		if lipgloss.Width(it)+lipgloss.Width(sep) > room {
			break
		}
		head = append(head, it)
		room -= lipgloss.Width(it) + lipgloss.Width(sep)
	}
	return strings.Join(append(head, tail...), sep)
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

// quitAnswers are the keys of "Quit while …?", for its box and the footer.
func quitAnswers() []key.Binding {
	return []key.Binding{bind("y", "quit", "y", "Y", "ctrl+c"), bind("n", "keep going", "n", "N", "esc", "q")}
}

// fullHelp lays the key groups out as columns, starting a new row of columns when the next
// one would not fit, so narrow terminals see every key rather than an ellipsis.
func (a *App) fullHelp(groups [][]key.Binding) string {
	st := a.sh.styles
	w := max(a.width-2*padX, 1)
	var blocks []string
	for _, g := range groups {
		var keys, descs []string
		for _, b := range g {
			if b.Enabled() {
				keys = append(keys, b.Help().Key)
				descs = append(descs, b.Help().Desc)
			}
		}
		if len(keys) == 0 {
			continue
		}
		blocks = append(blocks, lipgloss.JoinHorizontal(lipgloss.Top,
			st.Key.Render(strings.Join(keys, "\n")), " ", st.KeyDesc.Render(strings.Join(descs, "\n"))))
	}
	var rows []string
	var row []string
	used := 0
	for _, b := range blocks {
		bw := lipgloss.Width(b) + 4
		if used > 0 && used+bw > w {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, used = nil, 0
		}
		row = append(row, lipgloss.NewStyle().PaddingRight(4).Render(b))
		used += bw
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	return strings.Join(rows, "\n")
}
