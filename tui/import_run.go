package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/themes"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

func (s *importScreen) stop() {
	if s.phase == impRunning && !s.cancelling {
		s.cancelling = true
		s.cancel()
	}
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
			s.live[s.list.Cursor()].note = "Nothing imported: " + sanitize.Line(err.Error())
			return nil
		}
		opts.ReportPath = path
	}
	s.events = client.Execute(ctx, s.target, s.plan, opts)
	s.phase = impRunning
	s.scroll() // the progress bar takes the details' room
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
		it.note = verifying(it) + fmt.Sprintf("%s — waiting %s", ev.Wait.Reason, client.HumanDuration(time.Duration(ev.Wait.DelayMS)*time.Millisecond))
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
		s.list.SetCursor(s.front)
	}
}

// stateBadges are how the run shows an item's final state.
var stateBadges = map[client.State]widget.Badge{
	client.StateImported: {Text: "✓ imported", Tone: widget.ToneOK},
	client.StateUpdated:  {Text: "✓ updated", Tone: widget.ToneOK},
	client.StateSkipped:  {Text: "= identical", Tone: widget.ToneInfo},
	client.StateConflict: {Text: "≠ kept as is", Tone: widget.ToneWarn},
	client.StateBlocked:  {Text: "✗ blocked", Tone: widget.ToneError},
	client.StateFailed:   {Text: "✗ failed", Tone: widget.ToneError},
	client.StateCanceled: {Text: "– cancelled", Tone: widget.ToneMuted},
}

// stateBadge is how the run shows an item's live or final state.
func (s *importScreen) stateBadge(i int) widget.Badge {
	it := &s.live[i]
	if it.state == client.StateCanceled && s.notStarted() {
		return widget.Badge{Text: "– not started", Tone: widget.ToneMuted}
	}
	if b, ok := stateBadges[it.state]; ok {
		return b
	}
	if it.started {
		return widget.Badge{Text: s.spinner.View() + " writing", Tone: widget.ToneInfo}
	}
	return widget.Badge{Text: "· queued", Tone: widget.ToneMuted}
}

// notStarted reports whether the run ended before it began: its clients were never
// cancelled, they were never tried (the summary says why).
func (s *importScreen) notStarted() bool { return s.summary != nil && s.summary.NotStarted != "" }

func checkBadge(cl *client.Checklist) string {
	switch {
	case cl == nil:
		return ""
	case cl.Passed():
		return "✓ token checks pass"
	}
	return fmt.Sprintf("✗ %s failed", plural(len(cl.Failed()), "check"))
}

func (s *importScreen) progressCounts() string {
	st := s.st()
	p := s.progress
	canceled := "cancelled"
	if s.notStarted() {
		canceled = "not started"
	}
	line := counts(st, []count{
		{p.Imported, "imported", st.Success}, {p.Updated, "updated", st.Success}, {p.Skipped, "identical", st.Accent},
		{p.Conflict, keptAsTheyAre(p.Conflict), st.Warning}, {p.Blocked, "blocked", st.Error}, {p.Failed, "failed", st.Error},
		{p.Canceled, canceled, st.Muted},
	})
	if line == "" {
		return st.Muted.Render("starting…")
	}
	return line
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
	return bar(st, float64(done)/float64(total), max(s.width-widget.Width(label)-1, 10)) + " " + st.Muted.Render(label)
}

// bar draws a progress bar w cells wide; the glyphs carry it without colour.
func bar(st *themes.Styles, frac float64, w int) string {
	full := int(frac*float64(w) + 0.5)
	full = max(min(full, w), 0)
	return st.Accent.Render(strings.Repeat("█", full)) + st.Subtle.Render(strings.Repeat("░", w-full))
}

func (s *importScreen) summaryLines() []string {
	st := s.st()
	sum := s.summary
	if sum == nil {
		return nil
	}
	p := sum.Progress
	if sum.NotStarted != "" {
		hint, most := "Make $XDG_STATE_HOME (else ~/.local/state) a folder m2mport can write to, then import again.", 2
		if sum.Locked {
			// Whole (no cap on lines): who holds the lock and what to do are at its end.
			hint, most = "Once that run has ended, go back (esc) and import again.", 0
		}
		return append([]string{""}, append(
			widget.Hang(st.Error, "✗ ", "Nothing was written to Stytch: "+sentence(sanitize.Line(sum.NotStarted)), s.width, most),
			widget.Hang(st.Muted, "  ", hint, s.width, most)...)...)
	}
	head := st.Success.Render("✓ Done")
	if !sum.OK() {
		head = st.Warning.Render("! Done, with problems")
	}
	if sum.Canceled {
		head = st.Warning.Render("– Cancelled")
	}
	lines := []string{"", head + st.Muted.Render(fmt.Sprintf(" in %s · %d requests · %d rate limited", client.HumanDuration(sum.Elapsed), sum.Requests, sum.RateLimited))}
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
		lines = append(lines, widget.Hang(st.Warning, "! ", fmt.Sprintf("%d of %d not checked: the run stopped first. Run the import again to check them.", unchecked, p.Verify), s.width, 2)...)
	}
	switch {
	case sum.ReportPath != "":
		// Whole, to be copied: on a line of its own when it does not fit after its label,
		// and wrapped rather than cut when it does not fit a line.
		path := sanitize.Line(sum.ReportPath)
		if widget.Width("Report "+path) <= s.width {
			lines = append(lines, st.Muted.Render("Report ")+st.Text.Render(path))
		} else {
			lines = append(lines, st.Muted.Render("Report"))
			lines = append(lines, widget.WrapLines(st.Text, path, s.width, 0)...)
		}
	case sum.ReportError != "":
		lines = append(lines, widget.WrapLines(st.Error, "The report could not be written: "+sanitize.Line(sum.ReportError), s.width, 0)...)
	default:
		lines = append(lines, st.Muted.Render("No report file was asked for."))
	}
	if sum.Canceled || p.Failed > 0 {
		lines = append(lines, widget.WrapLines(st.Muted, "Running the same import again finishes what is left; what is done is skipped.", s.width, 0)...)
	}
	return lines
}

func (s *importScreen) cancelBox() string {
	st := s.st()
	inner := min(s.width-6, 56)
	return st.PanelFocus.BorderForeground(st.Palette.Warning).Render(strings.Join([]string{
		st.Warning.Bold(true).Render("Cancel the import?"),
		"",
		st.Text.Width(inner).Render("Calls already sent finish; nothing new starts. Running the import again picks up where this one stopped."),
		"",
		widget.Answers(st, s.keys.Stop, s.keys.KeepGoing),
	}, "\n"))
}
