package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
)

// sandboxLine is the one JSON line `m2mport sandbox` prints: how to reach both emulators.
// These are sandbox credentials; printing them is the point.
type sandboxLine struct {
	Auth0 struct {
		URL          string `json:"url"`
		Domain       string `json:"domain"`
		Audience     string `json:"audience"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	} `json:"auth0"`
	Stytch struct {
		URL       string `json:"url"`
		ProjectID string `json:"project_id"`
		Secret    string `json:"secret"`
		// Vertical is for people reading the line: --env exports no STYTCH_VERTICAL, so that
		// m2mport finds the vertical as it would on a real project.
		Vertical string `json:"vertical"`
	} `json:"stytch"`
}

func newSandboxCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run local emulators of Auth0 and Stytch for trying m2mport.",
		Long: "Run local emulators of Auth0 and Stytch on loopback and print their URLs and credentials.\n\n" +
			"Prints one JSON line (or, with --env, shell export lines) on stdout, logs one line per " +
			"request on stderr, and serves until interrupted.",
	}
	f := cmd.Flags()
	seed := f.String("seed", "demo", "start with demo (a realistic tenant), empty, or generated:N (N generated apps)")
	auth0Addr := f.String("auth0-addr", "", "Auth0 emulator's HOST:PORT, loopback only (default: a free port on 127.0.0.1)")
	stytchAddr := f.String("stytch-addr", "", "Stytch emulator's HOST:PORT, loopback only (default: a free port on 127.0.0.1)")
	faults := f.String("faults", "", "faults to inject by ratio, e.g. stytch:429=0.1,500=0.05 or auth0:drop=0.01, APIs separated by ; (the README lists every kind)")
	auth0Rate := f.String("auth0-rate", "", "Auth0 Management API bucket: R per second, RATE:BURST, free or enterprise (default: generous)")
	stytchRate := f.String("stytch-rate", "", "Stytch bucket: R per second or RATE:BURST (default: unlimited)")
	randomSeed := f.Int64("random-seed", 0, "seed for generated data and fault decisions")
	projectID := f.String(flagStytchProjectID, "", "serve the Stytch project as this id, e.g. project-live-… to try the production guard")
	vertical := client.VerticalB2B
	f.Var((*verticalValue)(&vertical), flagStytchVertical, "serve the Stytch project as this vertical, b2b or consumer: its keys are at that vertical's JWKS path only")
	mgmtScopes := f.String("management-scopes", "", "grant m2mport's Auth0 app only these scopes, separated by spaces or commas (default: the four it needs)")
	asEnv := f.Bool("env", false, "print export lines for a POSIX shell instead of JSON")
	_ = cmd.RegisterFlagCompletionFunc("seed", cobra.FixedCompletions([]string{
		"demo\ta realistic tenant, and a project holding two of its clients",
		"empty\tonly the app m2mport reads with, and an empty project",
		"generated:\tgenerated:N, N generated apps",
	}, cobra.ShellCompDirectiveNoFileComp|cobra.ShellCompDirectiveNoSpace))
	oneOf(cmd, "auth0-rate", "free", "enterprise")
	oneOf(cmd, flagStytchVertical, "b2b", "consumer")
	notFiles(cmd, "auth0-addr", "stytch-addr", "faults", "stytch-rate", "random-seed", flagStytchProjectID, "management-scopes")
	noArgs(cmd, func(ctx context.Context) int {
		usageErr := func(err error) int {
			fmt.Fprintf(env.Err, "m2mport sandbox: %v\nRun 'm2mport sandbox --help' for the flags.\n", err)
			return ExitUsage
		}
		opts := sandbox.Options{Seed: *seed, RandomSeed: *randomSeed, Auth0Addr: *auth0Addr,
			StytchAddr: *stytchAddr, Faults: *faults, StytchProjectID: *projectID, StytchVertical: string(vertical), Log: env.Err}
		if cmd.Flags().Changed("management-scopes") { // given, even empty: exactly these scopes
			// Commas too: "read:clients,read:client_keys" is how people list things.
			opts.ManagementScopes = append([]string{}, strings.FieldsFunc(*mgmtScopes, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })...)
		}
		var err error
		if opts.Auth0Rate, err = sandbox.ParseRate(*auth0Rate); err != nil {
			return usageErr(fmt.Errorf("--auth0-rate: %w", err))
		}
		if opts.StytchRate, err = sandbox.ParseRate(*stytchRate); err != nil {
			return usageErr(fmt.Errorf("--stytch-rate: %w", err))
		}
		sb, err := sandbox.Start(opts)
		if errors.Is(err, sandbox.ErrBadOption) {
			return usageErr(err)
		}
		if err != nil {
			fmt.Fprintf(env.Err, "m2mport sandbox: %v\n", err)
			return ExitFailed
		}
		printSandbox(env, sb, *asEnv)
		<-ctx.Done()
		if err := sb.Close(); err != nil {
			fmt.Fprintf(env.Err, "m2mport sandbox: %v\n", err)
			return ExitFailed
		}
		return ExitOK
	})
	return cmd
}

func printSandbox(env *Env, sb *sandbox.Sandbox, asEnv bool) {
	a, s := sb.Auth0(), sb.Stytch()
	if asEnv {
		for _, kv := range [][2]string{
			{"AUTH0_DOMAIN", a.Domain}, {"AUTH0_CLIENT_ID", a.ClientID}, {"AUTH0_CLIENT_SECRET", a.ClientSecret},
			{"STYTCH_PROJECT_ID", s.ProjectID}, {"STYTCH_SECRET", s.Secret}, {"STYTCH_BASE_URL", s.URL},
		} {
			fmt.Fprintf(env.Out, "export %s=%s\n", kv[0], shellQuote(kv[1]))
		}
		return
	}
	var line sandboxLine
	line.Auth0.URL, line.Auth0.Domain, line.Auth0.Audience = a.URL, a.Domain, a.Audience
	line.Auth0.ClientID, line.Auth0.ClientSecret = a.ClientID, a.ClientSecret
	line.Stytch.URL, line.Stytch.ProjectID, line.Stytch.Secret, line.Stytch.Vertical = s.URL, s.ProjectID, s.Secret, s.Vertical
	b, _ := json.Marshal(line) // plain strings: cannot fail
	fmt.Fprintf(env.Out, "%s\n", b)
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
