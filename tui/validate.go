package tui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/sanitize"
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

type validateKeys struct {
	Up, Down, Focus, PageUp, PageDown, Left, Right, Compare, Back key.Binding
}

// validateScreen is the Validate step: for each imported (or identical) client, the
// checklist of a token minted with its own credentials, expected against actual, and the
// token's header and payload as highlighted JSON in a scrollable viewport — optionally
// beside an Auth0 token for the same client.
type validateScreen struct {
	base
	cfg     Config
	source  client.Source
	target  client.Target
	proofs  []proof
	keys    validateKeys
	spinner spinner.Model

	cursor    int
	focusJSON bool
	vp        viewport.Model
	compared  map[int]*comparison
	comparing int // index being compared, -1 when none
}

type comparedMsg struct {
	to
	index int
	cmp   *comparison
}

func newValidate(sh *shared, cfg Config, source client.Source, target client.Target, plan *client.Plan, items []liveItem) *validateScreen {
	v := &validateScreen{base: newBase(sh), cfg: cfg, source: source, target: target, compared: map[int]*comparison{}, comparing: -1}
	for i := range plan.Items {
		if items[i].check != nil {
			v.proofs = append(v.proofs, proof{item: &plan.Items[i], state: items[i].state, check: items[i].check})
		}
	}
	v.spinner = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	v.vp = viewport.New()
	v.keys = validateKeys{
		Up:       bind("↑/k", "up", "up", "k"),
		Down:     bind("↓/j", "down", "down", "j"),
		Focus:    bind("tab", "clients / token", "tab"),
		PageUp:   bind("pgup", "scroll token up", "pgup"),
		PageDown: bind("pgdn", "scroll token down", "pgdown"),
		Left:     bind("←/→", "scroll sideways", "left", "h"),
		Right:    bind("→", "scroll right", "right", "l"),
		Compare:  bind("a", "compare with Auth0", "a"),
		Back:     bind("esc", "back", "esc"),
	}
	v.keys.Compare.SetEnabled(v.canCompare())
	v.applyStyles()
	v.refresh()
	return v
}

func (v *validateScreen) Init() tea.Cmd { return nil }
func (v *validateScreen) Step() step    { return stepValidate }

func (v *validateScreen) canCompare() bool {
	_, ok := v.source.(auth0Tokens)
	return ok && v.source != nil
}

func (v *validateScreen) applyStyles() { v.spinner.Style = v.st().Accent }

func (v *validateScreen) wide() bool { return v.width >= 90 && len(v.proofs) > 1 }

func (v *validateScreen) mainWidth() int {
	if v.wide() {
		return v.width - sideWidth - 3
	}
	return v.width
}

func (v *validateScreen) SetSize(w, h int) {
	v.base.SetSize(w, h)
	v.refresh()
}

func (v *validateScreen) current() *proof {
	if v.cursor < len(v.proofs) {
		return &v.proofs[v.cursor]
	}
	return nil
}

// refresh lays the current client's token into the viewport.
func (v *validateScreen) refresh() {
	st := v.st()
	p := v.current()
	mw := v.mainWidth()
	if p == nil {
		return
	}
	top := len(v.topLines(mw))
	h := max(v.height-top-1, 3)
	if v.focusJSON && !v.wide() {
		h = v.height - 2
	}
	v.vp.SetWidth(mw)
	v.vp.SetHeight(h)
	now := v.cfg.now()
	stytch := tokenJSON(st, p.check, now)
	cmp := v.compared[v.cursor]
	if cmp == nil || cmp.auth0 == nil {
		v.vp.SetContentLines(stytch)
		return
	}
	half := (mw - 3) / 2
	left := append([]string{st.Accent.Bold(true).Render("Stytch token")}, stytch...)
	right := append([]string{st.Accent.Bold(true).Render("Auth0 token") + st.Muted.Render(" · "+ansi.Truncate(sanitize.Line(cmp.audience), half-14, "…"))}, tokenJSON(st, cmp.auth0, now)...)
	n := max(len(left), len(right))
	lines := make([]string, n)
	for i := range n {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		lines[i] = cell(ansi.Truncate(l, half, "…"), half) + st.Subtle.Render(" │ ") + ansi.Truncate(r, half, "…")
	}
	v.vp.SetContentLines(lines)
}

