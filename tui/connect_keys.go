package tui

import "charm.land/bubbles/v2/key"

type connectKeys struct {
	Next, Prev, Connect, Reveal, Cancel key.Binding
	Continue, Manual, Check, Edit       key.Binding
	Remember, Confirm, Back             key.Binding
}

func newConnectKeys() connectKeys {
	return connectKeys{
		Next:     bind("tab", "next field", "tab", "down"),
		Prev:     bind("shift+tab", "previous field", "shift+tab", "up"),
		Connect:  bind("enter", "connect", "enter"),
		Reveal:   bind("ctrl+r", "show secrets", "ctrl+r"),
		Cancel:   bind("esc", "cancel", "esc"),
		Continue: bind("enter", "pick clients", "enter"),
		Manual:   bind("m", "by hand", "m"),
		Check:    bind("t", "check a token", "t"),
		Edit:     bind("e", "edit", "e"),
		Remember: bind("k", "remember", "k"),
		Confirm:  bind("enter", "confirm", "enter"),
		Back:     bind("esc", "back", "esc"),
	}
}

func (c *connectScreen) ShortHelp() []key.Binding {
	k := c.keys
	switch c.state {
	case connEditing:
		return []key.Binding{k.Connect, k.Next, k.Reveal}
	case connVerifying:
		return []key.Binding{k.Cancel}
	case connLiveGuard:
		return []key.Binding{k.Confirm, k.Back}
	}
	cont := k.Continue
	if c.src == nil {
		cont.SetHelp("enter", "type in a client")
		return []key.Binding{cont, k.Check, k.Remember, k.Edit}
	}
	return []key.Binding{cont, k.Manual, k.Check, k.Remember, k.Edit}
}

func (c *connectScreen) FullHelp() [][]key.Binding {
	k := c.keys
	switch c.state {
	case connEditing:
		return [][]key.Binding{{k.Connect, k.Next, k.Prev}, {k.Reveal}}
	case connVerified:
		// The footer's words are short to fit; the full help has room to say more.
		keys := c.ShortHelp()
		for i, b := range keys {
			long := map[string]string{"m": "enter a client by hand", "k": "remember in the keyring", "e": "edit the credentials"}[b.Help().Key]
			if long != "" {
				keys[i].SetHelp(b.Help().Key, long)
			}
		}
		return [][]key.Binding{keys, {k.Reveal}}
	}
	return [][]key.Binding{c.ShortHelp()}
}
