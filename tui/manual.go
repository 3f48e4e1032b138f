package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/m2mport/m2mport/client"
)

const (
	mID = iota
	mSecret
	mScopes
	mName
	mDesc
)

// manualScreen takes one client typed or pasted by hand, for operators without Management
// API access — the same fields as Stytch's dashboard import: id, secret, scopes, and
// optionally a name and a description. Each field is checked against Stytch's rules as it
// is typed.
type manualScreen struct {
	base
	target client.Target
	form   form
	keys   manualKeys
}

func newManual(sh *shared, target client.Target) *manualScreen {
	m := &manualScreen{base: newBase(sh), target: target}
	m.form.fields = []*field{
		newField("Client ID", "", "the client_id your services use"),
		newField("Client secret", "", "its client_secret").asSecret(),
		newField("Scopes", "", "read:orders write:orders"),
		newField("Name", "", "shown in Stytch").asOptional(),
		newField("Description", "", "what this client is for").asOptional(),
	}
	m.keys = sh.keys.Manual
	m.form.styleInputs(m.st())
	return m
}

func (m *manualScreen) Init() tea.Cmd   { return m.form.setFocus(0) }
func (m *manualScreen) Step() step      { return stepAccess }
func (m *manualScreen) Capturing() bool { return true }

func (m *manualScreen) SetSize(w, h int) {
	m.base.SetSize(w, h)
	m.form.setWidth(min(w, 80) - 2)
}

func (m *manualScreen) restyle() { m.form.styleInputs(m.st()) }

func (m *manualScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		cmd := m.form.update(msg)
		m.checkFocused()
		return cmd
	case tea.KeyPressMsg:
		k := m.keys
		if cmd, ok := m.form.navigate(msg, k.fieldKeys, k.Reveal); ok {
			return cmd
		}
		switch {
		case key.Matches(msg, k.Back):
			return goBack
		case key.Matches(msg, k.Submit):
			return m.submit()
		}
		cmd := m.form.update(msg)
		m.checkFocused()
		return cmd
	}
	return nil
}

// problemOf checks field i; empty required fields only count on submit.
func (m *manualScreen) problemOf(i int, submitting bool) string {
	v := m.form.fields[i].value()
	if v == "" && !submitting {
		return ""
	}
	switch i {
	case mID:
		return clientIDProblem(v)
	case mSecret:
		return secretProblem(v)
	case mScopes:
		_, p := parseScopeText(v)
		return p
	case mName:
		return lengthProblem("the name", v, client.NameMaxLen)
	case mDesc:
		return lengthProblem("the description", v, client.DescriptionMaxLen)
	}
	return ""
}

func (m *manualScreen) checkFocused() {
	if f := m.form.focused(); f != nil {
		f.err = m.problemOf(m.form.focus, false)
	}
}

func (m *manualScreen) submit() tea.Cmd {
	first := -1
	for i, f := range m.form.fields {
		f.err = m.problemOf(i, true)
		if f.err != "" && first < 0 {
			first = i
		}
	}
	if first >= 0 {
		return m.form.setFocus(first)
	}
	f := m.form.fields
	scopes, _ := parseScopeText(f[mScopes].value())
	c := client.Client{
		ID:          f[mID].value(),
		Secret:      client.NewSecret(f[mSecret].value()),
		Name:        f[mName].value(),
		Description: f[mDesc].value(),
		Scopes:      scopes,
	}
	return func() tea.Msg { return scopesDoneMsg{clients: []client.Client{c}} }
}

func (m *manualScreen) ShortHelp() []key.Binding {
	k := m.keys
	return []key.Binding{k.Submit, k.Next, k.Reveal, k.Back}
}

func (m *manualScreen) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Next, k.Prev}, {k.Submit, k.Reveal, k.Back}}
}

func (m *manualScreen) View() string {
	st := m.st()
	w := min(m.width, 80)
	compact := m.height < 20
	lines := []string{st.Title.Render("Enter a client by hand")}
	if !compact {
		lines = append(lines, st.Muted.Width(w).Render("The same client id and secret your services use today; Stytch will accept both as they are."), "")
	}
	for i := range m.form.fields {
		if i > 0 && !compact {
			lines = append(lines, "")
		}
		lines = append(lines, m.form.fieldView(i, w, st))
	}
	return lipgloss.JoinVertical(lipgloss.Left, lines...)
}
