package tui

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/list"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

// auth0Tokens is what a source needs to mint a token with a client's own credentials, for
// the side-by-side comparison (client/auth0's Source has it; a file source does not).
type auth0Tokens interface {
	Token(ctx context.Context, clientID string, secret client.Secret, audience string) (client.Secret, error)
}

// proof is one validated client: its plan item and the checklist of the token the engine
// minted with its own credentials.
type proof struct {
	item  *client.Item
	state client.State
	check *client.Checklist
}

// comparison sets an Auth0 token for the same client beside a fresh Stytch one: the claims
// a service reads, judged by client.CompareTokens, and the Auth0 token decoded for the JSON
// view — or why there is none.
type comparison struct {
	audience string
	checks   []client.Check
	auth0    *client.Checklist // decoded only: Auth0's keys are not Stytch's
	problem  *problem
}

// validateScreen is the Validate step: for each imported (or identical) client, the
// checklist of a token minted with its own credentials, expected against actual, and the
// token's header and payload as highlighted JSON in a scrollable viewport — optionally
// beside an Auth0 token for the same client. Tab moves the focus from the clients to the
// checks (one highlighted, spelled out in full under the table) to the token.
type validateScreen struct {
	base
	cfg     Config
	source  client.Source
	target  client.Target
	proofs  []proof
	keys    validateKeys
	spinner spinner.Model

	side      list.Side // over proofs: the cursor is on the current one
	pane      proofPane
	compared  map[int]*comparison
	comparing int // index being compared, -1 when none

	plan        *client.Plan
	withCutover bool // the clients came from a source's inventory: c opens the cutover pages
}

type comparedMsg struct {
	to
	index int
	cmp   *comparison
}

func newValidate(sh *shared, cfg Config, source client.Source, target client.Target, plan *client.Plan, items []liveItem) *validateScreen {
	v := &validateScreen{base: newBase(sh), cfg: cfg, source: source, target: target, plan: plan, compared: map[int]*comparison{}, comparing: -1}
	for i := range plan.Items {
		if items[i].check != nil {
			v.proofs = append(v.proofs, proof{item: &plan.Items[i], state: items[i].state, check: items[i].check})
		}
	}
	v.side = list.NewSide(len(v.proofs))
	v.spinner = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	v.pane = newProofPane(sh)
	v.keys = sh.keys.Validate
	v.keys.Compare.SetEnabled(v.canCompare())
	if len(v.proofs) == 1 {
		v.pane.focus = focusChecks // no list of clients to move through
	}
	v.applyStyles()
	v.refresh()
	v.pane.reset()
	return v
}

func (v *validateScreen) Init() tea.Cmd { return nil }

// canCutover reports whether the cutover pages have something to show: clients read from a
// source's inventory, not typed by hand.
func (v *validateScreen) canCutover() bool { return v.withCutover && v.plan != nil }
func (v *validateScreen) Step() step       { return stepValidate }

func (v *validateScreen) canCompare() bool {
	_, ok := v.source.(auth0Tokens)
	return ok && v.source != nil
}

func (v *validateScreen) applyStyles() { v.spinner.Style = v.st().Accent }

// wide terminals list the clients beside the checks; narrower ones give the checks the
// whole width and say "2 of 5" instead.
func (v *validateScreen) wide() bool { return v.width >= 120 && len(v.proofs) > 1 }

func (v *validateScreen) mainWidth() int {
	if v.wide() {
		return v.width - v.side.Width() - 3
	}
	return v.width
}

func (v *validateScreen) SetSize(w, h int) {
	v.base.SetSize(w, h)
	v.side.SetSize(h)
	v.refresh()
}

func (v *validateScreen) current() *proof {
	if i, ok := v.side.Current(); ok {
		return &v.proofs[i]
	}
	return nil
}

// refresh gives the pane the current client's checks and token, or the comparison with
// Auth0 when there is one.
func (v *validateScreen) refresh() {
	p := v.current()
	if p == nil {
		return
	}
	st := v.st()
	mw := v.mainWidth()
	v.pane.width, v.pane.height = mw, max(v.height-1, 1) // the status line takes the last
	now := v.cfg.now()
	cmp := v.compared[v.side.Cursor()]
	if cmp == nil || cmp.auth0 == nil {
		v.pane.set(v.headLines(mw), p.check.Checks, checklistColumns, func(w int) []string { return tokenJSON(st, p.check, now, w) })
		return
	}
	v.pane.set(v.headLines(mw), cmp.checks, comparisonColumns, func(w int) []string {
		half := (w - 3) / 2
		left := append([]string{st.Accent.Bold(true).Render("Stytch token")}, tokenJSON(st, p.check, now, half)...)
		right := append([]string{st.Accent.Bold(true).Render("Auth0 token")}, tokenJSON(st, cmp.auth0, now, half)...)
		lines := make([]string, max(len(left), len(right)))
		for i := range lines {
			var l, r string
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				r = right[i]
			}
			lines[i] = widget.Cell(l, half) + st.Subtle.Render(" │ ") + r
		}
		return lines
	})
}

