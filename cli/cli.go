// Package cli implements m2mport's command line: cobra commands wrapped by fang (styled help
// and errors, --version, completion, man), credential resolution and the wiring of concrete
// API clients into the engine and the TUI. main.go only calls Run.
//
// cli is the one place allowed to import everything (client, client/auth0, client/stytch,
// client/sandbox, keystore, themes, tui); nothing imports cli.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/keystore"
	"github.com/m2mport/m2mport/tui/sanitize"
)

// Exit codes shared by every command. main exits with what Run returns.
const (
	ExitOK          = 0
	ExitFailed      = 1   // the command ran and something failed (an import, a check)
	ExitUsage       = 2   // bad arguments, missing confirmation, live project without --live
	ExitUnverified  = 3   // check: the token was only decoded, its signature not verified
	ExitInterrupted = 130 // the operator pressed Ctrl-C at a question (128 + SIGINT)
)

// Build information, set for releases with -ldflags "-X github.com/m2mport/m2mport/cli.Version=v1.2.3
// -X …cli.Commit=<sha> -X …cli.Date=<RFC 3339>"; otherwise read from the binary's build info.
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// buildInfo returns the version, commit and build date of this binary, each "" when unknown.
func buildInfo() (version, commit, date string) {
	version, commit, date = Version, Commit, Date
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return version, commit, date
	}
	if version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision" && commit == "":
			commit = s.Value
		case s.Key == "vcs.time" && date == "":
			date = s.Value
		case s.Key == "vcs.modified" && s.Value == "true" && Commit == "" && commit != "":
			commit += "-dirty"
		}
	}
	return version, commit, date
}

// version is the binary's version for the User-Agent header: "v1.2.3", or "dev".
func version() string {
	if v, _, _ := buildInfo(); v != "" {
		return v
	}
	return "dev"
}

// versionLine is what --version prints after "m2mport ": the version, commit and date.
func versionLine() string {
	v, commit, date := buildInfo()
	if v == "" {
		v = "dev"
	}
	var more []string
	if commit != "" {
		if len(commit) > 12 && !strings.HasSuffix(commit, "-dirty") {
			commit = commit[:12]
		}
		more = append(more, "commit "+commit)
	}
	if date != "" {
		more = append(more, "built "+date)
	}
	if len(more) > 0 {
		v += " (" + strings.Join(more, ", ") + ")"
	}
	return v
}

// Stdio is the process's standard streams, swapped for buffers in tests.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// Env is what a command may touch of the outside world. Tests swap every part of it.
type Env struct {
	Stdio
	Getenv func(string) string
	// Keystore is where credentials are saved and looked up; nil opens the OS keyring.
	Keystore keystore.Store
	// Terminal asks the operator for values; nil means stdin, when it is a terminal.
	Terminal Terminal
	// OpenSource and OpenTarget build API clients from credentials; nil means client/auth0
	// and client/stytch.
	OpenSource func(client.SourceCredentials) (client.Source, error)
	OpenTarget func(client.TargetCredentials) (client.Target, error)
	// ReportKey returns the key that authenticates run reports; nil means the OS keyring's
	// (keystore.ReportKey).
	ReportKey func(context.Context) ([]byte, error)

	// ttyWidth, when set, says which streams are terminals and how wide (tests); otherwise
	// a stream is a terminal when it is one.
	ttyWidth func(io.Writer) (int, bool)
}

// Run executes m2mport with args (without the program's name) and returns the process exit
// code. ctx ends when the operator presses Ctrl-C (main turns the first signal into a
// cancellation and leaves the second to end the process).
func Run(ctx context.Context, args []string, stdio Stdio) int {
	return run(ctx, args, &Env{Stdio: stdio, Getenv: os.Getenv})
}

func run(ctx context.Context, args []string, env *Env) int {
	root := newRoot(env)
	root.SetArgs(args)
	// fang draws help only. Its error path asks the terminal for its background colour
	// (reading stdin in raw mode) before it prints anything: after a prompt that Ctrl-C left
	// reading stdin, that query never gets its answer and m2mport hangs; elsewhere it is a
	// round trip and a raw-mode flip for every failed command. So commands run under cobra
	// alone, errors are ours (printError), and help is fang's, drawn on a fresh tree.
	root.SetHelpFunc(func(c *cobra.Command, _ []string) {
		help := newRoot(env)
		help.SetArgs(append(strings.Fields(c.CommandPath())[1:], "--help"))
		fitHelp(help, helpWidth())
		// No fang.WithNotifySignal, anywhere: it would turn every signal into one
		// cancellation and swallow the second Ctrl-C, which must end the process (main.go).
		_ = fang.Execute(ctx, help,
			fang.WithoutVersion(), // ours says commit and date too (see newRoot)
			fang.WithoutManpage(), // ours writes to the command's stdout, not the process's
		)
	})
	err := root.ExecuteContext(ctx)
	printError(env, err)
	return exitCode(err)
}

// exitError ends a command with a status; what went wrong has been printed already.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// status turns a command's exit code into the error cobra expects.
func status(code int) error {
	if code == ExitOK {
		return nil
	}
	return exitError{code}
}

