package tui

import (
	"charm.land/bubbles/v2/key"

	"github.com/m2mport/m2mport/tui/list"
)

// pickKeys are the Pick screen's keys. ShortHelp and FullHelp choose the ones the footer
// and the full help show, by what the screen is doing.
type pickKeys struct {
	list.KeyMap                       // moving through the clients
	Toggle, All, None, Filter, Others key.Binding
	Details, Warnings, Continue, Back key.Binding
	FilterDone, FilterClear           key.Binding
}

func newPickKeys() pickKeys {
	return pickKeys{
		KeyMap:      list.DefaultKeyMap(),
		Toggle:      bind("space", "choose", "space"),
		All:         bind("a", "all ready", "a"),
		None:        bind("n", "none", "n"),
		Filter:      bind("/", "filter", "/"),
		Others:      bind("o", "other apps", "o"),
		Details:     bind("tab", "details", "tab"),
		Warnings:    bind("w", "all warnings", "w"),
		Continue:    bind("enter", "scopes", "enter"),
		Back:        bind("esc", "back", "esc"),
		FilterDone:  bind("enter", "done", "enter"),
		FilterClear: bind("esc", "clear filter", "esc"),
	}
}

func (p *pickScreen) ShortHelp() []key.Binding {
	k := p.keys
	if p.loading {
		return []key.Binding{k.Back}
	}
	if p.filtering {
		return []key.Binding{k.FilterDone, k.FilterClear}
	}
	// The first the footer keeps when the terminal is narrow.
	details := k.Details
	if p.details {
		details.SetHelp("tab", "list")
	}
	if p.warnings {
		back := k.Back
		back.SetHelp("esc", "close")
		return []key.Binding{back}
	}
	return []key.Binding{k.Continue, k.Toggle, k.All, k.Filter, details}
}

func (p *pickScreen) FullHelp() [][]key.Binding {
	k := p.keys
	if p.loading {
		return [][]key.Binding{{k.Back}}
	}
	last := []key.Binding{k.Filter, k.Details, k.Continue, k.Back}
	if p.inv != nil && len(p.inv.Warnings) > 0 {
		last = append(last, k.Warnings)
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Toggle, k.All, k.None, k.Others},
		last,
	}
}
