package tui

import (
	"charm.land/bubbles/v2/key"

	"github.com/m2mport/m2mport/client"
)

// syncKeys offers the plan's keys only where they do something: enter when there is
// something to import or check, space on a conflict an update can fix, u while such a
// conflict is kept as it is. The footer shows what is enabled, and key.Matches ignores the
// rest. The confirmation's yes says what it does.
func (s *importScreen) syncKeys() {
	if s.plan == nil {
		return
	}
	k := &s.keys
	n := s.plan.Counts()
	k.Continue.SetEnabled(n.Create+n.Update+n.Skip > 0)
	k.Continue.SetHelp("enter", "import")
	k.Confirm.SetHelp("y", "import")
	if !s.plan.Writes() {
		k.Continue.SetHelp("enter", "check tokens")
		k.Confirm.SetHelp("y", "check their tokens")
	}
	i, ok := s.list.Current()
	cur := ok && s.plan.Items[i].CanUpdate()
	k.Choose.SetEnabled(cur)
	if cur && s.plan.Items[i].Resolution == client.ResolveUpdate {
		k.Choose.SetHelp("space", "keep it as is")
	} else {
		k.Choose.SetHelp("space", "update it")
	}
	updatable := false
	for i := range s.plan.Items {
		if it := &s.plan.Items[i]; it.CanUpdate() && it.Resolution != client.ResolveUpdate {
			updatable = true
		}
	}
	k.UpdateAll.SetEnabled(updatable)
	k.Accept.SetEnabled(ok && len(s.plan.Items[i].Widenings) > 0 && s.phase == impReview)
	k.Cutover.SetEnabled(s.guard != nil)
}

func (s *importScreen) ShortHelp() []key.Binding {
	k := s.keys
	switch s.phase {
	case impReview:
		if s.accepting {
			return []key.Binding{k.AcceptYes, k.AcceptNo}
		}
		// back before u: on a narrow footer the way out stays
		return []key.Binding{k.Continue, k.Choose, k.Accept, k.Back, k.Cutover, k.UpdateAll}
	case impConfirm:
		return []key.Binding{k.Confirm, k.Reconsider}
	case impRunning:
		if s.asking {
			return []key.Binding{k.Stop, k.KeepGoing}
		}
		return []key.Binding{k.Up, k.Down, k.Cancel}
	case impDone:
		if !s.checked() {
			return []key.Binding{k.Up, k.Down, k.Back}
		}
		return []key.Binding{k.Validate, k.Up, k.Down, k.Back, k.Cutover}
	}
	return []key.Binding{k.Back}
}

func (s *importScreen) FullHelp() [][]key.Binding {
	k := s.keys
	if s.phase == impReview {
		return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Choose, k.UpdateAll, k.Accept, k.Cutover}, {k.Continue, k.Back}}
	}
	return [][]key.Binding{s.ShortHelp()}
}
