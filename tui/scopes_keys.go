package tui

import "charm.land/bubbles/v2/key"

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
