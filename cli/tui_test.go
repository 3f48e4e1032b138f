package cli

import (
	"strings"
	"testing"
)

func TestTUIRefusesAnUnknownThemeBeforeStarting(t *testing.T) {
	for _, args := range [][]string{{"--theme", "neon"}, {"demo", "--theme", "neon"}} {
		code, _, errOut := runCLI(t, nil, args...)
		if code != ExitUsage || !strings.Contains(errOut, `unknown theme "neon"`) || !strings.Contains(errOut, "charm") {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	code, _, errOut := runCLI(t, map[string]string{"M2MPORT_THEME": "neon"}, "demo")
	if code != ExitUsage || !strings.Contains(errOut, "M2MPORT_THEME") {
		t.Fatalf("env: exit %d, stderr %q", code, errOut)
	}
}

func TestUsageListsDemo(t *testing.T) {
	_, out, _ := runCLI(t, nil, "--help")
	if !strings.Contains(out, "demo") || strings.Contains(out, "  tui ") {
		t.Fatalf("usage:\n%s", out)
	}
}
