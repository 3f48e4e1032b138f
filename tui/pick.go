package tui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/list"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

// pickScreen lists the source's clients: type / to filter, space to choose, a for every
// ready one. A details pane shows the highlighted client's grants, metadata and blockers.
type pickScreen struct {
	base
	source  client.Source
	target  client.Target
	keys    pickKeys
	spinner spinner.Model

	loading    bool
	replanning bool               // comparing with Stytch again, the list still usable
	stopLoad   context.CancelFunc // ends the read when the operator goes back during it
	loadWaits  *waits
	loadNote   string // why the read is taking long: the latest waitMsg of loadWaits
	inv        *client.Inventory
	guard      *client.Guard // what the inventory says about widening access
	rows       []pickRow
	descs      map[string]map[string]string // audience -> scope -> description

	list       list.Model // over rows, after the filter and the other-apps toggle
	selected   []bool
	nSelected  int
	showOthers bool
	others     int // non-M2M apps in the inventory

	filter    textinput.Model
	filtering bool

	// edits are the Scopes step's drafts, by client id, kept while their clients stay
	// chosen: going back to Pick and on again loses no edit.
	edits map[string]draft

	// Drawn rows and details, kept between frames: a row is drawn again only when its
	// selection, the width or the theme changes.
	rowCache     map[int]string
	rowCacheW    int
	detailsCache map[detailsKey]string
	details      bool // narrow terminals: the details pane instead of the list
	warnings     bool // every warning of the source, in full, instead of the list
	note         string
	noteTone     widget.Tone
}

type inventoryMsg struct {
	to
	inv     *client.Inventory
	guard   *client.Guard
	rows    []pickRow
	descs   map[string]map[string]string
	err     error
	planErr error
}

// replanMsg is a new comparison of the inventory with the target.
type replanMsg struct {
	to
	plan *client.Plan
	err  error
}

// pickedMsg tells the root which clients go on to the Scopes step, with the drafts kept
// from an earlier visit to it.
type pickedMsg struct {
	clients []client.Client
	apis    []client.API
	edits   map[string]draft
	inv     *client.Inventory
	guard   *client.Guard
}

func newPick(sh *shared, source client.Source, target client.Target) *pickScreen {
	p := &pickScreen{base: newBase(sh), source: source, target: target, loading: true, stopLoad: func() {}, list: list.New()}
	p.spinner = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	p.filter = textinput.New()
	p.filter.Prompt = "/ "
	p.filter.Placeholder = "filter by name, id or API"
	p.keys = sh.keys.Pick
	p.applyStyles()
	return p
}

func (p *pickScreen) Init() tea.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	p.stopLoad, p.loadWaits = cancel, newWaits()
	return tea.Batch(p.spinner.Tick, loadInventory(ctx, p.loadWaits, p.sid, p.source, p.target), p.loadWaits.listen(p.sid))
}

// loadInventory reads the source, then compares its clients with the target so the list
// can say which are already there; a failed comparison only costs those badges.
func loadInventory(ctx context.Context, waits *waits, id int, source client.Source, target client.Target) tea.Cmd {
	return func() tea.Msg {
		defer waits.finish()
		inv, err := source.Inventory(waits.watch(ctx, "Auth0"))
		if err != nil {
			return inventoryMsg{to: to(id), err: err}
		}
		var plan *client.Plan
		var planErr error
		guard := client.NewGuard(inv)
		if target != nil {
			plan, planErr = client.NewPlan(waits.watch(ctx, "Stytch"), target, source.Name(), inv.Clients, client.ResolveSkip, client.WithGuard(guard))
		}
		descs := map[string]map[string]string{}
		for _, a := range inv.APIs {
			m := make(map[string]string, len(a.Scopes))
			for _, s := range a.Scopes {
				m[s.Value] = sanitize.Line(s.Description)
			}
			descs[a.Identifier] = m
		}
		return inventoryMsg{to: to(id), inv: inv, guard: guard, rows: buildPickRows(inv, plan), descs: descs, planErr: planErr}
	}
}

