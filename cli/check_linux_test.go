package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client/sandbox"
)

// check on a real terminal with no token asks for it without echo; one Ctrl-C (main cancels
// the context) ends the wait with 130.
func TestCheckPromptsOnARealTerminal(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "empty"})
	tok := sandboxToken(t, sb)
	for _, ctrlC := range []bool{false, true} {
		master, tty := openPTY(t)
		ctx, cancel := context.WithCancel(context.Background())
		out, errb := &lockedBuffer{}, &lockedBuffer{}
		e := &Env{Stdio: Stdio{In: tty, Out: out, Err: errb}, Getenv: func(k string) string { return env[k] }}
		done := make(chan int, 1)
		go func() { done <- run(ctx, []string{"check"}, e) }()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(errb.String(), "Token to check (not shown): ") && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if ctrlC {
			cancel()
		} else {
			master.WriteString(tok + "\n")
		}
		select {
		case code := <-done:
			want := ExitOK
			if ctrlC {
				want = ExitInterrupted
			}
			if code != want {
				t.Errorf("Ctrl-C %v: exit %d, want %d\n%s%s", ctrlC, code, want, out.String(), errb.String())
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Ctrl-C %v: check still waits\n%s", ctrlC, errb.String())
		}
		cancel()
	}
}
