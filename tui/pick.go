package tui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

var blockBadges = map[client.BlockReason]widget.Badge{
	client.BlockNotM2M:        {Text: "– not M2M", Tone: widget.ToneMuted},
	client.BlockKeyBased:      {Text: "✗ no secret", Tone: widget.ToneError},
	client.BlockNoSecret:      {Text: "✗ no secret", Tone: widget.ToneError},
	client.BlockSecretHidden:  {Text: "✗ secret hidden", Tone: widget.ToneError},
	client.BlockScopesHidden:  {Text: "✗ scopes hidden", Tone: widget.ToneError},
	client.BlockNoClientCreds: {Text: "✗ no client creds", Tone: widget.ToneError},
	client.BlockWeakSecret:    {Text: "✗ weak secret", Tone: widget.ToneError},
	client.BlockInvalidScope:  {Text: "! bad scope", Tone: widget.ToneWarn}, // fixable in Scopes
	client.BlockInvalidField:  {Text: "✗ invalid field", Tone: widget.ToneError},
}

var (
	badgeReady    = widget.Badge{Text: "✓ ready", Tone: widget.ToneOK}
	badgeNoGrants = widget.Badge{Text: "! no grants", Tone: widget.ToneWarn}
	badgeLeftOut  = widget.Badge{Text: "! left out", Tone: widget.ToneWarn}
	badgeInStytch = widget.Badge{Text: "= already in Stytch", Tone: widget.ToneInfo}
	badgeConflict = widget.Badge{Text: "≠ conflict", Tone: widget.ToneWarn}
)

// badgeFor is a client's state as the list shows it: what blocks it, else what the plan
// would do with it (item is nil when there is no plan), else what is odd about it.
func badgeFor(c *client.Client, item *client.Item) widget.Badge {
	if blockers := blockersOf(c, item); len(blockers) > 0 {
		if b, ok := blockBadges[blockers[0].Reason]; ok {
			return b
		}
		return widget.Badge{Text: "✗ blocked", Tone: widget.ToneError}
	}
	switch {
	case item != nil && item.Action == client.ActionSkip:
		return badgeInStytch
	case item != nil && item.Action == client.ActionConflict:
		return badgeConflict
	case len(c.Grants) == 0:
		return badgeNoGrants
	case c.LeftOut != "":
		return badgeLeftOut // the source says "all" should pass it over
	}
	return badgeReady
}

// blockersOf is why a client can't be imported: its own blockers, or the plan's.
func blockersOf(c *client.Client, item *client.Item) []client.Blocker {
	if item != nil && item.Action == client.ActionBlocked {
		return item.Blockers
	}
	return c.Blocked
}

// pickRow is one client, with everything the list draws and filters on computed once, when
// the inventory arrives, so a keystroke only scans strings.
type pickRow struct {
	c      *client.Client
	name   string // sanitized
	id     string // sanitized
	apis   string // API names, sanitized
	scopes string // count
	badge  widget.Badge
	why    string           // why it can't be chosen, when it can't
	blocks []client.Blocker // its own blockers, or the plan's
	hay    string           // lower-case name, id and APIs, for the filter
}

func (r *pickRow) selectable() bool { return r.c.Importable() && r.badge.Tone != widget.ToneError }

// buildPickRows prepares the list: M2M apps first, then by name. plan, when not nil, is a
// plan of inv.Clients in the same order.
func buildPickRows(inv *client.Inventory, plan *client.Plan) []pickRow {
	names := make(map[string]string, len(inv.APIs))
	for _, a := range inv.APIs {
		names[a.Identifier] = sanitize.Line(a.Name)
	}
	rows := make([]pickRow, len(inv.Clients))
	for i := range inv.Clients {
		c := &inv.Clients[i]
		apis := make([]string, 0, len(c.Grants))
		for _, g := range c.Grants {
			n := sanitize.Line(g.API)
			if n == "" {
				n = names[g.Audience]
			}
			if n == "" {
				n = sanitize.Line(g.Audience)
			}
			apis = append(apis, n)
		}
		var item *client.Item
		if plan != nil && i < len(plan.Items) {
			item = &plan.Items[i]
		}
		r := pickRow{
			c:      c,
			name:   sanitize.Line(c.Name),
			id:     sanitize.Line(c.ID),
			apis:   strings.Join(apis, ", "),
			scopes: strconv.Itoa(len(c.Scopes)),
			badge:  badgeFor(c, item),
		}
		if r.blocks = blockersOf(c, item); len(r.blocks) > 0 {
			r.why = sanitize.Line(r.blocks[0].Message)
		}
		if r.name == "" {
			r.name = "(no name)"
		}
		r.hay = strings.ToLower(r.name + "\x00" + r.id + "\x00" + r.apis)
		rows[i] = r
	}
	slices.SortStableFunc(rows, func(a, b pickRow) int {
		if am, bm := a.c.IsM2M(), b.c.IsM2M(); am != bm {
			if am {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name))
	})
	return rows
}

