package tui

import (
	"context"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

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
	// none says why there is nothing to compare, when that is as it should be (a client
	// with no Auth0 grant gets no Auth0 token): said plainly, not as an error.
	none string
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

	// now is the screen's one clock: the checks, the token and the status line say their
	// times against it, and it ticks (clockMsg) so that "5 s ago" stays true.
	now time.Time
	// note says what the last key did (the token copied), until the next key.
	note string
}

// clockMsg is the clock of the screen that asked, ticking.
type clockMsg struct {
	to
	at time.Time
}

// clockEvery is how often Validate's clock ticks: times are said to the second.
const clockEvery = time.Second

// tick asks for the next clockMsg in d (at once when d is 0: the first one).
func tick(id int, d time.Duration) tea.Cmd {
	if d == 0 {
		return func() tea.Msg { return clockMsg{to: to(id), at: time.Now()} }
	}
	return tea.Tick(d, func(t time.Time) tea.Msg { return clockMsg{to: to(id), at: t} })
}

type comparedMsg struct {
	to
	index int
	cmp   *comparison
}

func newValidate(sh *shared, cfg Config, source client.Source, target client.Target, plan *client.Plan, items []liveItem) *validateScreen {
	v := &validateScreen{base: newBase(sh), cfg: cfg, source: source, target: target, plan: plan, compared: map[int]*comparison{}, comparing: -1, now: cfg.now()}
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

// Init starts the clock.
func (v *validateScreen) Init() tea.Cmd { return tick(v.sid, 0) }

// canCutover reports whether the cutover pages have something to show: clients read from a
// source's inventory, not typed by hand.
func (v *validateScreen) canCutover() bool { return v.withCutover && v.plan != nil }
func (v *validateScreen) Step() step       { return stepValidate }

func (v *validateScreen) canCompare() bool {
	_, ok := v.source.(auth0Tokens)
	return ok && v.source != nil
}

func (v *validateScreen) applyStyles() { v.spinner.Style = v.st().Accent }

func (v *validateScreen) restyle() {
	v.applyStyles()
	v.refresh()
}

// wide terminals list the clients beside the checks; narrower ones give the checks the
// whole width and say "2 of 5" instead.
func (v *validateScreen) wide() bool { return v.width >= 120 && len(v.proofs) > 1 }

func (v *validateScreen) mainWidth() int {
	return v.side.MainWidth(v.width, v.wide())
}

func (v *validateScreen) SetSize(w, h int) {
	v.base.SetSize(w, h)
	v.side.SetSize(h)
	v.refresh()
}

func (v *validateScreen) current() *proof {
	return list.CurrentOf(&v.side.Model, v.proofs)
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
	now := v.now
	cmp := v.compared[v.side.Cursor()]
	head, tokenHead := v.headLines(mw)
	v.pane.tokenHead = tokenHead
	if cmp == nil || cmp.auth0 == nil {
		v.pane.set(head, p.check.Checks, checklistColumns, now, func(w int) []string { return tokenJSON(st, p.check, now, w) })
		return
	}
	v.pane.set(head, cmp.checks, comparisonColumns, now, func(w int) []string {
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
	case spinner.TickMsg:
		return spin(&v.spinner, msg, v.comparing >= 0)
	case clockMsg:
		v.now = msg.at
		if v.cfg.Now != nil {
			v.now = v.cfg.Now() // a test's clock
		}
		v.refresh()
		return tick(v.sid, clockEvery)
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
	v.note = ""
	switch {
	case key.Matches(msg, k.Focus):
		v.cycleFocus(1)
	case key.Matches(msg, k.FocusBack):
		v.cycleFocus(-1)
	case v.pane.focus == focusList && k.Scroll(msg, clientScroller{v}):
	case k.Scroll(msg, &v.pane):
	case key.Matches(msg, k.Compare):
		return v.compare()
	case key.Matches(msg, k.Copy):
		return v.copyToken()
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

// choose moves the cursor through the clients by move, and shows the one it lands on.
func (v *validateScreen) choose(move func()) {
	if len(v.proofs) == 0 {
		return
	}
	move()
	v.refresh()
	v.pane.reset()
}

// clientScroller moves through the clients while their list has focus (list.Scroller);
// pgup/pgdn scroll the token there too, as their label says everywhere on this screen.
type clientScroller struct{ v *validateScreen }

func (c clientScroller) Move(d int) { c.v.choose(func() { c.v.side.Move(d) }) }
func (c clientScroller) Top()       { c.v.choose(c.v.side.Top) }
func (c clientScroller) Bottom()    { c.v.choose(c.v.side.Bottom) }
func (c clientScroller) PageUp()    { c.v.pane.PageUp() }
func (c clientScroller) PageDown()  { c.v.pane.PageDown() }

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
		// Legitimate: Auth0 issues a client tokens only for the APIs it was granted.
		v.compared[v.side.Cursor()] = &comparison{none: "it has no Auth0 grant, so Auth0 issues it no token."}
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
	return list.Beside(st, v.sideView(), v.height, body)
}

// headLines are the client's name and its verdict, and what the comparison with Auth0 is,
// above the checks; tokenHead is what of them stays above the token while it has focus:
// the name, and what became of a comparison asked for there.
func (v *validateScreen) headLines(w int) (head, tokenHead []string) {
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
	tokenHead = lines[:1:1]
	cmp := v.compared[v.side.Cursor()]
	if cmp == nil {
		return lines, tokenHead
	}
	api := sanitize.Line(cmp.audience)
	for _, g := range p.item.Client.Grants {
		if g.Audience == cmp.audience && g.API != "" {
			api = sanitize.Line(g.API)
		}
	}
	var said []string
	switch {
	case cmp.none != "":
		said = widget.WrapLines(st.Muted, "· Nothing to compare with Auth0: "+cmp.none, w, 2)
	case cmp.problem != nil:
		what := "✗ No Auth0 token"
		if api != "" {
			what += " for " + api
		}
		said = widget.WrapLines(st.Error, what+": "+cmp.problem.What, w, 2)
	default:
		compared := st.Accent.Bold(true).Render(widget.Truncate("Compared with an Auth0 token for "+api, w))
		return append(lines, "", compared,
			// Why Stytch's scopes may be more: an Auth0 token is for one API, a Stytch one for all.
			st.Muted.Render(widget.Truncate("Auth0 grants a token one API's scopes; Stytch's holds the client's every scope.", w))), append(tokenHead, compared)
	}
	return append(lines, said...), append(tokenHead, said...)
}

// tokenLife says how long the current client's token has left, by the screen's clock:
// "token expires in 59 min 55 s", "token expired 3 min ago"; "" without an exp.
func (v *validateScreen) tokenLife() string {
	p := v.current()
	if p == nil || p.check == nil {
		return ""
	}
	exp, ok := p.check.Line("exp")
	if !ok || exp.At.IsZero() {
		return ""
	}
	if exp.At.After(v.now) {
		return "token expires " + relativeTime(exp.At, v.now)
	}
	return "token expired " + relativeTime(exp.At, v.now)
}

// copyToken puts the current client's token on the clipboard (OSC 52), asked for on
// purpose: it is a bearer credential, never drawn.
func (v *validateScreen) copyToken() tea.Cmd {
	if !v.canCopy() {
		return nil
	}
	p := v.current()
	v.note = "Token copied to the clipboard (OSC 52): a secret, whoever holds it acts as this client."
	return tea.SetClipboard(p.check.Token.Reveal())
}

func (v *validateScreen) statusLine(w int) string {
	st := v.st()
	if v.comparing >= 0 {
		return v.spinner.View() + " " + st.Muted.Render("Asking Auth0 for a token…")
	}
	if v.note != "" {
		return st.Success.Render(widget.LongestFitting(w, "✓ "+v.note, "✓ Token copied: a secret until it expires.", "✓ Token copied."))
	}
	passed := 0
	for _, p := range v.proofs {
		if p.check.Passed() {
			passed++
		}
	}
	short := fmt.Sprintf("%d of %d pass every check", passed, len(v.proofs))
	style := st.Success
	if passed < len(v.proofs) {
		style = st.Error
	}
	// The verdict, then what helps most: how long the token has, how to see the rest of it.
	var tails []string
	life, more := v.tokenLife(), v.pane.more()
	switch {
	case life != "" && more != "":
		tails = []string{" · " + life + " · " + more, " · " + life}
	case life != "":
		tails = []string{", each with a token minted from its own id and secret · " + life, " · " + life}
	case more != "":
		tails = []string{" · " + more}
	default:
		tails = []string{", each with a token minted from its own id and secret"}
	}
	for _, tail := range tails {
		if widget.Width(short+tail) <= w {
			return style.Render(short) + st.Muted.Render(tail)
		}
	}
	return style.Render(widget.Truncate(short, w))
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