// replan compares the inventory with the target again, without reading the source again:
// after an import, the clients it created are no longer "ready". Clients with kept edits are
// compared as the import would send them.
func (p *pickScreen) replan() tea.Cmd {
	if p.inv == nil || p.target == nil || p.loading {
		return nil
	}
	p.stopLoad()
	ctx, cancel := context.WithCancel(context.Background())
	waits := newWaits()
	p.stopLoad, p.loadWaits, p.loadNote, p.replanning = cancel, waits, "", true
	clients := make([]client.Client, len(p.inv.Clients))
	for i, c := range p.inv.Clients {
		if d, ok := p.edits[c.ID]; ok {
			c = d.c
		}
		clients[i] = c
	}
	id, target, source, guard := p.sid, p.target, p.source.Name(), p.guard
	return tea.Batch(p.spinner.Tick, func() tea.Msg {
		defer waits.finish()
		plan, err := client.NewPlan(waits.watch(ctx, "Stytch"), target, source, clients, client.ResolveSkip, client.WithGuard(guard))
		return replanMsg{to: to(id), plan: plan, err: err}
	}, waits.listen(id))
}

// applyPlan redraws the badges from a new plan. The rows keep their order (it does not
// depend on the plan), so the selection and the cursor stay on the same clients; a chosen
// client the plan now blocks is no longer chosen.
func (p *pickScreen) applyPlan(plan *client.Plan) {
	rows := buildPickRows(p.inv, plan)
	changed := 0
	for i := range rows {
		if rows[i].badge != p.rows[i].badge {
			changed++
		}
	}
	p.rows = rows
	p.clearCache()
	for i := range p.rows {
		if p.selected[i] && !p.rows[i].selectable() {
			p.selected[i] = false
			p.nSelected--
			delete(p.edits, p.rows[i].c.ID)
		}
	}
	p.note, p.noteTone = fmt.Sprintf("Compared with Stytch again: %s changed.", plural(changed, "badge")), widget.ToneInfo
}

func (p *pickScreen) Step() step      { return stepAccess }
func (p *pickScreen) Capturing() bool { return p.filtering }

func (p *pickScreen) applyStyles() {
	st := p.st()
	p.spinner.Style = st.Accent
	p.filter.SetStyles(textinput.Styles{
		Focused: textinput.StyleState{Text: st.Text, Placeholder: st.Placeholder, Prompt: st.Accent},
		Blurred: textinput.StyleState{Text: st.Text, Placeholder: st.Placeholder, Prompt: st.Muted},
		Cursor:  textinput.CursorStyle{Color: st.Palette.Accent},
	})
}

func (p *pickScreen) restyle() {
	p.applyStyles()
	p.clearCache()
}

func (p *pickScreen) clearCache() {
	p.rowCache = map[int]string{}
	p.detailsCache = map[detailsKey]string{}
}

// setRows installs the rows (from the inventory) and applies the filter.
func (p *pickScreen) setRows(rows []pickRow) {
	p.clearCache()
	p.rows = rows
	p.selected = make([]bool, len(rows))
	p.nSelected = 0
	p.others = 0
	for i := range rows {
		if !rows[i].c.IsM2M() {
			p.others++
		}
	}
	p.refilter()
}

// refilter recomputes the rows shown, keeping the cursor on the same client if it is
// still shown.
func (p *pickScreen) refilter() {
	needle := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	p.list.Filter(len(p.rows), func(i int) bool {
		r := &p.rows[i]
		return (p.showOthers || r.c.IsM2M()) && (needle == "" || strings.Contains(r.hay, needle))
	})
	p.scroll()
}

// scroll fits the list's window to the room the warnings and the status lines leave it.
func (p *pickScreen) scroll() { p.list.SetHeight(p.listHeight()) }

