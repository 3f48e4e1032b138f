package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagConcepts names the one thing each flag name means. Every flag of every command must be
// here, and no two names may mean the same thing: a new flag takes the name its concept
// already has, or adds a concept (see the scheme at the top of flags.go).
var flagConcepts = map[string]string{
	// Credentials: the environment variable's name, in lower case with dashes.
	"auth0-domain":      "the Auth0 tenant's domain or URL",
	"auth0-client-id":   "the client id m2mport reads Auth0 with",
	"stytch-project-id": "the Stytch project",
	"stytch-base-url":   "the Stytch API's base URL",
	"stytch-vertical":   "the Stytch project's vertical (consumer or b2b)",
	"secret-stdin":      "read the secret from stdin",
	// What a run does.
	"all":         "every client",
	"select":      "these clients, by id",
	"audience":    "narrow to the scopes granted on an API",
	"on-conflict": "what to do with a client that differs in the target",
	"dry-run":     "plan, write nothing",
	"yes":         "apply without asking",
	"live":        "allow writing to a live project",
	"no-verify":   "skip minting and checking tokens",
	"from-file":   "clients from a file instead of Auth0",
	"report":      "where the run report goes",
	"concurrency": "clients worked on at once",
	"rate":        "requests per second to Stytch",
	"json":        "machine-readable output",
	// Widening of access (the plan guard, cutover).
	"accept-widening": "keep scopes that widen access, knowingly",
	"drop-widening":   "drop scopes that would widen access",
	"markdown":        "Markdown output",
	"compare-claims":  "mint Auth0 tokens to compare their claims",
	"max-tokens":      "the most tokens to mint",
	// Undo.
	"last":                "the newest import in the runs folder",
	"unauthenticated":     "trust a report that can't be authenticated",
	"include-unconfirmed": "also delete creations the run could not prove",
	// What a token should be (check).
	"client-id":   "the client a token should be for (sub)",
	"scopes":      "the scopes a token should carry",
	"decode-only": "decode a token, never verify it",
	// Looks.
	"theme": "the colour theme",
	// The sandbox.
	"seed":              "the sandbox's data",
	"random-seed":       "the seed of generated data and faults",
	"faults":            "faults the sandbox injects",
	"auth0-addr":        "the Auth0 emulator's address",
	"stytch-addr":       "the Stytch emulator's address",
	"auth0-rate":        "the Auth0 emulator's rate limit",
	"stytch-rate":       "the Stytch emulator's rate limit",
	"management-scopes": "the scopes the emulated Management API app holds",
	"env":               "print shell export lines",
	// cobra's own.
	"help":            "help",
	"version":         "the version",
	"no-descriptions": "completions without descriptions",
}

// retired are names that must not be a flag anywhere: synonyms of a concept that has a name.
var retired = map[string]string{
	"project-id": "stytch-project-id", "project": "stytch-project-id", "base-url": "stytch-base-url",
	"domain": "auth0-domain", "tenant": "auth0-domain", "auth0-tenant": "auth0-domain",
	"stytch-project": "stytch-project-id", "stytch-url": "stytch-base-url",
	"force": "yes", "assume-yes": "yes", "confirm": "yes", "output": "json", "format": "json",
	"plan": "dry-run", "dryrun": "dry-run", "file": "from-file", "input": "from-file",
	"color": "theme", "colour": "theme", "scope": "scopes", "sub": "client-id", "expect-client-id": "client-id",
}

