package tui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

const (
	scToken = iota
	scClientID
	scScopes
)

type spotState int

const (
	spotEditing spotState = iota
	spotChecking
	spotResult
)

// spotCheckScreen checks any pasted token against the connected project: the same
// checklist the import runs, with the client id and scopes to expect when they are known.
type spotCheckScreen struct {
	base
	cfg     Config
	target  client.Target
	form    form
	state   spotState
	keys    spotKeys
	spinner spinner.Model
	pane    proofPane
	result  *client.Checklist
	problem *problem
	seq     int
}

type spotCheckedMsg struct {
	to
	seq   int
	check *client.Checklist
	err   error
}

func newSpotCheck(sh *shared, cfg Config, target client.Target) *spotCheckScreen {
	s := &spotCheckScreen{base: newBase(sh), cfg: cfg, target: target}
	s.form.fields = []*field{
		newField("Access token", "", "paste a token (eyJ…)").asSecret(),
		newField("Client ID", "", "the sub it should carry").asOptional(),
		newField("Scopes", "", "the scopes it should carry, separated by spaces").asOptional(),
	}
	s.spinner = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	s.pane = newProofPane(sh)
	s.pane.focus = focusChecks
	s.keys = sh.keys.Check
	s.applyStyles()
	return s
}

func (s *spotCheckScreen) Init() tea.Cmd   { return s.form.setFocus(scToken) }
func (s *spotCheckScreen) Step() step      { return stepValidate }
func (s *spotCheckScreen) Capturing() bool { return s.state == spotEditing }

func (s *spotCheckScreen) applyStyles() {
	s.form.styleInputs(s.st())
	s.spinner.Style = s.st().Accent
}

func (s *spotCheckScreen) restyle() {
	s.applyStyles()
	s.layoutResult()
}

func (s *spotCheckScreen) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.form.setWidth(min(w, 100) - 2)
	s.layoutResult()
}

func (s *spotCheckScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return spin(&s.spinner, msg, s.state == spotChecking)
	case spotCheckedMsg:
		if msg.seq != s.seq || s.state != spotChecking {
			return nil
		}
		if msg.err != nil {
			p := describe(msg.err, "Stytch")
			s.problem = &p
			s.state = spotEditing
			return s.form.setFocus(scToken)
		}
		s.showResult(msg.check)
	case tea.PasteMsg:
		if s.state == spotEditing {
			s.problem = nil
			if s.form.focus == scToken {
				// A token copied with the line's end: the masked field's last four would be
				// whitespace and a newline, not the token's.
				msg.Content = strings.TrimSpace(msg.Content)
			}
			return s.form.update(msg)
		}
	case tea.KeyPressMsg:
		return s.key(msg)
	}
	return nil
}

func (s *spotCheckScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	switch s.state {
	case spotEditing:
		if cmd, ok := s.form.navigate(msg, k.fieldKeys, k.Reveal); ok {
			return cmd
		}
		switch {
		case key.Matches(msg, k.Back):
			return goBack
		case key.Matches(msg, k.Check):
			return s.check()
		default:
			s.problem = nil
			return s.form.update(msg)
		}
	case spotChecking:
		if key.Matches(msg, k.Back) {
			s.seq++
			s.state = spotEditing
			return s.form.setFocus(scToken)
		}
	case spotResult:
		switch {
		case k.Scroll(msg, &s.pane):
		case key.Matches(msg, k.Focus, k.FocusBack):
			if s.pane.focus == focusChecks {
				s.pane.setFocus(focusToken)
			} else {
				s.pane.setFocus(focusChecks)
			}
		case key.Matches(msg, k.Edit):
			s.state = spotEditing
			s.result = nil
			s.form.fields[scToken].input.SetValue("")
			return s.form.setFocus(scToken)
		case key.Matches(msg, k.Back):
			return goBack
		}
	}
	return nil
}

func (s *spotCheckScreen) check() tea.Cmd {
	f := s.form.fields
	if cmd, ok := s.form.requireFilled(scToken); !ok {
		return cmd
	}
	want := client.Expect{ProjectID: s.target.ProjectID(), Issuers: s.target.Issuers(), ClientID: f[scClientID].value(), Now: s.cfg.now()}
	if text := f[scScopes].value(); text != "" {
		scopes := client.SplitScopes(text)
		want.Scopes = &scopes
	}
	token := client.PastedToken(f[scToken].value())
	s.seq++
	s.state = spotChecking
	s.form.setFocus(-1)
	id, seq, t := s.sid, s.seq, s.target
	return tea.Batch(s.spinner.Tick, func() tea.Msg {
		cl, err := client.CheckToken(context.Background(), token, t.Key, want)
		return spotCheckedMsg{to: to(id), seq: seq, check: cl, err: err}
	})
}

// showResult shows a token's checklist, the first failed check highlighted.
func (s *spotCheckScreen) showResult(cl *client.Checklist) {
	s.result, s.problem = cl, nil
	s.state = spotResult
	s.pane.focus = focusChecks
	s.layoutResult()
	s.pane.reset()
}

// layoutResult gives the pane the result: the checks and the token, under a title and the
// verdict.
func (s *spotCheckScreen) layoutResult() {
	if s.result == nil {
		return
	}
	st := s.st()
	title := st.Title.Render("Token check") + st.Muted.Render(widget.Truncate(" against "+sanitize.Line(s.target.ProjectID()), s.width-11))
	head := widget.SpreadOrStack(title, verdict(st, s.result), s.width)
	cl, now := s.result, s.cfg.now()
	s.pane.width, s.pane.height = s.width, s.height
	s.pane.set(head, cl.Checks, checklistColumns, now, func(w int) []string { return tokenJSON(st, cl, now, w) })
}

func (s *spotCheckScreen) ShortHelp() []key.Binding {
	k := s.keys
	switch s.state {
	case spotEditing:
		return []key.Binding{k.Check, k.Next, k.Reveal, k.Back}
	case spotChecking:
		return []key.Binding{k.Back}
	}
	if s.pane.focus == focusToken {
		k.Up.SetHelp("↑/↓", "scroll")
		k.Focus.SetHelp("tab", "the checks")
	}
	return []key.Binding{k.Up, k.Focus, k.Edit, k.Back}
}

func (s *spotCheckScreen) FullHelp() [][]key.Binding {
	if s.state != spotResult {
		return [][]key.Binding{s.ShortHelp()}
	}
	k := s.keys
	return [][]key.Binding{{k.Up, k.Focus, k.PageUp, k.PageDown}, {k.Edit, k.Back}}
}

func (s *spotCheckScreen) View() string {
	st := s.st()
	if s.state == spotResult {
		return s.pane.View()
	}
	w := min(s.width, 100)
	lines := []string{st.Title.Render("Check a token"), st.Muted.Width(w).Render("Paste an access token minted by " + sanitize.Line(s.target.ProjectID()) + ". m2mport verifies its signature against the project's keys and checks its claims."), ""}
	for i := range s.form.fields {
		if i > 0 && s.height >= 20 {
			lines = append(lines, "")
		}
		lines = append(lines, s.form.fieldView(i, w, st))
	}
	lines = append(lines, "")
	switch {
	case s.state == spotChecking:
		lines = append(lines, s.spinner.View()+" "+st.Muted.Render("Checking…"))
	case s.problem != nil:
		lines = append(lines, st.Error.Width(w).Render("✗ "+s.problem.What))
		if s.problem.Hint != "" {
			lines = append(lines, st.Muted.Width(w).Render(s.problem.Hint))
		}
	}
	return lipgloss.JoinVertical(lipgloss.Left, lines...)
}
