package tui

import (
	tea "charm.land/bubbletea/v2"
)

// navigate handles the messages that move the operator from one screen to the next. The
// root owns the flow; screens only say what they finished.
func (a *App) navigate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case connectedMsg:
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
		return a.push(newScopes(a.sh, msg.clients, msg.apis, msg.edits)), true
	case scopesDoneMsg:
		source := "typed by hand"
		if a.session.source != nil {
			source = a.session.source.Name()
		}
		return a.push(newImport(a.sh, a.cfg, source, a.session.target, msg.clients, msg.resolutions)), true
	case importDoneMsg:
		return a.push(newValidate(a.sh, a.cfg, a.session.source, a.session.target, msg.plan, msg.items)), true
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
