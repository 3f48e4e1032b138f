package tui

import "charm.land/bubbles/v2/key"

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
