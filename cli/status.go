package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/sanitize"
)

func newStatusCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show where each credential comes from, masked.",
		Long: "Show where each side's credentials come from, masked, and whether the keyring works.\n\n" +
			"Each value's origin is a flag, the environment, the OS keyring or nowhere. Exits 1 when a " +
			"side is missing a value.",
	}
	given := addCredentialFlags(cmd)
	noArgs(cmd, func(ctx context.Context) int {
		store, err := env.store()
		if err != nil {
			return fail(env, "status", err, ExitUsage)
		}
		// Check once, up front: a hung keyring then costs one timeout, not one per side.
		keyringErr := store.Check(ctx)
		reachable := store
		if keyringErr != nil {
			reachable = nil
		}
		src := resolveSource(ctx, given.source, env.Getenv, reachable)
		tgt := resolveTarget(ctx, given.target, env.Getenv, reachable)

		w := env.outputOf(env.Out)
		baseURL := tgt.BaseURL
		if baseURL == "" {
			baseURL = "Stytch's own"
		}
		vertical := string(tgt.Vertical)
		if v, err := client.ParseVertical(vertical); err != nil {
			vertical += " (not consumer or b2b: commands will refuse it)"
		} else if v == client.VerticalUnknown {
			vertical = "found from the project's keys when needed"
		} else {
			vertical = v.Title()
		}
		printTable(w, [][3]string{
			{"Auth0 (source)"},
			row("domain", maskPassword(src.Domain), src.From.Domain, "--auth0-domain", envAuth0Domain),
			row("client id", src.ClientID, src.From.ClientID, "--auth0-client-id", envAuth0ClientID),
			row("client secret", src.Secret.String(), src.From.Secret, "", envAuth0Secret),
			{"Stytch (target)"},
			row("project id", tgt.ProjectID, tgt.From.ProjectID, "--stytch-project-id", envStytchProject),
			row("secret", tgt.Secret.String(), tgt.From.Secret, "", envStytchSecret),
			row("base URL", maskPassword(baseURL), tgt.From.BaseURL, "--stytch-base-url", envStytchBaseURL),
			row("vertical", sanitize.Line(vertical), tgt.From.Vertical, "--"+flagStytchVertical, envStytchVertical),
		})

		if err := errors.Join(keyringErr, src.KeyringErr, tgt.KeyringErr); err != nil {
			w.printf("Keyring: %s\n", w.m.Error.Render(w.wrap(sanitize.Line(err.Error()), "  ")))
			if h := hint(err); h != "" {
				// The keyring's hint points at this very command; here the list is above.
				h = strings.ReplaceAll(h, "(`m2mport status` lists them)", "(listed above)")
				w.printf("  %s\n", w.wrap(h, "  "))
			}
		} else {
			w.printf("Keyring: %s, %s\n", store.Where(), w.m.Success.Render("reachable"))
		}

		if len(src.Missing()) > 0 || len(tgt.Missing()) > 0 {
			if keyringErr != nil {
				// login would only fail the same way: the environment is the way in.
				w.printf("\n%s\n", w.wrap("Set the environment variables above; without a usable keyring, `m2mport login` can't save credentials.", ""))
			} else {
				w.printf("\n%s\n", w.wrap("Save credentials with `m2mport login auth0` and `m2mport login stytch`, or set the environment variables above.", ""))
			}
			return ExitFailed
		}
		return ExitOK
	})
	return cmd
}

// row describes one credential value: its name, the value (masked for secrets) and where it
// came from.
func row(name, value string, from origin, flagName, envName string) [3]string {
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
	return [3]string{name, value, source}
}

// printTable prints rows in aligned columns, measured in cells; a row with only a first cell
// is a heading.
func printTable(o *output, rows [][3]string) {
	var widths [2]int
	for _, r := range rows {
		if r[1] == "" {
			continue
		}
		for i := range widths {
			widths[i] = max(widths[i], ansi.StringWidth(r[i]))
		}
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", max(n-ansi.StringWidth(s), 0)) }
	for _, r := range rows {
		if r[1] == "" {
			o.printf("%s\n", o.m.Bold.Render(r[0]))
			continue
		}
		source := r[2]
		if strings.HasPrefix(source, "not set") {
			source = o.m.Warning.Render(source)
		} else {
			source = o.m.Muted.Render(source)
		}
		o.printf("  %s  %s  %s\n", pad(r[0], widths[0]), pad(r[1], widths[1]), source)
	}
}

// maskPassword hides the password of a URL's userinfo (http://user:pw@host), which status
// would otherwise print in full. It works on the text, so a URL too broken to parse is
// masked too.
func maskPassword(s string) string {
	rest := s
	if i := strings.Index(s, "://"); i >= 0 {
		rest = s[i+3:]
	}
	start := len(s) - len(rest)
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	colon := strings.Index(authority, ":")
	if at < 0 || colon < 0 || colon > at {
		return s
	}
	return s[:start+colon+1] + client.Mask + s[start+at:]
}
