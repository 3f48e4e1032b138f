package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/list"
	"github.com/m2mport/m2mport/tui/sanitize"
	"github.com/m2mport/m2mport/tui/widget"
)

type scopesMode int

const (
	modeBrowse scopesMode = iota
	modeText              // all scopes as one line of text
	modeAdd               // one custom scope
	modeName
	modeDesc
)

// scopesScreen is the Scopes step: for each chosen client, its scopes grouped by API with
// their descriptions, toggled one by one or per API, or edited as text; custom scopes; name
// and description; and one client's API choice applied to all.
type scopesScreen struct {
	base
	keys   scopesKeys
	drafts []draft
	descs  map[string]map[string]string
	side   list.Side  // over drafts: the cursor is on the current one
	list   list.Model // over the current draft's rows
	mode   scopesMode
	input  textinput.Model
	inErr  string
	note   string
	noteOK bool
	// guard says which chosen scopes would widen a client's access in Stytch (nil: nothing
	// to say, e.g. clients typed by hand).
	guard *client.Guard
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
	s.keys = sh.keys.Scopes
	s.side, s.list = list.NewSide(len(s.drafts)), list.New()
	s.restyle()
	return s
}

func (s *scopesScreen) Init() tea.Cmd   { return nil }
func (s *scopesScreen) Step() step      { return stepScopes }
func (s *scopesScreen) Capturing() bool { return s.mode != modeBrowse }

func (s *scopesScreen) restyle() {
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
	return s.side.MainWidth(s.width, s.wide())
}

func (s *scopesScreen) draft() *draft { return &s.drafts[s.side.Cursor()] }

func (s *scopesScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if s.mode != modeBrowse {
			var cmd tea.Cmd
			s.input, cmd = s.input.Update(msg)
			s.inErr = ""
			return cmd
		}
	case tea.KeyPressMsg:
		var cmd tea.Cmd
		if s.mode != modeBrowse {
			cmd = s.editKey(msg)
		} else {
			cmd = s.key(msg)
		}
		s.scroll() // an edit or a toggle may change the rows, an editor the room
		return cmd
	}
	return nil
}

func (s *scopesScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	d := s.draft()
	rows := d.rows()
	s.note = ""
	if k.Scroll(msg, &s.list) {
		return nil
	}
	switch {
	case key.Matches(msg, k.Toggle):
		n, ok := s.list.Current()
		if !ok {
			return nil
		}
		r := rows[n]
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
		s.switchTo(s.side.Cursor() + 1)
	case key.Matches(msg, k.PrevClient):
		s.switchTo(s.side.Cursor() - 1)
	case key.Matches(msg, k.Continue):
		return s.proceed()
	case key.Matches(msg, k.Back):
		return goBack
	}
	return nil
}

func (s *scopesScreen) switchTo(i int) {
	n := len(s.drafts)
	s.side.SetCursor(((i % n) + n) % n)
	s.list.SetTotal(len(s.draft().rows()))
	s.list.Top()
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
		if i == s.side.Cursor() {
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
	// Widenings accepted on the plan stay accepted: the client carries them.
	accepted := map[string][]string{}
	for _, it := range plan.Items {
		accepted[it.Client.ID] = it.Client.Accepted
	}
	for i := range s.drafts {
		if a, ok := accepted[s.drafts[i].c.ID]; ok {
			s.drafts[i].c.Accepted = a
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
	if len(s.drafts) > 0 {
		if n := len(s.editLines(s.editorWidth())); n > 0 {
			h -= n - 1
		}
		h -= len(s.wideningLines(s.draft(), s.editorWidth()))
	}
	return max(h, 1)
}

// widenings are how the draft's chosen scopes would widen its access in Stytch, not
// accepted yet: the plan will block it until they are unticked here or accepted there.
func (s *scopesScreen) widenings(d *draft) []client.Widening { return s.guard.Unaccepted(&d.c) }

// maxWideningLines is how many widenings the editor names; the rest are counted.
const maxWideningLines = 2

// wideningLines warn, above the scopes, that the draft would widen access and how to
// resolve it: untick the scopes marked !, or accept knowingly on the plan.
func (s *scopesScreen) wideningLines(d *draft, w int) []string {
	ws := s.widenings(d)
	if len(ws) == 0 {
		return nil
	}
	st := s.st()
	lines := []string{""}
	for i, wd := range ws {
		if i == maxWideningLines {
			lines = append(lines, st.Warning.Render(widget.Truncate(fmt.Sprintf("  and %s more", plural(len(ws)-i, "widening")), w)))
			break
		}
		lines = append(lines, widget.Hang(st.Warning, "! ", sanitize.Line(wd.String()), w, 2)...)
	}
	return append(lines, st.Muted.Render(widget.LongestFitting(w, "  untick the scopes marked ! to import it without them, or accept them on the plan (w)",
		"  untick the scopes marked !, or accept them on the plan (w)", "  untick them, or accept on the plan")))
}

// wideningNotes says, for each chosen scope that widens access, where it would reach.
func (s *scopesScreen) wideningNotes(d *draft) map[string]string {
	notes := map[string]string{}
	for _, wd := range s.widenings(d) {
		note := "! also the " + wd.API + "'s"
		if wd.Kind == client.WidenOrg {
			note = "! " + wd.API + ": for an organization only"
		}
		for _, sc := range wd.Scopes {
			if _, ok := notes[sc]; !ok {
				notes[sc] = sanitize.Line(note)
			}
		}
	}
	return notes
}

// scroll fits the list to the current draft's rows and to the room the editor leaves it.
func (s *scopesScreen) scroll() {
	if len(s.drafts) == 0 {
		return
	}
	s.list.SetTotal(len(s.draft().rows()))
	s.list.SetHeight(s.listHeight())
	s.side.SetSize(s.height)
}
