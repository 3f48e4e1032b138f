package tui

import (
	"context"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/list"
)

// cutoverScreen is the cutover analysis, one page per API: what its services must change to
// trust Stytch, with what would widen access first. It is opened from the plan and from
// Validate, for the clients as the operator shaped them, and reads the project (who is in
// it) but writes nothing.
type cutoverScreen struct {
	base
	source  client.Source
	target  client.Target
	inv     *client.Inventory
	clients []client.Client
	from    step
	keys    cutoverKeys
	spinner spinner.Model

	loading bool
	cut     *client.Cutover
	side    list.Side      // over cut.APIs: the cursor is on the page shown
	page    viewport.Model // the current API's page
	pageFor [2]int         // the API and width the page was drawn for
}

// cutoverMsg asks the root for the cutover pages of clients; from is the step it came from.
type cutoverMsg struct {
	clients []client.Client
	from    step
}

type cutoverReadyMsg struct {
	to
	cut *client.Cutover
	err error
}

func newCutover(sh *shared, source client.Source, target client.Target, inv *client.Inventory, clients []client.Client, from step) *cutoverScreen {
	s := &cutoverScreen{base: newBase(sh), source: source, target: target, inv: inv, clients: clients, from: from,
		loading: true, page: viewport.New(), pageFor: [2]int{-1, -1}, side: list.NewSide(0)}
	s.spinner = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	s.keys = sh.keys.Cutover
	s.applyStyles()
	return s
}

func (s *cutoverScreen) Init() tea.Cmd {
	return tea.Batch(s.spinner.Tick, analyze(s.sid, s.source, s.target, s.inv, s.clients))
}

// analyze reads who is in the project (one count, one batched search) and runs the analysis.
func analyze(id int, source client.Source, target client.Target, inv *client.Inventory, clients []client.Client) tea.Cmd {
	return func() tea.Msg {
		ctx := context.Background()
		info, err := target.Connect(ctx)
		if err != nil {
			return cutoverReadyMsg{to: to(id), err: err}
		}
		facts, err := client.TargetFactsOf(ctx, target, info, inv)
		if err != nil {
			return cutoverReadyMsg{to: to(id), err: err}
		}
		in := client.CutoverInput{Inventory: inv, Clients: clients, Source: client.SourceFactsOf(source), Target: facts}
		return cutoverReadyMsg{to: to(id), cut: client.Analyze(in, nil)}
	}
}

func (s *cutoverScreen) Step() step { return s.from }

func (s *cutoverScreen) applyStyles() {
	s.spinner.Style = s.st().Accent
	s.pageFor = [2]int{-1, -1}
}

func (s *cutoverScreen) restyle() {
	s.applyStyles()
	s.layout()
}

func (s *cutoverScreen) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.layout()
}

func (s *cutoverScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return spin(&s.spinner, msg, s.loading)
	case cutoverReadyMsg:
		s.loading = false
		if msg.err != nil {
			p := describe(msg.err, "Stytch")
			return func() tea.Msg { return problemMsg{p} }
		}
		s.cut = msg.cut
		s.side = list.NewSide(len(s.cut.APIs))
		s.layout()
	case tea.KeyPressMsg:
		return s.key(msg)
	}
	return nil
}

func (s *cutoverScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	if key.Matches(msg, k.Back) {
		return goBack
	}
	if s.cut == nil || len(s.cut.APIs) == 0 {
		return nil
	}
	switch {
	case key.Matches(msg, k.NextAPI):
		s.turn(1)
	case key.Matches(msg, k.PrevAPI):
		s.turn(-1)
	default:
		k.Scroll(msg, pageScroller{&s.page})
	}
	return nil
}

// turn shows the API d pages on, round the list.
func (s *cutoverScreen) turn(d int) {
	n := len(s.cut.APIs)
	s.side.SetCursor(((s.side.Cursor()+d)%n + n) % n)
	s.layout()
	s.page.GotoTop()
}

// wide reports whether the list of APIs stands beside the page.
func (s *cutoverScreen) wide() bool {
	return s.width >= 90 && s.cut != nil && len(s.cut.APIs) > 1
}

func (s *cutoverScreen) pageWidth() int {
	return s.side.MainWidth(s.width, s.wide())
}

// layout draws the current API's page again when the API or the width changed, and gives
// the page the height the headline leaves it.
func (s *cutoverScreen) layout() {
	if s.cut == nil || s.width == 0 {
		return
	}
	s.side.SetSize(s.height)
	w := s.pageWidth()
	if len(s.cut.APIs) > 0 {
		if now := [2]int{s.side.Cursor(), w}; now != s.pageFor {
			s.pageFor = now
			s.page.SetWidth(w)
			s.page.SetContentLines(s.pageLines(&s.cut.APIs[s.side.Cursor()], w))
		}
	}
	s.page.SetHeight(max(s.height-len(s.headLines(w))-1, 1))
}
