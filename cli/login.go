package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/keystore"
	"github.com/m2mport/m2mport/tui/sanitize"
)

// verifyTimeout bounds the API call that checks credentials before login saves them.
const verifyTimeout = 60 * time.Second

func newLoginCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Check credentials against the API, then save them in the OS keyring.",
		Long: "Check Auth0 or Stytch credentials against the API, then save them in the OS keyring.\n\n" +
			"They become that side's default. Missing values are asked for on a terminal (the secret without echo); " +
			"--secret-stdin reads the secret from stdin instead. Nothing is saved unless the API accepts them.",
		Example: `m2mport login auth0 --auth0-domain acme.us.auth0.com --auth0-client-id ID
m2mport login stytch --stytch-project-id project-test-…
printenv STYTCH_SECRET | m2mport login stytch --stytch-project-id project-test-… --secret-stdin`,
		Args:              atMost(1), // the side, which is a subcommand
		ValidArgsFunction: noFiles,
		RunE: runE(func(_ context.Context, args []string) int {
			if len(args) == 0 {
				fmt.Fprintln(env.Err, "m2mport login: say which credentials to save: m2mport login auth0 or m2mport login stytch")
			} else {
				fmt.Fprintf(env.Err, "m2mport login: unknown side %q: say auth0 or stytch\n", args[0])
			}
			return ExitUsage
		}),
	}
	for _, side := range []string{"auth0", "stytch"} {
		l := &login{env: env, side: side}
		sub := &cobra.Command{Use: side}
		noArgs(sub, l.run)
		f := sub.Flags()
		// login saves what it is given or asks for, never what the environment or the
		// keyring holds: the flags are the same, their defaults are not.
		if side == "auth0" {
			sub.Short = "Check Auth0 Management API credentials, then save them."
			addAuth0Flags(sub, &l.source)
			f.Lookup(flagAuth0Domain).Usage = "Auth0 tenant domain or URL, e.g. acme.us.auth0.com (asked for when not given)"
			f.Lookup(flagAuth0ClientID).Usage = "client id of the Auth0 Management API app (asked for when not given)"
			aliases(sub, oldAuth0Names)
		} else {
			sub.Short = "Check Stytch project credentials, then save them."
			addStytchFlags(sub, &l.target)
			f.Lookup(flagStytchProjectID).Usage = "Stytch project id (asked for when not given)"
			f.Lookup(flagStytchBaseURL).Usage = "Stytch API base URL, for a custom domain or the sandbox (default Stytch's own)"
			aliases(sub, oldStytchNames)
		}
		sub.Long = strings.TrimSuffix(sub.Short, ".") + " in the OS keyring.\n\n" +
			"They become the side's default. Missing values are asked for on a terminal (the secret without echo); " +
			"--secret-stdin reads the secret from stdin instead. Nothing is saved unless the API accepts them."
		f.BoolVar(&l.secretStdin, "secret-stdin", false, "read the secret from stdin instead of asking for it")
		cmd.AddCommand(sub)
	}
	return cmd
}

func newLogoutCmd(env *Env) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:       "logout [SIDE]",
		Short:     "Remove saved credentials from the OS keyring.",
		Long:      "Remove saved credentials from the OS keyring: one side's (SIDE is auth0 or stytch), or with --all every m2mport entry.",
		Args:      atMost(1),
		ValidArgs: []string{"auth0\tthe Auth0 credentials", "stytch\tthe Stytch credentials"},
	}
	cmd.Flags().BoolVar(&all, "all", false, "remove every m2mport entry, both sides and any left by an interrupted save")
	cmd.RunE = runE(func(ctx context.Context, args []string) int {
		if (len(args) == 1) == all || (len(args) == 1 && args[0] != "auth0" && args[0] != "stytch") {
			fmt.Fprintln(env.Err, "m2mport logout: say which credentials to remove: auth0, stytch or --all")
			return ExitUsage
		}
		return logout(ctx, env, args, all)
	})
	return cmd
}

type login struct {
	env         *Env
	side        string
	source      client.SourceCredentials
	target      client.TargetCredentials
	secretStdin bool
}

func (l *login) run(ctx context.Context) int {
	env, side := l.env, l.side
	store, err := env.store()
	if err != nil {
		return fail(env, "login", err, ExitUsage)
	}
	// Before asking for anything: a keyring that can't save makes the rest pointless.
	if err := store.Check(ctx); err != nil {
		return fail(env, "login "+side, fmt.Errorf("nothing can be saved: %w", err), ExitFailed)
	}
	if side == "auth0" {
		return l.auth0(ctx, store)
	}
	return l.stytch(ctx, store)
}

