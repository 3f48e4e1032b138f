// Package cli implements m2mport's subcommands: flag parsing, credential resolution and the
// wiring of concrete API clients into the engine and the TUI. main.go only calls Run.
//
// cli is the one place allowed to import everything (client, client/auth0, client/stytch,
// client/sandbox, keystore, themes, tui); nothing imports cli.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/keystore"
)

// Exit codes shared by every command.
const (
	ExitOK      = 0
	ExitFailed  = 1 // the command ran and something failed (an import, a check)
	ExitUsage   = 2 // bad arguments, missing confirmation, live project without --live
	exitUnknown = ExitUsage
)

// Version is set at build time with -ldflags "-X github.com/m2mport/m2mport/cli.Version=v1.2.3";
// otherwise it comes from the module's build info.
var Version = ""

// version reports the binary's version for `m2mport version` and the User-Agent header.
func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Stdio is the process's standard streams, swapped for buffers in tests.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// command is one subcommand. run receives the arguments after the command name.
type command struct {
	name    string
	summary string
	usage   string // one line after "m2mport ", e.g. "check [flags] [TOKEN]"
	// flags declares the command's flags on fs and returns the function that runs it once
	// the flags are parsed.
	flags func(fs *flag.FlagSet, env *Env) func(ctx context.Context, args []string) int
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
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// Run executes the subcommand named by args[0] and returns the process exit code.
func Run(ctx context.Context, args []string, stdio Stdio) int {
	return run(ctx, args, &Env{Stdio: stdio, Getenv: os.Getenv})
}

func run(ctx context.Context, args []string, env *Env) int {
	if len(args) == 0 {
		if c, ok := commands["tui"]; ok {
			return execute(ctx, c, nil, env)
		}
		usage(env.Err)
		return ExitUsage
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return execute(ctx, c, []string{"--help"}, env)
			}
		}
		usage(env.Out)
		return ExitOK
	case "-v", "--version":
		args = []string{"version"}
	}
	if c, ok := commands[args[0]]; ok && c.name != "tui" {
		return execute(ctx, c, args[1:], env)
	}
	if strings.HasPrefix(args[0], "-") {
		if c, ok := commands["tui"]; ok {
			return execute(ctx, c, args, env)
		}
	}
	fmt.Fprintf(env.Err, "m2mport: unknown command %q\n\n", args[0])
	usage(env.Err)
	return exitUnknown
}

func execute(ctx context.Context, c *command, args []string, env *Env) int {
	fs := flag.NewFlagSet("m2mport "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	runFn := c.flags(fs, env)
	if err := fs.Parse(flagsFirst(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			commandUsage(env.Out, c, fs)
			return ExitOK
		}
		fmt.Fprintf(env.Err, "m2mport %s: %v\n\n", c.name, err)
		commandUsage(env.Err, c, fs)
		return ExitUsage
	}
	return runFn(ctx, fs.Args())
}

// flagsFirst moves the flags in args ahead of the positional arguments, keeping each order,
// so that a flag after an argument (`undo run.json --yes`) counts: Go's flag package stops at
// the first argument. fs says which flags take a value, the next argument unless given with
// "="; a bare "-" is an argument (stdin) and "--" ends the flags, as it does for fs.Parse.
func flagsFirst(fs *flag.FlagSet, args []string) []string {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimPrefix(a[1:], "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue // fs.Parse names the unknown flag
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	if len(positional) == 0 {
		return flags
	}
	// "--" keeps an argument that starts with "-" (given after the operator's own "--") one.
	return append(append(flags, "--"), positional...)
}

func commandUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: m2mport %s\n\n%s\n", c.usage, c.summary)
	var has bool
	fs.VisitAll(func(*flag.Flag) { has = true })
	if has {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "m2mport moves machine-to-machine clients from Auth0 into Stytch with the same ids, secrets and scopes, then proves each one works.")
	fmt.Fprintln(w, "\nUsage: m2mport [flags]              the interactive migration; see 'm2mport help tui'")
	fmt.Fprintln(w, "       m2mport <command> [flags]")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		if c.name == "tui" {
			continue
		}
		fmt.Fprintf(w, "  %-10s %s\n", c.name, firstLine(c.summary))
	}
	fmt.Fprintln(w, "\nRun 'm2mport <command> --help' for a command's flags.")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func init() {
	register(&command{
		name:    "version",
		summary: "Print m2mport's version.",
		usage:   "version",
		flags: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) int {
			return func(_ context.Context, args []string) int {
				if len(args) > 0 {
					fmt.Fprintf(env.Err, "m2mport version: unexpected argument %q\n", args[0])
					return ExitUsage
				}
				fmt.Fprintf(env.Out, "m2mport %s\n", version())
				return ExitOK
			}
		},
	})
}
