package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

// scopeGroup is one API a client was granted, with the scopes the grant holds.
type scopeGroup struct {
	audience string
	name     string // sanitized
	scopes   client.Scopes
	system   bool // the source's own management API: its scopes mean nothing in Stytch
}

// draft is one client as the operator shapes it before the import. Drafts outlive the
// Scopes screen: going back to Pick keeps them for the clients that stay chosen.
type draft struct {
	c      client.Client // Name, Description and Scopes are edited here
	from   client.Client // as the source gave it, to tell what the operator changed
	name   string        // sanitized, for lists: the id when the name is empty
	groups []scopeGroup
	extra  client.Scopes // custom scopes the operator added (kept even when unticked)
	// resolution is the operator's choice on the Import plan if the client is a conflict
	// there ("" = not chosen), kept when the operator steps back and forward again.
	resolution client.Resolution
}

// edited reports whether the draft differs from what the source gave.
func (d *draft) edited() bool {
	return d.c.Name != d.from.Name || d.c.Description != d.from.Description || !d.c.Scopes.Equal(d.from.Scopes)
}

// rows lists what the scope list draws: a header per API, then its scopes; custom scopes last.
type scopeRow struct {
	group int    // index into groups, or -1 for custom scopes
	scope string // "" on a header row
}

func (d *draft) rows() []scopeRow {
	var out []scopeRow
	for gi, g := range d.groups {
		out = append(out, scopeRow{group: gi})
		for _, s := range g.scopes {
			out = append(out, scopeRow{group: gi, scope: s})
		}
	}
	if custom := d.custom(); len(custom) > 0 {
		out = append(out, scopeRow{group: -1})
		for _, s := range custom {
			out = append(out, scopeRow{group: -1, scope: s})
		}
	}
	return out
}

// granted is every scope of every grant.
func (d *draft) granted() client.Scopes {
	var all client.Scopes
	for _, g := range d.groups {
		all = all.Union(g.scopes)
	}
	return all
}

// custom is the scopes that come from no grant: added by hand or typed in the text editor.
func (d *draft) custom() client.Scopes {
	return d.extra.Union(d.c.Scopes).Minus(d.granted())
}

func (d *draft) toggle(s string) {
	if d.c.Scopes.Has(s) {
		d.c.Scopes = d.c.Scopes.Without(s)
	} else {
		d.c.Scopes = d.c.Scopes.With(s)
	}
}

// setGroup turns every scope of one API on or off.
func (d *draft) setGroup(g scopeGroup, on bool) {
	if on {
		d.c.Scopes = d.c.Scopes.Union(g.scopes)
	} else {
		d.c.Scopes = d.c.Scopes.Minus(g.scopes)
	}
}

// problems lists what Stytch would refuse in this draft, as the planner will.
func (d *draft) problems() []string {
	var out []string
	for _, b := range client.LimitBlockers(&d.c) {
		out = append(out, sanitize.Line(b.Message))
	}
	return out
}

// listName is how lists show a client: its name, or its id when the name is empty (Stytch
// allows an empty name).
func listName(c *client.Client) string {
	if n := sanitize.Line(c.Name); n != "" {
		return n
	}
	return sanitize.Line(c.ID)
}

func newDraft(c client.Client, apis map[string]string) draft {
	d := draft{c: c, from: c, name: listName(&c)}
	d.c.Scopes = append(client.Scopes(nil), c.Scopes...)
	for _, g := range c.Grants {
		name := sanitize.Line(g.API)
		if name == "" {
			name = apis[g.Audience]
		}
		if name == "" {
			name = sanitize.Line(g.Audience)
		}
		d.groups = append(d.groups, scopeGroup{audience: g.Audience, name: name, scopes: g.Scopes, system: g.System})
	}
	return d
}

type scopesMode int

const (
	modeBrowse scopesMode = iota
	modeText              // all scopes as one line of text
	modeAdd               // one custom scope
	modeName
	modeDesc
)

type scopesKeys struct {
	Up, Down, Toggle, Text, Add, Name, Desc, ApplyAll key.Binding
	NextClient, PrevClient, Continue, Back            key.Binding
	Save, Cancel                                      key.Binding
}

// scopesScreen is the Scopes step: for each chosen client, its scopes grouped by API with
// their descriptions, toggled one by one or per API, or edited as text; custom scopes; name
// and description; and one client's API choice applied to all.
type scopesScreen struct {
	base
	keys   scopesKeys
	drafts []draft
	descs  map[string]map[string]string
	cur    int // current draft
	cursor int // current row of the current draft
	offset int
	mode   scopesMode
	input  textinput.Model
	inErr  string
	note   string
	noteOK bool
}

