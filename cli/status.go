package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

func init() {
	register(&command{
		name: "status",
		summary: "Show where each side's credentials come from (flag, environment, keyring or nowhere), masked,\n" +
			"and whether the OS keyring is reachable. Exits 1 when a side is missing a value.",
		usage: "status [flags]",
		flags: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) int {
			given := addCredentialFlags(fs)
			return func(ctx context.Context, args []string) int {
				if len(args) > 0 {
					fmt.Fprintf(env.Err, "m2mport status: unexpected argument %q\n", args[0])
					return ExitUsage
				}
				store, err := env.store()
				if err != nil {
					return fail(env.Err, "status", err, ExitUsage)
				}
				// Check once, up front: a hung keyring then costs one timeout, not one per side.
				keyringErr := store.Check(ctx)
				reachable := store
				if keyringErr != nil {
					reachable = nil
				}
				src := resolveSource(ctx, given.source, env.Getenv, reachable)
				tgt := resolveTarget(ctx, given.target, env.Getenv, reachable)

				w := env.Out
				fmt.Fprintln(w, "Auth0 (source)")
				row(w, "domain", src.Domain, src.From.Domain, "--auth0-domain", envAuth0Domain)
				row(w, "client id", src.ClientID, src.From.ClientID, "--auth0-client-id", envAuth0ClientID)
				row(w, "client secret", src.Secret.String(), src.From.Secret, "", envAuth0Secret)
				fmt.Fprintln(w, "Stytch (target)")
				row(w, "project id", tgt.ProjectID, tgt.From.ProjectID, "--stytch-project-id", envStytchProject)
				row(w, "secret", tgt.Secret.String(), tgt.From.Secret, "", envStytchSecret)
				baseURL := tgt.BaseURL
				if baseURL == "" {
					baseURL = "Stytch's own"
				}
				row(w, "base URL", baseURL, tgt.From.BaseURL, "--stytch-base-url", envStytchBaseURL)

				if err := errors.Join(keyringErr, src.KeyringErr, tgt.KeyringErr); err != nil {
					fmt.Fprintf(w, "Keyring: %v\n", err)
					if h := hint(err); h != "" {
						fmt.Fprintf(w, "  %s\n", h)
					}
				} else {
					fmt.Fprintf(w, "Keyring: %s, reachable\n", store.Where())
				}

				if len(src.Missing()) > 0 || len(tgt.Missing()) > 0 {
					fmt.Fprintln(w, "\nSave credentials with `m2mport login auth0` and `m2mport login stytch`, or set the environment variables above.")
					return ExitFailed
				}
				return ExitOK
			}
		},
	})
}

// row prints one credential value and where it came from.
func row(w io.Writer, name, value string, from origin, flagName, envName string) {
	var source string
	switch {
	case from == originFlag:
		source = "flag " + flagName
	case from == originEnv:
		source = "env " + envName
	case from == originKeyring:
		source = "keyring"
	case value != "":
		source = "default"
	default:
		value, source = "-", "not set ("+envName+")"
	}
	fmt.Fprintf(w, "  %-14s %-40s %s\n", name, value, source)
}
