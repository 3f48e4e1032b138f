package tui

import (
	"charm.land/bubbles/v2/key"

	"github.com/m2mport/m2mport/tui/list"
)

// keyMap is every key of the TUI in one place, grouped by where it works, as crush's
// model/keys.go groups its keys: the keys of every screen, then each screen's. A key that
// several screens offer (esc back, the arrows, tab between a form's fields, ctrl+r) is
// declared once, in defaultKeyMap; a screen where it does something else takes a copy in its
// own words. A screen takes its group when it is made (a copy: it may reword or disable its
// bindings as its state changes), and its ShortHelp and FullHelp choose what the footer and
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

// globalKeys work on every screen. Quit and Help give way to a focused text field, except
// ctrl+c, which always quits (asking first while work is in flight).
type globalKeys struct {
	Quit, ForceQuit, Help, Back key.Binding
}

// fieldKeys move between a form's fields: tab or ↓ to the next, shift+tab or ↑ back.
type fieldKeys struct {
	Next, Prev key.Binding
}

type connectKeys struct {
	fieldKeys
	Connect, Reveal, Cancel       key.Binding
	Fill, Done                    key.Binding
	Continue, Manual, Check, Edit key.Binding
	Remember, Confirm, Back       key.Binding
}

type manualKeys struct {
	fieldKeys
	Submit, Reveal, Back key.Binding
}

type spotKeys struct {
	fieldKeys                                   // while the token and project are typed
	list.KeyMap                                 // through the checks, or the token
	Check, Reveal, Edit, Focus, FocusBack, Back key.Binding
}

// pickKeys are the Pick screen's keys. ShortHelp and FullHelp choose the ones the footer
// and the full help show, by what the screen is doing.
type pickKeys struct {
	list.KeyMap                       // moving through the clients
	Toggle, All, None, Filter, Others key.Binding
	Details, Warnings, Continue, Back key.Binding
	FilterDone, FilterClear           key.Binding
}

type scopesKeys struct {
	list.KeyMap                             // moving through the scopes
	Toggle, Text, Add, Name, Desc, ApplyAll key.Binding
	NextClient, PrevClient, Continue, Back  key.Binding
	Save, Cancel                            key.Binding
}

type importKeys struct {
	list.KeyMap                       // moving through the plan and the run
	Choose, UpdateAll, Continue, Back key.Binding
	Cancel, Validate                  key.Binding
	// The two questions' answers, each worded for its question; only y says yes, so a
	// second enter never starts a run, least of all into a live project.
	Confirm, Reconsider key.Binding // "Import into this project?"
	Stop, KeepGoing     key.Binding // "Cancel the import?"
	// A client whose access would widen: w asks, and only y accepts.
	Accept, AcceptYes, AcceptNo key.Binding
	Cutover                     key.Binding // every API's side of the move
}

type validateKeys struct {
	// ↑/↓ move through the clients or the checks, or scroll the token: focus decides.
	list.KeyMap
	Focus, FocusBack, Compare, Copy, Cutover, Back key.Binding
}

type cutoverKeys struct {
	list.KeyMap            // the API's page
	NextAPI, PrevAPI, Back key.Binding
}

