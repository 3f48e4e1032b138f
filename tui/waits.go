package tui

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/m2mport/m2mport/client"
)

// waits carries the notable waits (client.Wait) of a command's HTTP calls to the screen that
// started it, as messages, so a spinner over a rate-limited or failing API says why it is
// still spinning. The command's calls put notes in a one-note mailbox (a newer note replaces
// one not read yet); the screen's listen command reads them and returns each as a waitMsg,
// so the screen's state is written in Update only, as for any other answer.
type waits struct {
	notes chan string
	done  chan struct{}
}

func newWaits() *waits { return &waits{notes: make(chan string, 1), done: make(chan struct{})} }

// waitMsg is one note of the waits w, for screen id. A screen drops the notes of waits it no
// longer follows (an attempt it cancelled, a read it replaced).
type waitMsg struct {
	to
	from *waits
	note string
}

// watch returns ctx with its calls' waits noted under api's name ("Auth0", "Stytch"; see
// client.Wait.Note).
func (w *waits) watch(ctx context.Context, api string) context.Context {
	return client.WithWaitReporter(ctx, func(wt client.Wait) {
		if !wt.Notable() {
			return
		}
		note := wt.Note(api)
		for {
			select {
			case w.notes <- note:
				return
			default:
				select { // an older note, not read yet, gives way
				case <-w.notes:
				default:
				}
			}
		}
	})
}

// finish says the work is over: the listener stops. The command calls it when it returns.
func (w *waits) finish() { close(w.done) }

// listen waits for the next note, for screen id; it ends with the work. The screen listens
// again after each waitMsg.
func (w *waits) listen(id int) tea.Cmd {
	return func() tea.Msg {
		select {
		case note := <-w.notes:
			return waitMsg{to: to(id), from: w, note: note}
		case <-w.done:
			return nil
		}
	}
}