type pickKeys struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Toggle, All, None, Filter, Others       key.Binding
	Details, Warnings, Continue, Back       key.Binding
	FilterDone, FilterClear                 key.Binding
}

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
	loadWaits  *waitNote
	loadNote   string // why the read is taking long, copied from loadWaits on each tick
	inv        *client.Inventory
	rows       []pickRow
	descs      map[string]map[string]string // audience -> scope -> description

	visible    []int // indexes into rows, after the filter and the other-apps toggle
	cursor     int   // index into visible
	offset     int   // first visible row drawn
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

type detailsKey struct {
	row, w, h int
	stacked   bool
}

type inventoryMsg struct {
	to
	inv     *client.Inventory
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
}

func newPick(sh *shared, source client.Source, target client.Target) *pickScreen {
	p := &pickScreen{base: newBase(sh), source: source, target: target, loading: true, stopLoad: func() {}}
	p.spinner = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	p.filter = textinput.New()
	p.filter.Prompt = "/ "
	p.filter.Placeholder = "filter by name, id or API"
	p.keys = pickKeys{
		Up:          bind("↑/k", "up", "up", "k"),
		Down:        bind("↓/j", "down", "down", "j"),
		PageUp:      bind("pgup", "page up", "pgup", "ctrl+u"),
		PageDown:    bind("pgdn", "page down", "pgdown", "ctrl+d"),
		Top:         bind("g", "first", "home", "g"),
		Bottom:      bind("G", "last", "end", "G"),
		Toggle:      bind("space", "choose", "space"),
		All:         bind("a", "all ready", "a"),
		None:        bind("n", "none", "n"),
		Filter:      bind("/", "filter", "/"),
		Others:      bind("o", "other apps", "o"),
		Details:     bind("tab", "details", "tab"),
		Warnings:    bind("w", "all warnings", "w"),
		Continue:    bind("enter", "scopes", "enter"),
		Back:        bind("esc", "back", "esc"),
		FilterDone:  bind("enter", "done", "enter"),
		FilterClear: bind("esc", "clear filter", "esc"),
	}
	p.applyStyles()
	return p
}

func (p *pickScreen) Init() tea.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	p.stopLoad, p.loadWaits = cancel, &waitNote{}
	return tea.Batch(p.spinner.Tick, loadInventory(ctx, p.loadWaits, p.sid, p.source, p.target))
}

