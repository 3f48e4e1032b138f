package tui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

func makePlan(id int, t client.Target, source string, clients []client.Client, resolutions map[string]client.Resolution, guard *client.Guard) tea.Cmd {
	return func() tea.Msg {
		p, err := client.NewPlan(context.Background(), t, source, clients, client.ResolveSkip, client.WithGuard(guard))
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

// actionBadge is how the plan shows what it will do with an item.
func actionBadge(it *client.Item) widget.Badge {
	switch it.Action {
	case client.ActionCreate:
		return widget.Badge{Text: "+ create", Tone: widget.ToneOK}
	case client.ActionSkip:
		return widget.Badge{Text: "= identical", Tone: widget.ToneInfo}
	case client.ActionConflict:
		if it.Resolution == client.ResolveUpdate {
			return widget.Badge{Text: "≠ update", Tone: widget.ToneWarn}
		}
		return widget.Badge{Text: "≠ keep as is", Tone: widget.ToneWarn}
	case client.ActionBlocked:
		if len(it.Widenings) == len(it.Blockers) {
			return widget.Badge{Text: "! widens", Tone: widget.ToneWarn} // resolvable: untick, or w
		}
		return widget.Badge{Text: "✗ blocked", Tone: widget.ToneError}
	}
	return widget.Badge{Text: string(it.Action), Tone: widget.ToneMuted}
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
	lines := []string{st.Bold.Render(widget.Truncate(name+"  "+st.Muted.Render(sanitize.Line(it.Client.ID)), w))}
	switch it.Action {
	case client.ActionCreate:
		scopes := sanitize.Line(it.Client.Scopes.String())
		if scopes == "" {
			scopes = "(no scopes)"
		}
		lines = append(lines, widget.WrapLines(st.Muted, "Not in Stytch yet: created with the same id, secret ("+it.Client.Secret.String()+") and these scopes:", w, 0)...)
		lines = append(lines, widget.WrapLines(st.Text, scopes, w, 0)...)
	case client.ActionSkip:
		lines = append(lines, widget.WrapLines(st.Muted, "Already in Stytch with the same scopes, name, description, metadata and secret: nothing to write.", w, 0)...)
	case client.ActionBlocked:
		for _, b := range it.Blockers {
			if b.Resolvable() {
				lines = append(lines, widget.Hang(st.Warning, "! ", sanitize.Line(b.Message), w, 0)...)
				continue
			}
			lines = append(lines, widget.Hang(st.Error, "✗ ", sanitize.Line(b.Message), w, 0)...)
			if b.Hint != "" {
				lines = append(lines, widget.Hang(st.Muted, "  ", sentence(sanitize.Line(b.Hint)), w, 0)...)
			}
		}
		if len(it.Widenings) > 0 {
			lines = append(lines, widget.Hang(st.Muted, "  ", fmt.Sprintf("Untick %s on the Scopes screen (esc) to import it without, or press w to accept knowingly; c shows every API's side.",
				sanitize.Line(client.WideningScopes(it.Widenings).String())), w, 0)...)
		}
	case client.ActionConflict:
		switch {
		case !it.CanUpdate():
			// Why, and what to do instead: the plan's row has room for the start of it only.
			lines = append(lines, widget.WrapLines(st.Warning, "In Stytch, but different, and kept as it is: an update can't fix this one. "+sentence(sanitize.Line(it.Reason())), w, 0)...)
		case it.Resolution == client.ResolveUpdate:
			lines = append(lines, widget.WrapLines(st.Warning, "In Stytch, but different. Choice: update Stytch's client to match — space keeps it as it is.", w, 0)...)
		default:
			lines = append(lines, widget.WrapLines(st.Warning, "In Stytch, but different. Choice: keep Stytch's client as it is — space updates it to match.", w, 0)...)
		}
		for _, d := range it.Diff {
			lines = append(lines, s.diffLines(d)...)
		}
	}
	for _, warning := range it.Warnings {
		lines = append(lines, widget.Hang(st.Warning, "! ", sanitize.Line(warning), w, 0)...)
	}
	if note := s.live[i].note; note != "" && s.phase == impReview {
		lines = append(lines, widget.WrapLines(st.Error, sanitize.Line(note), w, 0)...)
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
			pad = "  " + s.st().Muted.Render(widget.Cell(d.Field, fieldW-2))
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

// acceptBox asks whether to accept the highlighted client's widenings of access, naming
// each API and what accepting means.
func (s *importScreen) acceptBox() string {
	st := s.st()
	it := &s.plan.Items[s.list.Cursor()]
	inner := min(s.width-6, 70)
	var apis []string
	for _, w := range it.Widenings {
		apis = append(apis, sanitize.Line(w.API))
	}
	name := sanitize.Line(it.Client.Name)
	if name == "" {
		name = sanitize.Line(it.Client.ID)
	}
	lines := []string{st.Bold.Width(inner).Render("Widen " + name + "'s access knowingly?"), ""}
	for i, w := range it.Widenings {
		if i > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, st.Warning.Width(inner).Render("! "+sanitize.Line(w.String())))
		lines = append(lines, st.Text.Width(inner).Render(sanitize.Line(w.Meaning())))
	}
	lines = append(lines, "", st.Muted.Width(inner).Render(fmt.Sprintf("Accepting imports it with these scopes: the %s's services must then tell its tokens apart themselves. The plan and the run report record that you accepted.", strings.Join(apis, " and the "))))
	lines = append(lines, "", widget.Answers(st, s.keys.AcceptYes, s.keys.AcceptNo))
	box := strings.Join(lines, "\n")
	// On a short terminal the question and its answers stay: the explanation gives way.
	if h := lipgloss.Height(box) + 2; h > s.height {
		short := []string{lines[0], "", st.Warning.Width(inner).Render("! " + sanitize.Line(it.Widenings[0].String()))}
		if len(it.Widenings) > 1 {
			short = append(short, st.Muted.Render(fmt.Sprintf("and %d more", len(it.Widenings)-1)))
		}
		box = strings.Join(append(short, "", widget.Answers(st, s.keys.AcceptYes, s.keys.AcceptNo)), "\n")
	}
	return st.PanelFocus.Render(box)
}

// planWrites says what a plan writes: "create 2 clients", "update 1 client".
func planWrites(n client.PlanCounts) []string {
	what := []string{}
	if n.Create > 0 {
		what = append(what, "create "+plural(n.Create, "client"))
	}
	if n.Update > 0 {
		what = append(what, "update "+plural(n.Update, "client"))
	}
	return what
}

func (s *importScreen) confirmBox() string {
	st := s.st()
	what := planWrites(s.plan.Counts())
	title := "Import into this project?"
	body := "This will " + strings.Join(what, " and ") + ", then mint a token for each client to check it."
	if len(what) == 0 {
		title = "Check the identical clients?"
		body = "Nothing needs writing. m2mport will mint a token for each identical client and check it."
	}
	inner := min(s.width-6, 60)
	lines := []string{st.Bold.Width(inner).Render(title), st.Muted.Render(widget.Middle(sanitize.Line(s.target.ProjectID()), inner)), "", st.Text.Width(inner).Render(body)}
	if s.target.IsLive() {
		lines = append(lines, "", st.Danger.Render("LIVE — this is production"))
	}
	lines = append(lines, "", widget.Answers(st, s.keys.Confirm, s.keys.Reconsider))
	return st.PanelFocus.Render(strings.Join(lines, "\n"))
}