func (v *validateScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case stylesChangedMsg:
		v.applyStyles()
		v.refresh()
	case spinner.TickMsg:
		return spin(&v.spinner, msg, v.comparing >= 0)
	case comparedMsg:
		v.compared[msg.index] = msg.cmp
		v.comparing = -1
		if msg.index == v.side.Cursor() {
			v.refresh()
			v.pane.reset()
		}
	case tea.KeyPressMsg:
		return v.key(msg)
	}
	return nil
}

// focuses are the panes tab goes through: the clients (when there are several), the
// checks, the token.
func (v *validateScreen) focuses() []proofFocus {
	if len(v.proofs) > 1 {
		return []proofFocus{focusList, focusChecks, focusToken}
	}
	return []proofFocus{focusChecks, focusToken}
}

func (v *validateScreen) cycleFocus(d int) {
	fs := v.focuses()
	i := 0
	for j, f := range fs {
		if f == v.pane.focus {
			i = j
		}
	}
	v.pane.setFocus(fs[(i+d+len(fs))%len(fs)])
}

func (v *validateScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := v.keys
	switch {
	case key.Matches(msg, k.Focus):
		v.cycleFocus(1)
	case key.Matches(msg, k.FocusBack):
		v.cycleFocus(-1)
	case key.Matches(msg, k.Up):
		if v.pane.focus == focusList {
			v.choose(-1)
		} else {
			v.pane.move(-1)
		}
	case key.Matches(msg, k.Down):
		if v.pane.focus == focusList {
			v.choose(1)
		} else {
			v.pane.move(1)
		}
	case key.Matches(msg, k.PageUp):
		v.pane.pageUp()
	case key.Matches(msg, k.PageDown):
		v.pane.pageDown()
	case key.Matches(msg, k.Compare):
		return v.compare()
	case key.Matches(msg, k.Cutover) && v.canCutover():
		msg := cutoverMsg{from: stepValidate}
		for i := range v.plan.Items {
			msg.clients = append(msg.clients, v.plan.Items[i].Client)
		}
		return func() tea.Msg { return msg }
	case key.Matches(msg, k.Back):
		if first := v.focuses()[0]; v.pane.focus != first {
			v.pane.setFocus(first)
			return nil
		}
		return goBack
	}
	return nil
}

// choose moves to the client d places down the list (up when d < 0).
func (v *validateScreen) choose(d int) {
	if len(v.proofs) == 0 {
		return
	}
	v.side.Move(d)
	v.refresh()
	v.pane.reset()
}

// firstAudience is the API to ask Auth0 for a token for: the first one that Stytch's token
// speaks for too (not Auth0's own Management API).
func firstAudience(grants []client.Grant) string {
	for _, g := range grants {
		if !g.System {
			return g.Audience
		}
	}
	return grants[0].Audience
}

// compare mints an Auth0 token for the current client, for the first API it was granted,
// and a Stytch token to set beside it; pressed again, it goes back to the checklist.
func (v *validateScreen) compare() tea.Cmd {
	p := v.current()
	src, ok := v.source.(auth0Tokens)
	if p == nil || !ok || v.comparing >= 0 {
		return nil
	}
	if _, done := v.compared[v.side.Cursor()]; done {
		delete(v.compared, v.side.Cursor())
		v.refresh()
		v.pane.reset()
		return nil
	}
	c := p.item.Client
	if len(c.Grants) == 0 {
		v.compared[v.side.Cursor()] = &comparison{problem: &problem{What: "this client has no Auth0 grant to ask a token for."}}
		v.refresh()
		return nil
	}
	v.comparing = v.side.Cursor()
	index, id, audience, tgt := v.side.Cursor(), v.sid, firstAudience(c.Grants), v.target
	return tea.Batch(v.spinner.Tick, func() tea.Msg {
		ctx := context.Background()
		cmp := &comparison{audience: audience}
		fail := func(err error, api string) tea.Msg {
			p := describe(err, api)
			cmp.problem = &p
			return comparedMsg{to: to(id), index: index, cmp: cmp}
		}
		auth0Token, err := src.Token(ctx, c.ID, c.Secret, audience)
		if err != nil {
			return fail(err, "Auth0")
		}
		stytchToken, err := tgt.Token(ctx, c.ID, c.Secret, nil)
		if err != nil {
			return fail(err, "Stytch")
		}
		if cmp.checks, err = client.CompareTokens(auth0Token, stytchToken.Value); err != nil {
			return fail(err, "Auth0")
		}
		if cmp.auth0, err = client.CheckToken(ctx, auth0Token, nil, client.Expect{}); err != nil {
			return fail(err, "Auth0")
		}
		return comparedMsg{to: to(id), index: index, cmp: cmp}
	})
}

