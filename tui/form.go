package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/themes"
	"github.com/m2mport/m2mport/tui/widget"
)

// field is one labelled text input. Secret fields show only their last four characters
// unless the form is revealing secrets.
type field struct {
	label    string
	input    textinput.Model
	secret   bool
	optional bool
	err      string // inline validation, shown under the value
}

// form is a column of fields with one focus. The screen that owns it decides how to lay the
// fields out and what Enter does.
type form struct {
	fields []*field
	focus  int // -1 when no field has focus
	reveal bool
}

func newField(label, value, placeholder string) *field {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = placeholder
	in.SetValue(value)
	in.CursorEnd()
	return &field{label: label, input: in}
}

// asSecret marks f secret: it shows only its last four characters unless the form reveals.
func (f *field) asSecret() *field {
	f.secret = true
	return f
}

// asOptional marks f optional: it may stay empty, and its label says so.
func (f *field) asOptional() *field {
	f.optional = true
	return f
}

// value is the field's text without the spaces a paste tends to bring along.
func (f *field) value() string { return strings.TrimSpace(f.input.Value()) }

func (f *form) focused() *field {
	if f.focus < 0 || f.focus >= len(f.fields) {
		return nil
	}
	return f.fields[f.focus]
}

// setFocus moves focus to field i (-1 blurs them all).
func (f *form) setFocus(i int) tea.Cmd {
	f.focus = i
	var cmd tea.Cmd
	for j, fl := range f.fields {
		if j == i {
			cmd = fl.input.Focus()
		} else {
			fl.input.Blur()
		}
	}
	return cmd
}

// navigate handles a form's own keys: reveal shows or hides its secrets, k moves between
// its fields. It reports whether msg was one of them.
func (f *form) navigate(msg tea.KeyPressMsg, k fieldKeys, reveal key.Binding) (tea.Cmd, bool) {
	switch {
	case key.Matches(msg, reveal):
		f.reveal = !f.reveal
		return nil, true
	case key.Matches(msg, k.Next):
		return f.move(1), true
	case key.Matches(msg, k.Prev):
		return f.move(-1), true
	}
	return nil, false
}

func (f *form) move(delta int) tea.Cmd {
	n := len(f.fields)
	return f.setFocus(((f.focus+delta)%n + n) % n)
}

// update sends a key or paste to the focused field and clears its inline error.
func (f *form) update(msg tea.Msg) tea.Cmd {
	fl := f.focused()
	if fl == nil {
		return nil
	}
	before := fl.input.Value()
	var cmd tea.Cmd
	fl.input, cmd = fl.input.Update(msg)
	if fl.input.Value() != before {
		fl.err = ""
	}
	return cmd
}

// requireFilled marks empty required fields among idx and focuses the first; it reports
// whether all were filled.
func (f *form) requireFilled(idx ...int) (tea.Cmd, bool) {
	first := -1
	for _, i := range idx {
		if fl := f.fields[i]; !fl.optional && fl.value() == "" {
			fl.err = "required"
			if first < 0 {
				first = i
			}
		}
	}
	if first < 0 {
		return nil, true
	}
	return f.setFocus(first), false
}

func (f *form) styleInputs(st *themes.Styles) {
	s := textinput.Styles{
		Focused: textinput.StyleState{Text: st.Text, Placeholder: st.Placeholder, Prompt: st.Prompt, Suggestion: st.Muted},
		Blurred: textinput.StyleState{Text: st.Text, Placeholder: st.Placeholder, Prompt: st.Prompt, Suggestion: st.Muted},
		Cursor:  textinput.CursorStyle{Color: st.Palette.Accent, Blink: false},
	}
	for _, fl := range f.fields {
		fl.input.SetStyles(s)
	}
}

// setWidth sets how many cells the value of each field may take.
func (f *form) setWidth(w int) {
	for _, fl := range f.fields {
		fl.input.SetWidth(max(w-1, 1)) // one cell for the cursor
	}
}

// fieldView draws field i as a label line and a value line (and its error, if any) in w cells.
func (f *form) fieldView(i, w int, st *themes.Styles) string {
	fl := f.fields[i]
	focused := i == f.focus
	label := fl.label
	if fl.optional {
		label += st.Subtle.Render(" (optional)")
	}
	marker := "  "
	if focused {
		marker = st.Accent.Render("▌ ")
		label = st.LabelFocus.Render(fl.label) + strings.TrimPrefix(label, fl.label)
	} else {
		label = st.Label.Render(fl.label) + strings.TrimPrefix(label, fl.label)
	}
	var value string
	switch {
	case fl.secret && !f.reveal && fl.input.Value() != "":
		value = st.Secret.Render(client.NewSecret(fl.input.Value()).String())
		if focused {
			value += st.Accent.Reverse(true).Render(" ")
		}
	case !focused && fl.input.Value() == "":
		value = st.Placeholder.Render(fl.input.Placeholder)
	default:
		value = fl.input.View()
	}
	if fl.secret && f.reveal && fl.input.Value() != "" && !focused {
		value = st.Secret.Render(fl.input.Value())
	}
	lines := []string{marker + label, marker + widget.Truncate(value, w-2)}
	if fl.err != "" {
		for _, l := range widget.Hang(st.Error, "✗ ", fl.err, w-2, 2) {
			lines = append(lines, "  "+l)
		}
	}
	return lipgloss.JoinVertical(lipgloss.Left, lines...)
}
