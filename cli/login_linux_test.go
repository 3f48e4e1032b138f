package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY returns both ends of a new pseudo-terminal: what the operator types goes into
// master, and m2mport reads it from tty.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	var n int
	raw, err := master.SyscallConn()
	if err == nil {
		ctlErr := raw.Control(func(fd uintptr) {
			if err = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); err == nil {
				n, err = unix.IoctlGetInt(int(fd), unix.TIOCGPTN)
			}
		})
		err = errors.Join(err, ctlErr)
	}
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return master, tty
}

func echoOn(t *testing.T, tty *os.File) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// waitForEcho waits until the terminal's echo is on or off (ReadSecret switches it in its own
// goroutine); typing before that would echo.
func waitForEcho(t *testing.T, tty *os.File, on bool) {
	t.Helper()
	for range 5000 {
		if echoOn(t, tty) == on {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("echo never turned %v", on)
}

// drain returns what the terminal has shown so far.
func drain(t *testing.T, master *os.File) string {
	t.Helper()
	var shown bytes.Buffer
	buf := make([]byte, 4096)
	for {
		if err := master.SetReadDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		n, err := master.Read(buf)
		shown.Write(buf[:n])
		if err != nil {
			return shown.String()
		}
	}
}

func TestTerminalAsksWithEchoAndTheSecretWithout(t *testing.T) {
	master, tty := openPTY(t)
	var prompts bytes.Buffer
	env := &Env{Stdio: Stdio{In: tty, Err: &prompts}}
	term := env.terminal()
	if term == nil {
		t.Fatal("a pseudo-terminal on stdin is not taken for a terminal")
	}
	file, err := os.CreateTemp(t.TempDir(), "stdin")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if (&Env{Stdio: Stdio{In: file}}).terminal() != nil {
		t.Fatal("a file on stdin is taken for a terminal")
	}

	if _, err := master.WriteString("acme.us.auth0.com\n"); err != nil {
		t.Fatal(err)
	}
	line, err := term.ReadLine(context.Background(), "Domain: ")
	if err != nil || line != "acme.us.auth0.com" {
		t.Fatalf("ReadLine = %q, %v", line, err)
	}
	if shown := drain(t, master); !strings.Contains(shown, "acme.us.auth0.com") {
		t.Fatalf("the typed domain was not echoed: %q", shown)
	}

	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := term.ReadSecret(context.Background(), "Secret: ")
		done <- result{s, err}
	}()
	waitForEcho(t, tty, false)
	if _, err := master.WriteString("hunter2-DzJj\n"); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.s != "hunter2-DzJj" {
		t.Fatalf("ReadSecret = %q, %v", r.s, r.err)
	}
	if shown := drain(t, master); strings.Contains(shown, "hunter2") {
		t.Fatalf("the secret was echoed: %q", shown)
	}
	if !echoOn(t, tty) {
		t.Fatal("echo stays off after the secret")
	}
	if !strings.Contains(prompts.String(), "Domain: ") || !strings.Contains(prompts.String(), "Secret: ") {
		t.Fatalf("prompts %q", prompts.String())
	}
}

// Ctrl-C at the secret prompt (a cancelled context: main catches the signal) gives up and
// leaves the terminal echoing again.
func TestTerminalCtrlCAtTheSecretPromptRestoresEcho(t *testing.T) {
	_, tty := openPTY(t)
	term := (&Env{Stdio: Stdio{In: tty, Err: &bytes.Buffer{}}}).terminal()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := term.ReadSecret(ctx, "Secret: ")
		done <- err
	}()
	waitForEcho(t, tty, false)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("ReadSecret after Ctrl-C: %v", err)
	}
	if !echoOn(t, tty) {
		t.Fatal("echo stays off after Ctrl-C")
	}
}
