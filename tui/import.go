package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/themes"
	"github.com/m2mport/m2mport/tui/sanitize"
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

type importKeys struct {
	Up, Down, Choose, UpdateAll, Continue, Back key.Binding
	Cancel, Validate                            key.Binding
	// The two questions' answers, each worded for its question; only y says yes, so a
	// second enter never starts a run, least of all into a live project.
	Confirm, Reconsider key.Binding // "Import into this project?"
	Stop, KeepGoing     key.Binding // "Cancel the import?"
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

	phase      importPhase
	asking     bool // Esc during the run: "cancel the import?"
	cancelling bool
	spinner    spinner.Model

	plan   *client.Plan
	live   []liveItem
	cursor int
	offset int
	follow bool // the list follows the run until the operator moves the cursor
	front  int  // the first item not finished yet: where the run's action is

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
	s := &importScreen{base: newBase(sh), cfg: cfg, source: source, target: target, clients: clients, resolutions: resolutions, follow: true}
	s.spinner = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	s.keys = importKeys{
		Up:         bind("↑/k", "up", "up", "k"),
		Down:       bind("↓/j", "down", "down", "j"),
		Choose:     bind("space", "skip or update", "space"),
		UpdateAll:  bind("u", "update all conflicts", "u"),
		Continue:   bind("enter", "import", "enter"),
		Back:       bind("esc", "back", "esc"),
		Cancel:     bind("esc", "cancel the run", "esc"),
		Validate:   bind("enter", "validate", "enter"),
		Confirm:    bind("y", "import", "y"),
		Reconsider: bind("n", "back to the plan", "n", "esc"),
		Stop:       bind("y", "cancel", "y"),
		KeepGoing:  bind("n", "keep going", "n", "esc"),
	}
	s.applyStyles()
	return s
}

func (s *importScreen) Init() tea.Cmd {
	return tea.Batch(s.spinner.Tick, makePlan(s.sid, s.target, s.source, s.clients, s.resolutions))
}

func makePlan(id int, t client.Target, source string, clients []client.Client, resolutions map[string]client.Resolution) tea.Cmd {
	return func() tea.Msg {
		p, err := client.NewPlan(context.Background(), t, source, clients, client.ResolveSkip)
		if err == nil {
			for i, it := range p.Items {
				if r, ok := resolutions[it.Client.ID]; ok && it.Action == client.ActionConflict {
					_ = p.Resolve(i, r) // a choice that no longer applies is dropped
				}
			}
		}
		return planMsg{to: to(id), plan: p, err: err}
	}
}

func (s *importScreen) Step() step { return stepImport }

func (s *importScreen) Busy() string {
	if s.phase == impRunning {
		return "importing"
	}
	return ""
}

func (s *importScreen) applyStyles() { s.spinner.Style = s.st().Accent }

func (s *importScreen) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.scroll()
}

