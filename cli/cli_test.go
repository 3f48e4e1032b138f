package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runCLI runs m2mport in-process with the given arguments and environment.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{
		Stdio:  Stdio{In: strings.NewReader(""), Out: &out, Err: &errb},
		Getenv: func(k string) string { return env[k] },
	}
	code = run(context.Background(), args, e)
	return code, out.String(), errb.String()
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "frobnicate")
	if code != ExitUsage {
		t.Fatalf("exit %d, want %d", code, ExitUsage)
	}
	if out != "" || !strings.Contains(errOut, `unknown command "frobnicate"`) || !strings.Contains(errOut, "Commands:") {
		t.Fatalf("stdout %q stderr %q", out, errOut)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, nil, "version")
	if code != ExitOK || !strings.HasPrefix(out, "m2mport ") {
		t.Fatalf("exit %d out %q", code, out)
	}
	if code, _, errOut := runCLI(t, nil, "version", "--bogus"); code != ExitUsage || !strings.Contains(errOut, "bogus") {
		t.Fatalf("bad flag: exit %d stderr %q", code, errOut)
	}
}

func TestHelpListsCommandsAndEachCommandHasHelp(t *testing.T) {
	code, out, _ := runCLI(t, nil, "--help")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for name, c := range commands {
		if name == "tui" {
			continue
		}
		if !strings.Contains(out, name) {
			t.Errorf("help does not list %s", name)
		}
		// The command list shows each summary's first line: it must be a whole sentence.
		if line := firstLine(c.summary); !strings.HasSuffix(line, ".") || len(line) > 100 {
			t.Errorf("%s: the summary's first line is not one short sentence: %q", name, line)
		}
		code, out, _ := runCLI(t, nil, name, "--help")
		if code != ExitOK || !strings.Contains(out, "Usage: m2mport "+c.usage) {
			t.Errorf("%s --help: exit %d, %q", name, code, out)
		}
	}
}
