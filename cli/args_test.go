package cli

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
)

// takesArgs is how many arguments the commands that take any take at most; every other
// command takes none.
var takesArgs = map[string]int{
	"m2mport check":  1, // the token
	"m2mport undo":   1, // the report
	"m2mport login":  1, // the side (a subcommand; anything else is an unknown side)
	"m2mport logout": 1, // the side
}

var colour = regexp.MustCompile(`\x1b\[[0-9;]*(3|9)[0-9]m`)

// Every command refuses an argument past the ones it takes the same way: exit 2, one line
// that names the command and counts the arguments (never quoting one: it may be a secret),
// one that points to the command's own help; coloured on a terminal as any refused command
// line is, plain otherwise and under NO_COLOR.
func TestEveryCommandRefusesAnExtraArgumentAlike(t *testing.T) {
	n := 0
	visit(newRoot(&Env{Getenv: getenv(nil)}), func(c *cobra.Command) {
		switch {
		case !c.HasParent(): // an argument is an unknown command: see below
			return
		case c.Name() == "help" || strings.HasPrefix(c.Name(), "__"): // help takes a command's path
			return
		case !c.Runnable(): // completion: cobra shows the group's help, with its commands
			return
		}
		n++
		path := c.CommandPath()
		args := strings.Fields(path)[1:]
		for range takesArgs[path] {
			args = append(args, "given")
		}
		args = append(args, "extra")
		takes := "takes no arguments (got 1)"
		if n := takesArgs[path]; n > 0 {
			takes = fmt.Sprintf("takes at most %d argument (got %d)", n, n+1)
		}
		want := path + ": " + takes + "\nRun '" + path + " --help' for usage.\n"

		// Where it takes none, completion offers no arguments and no files either.
		if takesArgs[path] == 0 {
			if words, directive := complete(t, nil, append(strings.Fields(path)[1:], "")...); len(words) > 0 || directive != ":4" {
				t.Errorf("%s <TAB>: %q, directive %s; want nothing, no files (:4)", path, words, directive)
			}
		}
		code, out, errOut := runCLI(t, nil, args...)
		if code != ExitUsage || out != "" || errOut != want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and %q", args, code, out, errOut, ExitUsage, want)
		}
		code, _, ttyErr := runTTY(t, nil, 80, "", args...)
		if code != ExitUsage || !colour.MatchString(ttyErr) || ansi.Strip(ttyErr) != want {
			t.Errorf("%v on a terminal: exit %d, stderr %q", args, code, ttyErr)
		}
		_, _, errOut = runTTY(t, map[string]string{"NO_COLOR": "1"}, 80, "", args...)
		if colour.MatchString(errOut) || ansi.Strip(errOut) != want {
			t.Errorf("%v with NO_COLOR: stderr %q", args, errOut)
		}
		// Marked as the flag errors are: the same styled "m2mport runs:".
		_, _, flagErr := runTTY(t, nil, 80, "", append(strings.Fields(path)[1:], "--bogus")...)
		if mark, _, _ := strings.Cut(ttyErr, " takes"); !strings.HasPrefix(flagErr, mark+" unknown flag: --bogus\n") {
			t.Errorf("%v --bogus: stderr %q, want it to start as %q", args, flagErr, mark)
		}
	})
	if n < 12 {
		t.Fatalf("walked %d commands", n)
	}

	// The root keeps cobra's unknown command, with its suggestion.
	code, _, errOut := runCLI(t, nil, "stauts")
	if code != ExitUsage || !strings.Contains(errOut, `unknown command "stauts" for "m2mport"`) || !strings.Contains(errOut, "Did you mean this?") || !strings.Contains(errOut, "status") {
		t.Errorf("m2mport stauts: exit %d, stderr %q", code, errOut)
	}
}

// A token pasted unquoted after "Bearer" is two arguments; the refusal counts them and
// shows neither, on stderr or in --json's object.
func TestCheckRefusesASplitTokenWithoutShowingIt(t *testing.T) {
	const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXRoYXQtbXVzdC1ub3Qtc2hvdw"
	for _, args := range [][]string{{"check", "Bearer", token}, {"check", "--json", "Bearer", token}} {
		code, out, errOut := runCLI(t, nil, args...)
		if code != ExitUsage || !strings.Contains(errOut, "takes at most 1 argument (got 2)") {
			t.Errorf("%v: exit %d, stderr %q", args[:len(args)-1], code, errOut)
		}
		if strings.Contains(out+errOut, "c2lnbmF0dXJl") || strings.Contains(out+errOut, "Bearer") {
			t.Errorf("%v: the refusal shows what was given:\n%s%s", args[:len(args)-1], out, errOut)
		}
		if slices.Contains(args, "--json") && !strings.Contains(out, `"passed":false`) {
			t.Errorf("--json: stdout is not the JSON failure: %q", out)
		}
	}
}