func (v *validateScreen) View() string {
	st := v.st()
	if len(v.proofs) == 0 {
		return st.Title.Render("Nothing to validate") + "\n\n" + st.Muted.Width(v.width).Render("No client was imported, updated or found identical, so there is no token to check. Go back to choose other clients, or check a token by hand from the start screen.")
	}
	mw := v.mainWidth()
	body := v.pane.View() + "\n" + v.statusLine(mw)
	if !v.wide() {
		return body
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, v.sideView(), " ", widget.VRule(st, v.height), " ", body)
}

// headLines are the client's name and its verdict, and what the comparison with Auth0 is,
// above the checks.
func (v *validateScreen) headLines(w int) []string {
	st := v.st()
	p := v.current()
	name := sanitize.Line(p.item.Client.Name)
	title := st.Title.Render(widget.Truncate(name, w/2)) + "  " + st.Muted.Render(widget.Middle(sanitize.Line(p.item.Client.ID), 24))
	var lines []string
	if v.wide() || len(v.proofs) == 1 {
		lines = []string{widget.Spread(title, verdict(st, p.check), w)}
	} else {
		lines = []string{widget.Spread(title, st.Muted.Render(fmt.Sprintf("%d of %d", v.side.Cursor()+1, len(v.proofs))), w), verdict(st, p.check)}
	}
	cmp := v.compared[v.side.Cursor()]
	if cmp == nil {
		return lines
	}
	api := sanitize.Line(cmp.audience)
	for _, g := range p.item.Client.Grants {
		if g.Audience == cmp.audience && g.API != "" {
			api = sanitize.Line(g.API)
		}
	}
	if cmp.problem != nil {
		what := "✗ No Auth0 token"
		if api != "" {
			what += " for " + api
		}
		return append(lines, widget.WrapLines(st.Error, what+": "+cmp.problem.What, w, 2)...)
	}
	return append(lines, "", st.Accent.Bold(true).Render(widget.Truncate("Compared with an Auth0 token for "+api, w)),
		// Why Stytch's scopes may be more: an Auth0 token is for one API, a Stytch one for all.
		st.Muted.Render(widget.Truncate("Auth0 grants a token one API's scopes; Stytch's holds the client's every scope.", w)))
}

func (v *validateScreen) statusLine(w int) string {
	st := v.st()
	if v.comparing >= 0 {
		return v.spinner.View() + " " + st.Muted.Render("Asking Auth0 for a token…")
	}
	passed := 0
	for _, p := range v.proofs {
		if p.check.Passed() {
			passed++
		}
	}
	short := fmt.Sprintf("%d of %d pass every check", passed, len(v.proofs))
	s := widget.LongestFitting(w, short+", each with a token minted from its own id and secret", short)
	if scrolled := v.pane.scrolled(); scrolled != "" {
		s = short + " · " + scrolled
	}
	style := st.Success
	if passed < len(v.proofs) {
		style = st.Error
	}
	return style.Render(widget.Truncate(s, w))
}

func (v *validateScreen) sideView() string {
	st := v.st()
	w := v.side.Width()
	return v.side.View(st, plural(len(v.proofs), "client"), func(i int, current bool) string {
		p := &v.proofs[i]
		glyph, mark := "✓ ", st.Success.Render("✓ ")
		if !p.check.Passed() {
			glyph, mark = "✗ ", st.Error.Render("✗ ")
		}
		name := sanitize.Line(p.item.Client.Name)
		switch {
		case current && v.pane.focus == focusList:
			return list.CursorRow(st, glyph+name, w)
		case current:
			// The current client while the focus is on its checks or token.
			return st.Bold.Render(list.Pointer) + mark + st.Bold.Render(widget.Cell(name, w-4))
		}
		return list.Row(mark + st.Text.Render(widget.Cell(name, w-4)))
	})
}