func (s *importScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case stylesChangedMsg:
		s.applyStyles()
	case spinner.TickMsg:
		if s.phase == impPlanning || s.phase == impRunning {
			var cmd tea.Cmd
			s.spinner, cmd = s.spinner.Update(msg)
			return cmd
		}
	case planMsg:
		if msg.err != nil {
			p := describe(msg.err, "Stytch")
			return func() tea.Msg { return problemMsg{p} }
		}
		s.plan = msg.plan
		s.live = make([]liveItem, len(s.plan.Items))
		s.phase = impReview
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

// syncKeys offers the plan's keys only where they do something: enter when there is
// something to import or check, space on a conflict an update can fix, u while such a
// conflict is kept as it is. The footer shows what is enabled, and key.Matches ignores the
// rest. The confirmation's yes says what it does.
func (s *importScreen) syncKeys() {
	if s.plan == nil {
		return
	}
	k := &s.keys
	n := s.plan.Counts()
	k.Continue.SetEnabled(n.Create+n.Update+n.Skip > 0)
	k.Continue.SetHelp("enter", "import")
	k.Confirm.SetHelp("y", "import")
	if !s.plan.Writes() {
		k.Continue.SetHelp("enter", "check tokens")
		k.Confirm.SetHelp("y", "check their tokens")
	}
	cur := s.cursor < len(s.plan.Items) && s.plan.Items[s.cursor].CanUpdate()
	k.Choose.SetEnabled(cur)
	if cur && s.plan.Items[s.cursor].Resolution == client.ResolveUpdate {
		k.Choose.SetHelp("space", "keep it as is")
	} else {
		k.Choose.SetHelp("space", "update it")
	}
	updatable := false
	for i := range s.plan.Items {
		if it := &s.plan.Items[i]; it.CanUpdate() && it.Resolution != client.ResolveUpdate {
			updatable = true
		}
	}
	k.UpdateAll.SetEnabled(updatable)
}

// stopWorkMsg asks every screen to stop its work: the operator is quitting.
type stopWorkMsg struct{}

func (s *importScreen) stop() {
	if s.phase == impRunning && !s.cancelling {
		s.cancelling = true
		s.cancel()
	}
}

func (s *importScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	switch s.phase {
	case impPlanning:
		if key.Matches(msg, k.Back) {
			return goBack
		}
	case impReview:
		switch {
		case key.Matches(msg, k.Up):
			s.move(-1)
		case key.Matches(msg, k.Down):
			s.move(1)
		case key.Matches(msg, k.Choose):
			s.toggleResolution(s.cursor)
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
		case key.Matches(msg, k.Up):
			s.follow = false
			s.move(-1)
		case key.Matches(msg, k.Down):
			s.follow = false
			s.move(1)
		}
	case impDone:
		switch {
		case key.Matches(msg, k.Up):
			s.move(-1)
		case key.Matches(msg, k.Down):
			s.move(1)
		case key.Matches(msg, k.Validate) && s.checked():
			done := importDoneMsg{plan: s.plan, items: s.live}
			return func() tea.Msg { return done }
		case key.Matches(msg, k.Back):
			return goBack
		}
	}
	return nil
}

func (s *importScreen) toggleResolution(i int) {
	it := &s.plan.Items[i]
	if it.Action != client.ActionConflict {
		return
	}
	next := client.ResolveUpdate
	if it.Resolution == client.ResolveUpdate {
		next = client.ResolveSkip
	}
	// space is offered only on conflicts an update can fix (syncKeys): Resolve can't refuse.
	_ = s.plan.Resolve(i, next)
}

// start runs the plan. The run's context is the one thing Update creates here; the engine's
// goroutines report through the events channel, read by a command.
func (s *importScreen) start() tea.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	opts := client.Options{Concurrency: s.cfg.Concurrency, Rate: s.cfg.Rate, Verify: true, ReportKey: s.cfg.ReportKey, StateDir: s.cfg.StateDir}
	if s.cfg.ReportPath != nil {
		path, err := s.cfg.ReportPath(s.target.ProjectID())
		if err != nil {
			// Undo and reruns rely on the report: no report, no run (as headless import).
			s.phase = impReview
			s.live[s.cursor].note = "Nothing imported: " + sanitize.Line(err.Error())
			return nil
		}
		opts.ReportPath = path
	}
	s.events = client.Execute(ctx, s.target, s.plan, opts)
	s.phase = impRunning
	s.started = s.cfg.now()
	s.progress = client.Progress{Total: len(s.plan.Items)}
	return tea.Batch(s.spinner.Tick, readEvents(s.sid, s.events))
}

func (s *importScreen) terminalProgress() *tea.ProgressBar {
	if s.phase != impRunning {
		return nil
	}
	p := s.progress
	state := tea.ProgressBarDefault
	if p.Failed > 0 || p.CheckFailed > 0 {
		state = tea.ProgressBarWarning
	}
	return tea.NewProgressBar(state, 100*(p.Done+p.Verified)/max(p.Total+p.Verify, 1))
}

// readEvents waits for the next event and takes every one already waiting behind it, so a
// fast run costs one message (and one frame) per batch, not per event.
func readEvents(id int, ch <-chan client.Event) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return eventsMsg{to: to(id), closed: true}
		}
		msg := eventsMsg{to: to(id), events: []client.Event{ev}}
		for len(msg.events) < 512 {
			select {
			case ev, ok := <-ch:
				if !ok {
					msg.closed = true
					return msg
				}
				msg.events = append(msg.events, ev)
			default:
				return msg
			}
		}
		return msg
	}
}

