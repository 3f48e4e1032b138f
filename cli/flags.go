package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/themes"
)

// The flag scheme: one name for one thing, in every command (flags_test.go walks them all).
//
//   - A credential's flag is its environment variable in lower case with dashes:
//     AUTH0_DOMAIN is --auth0-domain, STYTCH_PROJECT_ID is --stytch-project-id. The side is
//     always in the name, so no command has to guess which side a bare --project-id means.
//   - Secrets have no flags: the environment, the keyring, or stdin (login --secret-stdin,
//     check's token).
//   - What the operator expects of a token (check) is unprefixed: --client-id, --scopes.
//   - Shared behaviour has one spelling: --yes, --json, --live, --dry-run, --report FILE,
//     --theme NAME.
//
// Older spellings (check's and login's --project-id, --base-url, login's --domain and
// --client-id) still parse, through each command's aliases, but are not shown.

// Flag names used by more than one command.
const (
	flagAuth0Domain     = "auth0-domain"
	flagAuth0ClientID   = "auth0-client-id"
	flagStytchProjectID = "stytch-project-id"
	flagStytchBaseURL   = "stytch-base-url"
	flagStytchVertical  = "stytch-vertical"
)

// addAuth0Flags declares the Auth0 side's credential flags (the secret has none): no file
// names, so the shell offers none.
func addAuth0Flags(cmd *cobra.Command, c *client.SourceCredentials) {
	fs := cmd.Flags()
	fs.StringVar(&c.Domain, flagAuth0Domain, "", "Auth0 tenant domain or URL (default $"+envAuth0Domain+", then the keyring)")
	fs.StringVar(&c.ClientID, flagAuth0ClientID, "", "client id of the Auth0 Management API app m2mport reads with (default $"+envAuth0ClientID+", then the keyring)")
	notFiles(cmd, flagAuth0Domain, flagAuth0ClientID)
}

// addStytchFlags declares the Stytch side's credential flags (the secret has none): no file
// names, so the shell offers none, and the vertical completes to the two there are.
func addStytchFlags(cmd *cobra.Command, c *client.TargetCredentials) {
	fs := cmd.Flags()
	fs.StringVar(&c.ProjectID, flagStytchProjectID, "", "Stytch project id (default $"+envStytchProject+", then the keyring)")
	fs.StringVar(&c.BaseURL, flagStytchBaseURL, "", "Stytch API base URL, for a custom domain or the sandbox (default $"+envStytchBaseURL+", then the keyring, then Stytch's own)")
	fs.Var((*verticalValue)(&c.Vertical), flagStytchVertical, "the Stytch project's vertical, consumer or b2b (default $"+envStytchVertical+", then the keyring; found from the project's keys when not given)")
	notFiles(cmd, flagStytchProjectID, flagStytchBaseURL)
	oneOf(cmd, flagStytchVertical, "consumer", "b2b")
}

// verticalValue is a flag that takes only a vertical m2mport knows.
type verticalValue client.Vertical

func (v *verticalValue) String() string { return string(*v) }
func (v *verticalValue) Type() string   { return "consumer|b2b" }
func (v *verticalValue) Set(s string) error {
	parsed, err := client.ParseVertical(s)
	if err != nil {
		return err
	}
	*v = verticalValue(parsed)
	return nil
}

// credentialFlags are the non-secret credential flags of the commands that use both sides.
type credentialFlags struct {
	source client.SourceCredentials
	target client.TargetCredentials
}

func addCredentialFlags(cmd *cobra.Command) *credentialFlags {
	var f credentialFlags
	addAuth0Flags(cmd, &f.source)
	addStytchFlags(cmd, &f.target)
	return &f
}

// addThemeFlag declares --theme, which completes to the theme names.
func addThemeFlag(cmd *cobra.Command) *string {
	theme := cmd.Flags().String("theme", "", "colour theme: "+strings.Join(themes.Names(), ", ")+" (default $M2MPORT_THEME, then charm; NO_COLOR gives mono)")
	oneOf(cmd, "theme", themes.Names()...)
	return theme
}

// The older spellings of the credential flags, each the flag it names, for aliases: check and
// login stytch take oldStytchNames, login auth0 oldAuth0Names.
var (
	oldAuth0Names  = map[string]string{"domain": flagAuth0Domain, "client-id": flagAuth0ClientID}
	oldStytchNames = map[string]string{"project-id": flagStytchProjectID, "base-url": flagStytchBaseURL}
)

// aliases lets cmd take older spellings of its flags: each key parses as the flag it names.
// They are not flags of their own, so help, completion and the man page show only the names
// of the scheme.
func aliases(cmd *cobra.Command, old map[string]string) {
	cmd.Flags().SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if n, ok := old[name]; ok {
			return pflag.NormalizedName(n)
		}
		return pflag.NormalizedName(name)
	})
}

