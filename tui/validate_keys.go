package tui

import "charm.land/bubbles/v2/key"

func (v *validateScreen) ShortHelp() []key.Binding {
	k := v.keys
	// Focus decides what ↑/↓ move and where tab goes next.
	switch v.pane.focus {
	case focusList:
		k.Up.SetHelp("↑/↓", "client")
		k.Focus.SetHelp("tab", "the checks")
	case focusChecks:
		k.Up.SetHelp("↑/↓", "check")
		k.Focus.SetHelp("tab", "the token")
	case focusToken:
		k.Up.SetHelp("↑/↓", "scroll")
		k.Focus.SetHelp("tab", "the clients")
		if len(v.proofs) == 1 {
			k.Focus.SetHelp("tab", "the checks")
		}
	}
	keys := []key.Binding{k.Up}
	keys = append(keys, k.Focus)
	if v.canCompare() {
		if _, on := v.compared[v.side.Cursor()]; on {
			k.Compare.SetHelp("a", "back to the checks")
		}
		keys = append(keys, k.Compare)
	}
	if v.canCopy() {
		keys = append(keys, k.Copy)
	}
	if v.canCutover() {
		keys = append(keys, k.Cutover)
	}
	return keys
}

func (v *validateScreen) FullHelp() [][]key.Binding {
	k := v.keys
	k.Up.SetHelp("↑/↓", "client, check or scroll")
	k.Copy.SetHelp("y", "copy the token to the clipboard: a secret")
	k.Copy.SetEnabled(v.canCopy())
	return [][]key.Binding{{k.Up, k.Focus, k.FocusBack}, {k.PageUp, k.PageDown}, {k.Compare, k.Copy, k.Cutover, k.Back}}
}

// canCopy reports whether the current client has a token to copy (a refused one has none).
func (v *validateScreen) canCopy() bool {
	p := v.current()
	return p != nil && p.check != nil && !p.check.Token.IsZero()
}
