package tui

import "charm.land/bubbles/v2/key"

func (c *connectScreen) ShortHelp() []key.Binding {
	k := c.keys
	switch c.state {
	case connReady:
		if c.source.state == sideFailed || c.target.state == sideFailed {
			k.Connect.SetHelp("enter", "try again")
		}
		return []key.Binding{k.Connect, k.Fill, k.Reveal}
	case connEditing:
		return []key.Binding{k.Connect, k.Next, k.Done, k.Reveal}
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
	case connReady:
		fill := k.Fill
		fill.SetHelp("e/tab", "edit the credentials")
		return [][]key.Binding{{k.Connect, fill}, {k.Reveal}}
	case connEditing:
		done := k.Done
		done.SetHelp("esc", "stop editing")
		return [][]key.Binding{{k.Connect, k.Next, k.Prev, done}, {k.Reveal}}
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