// apply folds one engine event into the live list.
func (s *importScreen) apply(ev client.Event) {
	s.progress = ev.Progress
	if ev.Kind == client.EventFinished {
		s.summary = ev.Summary
		s.phase = impDone
		// A question about the run closes with it: there is nothing left to cancel.
		s.cancelling, s.asking = false, false
		for i := range s.live {
			// News of waits and retries is over with the run; a token check that never came
			// says so instead.
			if it := &s.live[i]; it.state != client.StateFailed {
				it.note = ""
				if ev.Summary != nil && ev.Summary.Canceled && it.check == nil && (it.state == client.StateImported || it.state == client.StateUpdated || it.state == client.StateSkipped) {
					it.note = "token not checked: the run stopped first"
				}
			}
		}
		s.scroll() // the summary takes room from the list
		return
	}
	if ev.Index < 0 || ev.Index >= len(s.live) {
		return
	}
	it := &s.live[ev.Index]
	switch {
	case ev.Final():
		it.state, it.err, it.note = ev.State, ev.Error, ""
		if ev.State == client.StateFailed && ev.Message != "" {
			it.note = ev.Message
		}
	case ev.Kind == client.EventStarted:
		it.started = true
	case ev.Kind == client.EventWaiting && ev.Wait != nil:
		it.note = verifying(it) + fmt.Sprintf("%s — waiting %s", ev.Wait.Reason, span(time.Duration(ev.Wait.DelayMS)*time.Millisecond))
	case ev.Kind == client.EventRetried:
		it.attempt = ev.Attempt
		it.note = verifying(it) + fmt.Sprintf("retry %d: %s", ev.Attempt, ev.Message)
	case ev.Kind == client.EventVerified:
		// The token's verdict replaces the news of the waits and retries that led to it.
		it.check, it.note = ev.Check, ""
	}
}

// verifying prefixes the news about a client that is already written: the waits and
// retries are the token check's.
func verifying(it *liveItem) string {
	if it.state != "" {
		return "token check: "
	}
	return ""
}

// followRun keeps the first unfinished client in view, unless the operator took the cursor.
// Items finish roughly in order, so the front only moves forward: O(n) over a whole run.
func (s *importScreen) followRun() {
	for s.front < len(s.live) && s.live[s.front].state != "" {
		s.front++
	}
	if s.follow && s.phase == impRunning {
		s.cursor = min(s.front, max(len(s.live)-1, 0))
		s.scroll()
	}
}

