package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/keystore"
)

// runStore runs m2mport in-process with the given keyring.
func runStore(t *testing.T, env map[string]string, store keystore.Store, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb strings.Builder
	e := &Env{Stdio: Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}, Getenv: func(k string) string { return env[k] }, Keystore: store}
	code = run(context.Background(), args, e)
	return code, out.String(), errb.String()
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
