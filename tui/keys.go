package tui

import "charm.land/bubbles/v2/key"

// keyMap is every key of the TUI in one place, grouped by where it works, as crush's
// model/keys.go groups its keys: the keys of every screen, then each screen's. A screen takes
// its group when it is made (a copy: it may reword or disable its bindings as its state
// changes), and its ShortHelp and FullHelp, in its _keys.go file, choose what the footer and
// the full help show; the root draws them with bubbles' help.
type keyMap struct {
	Global   globalKeys
	Connect  connectKeys
	Manual   manualKeys
	Check    spotKeys
	Pick     pickKeys
	Scopes   scopesKeys
	Import   importKeys
	Validate validateKeys
	Cutover  cutoverKeys
}

func defaultKeyMap() keyMap {
	return keyMap{
		Global:   newGlobalKeys(),
		Connect:  newConnectKeys(),
		Manual:   newManualKeys(),
		Check:    newSpotKeys(),
		Pick:     newPickKeys(),
		Scopes:   newScopesKeys(),
		Import:   newImportKeys(),
		Validate: newValidateKeys(),
		Cutover:  newCutoverKeys(),
	}
}

// globalKeys work on every screen. Quit and Help give way to a focused text field, except
// ctrl+c, which always quits (asking first while work is in flight).
type globalKeys struct {
	Quit      key.Binding
	ForceQuit key.Binding
	Help      key.Binding
	Back      key.Binding
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

func bind(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}