// scopesDoneMsg hands the shaped clients to the Import step, with the conflict choices the
// operator made on an earlier plan of them (by client id).
type scopesDoneMsg struct {
	clients     []client.Client
	resolutions map[string]client.Resolution
}

// newScopes opens the step for clients; kept holds drafts from an earlier visit, by client
// id, which the clients found there start from.
func newScopes(sh *shared, clients []client.Client, apis []client.API, kept map[string]draft) *scopesScreen {
	s := &scopesScreen{base: newBase(sh), descs: map[string]map[string]string{}}
	names := map[string]string{}
	for _, a := range apis {
		names[a.Identifier] = sanitize.Line(a.Name)
		m := make(map[string]string, len(a.Scopes))
		for _, sc := range a.Scopes {
			m[sc.Value] = sanitize.Line(sc.Description)
		}
		s.descs[a.Identifier] = m
	}
	for _, c := range clients {
		d, ok := kept[c.ID]
		if !ok {
			d = newDraft(c, names)
		}
		s.drafts = append(s.drafts, d)
	}
	s.input = textinput.New()
	s.input.Prompt = "› "
	s.keys = scopesKeys{
		Up:         bind("↑/k", "up", "up", "k"),
		Down:       bind("↓/j", "down", "down", "j"),
		Toggle:     bind("space", "toggle", "space"),
		Text:       bind("e", "edit as text", "e"),
		Add:        bind("+", "add scope", "+"),
		Name:       bind("n", "name", "n"),
		Desc:       bind("d", "description", "d"),
		ApplyAll:   bind("A", "same APIs for all", "A"),
		NextClient: bind("tab", "next client", "tab", "]"),
		PrevClient: bind("shift+tab", "previous client", "shift+tab", "["),
		Continue:   bind("enter", "review import", "enter"),
		Back:       bind("esc", "back", "esc"),
		Save:       bind("enter", "save", "enter"),
		Cancel:     bind("esc", "cancel", "esc"),
	}
	s.applyStyles()
	return s
}

func (s *scopesScreen) Init() tea.Cmd   { return nil }
func (s *scopesScreen) Step() step      { return stepScopes }
func (s *scopesScreen) Capturing() bool { return s.mode != modeBrowse }

func (s *scopesScreen) applyStyles() {
	st := s.st()
	s.input.SetStyles(textinput.Styles{
		Focused: textinput.StyleState{Text: st.Text, Placeholder: st.Placeholder, Prompt: st.Accent},
		Blurred: textinput.StyleState{Text: st.Text, Placeholder: st.Placeholder, Prompt: st.Muted},
		Cursor:  textinput.CursorStyle{Color: st.Palette.Accent},
	})
}

func (s *scopesScreen) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.input.SetWidth(max(s.editorWidth()-4, 10))
	s.scroll()
}

func (s *scopesScreen) wide() bool { return s.width >= 90 && len(s.drafts) > 1 }

func (s *scopesScreen) editorWidth() int {
	if s.wide() {
		return s.width - sideWidth - 3
	}
	return s.width
}

const sideWidth = 28

func (s *scopesScreen) draft() *draft { return &s.drafts[s.cur] }

func (s *scopesScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case stylesChangedMsg:
		s.applyStyles()
	case tea.PasteMsg:
		if s.mode != modeBrowse {
			var cmd tea.Cmd
			s.input, cmd = s.input.Update(msg)
			s.inErr = ""
			return cmd
		}
	case tea.KeyPressMsg:
		if s.mode != modeBrowse {
			return s.editKey(msg)
		}
		return s.key(msg)
	}
	return nil
}