// usageError is a command line cobra or pflag refused: an unknown command or flag, a flag
// without its value. cmd is the command's path ("m2mport import").
type usageError struct {
	cmd string
	err error
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ee exitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.code
	}
	// Everything else comes from cobra or pflag: the command line itself was wrong.
	return ExitUsage
}

// printError prints what cobra or pflag refused, in the form every command uses for its own
// errors ("m2mport import: …"), with where to look.
func printError(env *Env, err error) {
	var ee exitError
	if err == nil || errors.As(err, &ee) {
		return // the command said what went wrong
	}
	cmd := "m2mport"
	var ue usageError
	if errors.As(err, &ue) {
		cmd = ue.cmd
	}
	o := env.outputOf(env.Err)
	msg, more, _ := strings.Cut(err.Error(), "\n")
	o.printf("%s %s\n", o.m.Error.Render(cmd+":"), sanitize.Line(msg))
	if more = strings.TrimSpace(more); more != "" { // cobra's "Did you mean this?"
		o.printf("%s\n", sanitize.Text(more))
	}
	o.printf("Run '%s --help' for usage.\n", cmd)
}

// runE adapts a command body that returns an exit code to cobra.
func runE(fn func(ctx context.Context, args []string) int) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		return status(fn(cmd.Context(), args))
	}
}

// noArgs makes fn the body of cmd, a command that takes no arguments: completion offers none,
// and one given is a usage error (atMost).
func noArgs(cmd *cobra.Command, fn func(ctx context.Context) int) {
	cmd.Args, cmd.ValidArgsFunction = atMost(0), noFiles
	cmd.RunE = runE(func(ctx context.Context, _ []string) int { return fn(ctx) })
}

// atMost is the Args of a command that takes at most n arguments: more is a usage error
// that names the command and counts the arguments, printed by printError in the shape of
// every other refused command line ("m2mport runs: takes no arguments (got 1)", then where
// its help is). It never quotes one: a secret or token pasted unquoted splits into several.
// (cobra.NoArgs would call it an unknown command of the root, and point to the root's help.)
func atMost(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) <= n {
			return nil
		}
		takes := "no arguments"
		if n > 0 {
			takes = "at most " + client.Plural(n, "argument")
		}
		return usageError{cmd: cmd.CommandPath(), err: fmt.Errorf("takes %s (got %d)", takes, len(args))}
	}
}

const rootLong = `m2mport moves machine-to-machine clients from Auth0 into Stytch with the same ids, secrets and scopes, then proves each one works.

Without a command it starts the interactive migration: connect, pick clients, choose scopes, import, validate. Credentials come from the flags, the environment (AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, STYTCH_PROJECT_ID, STYTCH_SECRET, STYTCH_BASE_URL), then the OS keyring.`

// newRoot builds the command tree for one run: every command's flags live in their own
// cobra.Command, so a tree is never reused.
func newRoot(env *Env) *cobra.Command {
	root := newTUICmd(env)
	root.Use = "m2mport"
	root.Short = "Move M2M clients from Auth0 to Stytch, and prove each one works."
	root.Long = rootLong
	root.Example = `# the whole migration in the terminal UI, without an account
m2mport demo
# headless: the plan, then the import
m2mport import --all --dry-run
m2mport import --all --yes
# spot-check a token a service presented
m2mport check --client-id ID < token.txt`
	root.Version = versionLine()
	root.SetVersionTemplate("m2mport {{.Version}}\n")
	root.SetIn(env.In)
	root.SetOut(env.Out)
	root.SetErr(env.Err)
	root.SilenceUsage, root.SilenceErrors = true, true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{cmd: c.CommandPath(), err: err}
	})
	root.AddCommand(
		newDemoCmd(env),
		newCutoverCmd(env),
		newImportCmd(env),
		newUndoCmd(env),
		newRunsCmd(env),
		newCheckCmd(env),
		newLoginCmd(env),
		newLogoutCmd(env),
		newStatusCmd(env),
		newSandboxCmd(env),
		newManCmd(),
		newVersionCmd(env),
	)
	// cobra adds these when it runs; added now, they are in the tree that help is fitted to
	// and that tests walk.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Short = "Show the help of any command."
		case "completion":
			c.Short = "Print a shell completion script: bash, zsh, fish or powershell."
			for _, shell := range c.Commands() {
				shell.Args = atMost(0) // cobra's NoArgs would point to the root's help
			}
		}
	}
	return root
}

// newVersionCmd keeps `m2mport version`, from before --version, working.
func newVersionCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:    "version",
		Short:  "Print m2mport's version, commit and build date.",
		Hidden: true,
	}
	noArgs(cmd, func(context.Context) int {
		fmt.Fprintf(env.Out, "m2mport %s\n", versionLine())
		return ExitOK
	})
	return cmd
}

// Command returns m2mport's command tree, for what documents or checks it from outside the
// package (the README's test): which commands there are and which flags each takes.
func Command(stdio Stdio) *cobra.Command {
	return newRoot(&Env{Stdio: stdio, Getenv: os.Getenv})
}