// noFiles says an argument is not a file name, so the shell offers none.
func noFiles(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// A flag's value completes to one of a few words (oneOf), to nothing (notFiles), or to files
// of some kinds (fileExt); a flag named in none of them, to any file.

// oneOf completes a flag's value to these words (each may add "\tdescription"), never a file.
func oneOf(cmd *cobra.Command, flag string, words ...string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp))
}

// notFiles says these flags' values are not file names, so the shell offers none.
func notFiles(cmd *cobra.Command, flags ...string) {
	for _, flag := range flags {
		_ = cmd.RegisterFlagCompletionFunc(flag, noFiles)
	}
}

// fileExt completes a flag's value to files with these extensions (and folders).
func fileExt(cmd *cobra.Command, flag string, exts ...string) {
	_ = cmd.MarkFlagFilename(flag, exts...)
}

// completeReports offers the run reports in the runs folder (newest first) for an argument
// that names one; a path that is not among them completes to .ndjson and .json files.
func completeReports(env *Env) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		dir, err := runsDir(env.Getenv)
		if err == nil {
			entries, _ := os.ReadDir(dir)
			var out []string
			for _, e := range slices.Backward(entries) { // names start with the time
				p := filepath.Join(dir, e.Name())
				if !e.IsDir() && strings.Contains(e.Name(), "-import-") && strings.HasSuffix(e.Name(), reportExt) && strings.HasPrefix(p, toComplete) {
					out = append(out, p)
				}
			}
			if len(out) > 0 {
				return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
			}
		}
		return []string{"ndjson", "json"}, cobra.ShellCompDirectiveFilterFileExt
	}
}

// helpWidth is the width fang lays help out in: the terminal's, at most 120 (or what tests
// set, as for fang).
func helpWidth() int {
	if w, err := strconv.Atoi(os.Getenv("__FANG_TEST_WIDTH")); err == nil && w > 0 {
		return w
	}
	if w, _, err := term.GetSize(os.Stdout.Fd()); err == nil && w > 0 {
		return min(w, 120)
	}
	return 120
}

// fitHelp wraps each flag's and command's description to what is left of width beside the
// names, as fang lays them out (names indented by 4, descriptions 2 past the longest name),
// so that help reads at 60 columns as at 120. fang writes a description of several lines as
// a block beside its name.
func fitHelp(c *cobra.Command, width int) {
	c.InitDefaultHelpFlag()
	c.InitDefaultVersionFlag()
	for _, sub := range c.Commands() {
		sub.InitDefaultHelpFlag() // before measuring: it makes "[--flags]" part of the name
	}
	var names []string
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, flagKey(f))
		}
	})
	for _, sub := range c.Commands() {
		if !sub.Hidden {
			names = append(names, commandKey(sub))
		}
	}
	space := 10
	for _, n := range names {
		space = max(space, ansi.StringWidth(n)+2)
	}
	avail := max(width-4-space-1, 20)
	c.Flags().VisitAll(func(f *pflag.Flag) {
		room := avail
		if !slices.Contains([]string{"", "false", "0", "[]"}, f.DefValue) { // fang adds " (default)"
			room -= len(" (" + f.DefValue + ")")
		}
		f.Usage = wrap(f.Usage, room)
	})
	for _, sub := range c.Commands() {
		sub.Short = wrap(sub.Short, avail)
		fitHelp(sub, width)
	}
	// fang wraps the description itself, but breaks words at hyphens ("--live" becomes "-"
	// and "-live"): wrapped here first, at spaces only, it has nothing left to break.
	var paras []string
	for _, p := range strings.Split(c.Long, "\n") {
		paras = append(paras, wrap(p, width-3))
	}
	c.Long = strings.Join(paras, "\n")
}

func flagKey(f *pflag.Flag) string {
	if f.Shorthand != "" {
		return "-" + f.Shorthand + " --" + f.Name
	}
	return "--" + f.Name
}

// commandKey is how fang names a command in its parent's list: "import [--flags]".
func commandKey(c *cobra.Command) string {
	k := c.Use
	if c.HasAvailableSubCommands() {
		k += " [command]"
	}
	if c.HasAvailableFlags() || c.HasFlags() {
		k += " [--flags]"
	}
	return k
}

// wrap breaks s into lines of at most width cells, at spaces only (a word longer than width
// keeps a line of its own).
func wrap(s string, width int) string {
	if width < 10 || ansi.StringWidth(s) <= width {
		return s
	}
	var b strings.Builder
	line := 0
	for i, w := range strings.Fields(s) {
		n := ansi.StringWidth(w)
		switch {
		case i == 0:
		case line+1+n > width:
			b.WriteByte('\n')
			line = 0
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += n
	}
	return b.String()
}