func (s *scopesScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	d := s.draft()
	rows := d.rows()
	s.note = ""
	switch {
	case key.Matches(msg, k.Up):
		s.cursor = max(s.cursor-1, 0)
	case key.Matches(msg, k.Down):
		s.cursor = min(s.cursor+1, len(rows)-1)
	case key.Matches(msg, k.Toggle):
		if s.cursor >= len(rows) {
			return nil
		}
		r := rows[s.cursor]
		switch {
		case r.scope != "":
			d.toggle(r.scope)
		case r.group >= 0:
			g := d.groups[r.group]
			missing := len(g.scopes.Minus(d.c.Scopes)) > 0
			d.setGroup(g, missing)
		}
	case key.Matches(msg, k.Text):
		return s.startEdit(modeText, d.c.Scopes.String(), "read:orders write:orders")
	case key.Matches(msg, k.Add):
		return s.startEdit(modeAdd, "", "action:resource")
	// The editors start from the text as shown: whatever control sequences the source put
	// in a name go, and saving keeps them gone.
	case key.Matches(msg, k.Name):
		return s.startEdit(modeName, sanitize.Line(d.c.Name), "name shown in Stytch")
	case key.Matches(msg, k.Desc):
		return s.startEdit(modeDesc, sanitize.Line(d.c.Description), "what this client is for")
	case key.Matches(msg, k.ApplyAll):
		s.applyAPIsToAll()
	case key.Matches(msg, k.NextClient):
		s.switchTo(s.cur + 1)
	case key.Matches(msg, k.PrevClient):
		s.switchTo(s.cur - 1)
	case key.Matches(msg, k.Continue):
		return s.proceed()
	case key.Matches(msg, k.Back):
		return goBack
	}
	s.scroll()
	return nil
}

func (s *scopesScreen) switchTo(i int) {
	n := len(s.drafts)
	s.cur = ((i % n) + n) % n
	s.cursor, s.offset = 0, 0
}

func (s *scopesScreen) startEdit(m scopesMode, value, placeholder string) tea.Cmd {
	s.mode = m
	s.inErr = ""
	s.input.SetValue(value)
	s.input.Placeholder = placeholder
	s.input.CursorEnd()
	return s.input.Focus()
}

func (s *scopesScreen) editKey(msg tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Cancel):
		s.mode = modeBrowse
		s.input.Blur()
		return nil
	case key.Matches(msg, k.Save):
		if p := s.save(); p != "" {
			s.inErr = p
			return nil
		}
		s.mode = modeBrowse
		s.input.Blur()
		return nil
	}
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	s.inErr = s.check()
	return cmd
}

// check validates the text being edited, as it is typed.
func (s *scopesScreen) check() string {
	v := s.input.Value()
	switch s.mode {
	case modeText:
		_, p := parseScopeText(v)
		return p
	case modeAdd:
		if strings.TrimSpace(v) == "" {
			return ""
		}
		return scopeProblem(strings.TrimSpace(v))
	case modeName:
		return lengthProblem("the name", v, client.NameMaxLen)
	case modeDesc:
		return lengthProblem("the description", v, client.DescriptionMaxLen)
	}
	return ""
}

// save applies the edit, or says why it can't.
func (s *scopesScreen) save() string {
	d := s.draft()
	v := s.input.Value()
	switch s.mode {
	case modeText:
		set, p := parseScopeText(v)
		if p != "" {
			return p
		}
		d.c.Scopes = set
	case modeAdd:
		v = strings.TrimSpace(v)
		if v == "" {
			return ""
		}
		if p := scopeProblem(v); p != "" {
			return p
		}
		d.c.Scopes = d.c.Scopes.With(v)
		if !d.granted().Has(v) {
			d.extra = d.extra.With(v)
		}
	case modeName:
		if p := lengthProblem("the name", v, client.NameMaxLen); p != "" {
			return p
		}
		d.c.Name = strings.TrimSpace(v)
		d.name = listName(&d.c)
	case modeDesc:
		if p := lengthProblem("the description", v, client.DescriptionMaxLen); p != "" {
			return p
		}
		d.c.Description = strings.TrimSpace(v)
	}
	return ""
}

// applyAPIsToAll gives every other client the current one's choice of APIs: an API with at
// least one scope ticked here is on (all its granted scopes) and one with none is off.
// APIs the current client has no grant on are left as they are.
func (s *scopesScreen) applyAPIsToAll() {
	d := s.draft()
	on := map[string]bool{}
	var onNames, offNames []string
	for _, g := range d.groups {
		chosen := len(g.scopes.Minus(d.c.Scopes)) < len(g.scopes)
		on[g.audience] = chosen
		if chosen {
			onNames = append(onNames, g.name)
		} else {
			offNames = append(offNames, g.name)
		}
	}
	changed := 0
	for i := range s.drafts {
		if i == s.cur {
			continue
		}
		o := &s.drafts[i]
		before := o.c.Scopes
		for _, g := range o.groups {
			if chosen, known := on[g.audience]; known {
				o.setGroup(g, chosen)
			}
		}
		if !before.Equal(o.c.Scopes) {
			changed++
		}
	}
	var parts []string
	if len(onNames) > 0 {
		parts = append(parts, strings.Join(onNames, ", ")+" on")
	}
	if len(offNames) > 0 {
		parts = append(parts, strings.Join(offNames, ", ")+" off")
	}
	s.note = fmt.Sprintf("%s changed: %s.", plural(changed, "other client"), strings.Join(parts, "; "))
	s.noteOK = true
}

