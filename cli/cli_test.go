package cli

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// runEnv runs m2mport in-process with e, whose streams it sets: stdin is read from, stdout
// and stderr are returned. Every helper that runs a command in these tests goes through it.
func runEnv(t *testing.T, e *Env, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb strings.Builder
	e.Stdio = Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errb}
	code = run(context.Background(), args, e)
	return code, out.String(), errb.String()
}

// usageCase is a command line m2mport must refuse as a usage error, and words its error
// must hold.
type usageCase struct {
	args []string
	want string
}

// wantUsageErrors runs each case's arguments with run and wants exit 2 and the words on
// stderr.
func wantUsageErrors(t *testing.T, cases []usageCase, run func(args []string) (code int, stdout, stderr string)) {
	t.Helper()
	for _, tc := range cases {
		code, out, errOut := run(tc.args)
		if code != ExitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, want %d and %q\n%s\n%s", tc.args, code, ExitUsage, tc.want, out, errOut)
		}
	}
}

// writeFile writes content to path, failing t when it can't.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// runCLI runs m2mport in-process with the given arguments and environment.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runEnv(t, &Env{Getenv: getenv(env)}, "", args...)
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "frobnicate")
	if code != ExitUsage {
		t.Fatalf("exit %d, want %d", code, ExitUsage)
	}
	if out != "" || !strings.Contains(errOut, `unknown command "frobnicate"`) || !strings.Contains(errOut, "m2mport --help") {
		t.Fatalf("stdout %q stderr %q", out, errOut)
	}
	code, _, errOut = runCLI(t, nil, "import", "--bogus")
	if code != ExitUsage || errOut != "m2mport import: unknown flag: --bogus\nRun 'm2mport import --help' for usage.\n" {
		t.Fatalf("unknown flag: exit %d, stderr %q", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	old := [3]string{Version, Commit, Date}
	t.Cleanup(func() { Version, Commit, Date = old[0], old[1], old[2] })
	Version, Commit, Date = "v1.2.3", "0123456789abcdef0123", "2026-05-01T10:00:00Z"
	for _, args := range [][]string{{"--version"}, {"-v"}, {"version"}} {
		code, out, _ := runCLI(t, nil, args...)
		if want := "m2mport v1.2.3 (commit 0123456789ab, built 2026-05-01T10:00:00Z)\n"; code != ExitOK || out != want {
			t.Errorf("%v: exit %d out %q, want %q", args, code, out, want)
		}
	}
	if code, _, errOut := runCLI(t, nil, "version", "--bogus"); code != ExitUsage || !strings.Contains(errOut, "bogus") {
		t.Fatalf("bad flag: exit %d stderr %q", code, errOut)
	}
	Version, Commit, Date = "", "", ""
	if code, out, _ := runCLI(t, nil, "--version"); code != ExitOK || !strings.HasPrefix(out, "m2mport ") {
		t.Fatalf("from build info: exit %d out %q", code, out)
	}
}

// visit calls fn for every command of the tree, cobra's own included.
func visit(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		visit(sub, fn)
	}
}

func TestHelpListsCommandsAndEachCommandHasHelp(t *testing.T) {
	code, out, _ := runCLI(t, nil, "--help")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	root := newRoot(&Env{Getenv: func(string) string { return "" }})
	for _, c := range root.Commands() {
		if c.Hidden {
			continue
		}
		if !strings.Contains(out, "\n    "+c.Name()+" ") {
			t.Errorf("help does not list %s:\n%s", c.Name(), out)
		}
	}
	visit(root, func(c *cobra.Command) {
		if c.Name() == "help" || strings.HasPrefix(c.CommandPath(), "m2mport completion ") {
			return // cobra's own
		}
		// The command list shows each Short: it must be one whole sentence.
		if s := c.Short; c != root && (!strings.HasSuffix(s, ".") && c.Name() != "man" || strings.Contains(s, "\n")) {
			t.Errorf("%s: Short is not one sentence: %q", c.CommandPath(), s)
		}
		args := append(strings.Fields(c.CommandPath())[1:], "--help")
		code, out, errOut := runCLI(t, nil, args...)
		if code != ExitOK || !strings.Contains(out, "USAGE") || !strings.Contains(out, c.CommandPath()) || errOut != "" {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	})
}