// One name for one thing: every flag of every command is a known concept, under the one name
// that concept has, with the same kind of value everywhere, spelt GNU style.
func TestOneFlagNamePerConcept(t *testing.T) {
	names := map[string]string{}
	for name, concept := range flagConcepts {
		if other, ok := names[concept]; ok {
			t.Errorf("%q is both --%s and --%s", concept, name, other)
		}
		names[concept] = name
	}
	gnu := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	types := map[string]string{}
	walked := 0
	visit(newRoot(&Env{Getenv: func(string) string { return "" }}), func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		c.Flags().VisitAll(func(f *pflag.Flag) {
			walked++
			where := c.CommandPath() + " --" + f.Name
			if _, ok := flagConcepts[f.Name]; !ok {
				t.Errorf("%s: not in flagConcepts: add what it means there, or use the name its concept has", where)
			}
			if use, ok := retired[f.Name]; ok {
				t.Errorf("%s: say --%s", where, use)
			}
			if !gnu.MatchString(f.Name) || len(f.Name) < 2 || len(f.Shorthand) > 1 {
				t.Errorf("%s: not a GNU long option (-%s)", where, f.Shorthand)
			}
			typ := f.Value.Type()
			if prev, ok := types[f.Name]; ok && prev != typ {
				t.Errorf("%s: a %s here, a %s elsewhere", where, typ, prev)
			}
			types[f.Name] = typ
		})
	})
	if walked < 50 {
		t.Fatalf("walked only %d flags", walked)
	}
}

// The older spellings still parse, as the flag of the scheme.
func TestOldFlagSpellingsStillWork(t *testing.T) {
	code, out, errOut := runIn(t, nil, "not.a.jwt", "check", "--project-id", "project-test-x", "--base-url", "http://127.0.0.1:1", "--json")
	if code != ExitFailed || !strings.Contains(out, "not a JWT") || strings.Contains(errOut, "unknown flag") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}

// complete asks the command line for completions as a shell does, and returns them and
// cobra's directive line (":4" is "no file completion").
func complete(t *testing.T, env map[string]string, args ...string) (words []string, directive string) {
	t.Helper()
	code, out, errOut := runCLI(t, env, append([]string{cobra.ShellCompRequestCmd}, args...)...)
	if code != ExitOK {
		t.Fatalf("__complete %v: exit %d\n%s", args, code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines[:len(lines)-1] {
		w, _, _ := strings.Cut(l, "\t")
		words = append(words, w)
	}
	return words, lines[len(lines)-1]
}

func TestCompletions(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		want      []string
		directive string
	}{
		{[]string{"--theme", ""}, []string{"charm", "dusk", "high-contrast", "mono", "paper"}, ":4"},
		{[]string{"import", "--on-conflict", ""}, []string{"skip", "update"}, ":4"},
		{[]string{"login", ""}, []string{"auth0", "stytch"}, ":4"},
		{[]string{"logout", ""}, []string{"auth0", "stytch"}, ":4"},
		{[]string{"import", "--from-file", ""}, []string{"csv", "json"}, ":8"}, // files with these extensions
		{[]string{"import", "--report", ""}, []string{"ndjson", "json"}, ":8"},
		{[]string{"sandbox", "--seed", ""}, []string{"demo", "empty", "generated:"}, ":6"},
		{[]string{"check", ""}, nil, ":4"}, // a token is no file
	} {
		words, directive := complete(t, nil, tc.args...)
		if !slices.Equal(words, tc.want) || directive != tc.directive {
			t.Errorf("%v: %q %s, want %q %s", tc.args, words, directive, tc.want, tc.directive)
		}
	}
	words, _ := complete(t, nil, "import", "--")
	for _, f := range []string{"--all", "--select", "--on-conflict", "--stytch-project-id", "--auth0-domain"} {
		if !slices.Contains(words, f) {
			t.Errorf("import --<tab> lacks %s: %q", f, words)
		}
	}
}

// undo completes to the run reports of imports, newest first; anything else to report files.
func TestUndoCompletesReports(t *testing.T) {
	state := t.TempDir()
	runs := filepath.Join(state, "m2mport", "runs")
	if err := os.MkdirAll(runs, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"20260101T000000.000Z-import-p.ndjson", "20260102T000000.000Z-undo-p.ndjson", "20260103T000000.000Z-import-p.ndjson"} {
		writeFile(t, filepath.Join(runs, name), "{}")
	}
	env := map[string]string{"XDG_STATE_HOME": state}
	words, directive := complete(t, env, "undo", "")
	want := []string{filepath.Join(runs, "20260103T000000.000Z-import-p.ndjson"), filepath.Join(runs, "20260101T000000.000Z-import-p.ndjson")}
	if !slices.Equal(words, want) || directive != ":36" { // no files, keep order
		t.Fatalf("got %q %s, want %q", words, directive, want)
	}
	if words, directive := complete(t, env, "undo", "./"); !slices.Equal(words, []string{"ndjson", "json"}) || directive != ":8" {
		t.Fatalf("a path of its own: %q %s", words, directive)
	}
	if words, directive := complete(t, map[string]string{"XDG_STATE_HOME": t.TempDir()}, "undo", ""); !slices.Equal(words, []string{"ndjson", "json"}) || directive != ":8" {
		t.Fatalf("no runs yet: %q %s", words, directive)
	}
}

func TestCompletionScriptsAndManPage(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, errOut := runCLI(t, nil, "completion", shell)
		if code != ExitOK || !strings.Contains(out, "m2mport") || len(out) < 1000 {
			t.Errorf("completion %s: exit %d, %d bytes\n%s", shell, code, len(out), errOut)
		}
	}
	code, out, errOut := runCLI(t, nil, "man")
	if code != ExitOK || !strings.Contains(out, ".TH M2MPORT 1") || !strings.Contains(out, `\fB--stytch-project-id\fP`) {
		t.Fatalf("man: exit %d\n%.400s\n%s", code, out, errOut)
	}
	for _, retiredName := range []string{`--project-id`, `--base-url`} {
		if regexp.MustCompile(`\B` + regexp.QuoteMeta(retiredName)).MatchString(out) {
			t.Errorf("the man page shows %s", retiredName)
		}
	}
}

