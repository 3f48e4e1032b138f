package cli

// What m2mport asks on a real terminal (a pseudo-terminal on stdin), and how the answer, or a
// Ctrl-C, ends the run.

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
	"github.com/m2mport/m2mport/keystore"
)

// onTerminal runs m2mport args… with e and a pseudo-terminal on stdin; once stderr shows
// prompt, it hands the terminal's master end and the run's cancel (Ctrl-C: main cancels the
// context) to answer, and waits for the exit.
func onTerminal(t *testing.T, e *Env, prompt string, answer func(master *os.File, cancel func()), args ...string) (code int, stdout, stderr string) {
	t.Helper()
	master, tty := openPTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errb := &sandboxtest.Buffer{}, &sandboxtest.Buffer{}
	e.Stdio = Stdio{In: tty, Out: out, Err: errb}
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, e) }()
	asked := false
	for range 600 {
		if asked = strings.Contains(errb.String(), prompt); asked {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !asked {
		t.Fatalf("%v on a terminal did not ask %q:\n%s\n%s", args, prompt, out.String(), errb.String())
	}
	answer(master, cancel)
	select {
	case code = <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%v is still waiting on its question after the answer:\n%s", args, errb.String())
	}
	return code, out.String(), errb.String()
}

// importOnATerminal runs `m2mport import --all` on a terminal and answers its question.
func importOnATerminal(t *testing.T, env map[string]string, answer func(master *os.File, cancel func())) (code int, stdout, stderr string) {
	t.Helper()
	return onTerminal(t, &Env{Getenv: getenv(env), Keystore: keystore.NewMemory()}, "[y/N]", answer, "import", "--all")
}

func TestImportAsksOnATerminal(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	before := len(sandboxtest.Stored(t, sb))

	code, _, errOut := importOnATerminal(t, env, func(m *os.File, _ func()) {
		m.WriteString("n\n")
	})
	if code != ExitUsage || !strings.Contains(errOut, "Nothing was written.") || len(sandboxtest.Stored(t, sb)) != before {
		t.Fatalf("answered no: exit %d, %d clients (before %d)\n%s", code, len(sandboxtest.Stored(t, sb)), before, errOut)
	}

	// Ctrl-C at the question: main cancels the context; the read must give up on it.
	code, _, errOut = importOnATerminal(t, env, func(_ *os.File, cancel func()) {
		cancel()
	})
	if code != ExitInterrupted || !strings.Contains(errOut, "Nothing was written.") || len(sandboxtest.Stored(t, sb)) != before {
		t.Fatalf("Ctrl-C at the question: exit %d, %d clients (before %d)\n%s", code, len(sandboxtest.Stored(t, sb)), before, errOut)
	}

	code, out, errOut := importOnATerminal(t, env, func(m *os.File, _ func()) {
		m.WriteString("y\n")
	})
	if code != ExitOK || !strings.Contains(out, "imported") || len(sandboxtest.Stored(t, sb)) <= before {
		t.Fatalf("answered yes: exit %d\n%s\n%s", code, out, errOut)
	}
}

// check on a real terminal with no token asks for it without echo; one Ctrl-C ends the wait
// with 130.
func TestCheckPromptsOnARealTerminal(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "empty"})
	tok := sandboxToken(t, sb, "check-client", "read:a")
	for _, ctrlC := range []bool{false, true} {
		code, out, errOut := onTerminal(t, &Env{Getenv: getenv(env)}, "Token to check (not shown): ", func(master *os.File, cancel func()) {
			if ctrlC {
				cancel()
			} else {
				master.WriteString(tok + "\n")
			}
		}, "check")
		want := ExitOK
		if ctrlC {
			want = ExitInterrupted
		}
		if code != want {
			t.Errorf("Ctrl-C %v: exit %d, want %d\n%s%s", ctrlC, code, want, out, errOut)
		}
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