func (l *login) auth0(ctx context.Context, store keystore.Store) int {
	c := &l.source
	return l.verifyAndSave(ctx, store, loginSide{name: "auth0", title: "Auth0", id: &c.Domain, secret: &c.Secret, secretWhat: "Client secret",
		asks: []ask{
			{&c.Domain, "--auth0-domain", "Auth0 domain (e.g. acme.us.auth0.com)", false},
			{&c.ClientID, "--auth0-client-id", "Client id of the Management API app", false},
		},
		verify: l.verifyAuth0,
		save:   func(ctx context.Context) error { return store.SaveSource(ctx, *c) },
		envs:   []string{envAuth0Domain, envAuth0ClientID, envAuth0Secret},
	})
}

func (l *login) stytch(ctx context.Context, store keystore.Store) int {
	c := &l.target
	return l.verifyAndSave(ctx, store, loginSide{name: "stytch", title: "Stytch", id: &c.ProjectID, secret: &c.Secret, secretWhat: "Project secret",
		asks: []ask{
			{&c.ProjectID, "--stytch-project-id", "Stytch project id", false},
		},
		verify: l.verifyStytch,
		save:   func(ctx context.Context) error { return store.SaveTarget(ctx, *c) },
		envs:   []string{envStytchProject, envStytchSecret, envStytchBaseURL},
	})
}

// verifyAuth0 connects to the tenant and says which one it is and what the app may not read.
func (l *login) verifyAuth0(ctx context.Context) error {
	env, c := l.env, &l.source
	info, err := connectWith(ctx, env.source, *c, client.Source.Connect)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Out, "Verified Auth0 tenant %s%s.\n", sanitize.Line(info.Name), clientCount(info.Clients, info.ClientsAtLeast)) // the tenant's name comes from Auth0
	for _, m := range info.Missing {
		fmt.Fprintf(env.Out, "  missing %s: %s\n", m.Scope, m.Consequence)
	}
	return nil
}

// verifyStytch connects to the project, says which one it is, and keeps its vertical.
func (l *login) verifyStytch(ctx context.Context) error {
	env, c := l.env, &l.target
	info, err := connectWith(ctx, env.target, *c, client.Target.Connect)
	if err != nil {
		return err
	}
	kind := "test"
	if info.Live {
		kind = "LIVE"
	}
	fmt.Fprintf(env.Out, "Verified Stytch %s project %s%s.\n", kind, info.ProjectID, clientCount(info.Clients, false))
	// The vertical decides where the project's keys are: saved with the credentials, it
	// spares every later command finding it again.
	switch {
	case c.Vertical != client.VerticalUnknown:
		fmt.Fprintf(env.Out, "%s project, as given.\n", c.Vertical.Title())
	case info.Vertical != client.VerticalUnknown:
		c.Vertical = info.Vertical
		fmt.Fprintf(env.Out, "%s project (its signing keys are at the %s path).\n", c.Vertical.Title(), c.Vertical.Title())
	}
	return nil
}

// connectWith opens the API client for credentials c with open, and connects to it.
func connectWith[C, A, I any](ctx context.Context, open func(C) (A, error), c C, connect func(A, context.Context) (I, error)) (I, error) {
	a, err := open(c)
	if err != nil {
		var none I
		return none, err
	}
	return connect(a, ctx)
}

// loginSide is what login does for one side: the values it needs (the secret, asked for
// last as secretWhat, goes to secret), how it verifies them (printing what it verified) and
// saves them, and which variables would win over what it saves.
type loginSide struct {
	name, title string
	id          *string // what the saved set is for: the domain or the project id
	asks        []ask
	secret      *client.Secret
	secretWhat  string
	verify      func(context.Context) error
	save        func(context.Context) error
	envs        []string
}