func (s *importScreen) move(d int) {
	if s.plan == nil || len(s.plan.Items) == 0 {
		return
	}
	s.cursor = max(min(s.cursor+d, len(s.plan.Items)-1), 0)
	s.scroll()
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

func (s *importScreen) scroll() {
	h := s.listHeight()
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+h {
		s.offset = s.cursor - h + 1
	}
	if s.plan != nil {
		s.offset = max(min(s.offset, len(s.plan.Items)-h), 0)
	}
}

func (s *importScreen) ShortHelp() []key.Binding {
	k := s.keys
	switch s.phase {
	case impReview:
		// back before u: on a narrow footer the way out stays
		return []key.Binding{k.Continue, k.Choose, k.Back, k.UpdateAll}
	case impConfirm:
		return []key.Binding{k.Confirm, k.Reconsider}
	case impRunning:
		if s.asking {
			return []key.Binding{k.Stop, k.KeepGoing}
		}
		return []key.Binding{k.Up, k.Down, k.Cancel}
	case impDone:
		if !s.checked() {
			return []key.Binding{k.Up, k.Down, k.Back}
		}
		return []key.Binding{k.Validate, k.Up, k.Down, k.Back}
	}
	return []key.Binding{k.Back}
}

// checked reports whether the run checked any token: Validate has something to show.
func (s *importScreen) checked() bool {
	for i := range s.live {
		if s.live[i].check != nil {
			return true
		}
	}
	return false
}

func (s *importScreen) FullHelp() [][]key.Binding {
	k := s.keys
	if s.phase == impReview {
		return [][]key.Binding{{k.Up, k.Down}, {k.Choose, k.UpdateAll}, {k.Continue, k.Back}}
	}
	return [][]key.Binding{s.ShortHelp()}
}

// actionBadge is how the plan shows what it will do with an item.
func actionBadge(it *client.Item) badge {
	switch it.Action {
	case client.ActionCreate:
		return badge{"+ create", toneOK}
	case client.ActionSkip:
		return badge{"= identical", toneInfo}
	case client.ActionConflict:
		if it.Resolution == client.ResolveUpdate {
			return badge{"≠ update", toneWarn}
		}
		return badge{"≠ keep as is", toneWarn}
	case client.ActionBlocked:
		return badge{"✗ blocked", toneError}
	}
	return badge{string(it.Action), toneMuted}
}

// stateBadge is how the run shows an item's live or final state.
func (s *importScreen) stateBadge(i int) badge {
	it := &s.live[i]
	switch it.state {
	case client.StateImported:
		return badge{"✓ imported", toneOK}
	case client.StateUpdated:
		return badge{"✓ updated", toneOK}
	case client.StateSkipped:
		return badge{"= identical", toneInfo}
	case client.StateConflict:
		return badge{"≠ kept as is", toneWarn}
	case client.StateBlocked:
		return badge{"✗ blocked", toneError}
	case client.StateFailed:
		return badge{"✗ failed", toneError}
	case client.StateCanceled:
		return badge{"– cancelled", toneMuted}
	}
	if it.started {
		return badge{s.spinner.View() + " writing", toneInfo}
	}
	return badge{"· queued", toneMuted}
}

func checkBadge(cl *client.Checklist) string {
	switch {
	case cl == nil:
		return ""
	case cl.Passed():
		return "✓ token checks pass"
	}
	return fmt.Sprintf("✗ %s failed", plural(len(cl.Failed()), "check"))
}

func (s *importScreen) View() string {
	st := s.st()
	switch s.phase {
	case impPlanning:
		return s.spinner.View() + " " + st.Text.Render(fmt.Sprintf("Comparing %s with %s…", plural(len(s.clients), "client"), sanitize.Line(s.target.ProjectID())))
	}
	var lines []string
	lines = append(lines, s.titleLine(), s.countsLine(), "")
	if s.phase == impRunning || s.phase == impDone {
		lines = append(lines, s.progressLine(), "")
	}
	h := s.listHeight()
	for n := s.offset; n < len(s.plan.Items) && n < s.offset+h; n++ {
		lines = append(lines, s.itemLine(n))
	}
	lines = fitLines(lines, len(lines)+h-min(h, len(s.plan.Items)-s.offset))
	switch s.phase {
	case impReview, impConfirm:
		lines = append(lines, st.Subtle.Render(strings.Repeat("─", s.width)))
		lines = append(lines, fitLines(s.itemDetails(s.cursor), s.detailHeight())...)
	case impDone:
		lines = append(lines, s.summaryLines()...)
	}
	lines = append(lines, s.statusLine())
	view := strings.Join(lines, "\n")
	switch {
	case s.phase == impConfirm:
		return overlay(fit(view, s.width, s.height), s.confirmBox(), s.width, s.height)
	case s.asking:
		return overlay(fit(view, s.width, s.height), s.cancelBox(), s.width, s.height)
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
	return spread(st.Title.Render(title), st.Muted.Render(middle(target, max(s.width-len(title)-4, 8))), s.width)
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

func (s *importScreen) progressCounts() string {
	st := s.st()
	p := s.progress
	line := counts(st, []count{
		{p.Imported, "imported", st.Success}, {p.Updated, "updated", st.Success}, {p.Skipped, "identical", st.Accent},
		{p.Conflict, keptAsTheyAre(p.Conflict), st.Warning}, {p.Blocked, "blocked", st.Error}, {p.Failed, "failed", st.Error},
		{p.Canceled, "cancelled", st.Muted},
	})
	if line == "" {
		return st.Muted.Render("starting…")
	}
	return line
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

func (s *importScreen) progressLine() string {
	st := s.st()
	p := s.progress
	total := max(p.Total+p.Verify, 1)
	done := p.Done + p.Verified
	label := fmt.Sprintf(" %d/%d", p.Done, p.Total)
	if p.Verify > 0 {
		label += fmt.Sprintf(" · %d/%d verified", p.Verified, p.Verify)
	}
	return bar(st, float64(done)/float64(total), max(s.width-textWidth(label)-1, 10)) + " " + st.Muted.Render(label)
}

// bar draws a progress bar w cells wide; the glyphs carry it without colour.
func bar(st *themes.Styles, frac float64, w int) string {
	full := int(frac*float64(w) + 0.5)
	full = max(min(full, w), 0)
	return st.Accent.Render(strings.Repeat("█", full)) + st.Subtle.Render(strings.Repeat("░", w-full))
}

func (s *importScreen) itemLine(n int) string {
	st := s.st()
	it := &s.plan.Items[n]
	var b badge
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
	text := cell(name, nameW)
	if idW > 0 {
		text += " " + cell(middle(sanitize.Line(it.Client.ID), idW), idW)
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
	rest := s.width - 2 - textWidth(text) - 1 - badgeW - 1
	line := text + " " + cell(b.text, badgeW) + " " + ansi.Truncate(sanitize.Line(note), max(rest, 0), "…")
	if n == s.cursor && s.phase != impRunning {
		return st.Cursor.Render("› " + line + strings.Repeat(" ", max(s.width-2-textWidth(line), 0)))
	}
	noteStyle := st.Muted
	if live.check != nil && !live.check.Passed() || live.state == client.StateFailed {
		noteStyle = st.Error
	}
	return "  " + st.Text.Render(text) + " " + b.render(st) + strings.Repeat(" ", max(badgeW-textWidth(b.text), 0)) + " " + noteStyle.Render(ansi.Truncate(sanitize.Line(note), max(rest, 0), "…"))
}

// itemDetails explains the highlighted item: a conflict's differences and its choice, or
// why it is blocked.
func (s *importScreen) itemDetails(i int) []string {
	st := s.st()
	if s.plan == nil || i >= len(s.plan.Items) {
		return nil
	}
	it := &s.plan.Items[i]
	w := s.width
	name := sanitize.Line(it.Client.Name)
	if name == "" {
		name = "(no name)"
	}
	lines := []string{st.Bold.Render(ansi.Truncate(name+"  "+st.Muted.Render(sanitize.Line(it.Client.ID)), w, "…"))}
	switch it.Action {
	case client.ActionCreate:
		scopes := sanitize.Line(it.Client.Scopes.String())
		if scopes == "" {
			scopes = "(no scopes)"
		}
		lines = append(lines, wrapLines(st.Muted, "Not in Stytch yet: created with the same id, secret ("+it.Client.Secret.String()+") and these scopes:", w, 0)...)
		lines = append(lines, wrapLines(st.Text, scopes, w, 0)...)
	case client.ActionSkip:
		lines = append(lines, wrapLines(st.Muted, "Already in Stytch with the same scopes, name, description, metadata and secret: nothing to write.", w, 0)...)
	case client.ActionBlocked:
		for _, b := range it.Blockers {
			lines = append(lines, hang(st.Error, "✗ ", sanitize.Line(b.Message), w, 0)...)
			if b.Hint != "" {
				lines = append(lines, hang(st.Muted, "  ", sentence(sanitize.Line(b.Hint)), w, 0)...)
			}
		}
	case client.ActionConflict:
		switch {
		case !it.CanUpdate():
			// Why, and what to do instead: the plan's row has room for the start of it only.
			lines = append(lines, wrapLines(st.Warning, "In Stytch, but different, and kept as it is: an update can't fix this one. "+sentence(sanitize.Line(it.Reason())), w, 0)...)
		case it.Resolution == client.ResolveUpdate:
			lines = append(lines, wrapLines(st.Warning, "In Stytch, but different. Choice: update Stytch's client to match — space keeps it as it is.", w, 0)...)
		default:
			lines = append(lines, wrapLines(st.Warning, "In Stytch, but different. Choice: keep Stytch's client as it is — space updates it to match.", w, 0)...)
		}
		for _, d := range it.Diff {
			lines = append(lines, s.diffLines(d)...)
		}
	}
	if note := s.live[i].note; note != "" && s.phase == impReview {
		lines = append(lines, wrapLines(st.Error, sanitize.Line(note), w, 0)...)
	}
	return lines
}

// diffLines shows one field's difference, wrapped under the field's name.
func (s *importScreen) diffLines(d client.FieldDiff) []string {
	const fieldW = 14 // two spaces, the field's 12
	lines := strings.Split(ansi.Wrap(s.diffText(d), max(s.width-fieldW, 10), "/@"), "\n")
	for i := range lines {
		pad := strings.Repeat(" ", fieldW)
		if i == 0 {
			pad = "  " + s.st().Muted.Render(cell(d.Field, fieldW-2))
		}
		lines[i] = pad + lines[i]
	}
	return lines
}

func (s *importScreen) diffText(d client.FieldDiff) string {
	st := s.st()
	if d.Field == "scopes" {
		var parts []string
		if len(d.Added) > 0 {
			parts = append(parts, st.Success.Render("+ "+sanitize.Line(d.Added.String())))
		}
		if len(d.Removed) > 0 {
			parts = append(parts, st.Error.Render("− "+sanitize.Line(d.Removed.String())))
		}
		return strings.Join(parts, "  ")
	}
	have, want := sanitize.Line(d.Have), sanitize.Line(d.Want)
	if have == "" {
		have = "(empty)"
	}
	if want == "" {
		want = "(empty)"
	}
	return st.Error.Render(have) + st.Muted.Render(" in Stytch → ") + st.Success.Render(want)
}

func (s *importScreen) summaryLines() []string {
	st := s.st()
	sum := s.summary
	if sum == nil {
		return nil
	}
	p := sum.Progress
	if sum.NotStarted != "" {
		return append([]string{""}, append(
			hang(st.Error, "✗ ", "Nothing was written to Stytch: "+sentence(sanitize.Line(sum.NotStarted)), s.width, 2),
			hang(st.Muted, "  ", "Make $XDG_STATE_HOME (else ~/.local/state) a folder m2mport can write to, then import again.", s.width, 2)...)...)
	}
	head := st.Success.Render("✓ Done")
	if !sum.OK() {
		head = st.Warning.Render("! Done, with problems")
	}
	if sum.Canceled {
		head = st.Warning.Render("– Cancelled")
	}
	lines := []string{"", head + st.Muted.Render(fmt.Sprintf(" in %s · %d requests · %d rate limited", span(sum.Elapsed), sum.Requests, sum.RateLimited))}
	switch {
	case p.Verify == 0:
		lines = append(lines, st.Muted.Render("Nothing to validate: no client was imported, updated or found identical."))
	case p.CheckFailed == 0 && p.Verified == p.Verify:
		lines = append(lines, st.Success.Render(fmt.Sprintf("✓ %s minted a token that passes every check.", plural(p.Verified, "client"))))
	case p.CheckFailed > 0:
		lines = append(lines, st.Error.Render(fmt.Sprintf("✗ %d of %d clients failed a token check.", p.CheckFailed, p.Verify)))
	}
	if unchecked := p.Verify - p.Verified; unchecked > 0 {
		// The run stopped before their token was checked: no verdict, and no failure either.
		lines = append(lines, hang(st.Warning, "! ", fmt.Sprintf("%d of %d not checked: the run stopped first. Run the import again to check them.", unchecked, p.Verify), s.width, 2)...)
	}
	switch {
	case sum.ReportPath != "":
		// Whole, to be copied: on a line of its own when it does not fit after its label,
		// and wrapped rather than cut when it does not fit a line.
		path := sanitize.Line(sum.ReportPath)
		if textWidth("Report "+path) <= s.width {
			lines = append(lines, st.Muted.Render("Report ")+st.Text.Render(path))
		} else {
			lines = append(lines, st.Muted.Render("Report"))
			lines = append(lines, wrapLines(st.Text, path, s.width, 0)...)
		}
	case sum.ReportError != "":
		lines = append(lines, wrapLines(st.Error, "The report could not be written: "+sanitize.Line(sum.ReportError), s.width, 0)...)
	default:
		lines = append(lines, st.Muted.Render("No report file was asked for."))
	}
	if sum.Canceled || p.Failed > 0 {
		lines = append(lines, wrapLines(st.Muted, "Running the same import again finishes what is left; what is done is skipped.", s.width, 0)...)
	}
	return lines
}

func (s *importScreen) statusLine() string {
	st := s.st()
	switch s.phase {
	case impReview:
		// The longest wording that fits: the line is never cut.
		n := s.plan.Counts()
		switch {
		case s.plan.Writes():
			return st.Muted.Render(longestFitting(s.width, "Nothing is written until you confirm. Nothing is ever deleted in Auth0.", "Nothing is written until you confirm."))
		case n.Skip > 0:
			return st.Muted.Render(longestFitting(s.width, "Nothing to write: enter checks the identical clients' tokens.", "Nothing to write: enter checks their tokens."))
		}
		return st.Warning.Render(longestFitting(s.width, "Nothing to import: every chosen client is blocked or kept as it is.", "Nothing to import: each is blocked or kept as it is."))
	}
	// The highlighted client's latest news, in full: the list cuts it to its column.
	var news string
	if s.cursor < len(s.live) {
		it := &s.live[s.cursor]
		switch {
		case it.note != "":
			news = sanitize.Line(s.plan.Items[s.cursor].Client.Name) + ": " + sanitize.Line(it.note)
		case it.err != nil && it.err.Hint != "":
			news = sentence(sanitize.Line(it.err.Hint))
		}
	}
	if s.phase == impRunning {
		status := span(s.cfg.now().Sub(s.started).Round(100*time.Millisecond)) + " · esc cancels"
		if news != "" {
			status += " · " + news
		}
		news = status
	}
	return st.Muted.Render(ansi.Truncate(news, s.width, "…"))
}

// longestFitting is the first of texts that fits in w cells, else the last.
func longestFitting(w int, texts ...string) string {
	for _, t := range texts {
		if textWidth(t) <= w {
			return t
		}
	}
	return texts[len(texts)-1]
}

func (s *importScreen) confirmBox() string {
	st := s.st()
	n := s.plan.Counts()
	what := []string{}
	if n.Create > 0 {
		what = append(what, fmt.Sprintf("create %s", plural(n.Create, "client")))
	}
	if n.Update > 0 {
		what = append(what, fmt.Sprintf("update %d", n.Update))
	}
	title := "Import into this project?"
	body := "This will " + strings.Join(what, " and ") + ", then mint a token for each client to check it."
	if len(what) == 0 {
		title = "Check the identical clients?"
		body = "Nothing needs writing. m2mport will mint a token for each identical client and check it."
	}
	inner := min(s.width-6, 60)
	lines := []string{st.Bold.Width(inner).Render(title), st.Muted.Render(middle(sanitize.Line(s.target.ProjectID()), inner)), "", st.Text.Width(inner).Render(body)}
	if s.target.IsLive() {
		lines = append(lines, "", st.Danger.Render("LIVE — this is production"))
	}
	lines = append(lines, "", answers(st, s.keys.Confirm, s.keys.Reconsider))
	return st.PanelFocus.Render(strings.Join(lines, "\n"))
}

func (s *importScreen) cancelBox() string {
	st := s.st()
	inner := min(s.width-6, 56)
	return st.PanelFocus.BorderForeground(st.Palette.Warning).Render(strings.Join([]string{
		st.Warning.Bold(true).Render("Cancel the import?"),
		"",
		st.Text.Width(inner).Render("Calls already sent finish; nothing new starts. Running the import again picks up where this one stopped."),
		"",
		answers(st, s.keys.Stop, s.keys.KeepGoing),
	}, "\n"))
}

// answers draws a question's keys in its box, from the bindings the footer shows too, so
// the two say the same.
func answers(st *themes.Styles, keys ...key.Binding) string {
	parts := make([]string, len(keys))
	for i, b := range keys {
		parts[i] = st.Key.Render(b.Help().Key) + " " + st.KeyDesc.Render(b.Help().Desc)
	}
	return strings.Join(parts, st.HelpSep.Render(" · "))
}
