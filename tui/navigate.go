package tui

import (
	tea "charm.land/bubbletea/v2"
)

// navigate handles the messages that move the operator from one screen to the next. The
// root owns the flow; screens only say what they finished.
func (a *App) navigate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case connectedMsg:
		// A new session: no inventory until Pick reads one (clients typed by hand have none).
		a.session = session{source: msg.source, target: msg.target, sourceInfo: msg.sourceInfo, targetInfo: msg.targetInfo}
		switch msg.next {
		case toPick:
			return a.push(newPick(a.sh, msg.source, msg.target)), true
		case toManual:
			return a.push(newManual(a.sh, msg.target)), true
		case toCheck:
			return a.push(newSpotCheck(a.sh, a.cfg, msg.target)), true
		}
	case pickedMsg:
		a.session.inventory, a.session.guard = msg.inv, msg.guard
		s := newScopes(a.sh, msg.clients, msg.apis, msg.edits)
		s.guard = msg.guard
		return a.push(s), true
	case scopesDoneMsg:
		source := "typed by hand"
		if a.session.source != nil {
			source = a.session.source.Name()
		}
		s := newImport(a.sh, a.cfg, source, a.session.target, msg.clients, msg.resolutions)
		s.guard = a.session.guard
		return a.push(s), true
	case cutoverMsg:
		if a.session.inventory == nil || a.session.source == nil {
			return nil, true
		}
		return a.push(newCutover(a.sh, a.session.source, a.session.target, a.session.inventory, msg.clients, msg.from)), true
	case importDoneMsg:
		v := newValidate(a.sh, a.cfg, a.session.source, a.session.target, msg.plan, msg.items)
		v.withCutover = a.session.inventory != nil
		return a.push(v), true
	}
	return nil, false
}

// back leaves the top screen. What the operator shaped there goes down with them, so going
// forward again starts from it: Scopes' drafts to Pick, the Import plan's choices to the
// drafts. Pick, once an import has written to the target, compares with it again.
func (a *App) back() tea.Cmd {
	left := a.top()
	a.pop()
	switch s := left.(type) {
	case *scopesScreen:
		if p, ok := a.top().(*pickScreen); ok {
			p.keepEdits(s.drafts)
		}
	case *importScreen:
		if s.phase >= impRunning {
			a.session.targetChanged, a.session.countChanged = true, true
		}
		if sc, ok := a.top().(*scopesScreen); ok && s.plan != nil {
			sc.keepResolutions(s.plan)
		}
	}
	if p, ok := a.top().(*pickScreen); ok && a.session.targetChanged {
		a.session.targetChanged = false
		return p.replan()
	}
	if c, ok := a.top().(*connectScreen); ok && a.session.countChanged {
		a.session.countChanged = false
		return c.recount()
	}
	return nil
}
