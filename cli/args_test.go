package cli

import (
	"regexp"
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
// that names the command and the argument, one that points to the command's own help;
// coloured on a terminal as any refused command line is, plain otherwise and under NO_COLOR.
func TestEveryCommandRefusesAnExtraArgumentAlike(t *testing.T) {
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
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
		want := path + ": unexpected argument \"extra\"\nRun '" + path + " --help' for usage.\n"

		code, out, errOut := runCLI(t, nil, args...)
		if code != ExitUsage || out != "" || errOut != want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and %q", args, code, out, errOut, ExitUsage, want)
		}
		code, _, errOut = runTTY(t, nil, 80, "", args...)
		if code != ExitUsage || !colour.MatchString(errOut) || ansi.Strip(errOut) != want {
			t.Errorf("%v on a terminal: exit %d, stderr %q", args, code, errOut)
		}
		_, _, errOut = runTTY(t, map[string]string{"NO_COLOR": "1"}, 80, "", args...)
		if colour.MatchString(errOut) || ansi.Strip(errOut) != want {
			t.Errorf("%v with NO_COLOR: stderr %q", args, errOut)
		}
		// Marked as the flag errors are: the same styled "m2mport runs:".
		_, _, errOut = runTTY(t, nil, 80, "", args...)
		_, _, flagErr := runTTY(t, nil, 80, "", append(strings.Fields(path)[1:], "--bogus")...)
		if mark, _, _ := strings.Cut(errOut, " unexpected"); !strings.HasPrefix(flagErr, mark+" unknown flag: --bogus\n") {
			t.Errorf("%v --bogus: stderr %q, want it to start as %q", args, flagErr, mark)
		}
	}
	walk(newRoot(&Env{Getenv: getenv(nil)}))
	if n < 12 {
		t.Fatalf("walked %d commands", n)
	}

	// The root keeps cobra's unknown command, with its suggestion.
	code, _, errOut := runCLI(t, nil, "stauts")
	if code != ExitUsage || !strings.Contains(errOut, `unknown command "stauts" for "m2mport"`) || !strings.Contains(errOut, "Did you mean this?") || !strings.Contains(errOut, "status") {
		t.Errorf("m2mport stauts: exit %d, stderr %q", code, errOut)
	}
}
