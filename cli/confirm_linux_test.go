package cli

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/keystore"
)

// importOnATerminal runs `m2mport import --all` with a pseudo-terminal on stdin and, once the
// question is asked, hands the terminal's master end and the run's cancel (Ctrl-C) to answer.
func importOnATerminal(t *testing.T, env map[string]string, answer func(master *os.File, cancel func())) (code int, stdout, stderr string) {
	t.Helper()
	master, tty := openPTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errb := &lockedBuffer{}, &lockedBuffer{}
	e := &Env{Stdio: Stdio{In: tty, Out: out, Err: errb}, Getenv: func(k string) string { return env[k] }, Keystore: keystore.NewMemory()}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"import", "--all"}, e) }()
	asked := false
	for range 600 {
		if asked = strings.Contains(errb.String(), "[y/N]"); asked {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !asked {
		t.Fatalf("import on a terminal did not ask:\n%s\n%s", out.String(), errb.String())
	}
	answer(master, cancel)
	select {
	case code = <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("import is still waiting on its question after the answer:\n%s", errb.String())
	}
	return code, out.String(), errb.String()
}

func TestImportAsksOnATerminal(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	before := len(storedClients(t, sb))

	code, _, errOut := importOnATerminal(t, env, func(m *os.File, _ func()) {
		m.WriteString("n\n")
	})
	if code != ExitUsage || !strings.Contains(errOut, "Nothing was written.") || len(storedClients(t, sb)) != before {
		t.Fatalf("answered no: exit %d, %d clients (before %d)\n%s", code, len(storedClients(t, sb)), before, errOut)
	}

	// Ctrl-C at the question: main cancels the context; the read must give up on it.
	code, _, errOut = importOnATerminal(t, env, func(_ *os.File, cancel func()) {
		cancel()
	})
	if code != ExitInterrupted || !strings.Contains(errOut, "Nothing was written.") || len(storedClients(t, sb)) != before {
		t.Fatalf("Ctrl-C at the question: exit %d, %d clients (before %d)\n%s", code, len(storedClients(t, sb)), before, errOut)
	}

	code, out, errOut := importOnATerminal(t, env, func(m *os.File, _ func()) {
		m.WriteString("y\n")
	})
	if code != ExitOK || !strings.Contains(out, "imported") || len(storedClients(t, sb)) <= before {
		t.Fatalf("answered yes: exit %d\n%s\n%s", code, out, errOut)
	}
}