func defaultKeyMap() keyMap {
	// The keys several screens offer, each declared here once.
	back := bind("esc", "back", "esc")
	cancel := bind("esc", "cancel", "esc")
	reveal := bind("ctrl+r", "show secrets", "ctrl+r")
	cutover := bind("c", "cutover", "c")
	fields := fieldKeys{
		Next: bind("tab", "next field", "tab", "down"),
		Prev: bind("shift+tab", "previous field", "shift+tab", "up"),
	}
	lines := list.DefaultKeyMap()
	// A pane scrolls with a list's keys; pgup/pgdn say what they scroll.
	scroll := lines
	scroll.PageUp = withHelp(lines.PageUp, "pgup", "scroll token up")
	scroll.PageDown = withHelp(lines.PageDown, "pgdn", "scroll token down")
	checks := scroll
	checks.Up = withHelp(scroll.Up, "↑/↓", "check")
	page := lines
	page.Up = withHelp(lines.Up, "↑/k", "scroll")
	page.Down = withHelp(lines.Down, "↓/j", "scroll")
	return keyMap{
		Global: globalKeys{
			Quit:      bind("q", "quit", "q"),
			ForceQuit: bind("ctrl+c", "quit", "ctrl+c"),
			Help:      bind("?", "more keys", "?"),
			Back:      back,
		},
		Connect: connectKeys{
			fieldKeys: fields,
			Connect:   bind("enter", "connect", "enter"),
			Reveal:    reveal,
			Cancel:    cancel,
			// Keys without a letter's meaning enter the form too: tab and the arrows go where
			// a form's fields are.
			Fill:     bind("e", "edit", append(append([]string{"e"}, fields.Next.Keys()...), fields.Prev.Keys()...)...),
			Done:     bind("esc", "done", "esc"),
			Continue: bind("enter", "pick clients", "enter"),
			Manual:   bind("m", "by hand", "m"),
			Check:    bind("t", "check a token", "t"),
			Edit:     bind("e", "edit", "e"),
			Remember: bind("k", "remember", "k"),
			Confirm:  bind("enter", "confirm", "enter"),
			Back:     back,
		},
		Manual: manualKeys{
			fieldKeys: fields,
			Submit:    bind("enter", "review import", "enter"),
			Reveal:    withHelp(reveal, "ctrl+r", "show secret"),
			Back:      back,
		},
		Check: spotKeys{
			KeyMap:    checks,
			fieldKeys: fields,
			Check:     bind("enter", "check", "enter"),
			Reveal:    withHelp(reveal, "ctrl+r", "show token"),
			Edit:      bind("e", "check another", "e"),
			// Two panes: tab and shift+tab both go to the other one.
			Focus:     bind("tab", "the token", "tab"),
			FocusBack: bind("shift+tab", "the other pane", "shift+tab"),
			Back:      back,
		},
		Pick: pickKeys{
			KeyMap:      lines,
			Toggle:      bind("space", "choose", "space"),
			All:         bind("a", "all ready", "a"),
			None:        bind("n", "none", "n"),
			Filter:      bind("/", "filter", "/"),
			Others:      bind("o", "other apps", "o"),
			Details:     bind("tab", "details", "tab"),
			Warnings:    bind("w", "all warnings", "w"),
			Continue:    bind("enter", "scopes", "enter"),
			Back:        back,
			FilterDone:  bind("enter", "done", "enter"),
			FilterClear: bind("esc", "clear filter", "esc"),
		},
		Scopes: scopesKeys{
			KeyMap:     lines,
			Toggle:     bind("space", "toggle", "space"),
			Text:       bind("e", "edit as text", "e"),
			Add:        bind("+", "add scope", "+"),
			Name:       bind("n", "name", "n"),
			Desc:       bind("d", "description", "d"),
			ApplyAll:   bind("A", "same APIs for all", "A"),
			NextClient: bind("tab", "next client", "tab", "]"),
			PrevClient: bind("shift+tab", "previous client", "shift+tab", "["),
			Continue:   bind("enter", "review import", "enter"),
			Back:       back,
			Save:       bind("enter", "save", "enter"),
			Cancel:     cancel,
		},
		Import: importKeys{
			KeyMap:     lines,
			Choose:     bind("space", "skip or update", "space"),
			UpdateAll:  bind("u", "update all conflicts", "u"),
			Continue:   bind("enter", "import", "enter"),
			Back:       back,
			Cancel:     withHelp(cancel, "esc", "cancel the run"),
			Validate:   bind("enter", "validate", "enter"),
			Confirm:    bind("y", "import", "y"),
			Reconsider: bind("n", "back to the plan", "n", "esc"),
			Stop:       bind("y", "cancel", "y"),
			KeepGoing:  bind("n", "keep going", "n", "esc"),
			Accept:     bind("w", "accept widening", "w"),
			AcceptYes:  bind("y", "accept knowingly", "y"),
			AcceptNo:   bind("n", "don't", "n", "esc"),
			Cutover:    cutover,
		},
		Validate: validateKeys{
			KeyMap:    scroll,
			Focus:     bind("tab", "next pane", "tab"),
			FocusBack: bind("shift+tab", "previous pane", "shift+tab"),
			Compare:   bind("a", "compare with Auth0", "a"),
			// The footer says it copies a secret: the token is a credential until it expires.
			Copy:    bind("y", "copy token (secret)", "y"),
			Cutover: cutover,
			Back:    back,
		},
		Cutover: cutoverKeys{
			KeyMap:  page,
			NextAPI: bind("tab", "next API", "tab", "right", "l"),
			PrevAPI: bind("shift+tab", "previous API", "shift+tab", "left", "h"),
			Back:    back,
		},
	}
}

func bind(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// withHelp is b in a screen's own words.
func withHelp(b key.Binding, help, desc string) key.Binding {
	b.SetHelp(help, desc)
	return b
}
