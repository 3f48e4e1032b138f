package cli

import (
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/keystore"
)

// runTTY runs m2mport with stdout and stderr taken for terminals width columns wide.
func runTTY(t *testing.T, env map[string]string, width int, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	e := &Env{Getenv: getenv(env), Keystore: keystore.NewMemory(), ttyWidth: func(io.Writer) (int, bool) { return width, true }}
	return runEnv(t, e, stdin, args...)
}

var (
	green = regexp.MustCompile(`\x1b\[[0-9;]*32m✓`)
	red   = regexp.MustCompile(`\x1b\[[0-9;]*31m✗`)
)

// On a terminal the checklist's marks have colour; NO_COLOR takes it away, and a pipe gets
// plain text.
func TestCheckMarksHaveColourOnATerminal(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "empty"})
	tok := sandboxToken(t, sb, "check-client", "read:a")

	_, out, _ := runTTY(t, env, 100, tok, "check", "--scopes", "nope")
	if !green.MatchString(out) || !red.MatchString(out) {
		t.Fatalf("no green ✓ or red ✗ on a terminal:\n%q", out)
	}
	env["NO_COLOR"] = "1"
	_, out, _ = runTTY(t, env, 100, tok, "check", "--scopes", "nope")
	if regexp.MustCompile(`\x1b\[[0-9;]*3[0-9]m`).MatchString(out) || !strings.Contains(out, "✗") {
		t.Fatalf("NO_COLOR: colour codes remain:\n%q", out)
	}
	_, out, _ = runIn(t, env, tok, "check", "--scopes", "nope")
	if strings.Contains(out, "\x1b") {
		t.Fatalf("not a terminal: escape codes in %q", out)
	}
}

// The plan fits the terminal, measured in cells, at every width, with every client id whole
// (an id cut short can't be given to --select).
func TestPlanFitsTheTerminal(t *testing.T) {
	_, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	_, plain, _ := run2(t, env, "import", "--all", "--dry-run")
	ids := regexp.MustCompile(`(?m)^\S+(?: → \S+)?\s+(\S{32})\s`).FindAllStringSubmatch(plain, -1)
	if len(ids) < 10 {
		t.Fatalf("found %d ids in the plan:\n%s", len(ids), plain)
	}
	for _, width := range []int{60, 80, 100, 140, 250} {
		code, out, errOut := runTTY(t, env, width, "", "import", "--all", "--dry-run")
		if code != ExitOK {
			t.Fatalf("%d: exit %d\n%s", width, code, errOut)
		}
		for _, text := range []string{out, errOut} {
			for _, l := range strings.Split(text, "\n") {
				if w := ansi.StringWidth(l); w > width {
					t.Errorf("%d columns: a line of %d: %q", width, w, ansi.Strip(l))
				}
			}
		}
		for _, id := range ids {
			if !strings.Contains(out, id[1]) {
				t.Errorf("%d columns: client id %s is not whole:\n%s", width, id[1], ansi.Strip(out))
			}
		}
		// The long unicode name is measured in cells: its row is as wide as the others.
		if !strings.Contains(ansi.Strip(out), "Zahlungsabgl") {
			t.Errorf("%d columns: the unicode name is missing:\n%s", width, ansi.Strip(out))
		}
	}
}

func TestTableMeasuresCells(t *testing.T) {
	var b strings.Builder
	o := &output{w: &b}
	rows := [][]string{{"日本", "x"}, {"ab", "y"}}
	o.table([]column{{"A", 0, nil}, {"B", 0, nil}}, len(rows), func(i int) []string { return rows[i] }, nil)
	if want := "A     B\n日本  x\nab    y\n"; b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestWrapBreaksAtSpacesOnly(t *testing.T) {
	if got := wrap("use --on-conflict update to bring it in line", 20); got != "use --on-conflict\nupdate to bring it\nin line" {
		t.Fatalf("%q", got)
	}
	o := &output{width: 30}
	if got := o.wrap("a b c d e f g h i j k l m n o p q", "  "); strings.Contains(got, "\n ") && !strings.Contains(got, "\n  ") {
		t.Fatalf("%q", got)
	}
	if got := (&output{}).wrap(strings.Repeat("word ", 60), ""); strings.Contains(got, "\n") {
		t.Fatalf("off a terminal a line stays one line: %q", got)
	}
}