// verifyAndSave is login for either side: collect what is missing, verify it against the
// API within verifyTimeout, and save it only if that worked.
func (l *login) verifyAndSave(ctx context.Context, store keystore.Store, side loginSide) int {
	env := l.env
	var secret string
	if code, ok := l.collect(ctx, side.name, append(side.asks, ask{&secret, "--secret-stdin", side.secretWhat, true})...); !ok {
		return code
	}
	*side.secret = client.NewSecret(secret)

	vctx, cancel := context.WithTimeout(ctx, verifyTimeout)
	defer cancel()
	if err := side.verify(vctx); err != nil {
		return fail(env, "login "+side.name, fmt.Errorf("the credentials did not work, so nothing was saved: %w", err), ExitFailed)
	}
	if err := side.save(ctx); err != nil {
		return fail(env, "login "+side.name, fmt.Errorf("verified, but not saved: %w", err), ExitFailed)
	}
	fmt.Fprintf(env.Out, "Saved in %s as the default %s credentials (for %s).\n", store.Where(), side.title, *side.id)
	noteEnv(env, overrides, side.envs...)
	return ExitOK
}

const (
	overrides = "wins over the keyring (see m2mport status)"
	stillUsed = "is still used"
)

// ask is one value login needs: given by flag, or asked for.
type ask struct {
	value  *string
	flag   string
	what   string
	secret bool
}

// collect fills in every value not given by flag: the secret from stdin with --secret-stdin,
// the rest by asking on the terminal. Without a terminal to ask on, what is missing is a
// usage error that names the flags to pass.
func (l *login) collect(ctx context.Context, side string, asks ...ask) (int, bool) {
	env := l.env
	tty := env.terminal()
	if l.secretStdin {
		b, err := io.ReadAll(io.LimitReader(env.In, 64<<10))
		if err != nil {
			return fail(env, "login "+side, fmt.Errorf("read the secret from stdin: %w", err), ExitFailed), false
		}
		secret := strings.TrimSpace(string(b))
		if secret == "" {
			fmt.Fprintf(env.Err, "m2mport login %s: --secret-stdin: stdin held no secret\n", side)
			return ExitUsage, false
		}
		for _, a := range asks {
			if a.secret {
				*a.value = secret
			}
		}
		tty = nil // stdin carried the secret; there is nothing left to ask on
	}
	var missing []string
	for _, a := range asks {
		if *a.value == "" {
			missing = append(missing, a.flag)
		}
	}
	if len(missing) > 0 && tty == nil {
		why := "stdin is not a terminal"
		if l.secretStdin {
			why = "stdin carries the secret"
		}
		fmt.Fprintf(env.Err, "m2mport login %s: missing %s; %s, so m2mport can't ask.\n", side, strings.Join(missing, ", "), why)
		fmt.Fprintf(env.Err, "Pass the values as flags and pipe the secret: m2mport login %s %s --secret-stdin < secret-file\n", side, map[string]string{"auth0": "--auth0-domain D --auth0-client-id ID", "stytch": "--stytch-project-id P"}[side])
		return ExitUsage, false
	}
	for _, a := range asks {
		if *a.value != "" {
			continue
		}
		var err error
		if a.secret {
			*a.value, err = tty.ReadSecret(ctx, a.what+" (not shown): ")
		} else {
			*a.value, err = tty.ReadLine(ctx, a.what+": ")
		}
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, context.Canceled):
			fmt.Fprintf(env.Err, "\nm2mport login %s: no %s given; nothing was saved\n", side, a.what)
			return ExitFailed, false
		case err != nil:
			return fail(env, "login "+side, err, ExitFailed), false
		}
		*a.value = strings.TrimSpace(*a.value)
		if *a.value == "" {
			fmt.Fprintf(env.Err, "m2mport login %s: %s is required\n", side, a.what)
			return ExitUsage, false
		}
	}
	return ExitOK, true
}

// clientCount is ": N M2M clients", or ": at least N M2M clients" when the count is a lower
// bound (a large tenant, counted without reading it all).
func clientCount(n int, atLeast bool) string {
	switch {
	case n < 0:
		return ""
	case atLeast:
		return ": at least " + client.Plural(n, "M2M client")
	}
	return ": " + client.Plural(n, "M2M client")
}

// noteEnv tells the operator which of the variables are set in this environment, and so
// what they do to what login or logout just did.
func noteEnv(env *Env, does string, names ...string) {
	for _, n := range names {
		if env.Getenv(n) != "" {
			fmt.Fprintf(env.Out, "Note: %s is set in this environment and %s.\n", n, does)
		}
	}
}