func (v *validateScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case stylesChangedMsg:
		v.applyStyles()
		v.refresh()
	case spinner.TickMsg:
		if v.comparing >= 0 {
			var cmd tea.Cmd
			v.spinner, cmd = v.spinner.Update(msg)
			return cmd
		}
	case comparedMsg:
		v.compared[msg.index] = msg.cmp
		v.comparing = -1
		v.refresh()
	case tea.KeyPressMsg:
		return v.key(msg)
	}
	return nil
}

func (v *validateScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := v.keys
	switch {
	case key.Matches(msg, k.Focus):
		v.focusJSON = !v.focusJSON
		v.refresh()
	case key.Matches(msg, k.Up):
		if v.focusJSON {
			v.vp.ScrollUp(1)
		} else {
			v.choose(v.cursor - 1)
		}
	case key.Matches(msg, k.Down):
		if v.focusJSON {
			v.vp.ScrollDown(1)
		} else {
			v.choose(v.cursor + 1)
		}
	case key.Matches(msg, k.PageUp):
		v.vp.PageUp()
	case key.Matches(msg, k.PageDown):
		v.vp.PageDown()
	case key.Matches(msg, k.Left):
		v.vp.ScrollLeft(4)
	case key.Matches(msg, k.Right):
		v.vp.ScrollRight(4)
	case key.Matches(msg, k.Compare):
		return v.compare()
	case key.Matches(msg, k.Back):
		if v.focusJSON {
			v.focusJSON = false
			v.refresh()
			return nil
		}
		return goBack
	}
	return nil
}

func (v *validateScreen) choose(i int) {
	if len(v.proofs) == 0 {
		return
	}
	v.cursor = max(min(i, len(v.proofs)-1), 0)
	v.vp.GotoTop()
	v.refresh()
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
// and a Stytch token to set beside it.
func (v *validateScreen) compare() tea.Cmd {
	p := v.current()
	src, ok := v.source.(auth0Tokens)
	if p == nil || !ok || v.comparing >= 0 {
		return nil
	}
	if _, done := v.compared[v.cursor]; done {
		delete(v.compared, v.cursor)
		v.refresh()
		return nil
	}
	c := p.item.Client
	if len(c.Grants) == 0 {
		v.compared[v.cursor] = &comparison{problem: &problem{What: "this client has no Auth0 grant to ask a token for."}}
		v.refresh()
		return nil
	}
	v.comparing = v.cursor
	index, id, audience, tgt := v.cursor, v.sid, firstAudience(c.Grants), v.target
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
		if cmp.checks, err = client.CompareTokens(auth0Token, stytchToken); err != nil {
			return fail(err, "Auth0")
		}
		if cmp.auth0, err = client.CheckToken(ctx, auth0Token, nil, client.Expect{}); err != nil {
			return fail(err, "Auth0")
		}
		return comparedMsg{to: to(id), index: index, cmp: cmp}
	})
}

func (v *validateScreen) ShortHelp() []key.Binding {
	k := v.keys
	// Focus decides what ↑/↓ move: the list of clients or the token.
	if v.focusJSON {
		k.Up.SetHelp("↑/k", "scroll token")
		k.Down.SetHelp("↓/j", "scroll token")
		k.Focus.SetHelp("tab", "back to the clients")
	} else {
		k.Up.SetHelp("↑/k", "previous client")
		k.Down.SetHelp("↓/j", "next client")
		k.Focus.SetHelp("tab", "scroll the token")
	}
	keys := []key.Binding{k.Up, k.Down, k.Focus}
	if v.canCompare() {
		keys = append(keys, k.Compare)
	}
	return keys
}

func (v *validateScreen) FullHelp() [][]key.Binding {
	k := v.keys
	return [][]key.Binding{{k.Up, k.Down, k.Focus}, {k.PageUp, k.PageDown, k.Left, k.Right}, {k.Compare, k.Back}}
}