// keepResolutions remembers the conflict choices of an Import plan of these drafts. A client
// that was no conflict on that plan (identical for now, say) keeps the choice made before:
// an edit may make it a conflict again.
func (s *scopesScreen) keepResolutions(plan *client.Plan) {
	choice := map[string]client.Resolution{}
	for _, it := range plan.Items {
		if it.Action == client.ActionConflict {
			choice[it.Client.ID] = it.Resolution
		}
	}
	for i := range s.drafts {
		if r, ok := choice[s.drafts[i].c.ID]; ok {
			s.drafts[i].resolution = r
		}
	}
}

func (s *scopesScreen) proceed() tea.Cmd {
	for i := range s.drafts {
		if p := s.drafts[i].problems(); len(p) > 0 {
			s.switchTo(i)
			s.note = fmt.Sprintf("Fix %s first: %s.", s.drafts[i].name, p[0])
			s.noteOK = false
			return nil
		}
	}
	msg := scopesDoneMsg{resolutions: map[string]client.Resolution{}}
	for _, d := range s.drafts {
		msg.clients = append(msg.clients, d.c)
		if d.resolution != "" {
			msg.resolutions[d.c.ID] = d.resolution
		}
	}
	return func() tea.Msg { return msg }
}

// listHeight is the number of scope rows drawn.
func (s *scopesScreen) listHeight() int {
	h := s.height - 7 // title, name, description, blank, scope summary, blank, note
	if s.mode != modeBrowse {
		h -= 3
	}
	return max(h, 1)
}

func (s *scopesScreen) scroll() {
	h := s.listHeight()
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+h {
		s.offset = s.cursor - h + 1
	}
}

func (s *scopesScreen) ShortHelp() []key.Binding {
	k := s.keys
	if s.mode != modeBrowse {
		return []key.Binding{k.Save, k.Cancel}
	}
	keys := []key.Binding{k.Continue, k.Toggle, k.Text, k.Add}
	if len(s.drafts) > 1 {
		keys = append(keys, k.NextClient, k.ApplyAll)
	}
	return append(keys, k.Back)
}

func (s *scopesScreen) FullHelp() [][]key.Binding {
	k := s.keys
	cols := [][]key.Binding{
		{k.Up, k.Down, k.Toggle},
		{k.Text, k.Add, k.Name, k.Desc},
	}
	if len(s.drafts) > 1 {
		cols = append(cols, []key.Binding{k.NextClient, k.PrevClient, k.ApplyAll})
	}
	return append(cols, []key.Binding{k.Continue, k.Back})
}

func (s *scopesScreen) View() string {
	if !s.wide() {
		return s.editorView(s.width)
	}
	ew := s.editorWidth()
	return lipgloss.JoinHorizontal(lipgloss.Top, s.sideView(), " ", widget.VRule(s.st(), s.height), " ", s.editorView(ew))
}

// sideView lists the chosen clients with their scope counts.
func (s *scopesScreen) sideView() string {
	st := s.st()
	lines := []string{st.Muted.Bold(true).Render(plural(len(s.drafts), "client"))}
	h := s.height - 1
	start := max(min(s.cur-h/2, len(s.drafts)-h), 0)
	for i := start; i < len(s.drafts) && i < start+h; i++ {
		d := &s.drafts[i]
		count := fmt.Sprintf(" %d", len(d.c.Scopes))
		mark := "  "
		if len(d.problems()) > 0 {
			mark = st.Error.Render("✗ ")
		} else if d.edited() {
			mark = st.Accent2.Render("• ")
		}
		name := widget.Cell(d.name, sideWidth-2-len(count))
		line := mark + name + st.Muted.Render(count)
		if i == s.cur {
			line = st.Cursor.Render(widget.Cell("› "+d.name, sideWidth-len(count)) + count)
		}
		lines = append(lines, line)
	}
	return lipgloss.NewStyle().Width(sideWidth).Render(strings.Join(lines, "\n"))
}

