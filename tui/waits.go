package tui

import (
	"context"
	"sync"

	"github.com/m2mport/m2mport/client"
)

// waitNote carries the latest notable wait (client.Wait) of a command's HTTP calls to the
// screen that started it, so a spinner over a rate-limited or failing API says why it is
// still spinning. The command's goroutine writes; the screen reads on each spinner tick.
type waitNote struct {
	mu   sync.Mutex
	note string
}

// watch returns ctx with its calls' waits noted under api's name ("Auth0", "Stytch"; see
// client.Wait.Note).
func (n *waitNote) watch(ctx context.Context, api string) context.Context {
	return client.WithWaitReporter(ctx, func(w client.Wait) {
		if w.Notable() {
			n.mu.Lock()
			n.note = w.Note(api)
			n.mu.Unlock()
		}
	})
}

// String is the latest note, "" before any. A nil waitNote has none.
func (n *waitNote) String() string {
	if n == nil {
		return ""
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.note
}