func (v *validateScreen) View() string {
	st := v.st()
	if len(v.proofs) == 0 {
		return st.Title.Render("Nothing to validate") + "\n\n" + st.Muted.Width(v.width).Render("No client was imported, updated or found identical, so there is no token to check. Go back to choose other clients, or check a token by hand from the start screen.")
	}
	mw := v.mainWidth()
	var main []string
	if v.focusJSON && !v.wide() {
		main = v.topLines(mw)[:1]
	} else {
		main = v.topLines(mw)
	}
	main = append(main, v.vp.View())
	body := box(strings.Join(main, "\n"), mw, v.height-1)
	body += "\n" + v.statusLine(mw)
	if !v.wide() {
		return body
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, v.sideView(), " ", vrule(st, v.height), " ", body)
}

// topLines are the client's name, its verdict, the checklist and the Auth0 comparison.
func (v *validateScreen) topLines(w int) []string {
	st := v.st()
	p := v.current()
	name := sanitize.Line(p.item.Client.Name)
	title := st.Title.Render(ansi.Truncate(name, w/2, "…")) + "  " + st.Muted.Render(middle(sanitize.Line(p.item.Client.ID), 24))
	var lines []string
	if v.wide() || len(v.proofs) == 1 {
		lines = []string{spread(title, verdict(st, p.check), w)}
	} else {
		lines = []string{spread(title, st.Muted.Render(fmt.Sprintf("%d of %d", v.cursor+1, len(v.proofs))), w), verdict(st, p.check)}
	}
	cmp := v.compared[v.cursor]
	// On a short terminal the comparison takes the checklist's place; the verdict stays.
	if cmp == nil || v.height >= 24 {
		lines = append(lines, checkLines(st, p.check, w)...)
	}
	if cmp != nil {
		lines = append(lines, "")
		lines = append(lines, v.comparisonLines(p, cmp, w)...)
	}
	return append(lines, "")
}

// comparisonLines set the claims a service looks at side by side, Stytch's token against
// Auth0's for the same client, as client.CompareTokens judges them.
func (v *validateScreen) comparisonLines(p *proof, cmp *comparison, w int) []string {
	st := v.st()
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
		return []string{st.Error.Width(w).Render(what + ": " + cmp.problem.What)}
	}
	lines := []string{st.Accent.Bold(true).Render(ansi.Truncate("Compared with an Auth0 token for "+api, w, "…"))}
	return append(lines, checkTable(st, cmp.checks, "Stytch", "Auth0", w)...)
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
	s := fmt.Sprintf("%d of %d pass every check, each with a token minted from its own id and secret", passed, len(v.proofs))
	if v.vp.TotalLineCount() > v.vp.Height() {
		s += fmt.Sprintf(" · token %d%%", int(v.vp.ScrollPercent()*100))
	}
	style := st.Success
	if passed < len(v.proofs) {
		style = st.Error
	}
	return style.Render(ansi.Truncate(s, w, "…"))
}

func (v *validateScreen) sideView() string {
	st := v.st()
	lines := []string{st.Muted.Bold(true).Render(plural(len(v.proofs), "client"))}
	h := v.height - 1
	start := max(min(v.cursor-h/2, len(v.proofs)-h), 0)
	for i := start; i < len(v.proofs) && i < start+h; i++ {
		p := &v.proofs[i]
		mark := st.Success.Render("✓ ")
		if !p.check.Passed() {
			mark = st.Error.Render("✗ ")
		}
		name := sanitize.Line(p.item.Client.Name)
		if i == v.cursor {
			glyph := "✓ "
			if !p.check.Passed() {
				glyph = "✗ "
			}
			lines = append(lines, st.Cursor.Render(cell("› "+glyph+name, sideWidth)))
			continue
		}
		lines = append(lines, "  "+mark+st.Text.Render(cell(name, sideWidth-4)))
	}
	return lipgloss.NewStyle().Width(sideWidth).Render(strings.Join(lines, "\n"))
}
