package tui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/list"
)

type importPhase int

const (
	impPlanning importPhase = iota // comparing the clients with the target
	impReview                      // the plan, with a choice per conflict
	impConfirm                     // "import N clients into …?"
	impRunning
	impDone
)

// liveItem is what the list shows of one plan item while the engine works on it.
type liveItem struct {
	started bool
	state   client.State // final state, "" until then
	attempt int
	note    string // the latest wait or retry, for people
	err     *client.ErrorInfo
	check   *client.Checklist
}

// importScreen is the Import step: the plan (create, skip, conflict, blocked) with conflict
// diffs and a choice per conflict, a confirmation, then the engine's run with a progress bar
// and every client's live state, and a summary with the report's path.
type importScreen struct {
	base
	cfg     Config
	source  string // the source's name, for the plan and report
	target  client.Target
	clients []client.Client
	// resolutions are conflict choices made on an earlier plan of these clients.
	resolutions map[string]client.Resolution
	keys        importKeys

	// guard makes the plan block clients whose access would widen in Stytch (nil: clients
	// typed by hand, nothing to judge).
	guard *client.Guard

	phase      importPhase
	accepting  bool // w on a client that widens access: "accept it knowingly?"
	asking     bool // Esc during the run: "cancel the import?"
	cancelling bool
	spinner    spinner.Model

	plan   *client.Plan
	live   []liveItem
	list   list.Model // over plan.Items
	follow bool       // the list follows the run until the operator moves the cursor
	front  int        // the first item not finished yet: where the run's action is

	events   <-chan client.Event
	cancel   context.CancelFunc
	progress client.Progress
	summary  *client.Summary
	started  time.Time
}

type planMsg struct {
	to
	plan *client.Plan
	err  error
}

// eventsMsg carries the engine's events read since the last one, in order.
type eventsMsg struct {
	to
	events []client.Event
	closed bool
}

// importDoneMsg hands the run's outcome to the Validate step.
type importDoneMsg struct {
	plan  *client.Plan
	items []liveItem
}

// newImport plans clients against target; resolutions are the operator's earlier choices
// for conflicts (by client id), kept where they still apply.
func newImport(sh *shared, cfg Config, source string, target client.Target, clients []client.Client, resolutions map[string]client.Resolution) *importScreen {
	s := &importScreen{base: newBase(sh), cfg: cfg, source: source, target: target, clients: clients, resolutions: resolutions, follow: true, list: list.New()}
	s.spinner = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	s.keys = sh.keys.Import
	s.restyle()
	return s
}

func (s *importScreen) Init() tea.Cmd {
	return tea.Batch(s.spinner.Tick, makePlan(s.sid, s.target, s.source, s.clients, s.resolutions, s.guard))
}

func (s *importScreen) Step() step { return stepImport }

func (s *importScreen) Busy() string {
	if s.phase == impRunning {
		return "importing"
	}
	return ""
}

func (s *importScreen) restyle() { s.spinner.Style = s.st().Accent }

func (s *importScreen) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.scroll()
}

func (s *importScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return spin(&s.spinner, msg, s.phase == impPlanning || s.phase == impRunning)
	case planMsg:
		if msg.err != nil {
			p := describe(msg.err, "Stytch")
			return func() tea.Msg { return problemMsg{p} }
		}
		s.plan = msg.plan
		s.live = make([]liveItem, len(s.plan.Items))
		s.phase = impReview
		s.list.SetTotal(len(s.plan.Items))
		s.scroll()
		s.syncKeys()
	case eventsMsg:
		for _, ev := range msg.events {
			s.apply(ev)
		}
		s.followRun()
		if msg.closed || s.phase == impDone {
			return nil
		}
		return readEvents(s.sid, s.events)
	case stopWorkMsg:
		s.stop()
	case tea.KeyPressMsg:
		cmd := s.key(msg)
		s.syncKeys()
		return cmd
	}
	return nil
}

func (s *importScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	// The plan and the run's clients move alike; a moved cursor stops following the run.
	if s.phase != impPlanning && s.phase != impConfirm && !s.asking && k.Scroll(msg, &s.list) {
		s.follow = s.follow && s.phase != impRunning
		return nil
	}
	switch s.phase {
	case impPlanning:
		if key.Matches(msg, k.Back) {
			return goBack
		}
	case impReview:
		if s.accepting {
			switch {
			case key.Matches(msg, k.AcceptYes):
				s.accepting = false
				_ = s.plan.AcceptWidenings(s.list.Cursor()) // w is offered only on an item with widenings
			case key.Matches(msg, k.AcceptNo):
				s.accepting = false
			}
			return nil
		}
		switch {
		case key.Matches(msg, k.Accept):
			s.accepting = true
		case key.Matches(msg, k.Cutover):
			return s.openCutover()
		case key.Matches(msg, k.Choose):
			s.toggleResolution(s.list.Cursor())
		case key.Matches(msg, k.UpdateAll):
			s.plan.ResolveAll(client.ResolveUpdate)
		case key.Matches(msg, k.Continue):
			s.phase = impConfirm
		case key.Matches(msg, k.Back):
			return goBack
		}
	case impConfirm:
		switch {
		case key.Matches(msg, k.Confirm):
			return s.start()
		case key.Matches(msg, k.Reconsider):
			s.phase = impReview
		}
	case impRunning:
		if s.asking {
			switch {
			case key.Matches(msg, k.Stop):
				s.asking = false
				s.stop()
			case key.Matches(msg, k.KeepGoing):
				s.asking = false
			}
			return nil
		}
		switch {
		case key.Matches(msg, k.Cancel):
			if !s.cancelling {
				s.asking = true
			}
		}
	case impDone:
		switch {
		case key.Matches(msg, k.Cutover):
			return s.openCutover()
		case key.Matches(msg, k.Validate) && s.checked():
			done := importDoneMsg{plan: s.plan, items: s.live}
			return func() tea.Msg { return done }
		case key.Matches(msg, k.Back):
			return goBack
		}
	}
	return nil
}

func (s *importScreen) listHeight() int {
	reserved := 4 // title, counts, blank, status
	switch s.phase {
	case impReview, impConfirm:
		reserved += s.detailHeight() + 1
	case impRunning:
		reserved += 2
	case impDone:
		reserved += 2 + len(s.summaryLines())
	}
	return max(s.height-reserved, 1)
}

// detailHeight is the room under the plan for the highlighted item's details: a third of
// the screen, or all that a short plan leaves, so a long reason reads in full.
func (s *importScreen) detailHeight() int {
	room := s.height - 5 // title, counts, blank, rule, status
	items := 1
	if s.plan != nil {
		items = max(len(s.plan.Items), 1)
	}
	return max(min(8, max(s.height/3, 3)), room-items)
}

// openCutover asks the root for the cutover pages of the plan's clients, as chosen.
func (s *importScreen) openCutover() tea.Cmd {
	if s.guard == nil {
		return nil // clients typed by hand: no APIs to cut over
	}
	msg := cutoverMsg{from: stepImport}
	for i := range s.plan.Items {
		msg.clients = append(msg.clients, s.plan.Items[i].Client)
	}
	return func() tea.Msg { return msg }
}

// scroll fits the list's window to the room the phase leaves it.
func (s *importScreen) scroll() { s.list.SetHeight(s.listHeight()) }

// checked reports whether the run checked any token: Validate has something to show.
func (s *importScreen) checked() bool {
	for i := range s.live {
		if s.live[i].check != nil {
			return true
		}
	}
	return false
}