func (s *scopesScreen) editorView(w int) string {
	st := s.st()
	d := s.draft()
	var lines []string

	title := st.Title.Render(ansi.Truncate(d.name, w-12, "…"))
	if len(s.drafts) > 1 && !s.wide() {
		title = widget.Spread(title, st.Muted.Render(fmt.Sprintf("%d of %d", s.cur+1, len(s.drafts))), w)
	}
	lines = append(lines, title)
	value := func(v, none string) string {
		if v = sanitize.Line(v); v == "" {
			return st.Subtle.Render(none)
		}
		return st.Text.Render(v)
	}
	lines = append(lines,
		ansi.Truncate(st.Muted.Render("Name         ")+value(d.c.Name, "no name: Stytch will list it by its id"), w, "…"),
		ansi.Truncate(st.Muted.Render("Description  ")+value(d.c.Description, "no description"), w, "…"),
	)

	if s.mode != modeBrowse {
		label := map[scopesMode]string{
			modeText: "Scopes, separated by single spaces",
			modeAdd:  "Add a scope",
			modeName: "Name",
			modeDesc: "Description",
		}[s.mode]
		lines = append(lines, "", st.LabelFocus.Render(label), s.input.View())
		if s.inErr != "" {
			lines = append(lines, st.Error.Render(ansi.Truncate("✗ "+s.inErr, w, "…")))
		} else {
			lines = append(lines, st.Muted.Render("enter saves · esc cancels"))
		}
	}

	summary := fmt.Sprintf("Scopes  %d chosen", len(d.c.Scopes))
	lines = append(lines, "", st.Accent.Bold(true).Render("Scopes")+st.Muted.Render(strings.TrimPrefix(summary, "Scopes")))

	rows := d.rows()
	if len(rows) == 0 {
		lines = append(lines, st.Muted.Render("No grants: press + to add a scope, or e to type them."))
	}
	h := s.listHeight()
	scopeW := d.scopeWidth(w / 2)
	for n := s.offset; n < len(rows) && n < s.offset+h; n++ {
		lines = append(lines, s.rowView(d, rows[n], n == s.cursor && s.mode == modeBrowse, scopeW, w))
	}
	lines = widget.FitLines(lines, s.height-1)
	if s.note != "" {
		style := st.Error
		if s.noteOK {
			style = st.Success
		}
		lines = append(lines, style.Render(ansi.Truncate(s.note, w, "…")))
	} else if p := d.problems(); len(p) > 0 {
		lines = append(lines, st.Error.Render(ansi.Truncate("✗ "+p[0], w, "…")))
	}
	return strings.Join(lines, "\n")
}

// scopeWidth is the width of the draft's longest scope, at most limit cells, so the
// descriptions after the scopes line up.
func (d *draft) scopeWidth(limit int) int {
	n := 0
	for _, r := range d.rows() {
		n = max(n, widget.Width(sanitize.Line(r.scope)))
	}
	return min(n, limit)
}

func (s *scopesScreen) rowView(d *draft, r scopeRow, onCursor bool, scopeW, w int) string {
	st := s.st()
	var text string
	var style = st.Text
	if r.scope == "" {
		if r.group < 0 {
			text = "Custom scopes"
		} else {
			g := d.groups[r.group]
			on := len(g.scopes) - len(g.scopes.Minus(d.c.Scopes))
			text = fmt.Sprintf("%s  %d/%d", g.name, on, len(g.scopes))
			if g.system {
				text += "  · not imported unless ticked"
			}
		}
		style = st.Accent.Bold(true)
	} else {
		box := "[ ] "
		if d.c.Scopes.Has(r.scope) {
			box = "[x] "
		}
		text = "  " + box + sanitize.Line(r.scope)
		var desc string
		if r.group >= 0 {
			desc = s.descs[d.groups[r.group].audience][r.scope]
		}
		if p := scopeProblem(r.scope); p != "" && d.c.Scopes.Has(r.scope) {
			desc = "✗ " + p
			style = st.Error
		}
		if desc != "" {
			pad := max(6+scopeW-widget.Width(text), 0) + 2
			text += strings.Repeat(" ", pad) + desc
		}
		if !d.c.Scopes.Has(r.scope) {
			style = st.Muted
		}
	}
	text = ansi.Truncate(text, w-2, "…")
	if onCursor {
		return st.Cursor.Render("› " + text + strings.Repeat(" ", max(w-2-ansi.StringWidth(text), 0)))
	}
	return "  " + style.Render(text)
}