func (p *pickScreen) SetSize(w, h int) {
	p.base.SetSize(w, h)
	p.filter.SetWidth(max(p.listWidth()-34, 10)) // the counts and scroll marks take the rest
	p.scroll()
}

func (p *pickScreen) current() *pickRow {
	return list.CurrentOf(&p.list, p.rows)
}

func (p *pickScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return spin(&p.spinner, msg, p.loading || p.replanning)
	case waitMsg:
		if msg.from == p.loadWaits && (p.loading || p.replanning) {
			p.loadNote = msg.note
			return msg.from.listen(p.sid)
		}
	case inventoryMsg:
		p.loading = false
		p.stopLoad()
		if msg.err != nil {
			pr := describe(msg.err, "Auth0")
			return func() tea.Msg { return problemMsg{pr} }
		}
		p.inv, p.descs, p.guard = msg.inv, msg.descs, msg.guard
		p.setRows(msg.rows)
		p.chooseReady()
		if msg.planErr != nil {
			p.note, p.noteTone = "Could not compare with Stytch: "+describe(msg.planErr, "Stytch").What+" The import will.", widget.ToneWarn
			p.scroll()
		}
	case replanMsg:
		p.replanning = false
		p.stopLoad()
		if msg.err != nil {
			p.note, p.noteTone = "Could not compare with Stytch again, so the badges are from before the import: "+describe(msg.err, "Stytch").What+" The next import compares again.", widget.ToneWarn
			p.scroll()
			break
		}
		p.applyPlan(msg.plan)
		p.scroll() // the note may take more lines than the counts did
	case tea.PasteMsg:
		if p.loading {
			return nil
		}
		// A paste is something to look for: it opens the filter.
		var cmd tea.Cmd
		if !p.filtering {
			p.filtering = true
			cmd = p.filter.Focus()
		}
		return tea.Batch(cmd, p.updateFilter(msg))
	case tea.KeyPressMsg:
		if p.loading {
			if key.Matches(msg, p.keys.Back) {
				p.stopLoad()
				return goBack
			}
			return nil
		}
		return p.key(msg)
	}
	return nil
}

func (p *pickScreen) updateFilter(msg tea.Msg) tea.Cmd {
	before := p.filter.Value()
	var cmd tea.Cmd
	p.filter, cmd = p.filter.Update(msg)
	if p.filter.Value() != before {
		p.refilter()
	}
	return cmd
}

func (p *pickScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	cmd := p.handleKey(msg)
	p.scroll() // the status line's height changes with its note
	return cmd
}

func (p *pickScreen) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := p.keys
	p.note = ""
	p.scroll() // a page is the room the list has without the note
	if p.warnings {
		if key.Matches(msg, k.Warnings, k.Back) {
			p.warnings = false
		}
		return nil
	}
	if p.filtering {
		switch {
		case key.Matches(msg, k.FilterDone):
			p.filtering = false
			p.filter.Blur()
			return nil
		case key.Matches(msg, k.FilterClear):
			p.filtering = false
			p.filter.Blur()
			p.filter.SetValue("")
			p.refilter()
			return nil
		case msg.String() == "up", msg.String() == "down":
			p.list.Move(map[bool]int{true: -1, false: 1}[msg.String() == "up"])
			return nil
		}
		return p.updateFilter(msg)
	}
	if k.Scroll(msg, &p.list) {
		return nil
	}
	switch {
	case key.Matches(msg, k.Toggle):
		if i, ok := p.list.Current(); ok {
			p.toggle(i)
			p.list.Move(1)
		}
	case key.Matches(msg, k.All):
		p.selectReady()
	case key.Matches(msg, k.None):
		p.clearShown()
	case key.Matches(msg, k.Filter):
		p.filtering = true
		return p.filter.Focus()
	case key.Matches(msg, k.Others):
		p.showOthers = !p.showOthers
		p.refilter()
	case key.Matches(msg, k.Details):
		p.details = !p.details
	case key.Matches(msg, k.Warnings):
		p.warnings = p.inv != nil && len(p.inv.Warnings) > 0
	case key.Matches(msg, k.Continue):
		return p.proceed()
	case key.Matches(msg, k.Back):
		if p.details {
			p.details = false
			return nil
		}
		if p.filter.Value() != "" {
			p.filter.SetValue("")
			p.refilter()
			return nil
		}
		p.stopLoad()
		return goBack
	}
	return nil
}