// Help fits the terminal: each command's description, flags and subcommands are wrapped
// to its width, as fang lays them out (TestMain sets that width to 60 for fang and fitHelp).
func TestHelpFitsNarrowTerminals(t *testing.T) {
	visit(newRoot(&Env{Getenv: func(string) string { return "" }}), func(c *cobra.Command) {
		args := append(strings.Fields(c.CommandPath())[1:], "--help")
		_, out, _ := runCLI(t, nil, args...)
		for _, l := range strings.Split(out, "\n") {
			l = strings.TrimRight(l, " ")
			if ansi.StringWidth(l) > 60 && !strings.HasSuffix(l, "…") { // examples are cut by fang
				t.Errorf("%v: a line of %d columns: %q", args, ansi.StringWidth(l), l)
			}
		}
	})
}

// A flag's value completes to files only when it names a file (fileExt): every other flag
// that takes a value offers words or nothing, never the files in the folder.
func TestOnlyFileFlagsCompleteToFiles(t *testing.T) {
	walked := 0
	visit(newRoot(&Env{Getenv: func(string) string { return "" }}), func(c *cobra.Command) {
		if c.Hidden && c.Name() != "version" || c.Name() == "help" {
			return // cobra's __complete
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.NoOptDefVal != "" || f.Hidden { // a switch (bool): no value to complete
				return
			}
			walked++
			args := append(strings.Fields(c.CommandPath())[1:], "--"+f.Name, "")
			_, directive := complete(t, nil, args...)
			d, err := strconv.Atoi(strings.TrimPrefix(directive, ":"))
			if err != nil {
				t.Fatalf("%v: directive %q", args, directive)
			}
			names := cobra.ShellCompDirective(d)&cobra.ShellCompDirectiveNoFileComp == 0
			if _, isFile := f.Annotations[cobra.BashCompFilenameExt]; isFile != names {
				t.Errorf("%s --%s: completes to files %v (directive %s), names a file %v: register it with notFiles, oneOf or fileExt",
					c.CommandPath(), f.Name, names, directive, isFile)
			}
		})
	})
	if walked < 30 {
		t.Fatalf("walked only %d flags", walked)
	}
}
