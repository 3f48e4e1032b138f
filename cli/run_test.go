package cli

import (
	"strings"
	"testing"
)

// runOK is run2 for a step that must succeed: any exit but ExitOK fails the test with the
// command and what it printed. It returns stdout.
func runOK(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	code, out, errOut := run2(t, env, args...)
	if code != ExitOK {
		t.Fatalf("m2mport %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}
