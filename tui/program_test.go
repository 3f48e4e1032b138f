package tui

import (
	"bytes"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/m2mport/m2mport/client/sandbox"
)

// TestRealProgramLoop runs the root model in a real Bubble Tea program (its own goroutines
// for commands, its renderer) against the sandbox: the synchronous harness of the other
// tests cannot show that commands really run off the update loop. teatest is experimental,
// so this is not the only guard.
func TestRealProgramLoop(t *testing.T) {
	tm := teatest.NewTestModel(t, New(sandboxConfig(t, sandbox.Options{Seed: "demo"})), teatest.WithInitialTermSize(100, 30))
	wait := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	wait("DEMO")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	wait("13 M2M clients")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	wait("already in Stytch")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*App)
	if _, ok := final.top().(*pickScreen); !ok {
		t.Fatalf("ended on %T", final.top())
	}
}
