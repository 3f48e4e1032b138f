package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"unicode"

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
	} `json:"stytch"`
}

func init() {
	register(&command{
		name: "sandbox",
		summary: "Run local emulators of Auth0 and Stytch on loopback and print their URLs and credentials.\n\n" +
			"Prints one JSON line (or, with --env, shell export lines) on stdout, logs one line per\n" +
			"request on stderr, and serves until interrupted.",
		usage: "sandbox [flags]",
		flags: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) int {
			seed := fs.String("seed", "demo", "start with `DATA`: demo (a realistic tenant), empty, or generated:N (N generated apps)")
			auth0Addr := fs.String("auth0-addr", "", "Auth0 emulator's `HOST:PORT`, loopback only (default: a free port on 127.0.0.1)")
			stytchAddr := fs.String("stytch-addr", "", "Stytch emulator's `HOST:PORT`, loopback only (default: a free port on 127.0.0.1)")
			faults := fs.String("faults", "", "faults to inject by ratio: a `SPEC` like 'stytch:429=0.1,commitdrop=0.02;auth0:slow:2s=0.1'")
			auth0Rate := fs.String("auth0-rate", "", "Auth0 Management API bucket: `R` per second, RATE:BURST, free or enterprise (default: generous)")
			stytchRate := fs.String("stytch-rate", "", "Stytch bucket: `R` per second or RATE:BURST (default: unlimited)")
			randomSeed := fs.Int64("random-seed", 0, "seed for generated data and fault decisions")
			projectID := fs.String("stytch-project-id", "", "serve the Stytch project as `ID`, e.g. project-live-… to try the production guard")
			mgmtScopes := fs.String("management-scopes", "", "grant m2mport's Auth0 app only these `SCOPES`, separated by spaces or commas (default: the four it needs)")
			asEnv := fs.Bool("env", false, "print export lines for a POSIX shell instead of JSON")
			return func(ctx context.Context, args []string) int {
				usageErr := func(err error) int {
					fmt.Fprintf(env.Err, "m2mport sandbox: %v\nRun 'm2mport sandbox --help' for the flags.\n", err)
					return ExitUsage
				}
				if len(args) > 0 {
					return usageErr(fmt.Errorf("unexpected argument %q", args[0]))
				}
				opts := sandbox.Options{Seed: *seed, RandomSeed: *randomSeed, Auth0Addr: *auth0Addr,
					StytchAddr: *stytchAddr, Faults: *faults, StytchProjectID: *projectID, Log: env.Err}
				fs.Visit(func(f *flag.Flag) {
					if f.Name == "management-scopes" { // given, even empty: exactly these scopes
						// Commas too: "read:clients,read:client_keys" is how people list things.
						opts.ManagementScopes = append([]string{}, strings.FieldsFunc(*mgmtScopes, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })...)
					}
				})
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
			}
		},
	})
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
	line.Stytch.URL, line.Stytch.ProjectID, line.Stytch.Secret = s.URL, s.ProjectID, s.Secret
	b, _ := json.Marshal(line) // plain strings: cannot fail
	fmt.Fprintf(env.Out, "%s\n", b)
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
