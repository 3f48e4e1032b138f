package tui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"github.com/m2mport/m2mport/themes"
	"github.com/m2mport/m2mport/tui/widget"
)

// footer is the current screen's keys and the global ones, one line, or the full help.
func (a *App) footer() string {
	k := a.sh.keys.Global
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
// those after it: the line never ends in a separator or an ellipsis. (help.Model cuts at
// its width too, but still adds the binding when its ellipsis does not fit.)
func (a *App) shortHelp(bindings, always []key.Binding) string {
	h := a.help
	sepW := widget.Width(h.ShortSeparator) + h.Styles.ShortSeparator.GetHorizontalFrameSize()
	// A binding's width, measured rather than drawn: the footer is drawn on every frame.
	width := func(b key.Binding) int {
		return widget.Width(b.Help().Key) + h.Styles.ShortKey.GetHorizontalFrameSize() + 1 +
			widget.Width(b.Help().Desc) + h.Styles.ShortDesc.GetHorizontalFrameSize()
	}
	room := a.width - 2*padX
	n := 0
	for _, b := range always {
		if b.Enabled() {
			room -= width(b) + min(n, 1)*sepW
			n++
		}
	}
	var fit []key.Binding
	for _, b := range bindings {
		if !b.Enabled() {
			continue
		}
		w := width(b) + sepW
		if w > room {
			break
		}
		fit = append(fit, b)
		room -= w
	}
	return h.ShortHelpView(append(fit, always...))
}

// quitAnswers are the keys of "Quit while …?", for its box and the footer.
func quitAnswers() []key.Binding {
	return []key.Binding{bind("y", "quit", "y", "Y", "ctrl+c"), bind("n", "keep going", "n", "N", "esc", "q")}
}

// fullHelp lays the key groups out as columns, starting a new row of columns when the next
// one would not fit, so narrow terminals see every key rather than an ellipsis.
func (a *App) fullHelp(groups [][]key.Binding) string {
	h := a.help
	w := max(a.width-2*padX, 1)
	gap := lipgloss.Width(h.FullSeparator)
	var rows []string
	var row [][]key.Binding
	used := 0
	for _, g := range groups {
		gw := lipgloss.Width(h.FullHelpView([][]key.Binding{g}))
		if gw == 0 {
			continue // no binding of it is enabled
		}
		if len(row) > 0 && used+gap+gw > w {
			rows = append(rows, h.FullHelpView(row))
			row, used = nil, 0
		}
		if len(row) > 0 {
			used += gap
		}
		row = append(row, g)
		used += gw
	}
	if len(row) > 0 {
		rows = append(rows, h.FullHelpView(row))
	}
	return strings.Join(rows, "\n")
}

// newHelp is the footer's help.Model, styled from the theme.
func newHelp(st *themes.Styles) help.Model {
	h := help.New()
	h.ShortSeparator = " · "
	h.Styles = help.Styles{
		ShortKey: st.Key, ShortDesc: st.KeyDesc, ShortSeparator: st.HelpSep,
		FullKey: st.Key, FullDesc: st.KeyDesc, FullSeparator: st.HelpSep,
		Ellipsis: st.HelpSep,
	}
	return h
}