func logout(ctx context.Context, env *Env, args []string, all bool) int {
	store, err := env.store()
	if err != nil {
		return fail(env, "logout", err, ExitUsage)
	}
	if all {
		// The keyring can't count what it deletes: look for a saved set first, so that a
		// second logout --all does not claim to remove what the first one did.
		saved := false
		for _, load := range []func() error{
			func() error { _, err := store.LoadSource(ctx, ""); return err },
			func() error { _, err := store.LoadTarget(ctx, ""); return err },
		} {
			if err := load(); err == nil || !errors.Is(err, keystore.ErrNotFound) {
				saved = true // an entry, or one too damaged to read: either way, removed below
			}
		}
		reportKey := keystore.HasReportKey(ctx, store)
		if err := store.ForgetAll(ctx); err != nil {
			return fail(env, "logout", err, ExitFailed)
		}
		if saved {
			fmt.Fprintf(env.Out, "Removed every m2mport credential from %s.\n", store.Where())
		} else {
			fmt.Fprintf(env.Out, "No m2mport credentials were saved in %s.\n", store.Where())
		}
		if reportKey {
			// Not a credential, but --all removes every m2mport entry; what that costs is undo.
			fmt.Fprintln(env.Out, "Removed the run reports' key too: undo of a report written before now needs --unauthenticated (a new key is made on the next run).")
		}
		noteEnv(env, stillUsed, envAuth0Domain, envAuth0ClientID, envAuth0Secret, envStytchProject, envStytchSecret, envStytchBaseURL)
		return ExitOK
	}
	side, title, vars := keystore.Auth0, "Auth0", []string{envAuth0Domain, envAuth0ClientID, envAuth0Secret}
	if args[0] == "stytch" {
		side, title, vars = keystore.Stytch, "Stytch", []string{envStytchProject, envStytchSecret, envStytchBaseURL}
	}
	names, err := store.Forget(ctx, side)
	if err != nil {
		return fail(env, "logout", err, ExitFailed)
	}
	if len(names) == 0 {
		fmt.Fprintf(env.Out, "No %s credentials were saved in %s.\n", title, store.Where())
	} else {
		fmt.Fprintf(env.Out, "Removed the %s credentials for %s from %s.\n", title, strings.Join(names, ", "), store.Where())
	}
	noteEnv(env, stillUsed, vars...)
	return ExitOK
}

// Terminal asks the operator for values, one line at a time.
type Terminal interface {
	// ReadLine shows prompt and returns the line typed, without its line ending.
	ReadLine(ctx context.Context, prompt string) (string, error)
	// ReadSecret shows prompt and returns the line typed, which is not echoed.
	ReadSecret(ctx context.Context, prompt string) (string, error)
}

// terminal returns env.Terminal, or stdin when it is a terminal, or nil.
func (env *Env) terminal() Terminal {
	if env.Terminal != nil {
		return env.Terminal
	}
	if isTerminal(env.In) {
		return ttyTerminal{in: env.In.(*os.File), out: env.Err}
	}
	return nil
}

// ttyTerminal asks on stdin, prompting on stderr so that stdout carries only results.
type ttyTerminal struct {
	in  *os.File
	out io.Writer
}

func (t ttyTerminal) ReadLine(ctx context.Context, prompt string) (string, error) {
	fmt.Fprint(t.out, prompt)
	return interruptible(ctx, nil, func() (string, error) {
		// Byte by byte, so no read-ahead swallows the next answer.
		var line []byte
		var c [1]byte
		for {
			n, err := t.in.Read(c[:])
			if n == 1 && c[0] == '\n' {
				break
			}
			if n == 1 {
				line = append(line, c[0])
			}
			if errors.Is(err, io.EOF) && len(line) > 0 {
				break
			}
			if err != nil {
				return "", err
			}
		}
		return strings.TrimRight(string(line), "\r"), nil
	})
}

func (t ttyTerminal) ReadSecret(ctx context.Context, prompt string) (string, error) {
	fd := t.in.Fd()
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("read the secret: %w", err)
	}
	fmt.Fprint(t.out, prompt)
	defer fmt.Fprintln(t.out)
	// On Ctrl-C the read stays blocked, so put echo back before giving up on it.
	return interruptible(ctx, func() { _ = term.Restore(fd, state) }, func() (string, error) {
		b, err := term.ReadPassword(fd)
		return string(b), err
	})
}

// interruptible runs read and gives up when ctx ends (the operator pressed Ctrl-C: main
// turns the signal into a cancelled context, so a blocked read would otherwise hang).
func interruptible(ctx context.Context, onCancel func(), read func() (string, error)) (string, error) {
	s, err := client.Abandon(ctx, read)
	if err != nil && ctx.Err() != nil {
		if onCancel != nil {
			onCancel()
		}
		return "", ctx.Err()
	}
	return s, err
}