// loadInventory reads the source, then compares its clients with the target so the list
// can say which are already there; a failed comparison only costs those badges.
func loadInventory(ctx context.Context, waits *waitNote, id int, source client.Source, target client.Target) tea.Cmd {
	return func() tea.Msg {
		inv, err := source.Inventory(waits.watch(ctx, "Auth0"))
		if err != nil {
			return inventoryMsg{to: to(id), err: err}
		}
		var plan *client.Plan
		var planErr error
		if target != nil {
			plan, planErr = client.NewPlan(waits.watch(ctx, "Stytch"), target, source.Name(), inv.Clients, client.ResolveSkip)
		}
		descs := map[string]map[string]string{}
		for _, a := range inv.APIs {
			m := make(map[string]string, len(a.Scopes))
			for _, s := range a.Scopes {
				m[s.Value] = sanitize.Line(s.Description)
			}
			descs[a.Identifier] = m
		}
		return inventoryMsg{to: to(id), inv: inv, rows: buildPickRows(inv, plan), descs: descs, planErr: planErr}
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
	waits := &waitNote{}
	p.stopLoad, p.loadWaits, p.loadNote, p.replanning = cancel, waits, "", true
	clients := make([]client.Client, len(p.inv.Clients))
	for i, c := range p.inv.Clients {
		if d, ok := p.edits[c.ID]; ok {
			c = d.c
		}
		clients[i] = c
	}
	id, target, source := p.sid, p.target, p.source.Name()
	return tea.Batch(p.spinner.Tick, func() tea.Msg {
		plan, err := client.NewPlan(waits.watch(ctx, "Stytch"), target, source, clients, client.ResolveSkip)
		return replanMsg{to: to(id), plan: plan, err: err}
	})
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

// refilter recomputes the visible rows, keeping the cursor on the same client if it is
// still shown.
func (p *pickScreen) refilter() {
	current := -1
	if p.cursor < len(p.visible) {
		current = p.visible[p.cursor]
	}
	needle := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	p.visible = p.visible[:0]
	p.cursor = 0
	for i := range p.rows {
		r := &p.rows[i]
		if !p.showOthers && !r.c.IsM2M() {
			continue
		}
		if needle != "" && !strings.Contains(r.hay, needle) {
			continue
		}
		if i == current {
			p.cursor = len(p.visible)
		}
		p.visible = append(p.visible, i)
	}
	p.offset = 0
	p.scroll()
}

// The details pane sits beside the list on very wide terminals, under it on tall ones, and
// is a separate view (tab) otherwise.
type paneMode int

const (
	paneToggle paneMode = iota
	paneSide
	paneBelow
)

const belowPaneLines = 9

func (p *pickScreen) pane() paneMode {
	switch {
	case p.width >= 120:
		return paneSide
	case p.height >= 22:
		return paneBelow
	}
	return paneToggle
}

// listArea is the height of the list: filter line, column heads, rows and status line.
func (p *pickScreen) listArea() int {
	if p.pane() == paneBelow {
		return p.height - belowPaneLines - 1
	}
	return p.height
}

func (p *pickScreen) listHeight() int {
	return max(p.listArea()-2-p.warningLines()-len(p.statusLines(p.listWidth())), 1)
}

// warningLines is the lines the source's warnings take above the list (secrets hidden,
// say): the first, wrapped onto two lines at most, and how many more there are.
func (p *pickScreen) warningLines() int { return len(p.warningView(p.listWidth())) }

func (p *pickScreen) warningView(w int) []string {
	if p.inv == nil || len(p.inv.Warnings) == 0 {
		return nil
	}
	st := p.st()
	first := sanitize.Line(p.inv.Warnings[0])
	var more string
	if n := len(p.inv.Warnings) - 1; n > 0 {
		more = fmt.Sprintf("and %d more · w reads all", n)
	} else if len(widget.WrapText(first, w-2, 0)) > 2 {
		more = "w reads all" // longer than the two lines it gets here
	}
	lines := widget.Hang(st.Warning, "! ", first, w-widget.Width(more)-1, 2)
	lines[len(lines)-1] = widget.Spread(lines[len(lines)-1], st.Muted.Render(more), w)
	return lines
}

// scroll keeps the cursor inside the drawn window.
func (p *pickScreen) scroll() {
	h := p.listHeight()
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+h {
		p.offset = p.cursor - h + 1
	}
	p.offset = max(min(p.offset, len(p.visible)-h), 0)
}

func (p *pickScreen) SetSize(w, h int) {
	p.base.SetSize(w, h)
	p.filter.SetWidth(max(p.listWidth()-34, 10)) // the counts and scroll marks take the rest
	p.scroll()
}

func (p *pickScreen) listWidth() int {
	if p.pane() == paneSide {
		return p.width * 3 / 5
	}
	return p.width
}

func (p *pickScreen) current() *pickRow {
	if p.cursor < len(p.visible) {
		return &p.rows[p.visible[p.cursor]]
	}
	return nil
}

func (p *pickScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case stylesChangedMsg:
		p.applyStyles()
		p.clearCache()
	case spinner.TickMsg:
		if p.loading || p.replanning {
			var cmd tea.Cmd
			p.spinner, cmd = p.spinner.Update(msg)
			p.loadNote = p.loadWaits.String()
			return cmd
		}
	case inventoryMsg:
		p.loading = false
		p.stopLoad()
		if msg.err != nil {
			pr := describe(msg.err, "Auth0")
			return func() tea.Msg { return problemMsg{pr} }
		}
		p.inv, p.descs = msg.inv, msg.descs
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
			p.move(map[bool]int{true: -1, false: 1}[msg.String() == "up"])
			return nil
		}
		return p.updateFilter(msg)
	}
	switch {
	case key.Matches(msg, k.Up):
		p.move(-1)
	case key.Matches(msg, k.Down):
		p.move(1)
	case key.Matches(msg, k.PageUp):
		p.move(-p.listHeight())
	case key.Matches(msg, k.PageDown):
		p.move(p.listHeight())
	case key.Matches(msg, k.Top):
		p.move(-len(p.visible))
	case key.Matches(msg, k.Bottom):
		p.move(len(p.visible))
	case key.Matches(msg, k.Toggle):
		if r := p.current(); r != nil {
			p.toggle(p.visible[p.cursor])
			p.move(1)
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

func (p *pickScreen) move(delta int) {
	if len(p.visible) == 0 {
		return
	}
	p.cursor = max(min(p.cursor+delta, len(p.visible)-1), 0)
	p.scroll()
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
	for _, i := range p.visible {
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
	for _, i := range p.visible {
		if p.rows[i].badge == badgeReady {
			n++
			all = all && p.selected[i]
		}
	}
	for _, i := range p.visible {
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
		r := p.current()
		switch {
		case r == nil:
			return nil
		case !r.selectable():
			p.toggle(p.visible[p.cursor]) // says why not
			return nil
		case r.badge != badgeReady:
			p.note, p.noteTone = "Nothing chosen: space chooses the highlighted client, a every ready one.", widget.ToneWarn
			return nil
		}
		p.toggle(p.visible[p.cursor])
	}
	msg := pickedMsg{apis: p.inv.APIs, edits: p.edits}
	for i := range p.rows {
		if p.selected[i] {
			msg.clients = append(msg.clients, *p.rows[i].c)
		}
	}
	return func() tea.Msg { return msg }
}

func (p *pickScreen) ShortHelp() []key.Binding {
	k := p.keys
	if p.loading {
		return []key.Binding{k.Back}
	}
	if p.filtering {
		return []key.Binding{k.FilterDone, k.FilterClear}
	}
	// The first the footer keeps when the terminal is narrow.
	details := k.Details
	if p.details {
		details.SetHelp("tab", "list")
	}
	if p.warnings {
		back := k.Back
		back.SetHelp("esc", "close")
		return []key.Binding{back}
	}
	return []key.Binding{k.Continue, k.Toggle, k.All, k.Filter, details}
}

// keepEdits keeps the Scopes step's drafts when the operator comes back from it.
func (p *pickScreen) keepEdits(drafts []draft) {
	p.edits = make(map[string]draft, len(drafts))
	for _, d := range drafts {
		p.edits[d.c.ID] = d
	}
}

func (p *pickScreen) FullHelp() [][]key.Binding {
	k := p.keys
	if p.loading {
		return [][]key.Binding{{k.Back}}
	}
	last := []key.Binding{k.Filter, k.Details, k.Continue, k.Back}
	if p.inv != nil && len(p.inv.Warnings) > 0 {
		last = append(last, k.Warnings)
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Toggle, k.All, k.None, k.Others},
		last,
	}
}

func (p *pickScreen) View() string {
	st := p.st()
	if p.loading {
		name := "the source"
		if p.source != nil {
			name = sanitize.Line(p.source.Name())
		}
		view := p.spinner.View() + " " + st.Text.Render("Reading clients, grants and APIs from "+name+", then looking for them in Stytch…")
		if p.loadNote != "" {
			view += "\n" + st.Warning.Render(ansi.Truncate(p.loadNote, p.width, "…"))
		}
		return view
	}
	if p.warnings {
		return p.warningsView(p.width, p.height)
	}
	if p.details {
		return p.detailsView(p.width, p.height, true)
	}
	switch p.pane() {
	case paneSide:
		lw := p.listWidth()
		rule := widget.VRule(st, p.height)
		return lipgloss.JoinHorizontal(lipgloss.Top, p.listView(lw), " ", rule, " ", p.detailsView(p.width-lw-3, p.height, true))
	case paneBelow:
		return strings.Join([]string{
			p.listView(p.width),
			st.Subtle.Render(strings.Repeat("─", p.width)),
			p.detailsView(p.width, belowPaneLines, false),
		}, "\n")
	}
	return p.listView(p.width)
}

// columns decides which columns fit in w cells and how wide each is.
type pickColumns struct {
	name, id, apis, scopes, badge int
}

func columnsFor(w int) pickColumns {
	const mark = 6 // cursor and checkbox
	c := pickColumns{badge: 19, scopes: 6}
	rest := w - mark - c.badge - 1
	switch {
	case rest >= 70:
		c.id, c.apis = 20, 20
	case rest >= 44:
		c.id = 16
	case rest < 24:
		c.scopes = 0
	}
	used := 0
	for _, n := range []int{c.id, c.apis, c.scopes} {
		if n > 0 {
			used += n + 1
		}
	}
	c.name = max(rest-used, 8)
	return c
}

func (p *pickScreen) listView(w int) string {
	st := p.st()
	cols := columnsFor(w)
	lines := make([]string, 0, p.height)

	// The filter line, with counts on the right and, when the rows don't all fit, how many
	// are above and below the window.
	h := p.listHeight()
	m2m := len(p.rows) - p.others
	count := fmt.Sprintf("%d of %d", len(p.visible), m2m)
	if p.showOthers {
		count = fmt.Sprintf("%d of %d", len(p.visible), len(p.rows))
	}
	above, below := p.offset, max(len(p.visible)-p.offset-h, 0)
	switch {
	case above > 0 && below > 0:
		count = fmt.Sprintf("↑ %d ↓ %d · %s", above, below, count)
	case above > 0:
		count = fmt.Sprintf("↑ %d above · %s", above, count)
	case below > 0:
		count = fmt.Sprintf("↓ %d more · %s", below, count)
	}
	var filter string
	if p.filtering || p.filter.Value() != "" {
		filter = p.filter.View()
	} else {
		filter = st.Muted.Render("/ to filter")
	}
	lines = append(lines, widget.Spread(filter, st.Muted.Render(count), w))
	lines = append(lines, p.warningView(w)...)

	head := "      " + widget.Cell("Name", cols.name)
	if cols.id > 0 {
		head += " " + widget.Cell("Client ID", cols.id)
	}
	if cols.apis > 0 {
		head += " " + widget.Cell("APIs", cols.apis)
	}
	if cols.scopes > 0 {
		head += " " + widget.PadLeft("Scopes", cols.scopes)
	}
	head += " " + "Status"
	lines = append(lines, st.Muted.Bold(true).Render(ansi.Truncate(head, w, "")))

	if len(p.visible) == 0 {
		msg := "No client matches the filter."
		if len(p.rows) == 0 {
			msg = "The source holds no clients."
		} else if p.filter.Value() == "" {
			msg = "No M2M app here; press o to show the other apps."
		}
		lines = append(lines, "", st.Muted.Render("  "+msg))
	}
	for n := p.offset; n < len(p.visible) && n < p.offset+h; n++ {
		lines = append(lines, p.rowView(n, cols, w))
	}
	for len(lines) < h+2+p.warningLines() {
		lines = append(lines, "")
	}
	lines = append(lines, p.statusLines(w)...)
	return strings.Join(lines, "\n")
}

func (p *pickScreen) rowView(n int, cols pickColumns, w int) string {
	i := p.visible[n]
	if n == p.cursor {
		return p.drawRow(i, cols, w, true)
	}
	if p.rowCacheW != w {
		p.rowCache, p.rowCacheW = map[int]string{}, w
	}
	if s, ok := p.rowCache[i]; ok {
		return s
	}
	s := p.drawRow(i, cols, w, false)
	p.rowCache[i] = s
	return s
}

func (p *pickScreen) drawRow(i int, cols pickColumns, w int, onCursor bool) string {
	st := p.st()
	r := &p.rows[i]

	var b strings.Builder
	if onCursor {
		b.WriteString("› ")
	} else {
		b.WriteString("  ")
	}
	switch {
	case p.selected[i]:
		b.WriteString("[x] ")
	case r.selectable():
		b.WriteString("[ ] ")
	default:
		b.WriteString("    ")
	}
	b.WriteString(widget.Cell(r.name, cols.name))
	if cols.id > 0 {
		b.WriteString(" " + widget.Cell(widget.Middle(r.id, cols.id), cols.id))
	}
	if cols.apis > 0 {
		b.WriteString(" " + widget.Cell(r.apis, cols.apis))
	}
	if cols.scopes > 0 {
		b.WriteString(" " + widget.PadLeft(r.scopes, cols.scopes))
	}
	b.WriteString(" ")
	text := b.String()
	bdg := ansi.Truncate(r.badge.Text, cols.badge, "…")

	switch {
	case onCursor:
		line := text + bdg
		return st.Cursor.Render(line + strings.Repeat(" ", max(w-widget.Width(line), 0)))
	case !r.selectable():
		return st.Subtle.Render(text) + r.badge.Render(st)
	case p.selected[i]:
		return st.Check.Render(text[:6]) + st.Text.Render(text[6:]) + (widget.Badge{Text: bdg, Tone: r.badge.Tone}).Render(st)
	}
	return st.Text.Render(text) + (widget.Badge{Text: bdg, Tone: r.badge.Tone}).Render(st)
}

// statusLines is the line under the list: the note, wrapped onto three lines at most so a
// sentence is read whole, else the comparison in progress, else the counts.
func (p *pickScreen) statusLines(w int) []string {
	st := p.st()
	if p.note != "" {
		lines := widget.WrapText(p.note, w, 3)
		for i, l := range lines {
			lines[i] = (widget.Badge{Text: l, Tone: p.noteTone}).Render(st)
		}
		return lines
	}
	if p.replanning {
		text := "Comparing with Stytch again after the import…"
		if p.loadNote != "" {
			text += " " + p.loadNote
		}
		return []string{p.spinner.View() + " " + st.Muted.Render(ansi.Truncate(text, w-2, "…"))}
	}
	parts := []string{fmt.Sprintf("%d chosen", p.nSelected)}
	if p.others > 0 {
		if p.showOthers {
			parts = append(parts, "o hides other apps")
		} else {
			parts = append(parts, fmt.Sprintf("%s hidden · o shows", plural(p.others, "other app")))
		}
	}
	return []string{st.Muted.Render(ansi.Truncate(strings.Join(parts, " · "), w, "…"))}
}

// warningsView is every warning the source gave, in full: what the list's warning line
// can only begin.
func (p *pickScreen) warningsView(w, h int) string {
	st := p.st()
	lines := []string{st.Title.Render("Warnings from reading " + sanitize.Line(p.source.Name()))}
	for _, warning := range p.inv.Warnings {
		lines = append(append(lines, ""), widget.Hang(st.Warning, "! ", sentence(sanitize.Line(warning)), w, 0)...)
	}
	return widget.Fit(strings.Join(lines, "\n"), w, h)
}

// detailsView is the highlighted client in w×h cells: id, description, why it is blocked,
// grants by API with scope descriptions, and metadata. stacked puts everything in one
// column; otherwise the grants take a second column, for the short pane under the list.
func (p *pickScreen) detailsView(w, h int, stacked bool) string {
	r := p.current()
	if r == nil {
		return ""
	}
	key := detailsKey{row: p.visible[p.cursor], w: w, h: h, stacked: stacked}
	if s, ok := p.detailsCache[key]; ok {
		return s
	}
	s := p.drawDetails(r, w, h, stacked)
	p.detailsCache[key] = s
	return s
}

func (p *pickScreen) drawDetails(r *pickRow, w, h int, stacked bool) string {
	if stacked {
		lines := append(p.aboutLines(r, w), p.grantLines(r, w)...)
		if meta := p.metadataLines(r, w); len(meta) > 0 {
			lines = append(append(lines, ""), meta...)
		}
		return widget.Fit(strings.Join(lines, "\n"), w, h)
	}
	// The grants take the width they need, up to half; the client's own text the rest.
	grants := p.grantLines(r, w/2)[1:]
	gw := 0
	for _, l := range grants {
		gw = max(gw, widget.Width(l))
	}
	if gw == 0 {
		return widget.Fit(strings.Join(append(p.aboutLines(r, w), p.metadataLines(r, w)...), "\n"), w, h)
	}
	lw := w - gw - 2
	left := widget.Box(strings.Join(append(p.aboutLines(r, lw), p.metadataLines(r, lw)...), "\n"), lw, h)
	return lipgloss.JoinHorizontal(lipgloss.Top, left, "  ", widget.Fit(strings.Join(grants, "\n"), gw, h))
}

func (p *pickScreen) aboutLines(r *pickRow, w int) []string {
	st := p.st()
	c := r.c
	lines := []string{st.Title.Render(ansi.Truncate(r.name, w, "…")), st.Muted.Render(ansi.Truncate(r.id, w, "…"))}
	// What blocks the client comes before its description: it is what the operator is
	// looking for when the row says "✗".
	for _, b := range r.blocks {
		lines = append(lines, widget.Hang(st.Error, "✗ ", sentence(sanitize.Line(b.Message)), w, 0)...)
		if b.Hint != "" {
			lines = append(lines, widget.Hang(st.Muted, "  ", sentence(sanitize.Line(b.Hint)), w, 0)...)
		}
	}
	if len(c.Grants) == 0 && c.Importable() {
		lines = append(lines, widget.Hang(st.Warning, "! ", "No grants: it would be imported with no scopes.", w, 0)...)
	}
	if c.LeftOut != "" && c.Importable() {
		lines = append(lines, widget.Hang(st.Warning, "! ", "Left out of “all ready”: "+sanitize.Line(c.LeftOut)+". Space chooses it anyway.", w, 0)...)
	}
	if d := sanitize.Line(c.Description); d != "" {
		lines = append(lines, widget.WrapLines(st.Text, d, w, 3)...)
	}
	return lines
}

func (p *pickScreen) metadataLines(r *pickRow, w int) []string {
	st := p.st()
	c := r.c
	var lines []string
	if len(c.Metadata) > 0 {
		keys := make([]string, 0, len(c.Metadata))
		for k := range c.Metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		lines = append(lines, st.Accent.Bold(true).Render("Metadata"))
		for _, k := range keys {
			v := sanitize.Line(fmt.Sprint(c.Metadata[k]))
			lines = append(lines, ansi.Truncate("  "+st.Muted.Render(sanitize.Line(k)+": ")+st.Text.Render(v), w, "…"))
		}
	}
	return lines
}

func (p *pickScreen) grantLines(r *pickRow, w int) []string {
	st := p.st()
	lines := []string{""}
	// The scope column fits the longest scope, so descriptions line up without cutting.
	scopeW := 8
	for _, g := range r.c.Grants {
		for _, sc := range g.Scopes {
			scopeW = max(scopeW, widget.Width(sanitize.Line(sc)))
		}
	}
	scopeW = min(scopeW, w/2)
	for _, g := range r.c.Grants {
		name := sanitize.Line(g.API)
		if name == "" {
			name = sanitize.Line(g.Audience)
		}
		// The API's name, then its audience on the same line if it fits, else under it.
		head := st.Accent.Bold(true).Render(name)
		if g.AllowAll {
			head += st.Muted.Render(" · all scopes")
		}
		audience := sanitize.Line(g.Audience)
		if audience != name {
			if widget.Width(head)+1+widget.Width(audience) <= w {
				lines = append(lines, head+" "+st.Subtle.Render(audience))
			} else {
				lines = append(lines, ansi.Truncate(head, w, "…"), "  "+st.Subtle.Render(widget.Middle(audience, w-2)))
			}
		} else {
			lines = append(lines, ansi.Truncate(head, w, "…"))
		}
		scopeStyle := st.Text
		if g.System {
			// Its scopes are not in the client's (the Scopes column): say why.
			lines = append(lines, widget.Hang(st.Muted, "  ", "Auth0's own API: these scopes are not imported unless you tick them in Scopes.", w, 0)...)
			scopeStyle = st.Muted
		}
		for _, s := range g.Scopes {
			line := "  " + scopeStyle.Render(widget.Cell(sanitize.Line(s), scopeW))
			if d := p.descs[g.Audience][s]; d != "" {
				line += " " + st.Muted.Render(d)
			}
			lines = append(lines, ansi.Truncate(line, w, "…"))
		}
	}
	return lines
}
