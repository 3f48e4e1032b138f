package tui

import (
	"charm.land/bubbles/v2/key"

	"github.com/m2mport/m2mport/tui/list"
)

type scopesKeys struct {
	list.KeyMap                             // moving through the scopes
	Toggle, Text, Add, Name, Desc, ApplyAll key.Binding
	NextClient, PrevClient, Continue, Back  key.Binding
	Save, Cancel                            key.Binding
}

func newScopesKeys() scopesKeys {
	return scopesKeys{
		KeyMap:     list.DefaultKeyMap(),
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
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Toggle},
		{k.Text, k.Add, k.Name, k.Desc},
	}
	if len(s.drafts) > 1 {
		cols = append(cols, []key.Binding{k.NextClient, k.PrevClient, k.ApplyAll})
	}
	return append(cols, []key.Binding{k.Continue, k.Back})
}
