package cli

import (
	"context"
	"os"
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

// A failing command never asks the terminal anything: fang's error path queries the
// terminal's background colour on stdin, which hung m2mport after a prompt that Ctrl-C left
// reading stdin (check with no token, one Ctrl-C). Here the process's stdin and stdout are a
// terminal, as they are for an operator, and nothing may be written to it but the output.
func TestAFailingCommandAsksTheTerminalNothing(t *testing.T) {
	master, tty := openPTY(t)
	stdin, stdout := os.Stdin, os.Stdout
	os.Stdin, os.Stdout = tty, tty
	t.Cleanup(func() { os.Stdin, os.Stdout = stdin, stdout })
	for _, args := range [][]string{{"check", "not.a.jwt"}, {"import", "--bogus"}, {"frobnicate"}} {
		start := time.Now()
		var out, errb strings.Builder
		e := &Env{Stdio: Stdio{In: tty, Out: &out, Err: &errb}, Getenv: func(string) string { return "" }}
		if code := run(context.Background(), args, e); code == ExitOK || time.Since(start) > time.Second {
			t.Errorf("%v: exit %d after %s", args, code, time.Since(start))
		}
	}
	master.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	var buf [256]byte
	if n, _ := master.Read(buf[:]); n > 0 {
		t.Fatalf("a failing command wrote to the terminal: %q", buf[:n])
	}
}
