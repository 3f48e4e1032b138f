package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/keystore"
	"github.com/m2mport/m2mport/themes"
)

// runStore runs m2mport in-process with the given keyring.
func runStore(t *testing.T, env map[string]string, store keystore.Store, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runEnv(t, &Env{Getenv: getenv(env), Keystore: store}, "", args...)
}

// Missing credentials: a short line naming the variables, then what to do, one sentence a
// line, and `m2mport login` only where a keyring can save.
func TestMissingCredentialsSayOnlyWhatCanWork(t *testing.T) {
	code, _, errOut := runStore(t, map[string]string{"STYTCH_PROJECT_ID": "project-test-1"}, keystore.NewMemory(), "import", "--all")
	if code != ExitUsage || !strings.HasPrefix(errOut, "m2mport import: missing credentials: STYTCH_SECRET, AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET\n") ||
		!strings.Contains(errOut, "`m2mport login stytch` and `m2mport login auth0`") || !strings.Contains(errOut, "--from-file") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, l := range strings.Split(errOut, "\n") {
		if len(l) > 130 {
			t.Errorf("a line of %d: %q", len(l), l)
		}
	}
	code, _, errOut = runStore(t, map[string]string{"STYTCH_PROJECT_ID": "project-test-1"}, unavailable(), "import", "--all", "--from-file", "x.csv")
	if code != ExitUsage || strings.Contains(errOut, "login stytch") || !strings.Contains(errOut, "can't save them") ||
		strings.Contains(errOut, "--from-file FILE") || strings.Contains(errOut, "AUTH0") {
		t.Fatalf("no keyring, from a file: exit %d\n%s", code, errOut)
	}
}

// Network errors say what to do: an unknown host, a port where nothing listens.
func TestNetworkErrorsSayWhatToDo(t *testing.T) {
	dns := fmt.Errorf("auth0 POST /oauth/token: cannot reach the server: %w", &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true})
	if h := hint(dns); !strings.Contains(h, "typo") {
		t.Errorf("no such host: %q", h)
	}
	refused := fmt.Errorf("stytch: cannot reach the server: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})
	if h := hint(refused); !strings.Contains(h, "Nothing answers") {
		t.Errorf("connection refused: %q", h)
	}
	if testing.Short() {
		return
	}
	// Through the real clients, their retries and their scrubbing of errors.
	_, env := sandboxEnv(t, sandbox.Options{Seed: "empty"})
	env["STYTCH_BASE_URL"] = "http://127.0.0.1:1"
	code, _, errOut := run2(t, env, "import", "--all", "--dry-run")
	if code != ExitFailed || !strings.Contains(errOut, "connection refused") || !strings.Contains(errOut, "Nothing answers at that address") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
}

// undo's plan says what is undone, not "Plan: <the import's source> → Stytch"; quitting the
// TUI during an import says what the run did and where its report is.
func TestUndoSaysWhatItUndoesAndAQuitSaysWhatWasDone(t *testing.T) {
	_, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	report := filepath.Join(t.TempDir(), "run.json")
	if code, out, errOut := run2(t, env, "import", "--select", metricsForwarder, "--yes", "--no-verify", "--report", report); code != ExitOK {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	lines := strings.Join(quitDuringImport(report), "\n")
	if !strings.Contains(lines, "1 of 1 clients done: 1 imported; run the same import again") || !strings.Contains(lines, "Report: "+report) {
		t.Errorf("quit during an import:\n%s", lines)
	}
	code, out, errOut := run2(t, env, "undo", "--yes", report)
	if code != ExitOK || strings.Contains(out, "Plan: ") || !strings.Contains(out, "Undo: what the import from 127.0.0.1:") || !strings.Contains(out, "(report "+report+")") {
		t.Fatalf("undo: exit %d\n%s%s", code, out, errOut)
	}
}

// A second logout --all removes nothing, and says so.
func TestLogoutAllTwice(t *testing.T) {
	store := keystore.NewMemory()
	if err := store.SaveTarget(context.Background(), goodTarget); err != nil {
		t.Fatal(err)
	}
	if _, out, _ := runStore(t, nil, store, "logout", "--all"); !strings.HasPrefix(out, "Removed every m2mport credential") {
		t.Fatalf("first: %q", out)
	}
	if code, out, _ := runStore(t, nil, store, "logout", "--all"); code != ExitOK || !strings.HasPrefix(out, "No m2mport credentials were saved") {
		t.Fatalf("second: exit %d %q", code, out)
	}
}

// status's own hint does not send the operator to status.
func TestStatusHintDoesNotPointAtItself(t *testing.T) {
	store := &failingStore{err: &keystore.Error{Op: "check", Kind: keystore.ErrUnavailable,
		Hint: "No usable Secret Service: install gnome-keyring, or pass the credentials in environment variables (`m2mport status` lists them)."}}
	code, out, _ := runStore(t, nil, store, "status")
	if code != ExitFailed || strings.Contains(out, "m2mport status") || !strings.Contains(out, "(listed above)") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

// The demo keeps nothing: no report in the runs folder, no lock in the state folder, no key.
func TestDemoKeepsNothing(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	env := &Env{Getenv: func(string) string { return "" }}
	cfg := demoConfig(env, themes.Theme{}, sb)
	if cfg.ReportPath != nil || cfg.StateDir != "" || cfg.ReportKey != nil {
		t.Fatalf("the demo writes where the real runs go: report %v, state %q", cfg.ReportPath != nil, cfg.StateDir)
	}
}