func (p *pickScreen) toggle(i int) {
	r := &p.rows[i]
	if !r.selectable() {
		p.note = fmt.Sprintf("%s can't be imported: %s.", r.name, strings.TrimSuffix(r.why, "."))
		p.noteTone = widget.ToneError
		return
	}
	p.selected[i] = !p.selected[i]
	delete(p.rowCache, i)
	if p.selected[i] {
		p.nSelected++
	} else {
		p.nSelected--
		delete(p.edits, r.c.ID) // dropping a client drops its edits
	}
}

// clearShown un-chooses the clients shown, like a chooses only those, and says when the
// filter hides clients that stay chosen.
func (p *pickScreen) clearShown() {
	n := 0
	for _, i := range p.list.Shown() {
		if p.selected[i] {
			p.toggle(i)
			n++
		}
	}
	if p.nSelected > 0 {
		verb := "are"
		if p.nSelected == 1 {
			verb = "is"
		}
		p.note = fmt.Sprintf("Cleared %s shown; %d hidden by the filter %s still chosen.", plural(n, "client"), p.nSelected, verb)
		p.noteTone = widget.ToneWarn
	}
}

// chooseReady starts the list with every ready client chosen: the usual migration moves
// them all, and the plan is still reviewed before anything is written.
func (p *pickScreen) chooseReady() {
	for i := range p.rows {
		if p.rows[i].badge == badgeReady && p.rows[i].c.IsM2M() {
			p.selected[i] = true
			p.nSelected++
		}
	}
}

// selectReady chooses every shown client whose badge is "ready"; when all of them already
// are, it clears them instead.
func (p *pickScreen) selectReady() {
	all := true
	n := 0
	for _, i := range p.list.Shown() {
		if p.rows[i].badge == badgeReady {
			n++
			all = all && p.selected[i]
		}
	}
	for _, i := range p.list.Shown() {
		if p.rows[i].badge == badgeReady && p.selected[i] == all {
			p.toggle(i)
		}
	}
	switch {
	case n == 0:
		p.note, p.noteTone = "No ready client among those shown.", widget.ToneWarn
	case all:
		p.note, p.noteTone = fmt.Sprintf("Cleared %s.", plural(n, "ready client")), widget.ToneMuted
	default:
		p.note, p.noteTone = fmt.Sprintf("Chose %s.", plural(n, "ready client")), widget.ToneOK
	}
}

// proceed hands the chosen clients to the Scopes step; with none chosen, the highlighted
// one if it is ready.
func (p *pickScreen) proceed() tea.Cmd {
	if p.nSelected == 0 {
		i, _ := p.list.Current()
		r := p.current()
		switch {
		case r == nil:
			return nil
		case !r.selectable():
			p.toggle(i) // says why not
			return nil
		case r.badge != badgeReady:
			p.note, p.noteTone = "Nothing chosen: space chooses the highlighted client, a every ready one.", widget.ToneWarn
			return nil
		}
		p.toggle(i)
	}
	msg := pickedMsg{apis: p.inv.APIs, edits: p.edits, inv: p.inv, guard: p.guard}
	for i := range p.rows {
		if p.selected[i] {
			msg.clients = append(msg.clients, *p.rows[i].c)
		}
	}
	return func() tea.Msg { return msg }
}

// keepEdits keeps the Scopes step's drafts when the operator comes back from it.
func (p *pickScreen) keepEdits(drafts []draft) {
	p.edits = make(map[string]draft, len(drafts))
	for _, d := range drafts {
		p.edits[d.c.ID] = d
	}
}
