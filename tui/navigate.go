package tui

import tea "charm.land/bubbletea/v2"

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
		return a.push(newScopes(a.sh, msg.clients, msg.apis)), true
	case scopesDoneMsg:
		source := "typed by hand"
		if a.session.source != nil {
			source = a.session.source.Name()
		}
		return a.push(newImport(a.sh, a.cfg, source, a.session.target, msg.clients)), true
	case importDoneMsg:
		return a.push(newValidate(a.sh, a.cfg, a.session.source, a.session.target, msg.plan, msg.items)), true
	}
	return nil, false
}
