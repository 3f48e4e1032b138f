package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/auth0"
	"github.com/m2mport/m2mport/client/stytch"
	"github.com/m2mport/m2mport/keystore"
	"github.com/m2mport/m2mport/tui/sanitize"
)

// Credential resolution: one rule for every command and the TUI.
//
//   - Each value comes from the first of: a flag, an environment variable, the keyring.
//   - The keyring is read only when a required value is still missing, so a script that sets
//     every variable never waits on a keyring (which may be slow, locked, or absent).
//   - The keyring set read is the one saved for the domain (Auth0) or project id (Stytch)
//     given by flag or environment, else the side's default set.
//   - That set fills only the values still missing, and only when it belongs to the identity
//     given: an Auth0 client id given by flag or environment that differs from the saved one
//     means the saved secret is another app's, so nothing is taken from the keyring.
//   - A secret given by flag or environment wins over the saved one (a rotated secret).
//
// Secrets have no command-line flags (a flag shows in `ps` and shell history): they come from
// the environment, the keyring, or `login --secret-stdin`.

// Environment variables credentials may come from.
const (
	envAuth0Domain   = "AUTH0_DOMAIN"
	envAuth0ClientID = "AUTH0_CLIENT_ID"
	envAuth0Secret   = "AUTH0_CLIENT_SECRET"
	envStytchProject = "STYTCH_PROJECT_ID"
	envStytchSecret  = "STYTCH_SECRET"
	envStytchBaseURL = "STYTCH_BASE_URL"
	// envStytchVertical is the project's vertical, consumer or b2b; without it m2mport finds
	// it from the project's keys (specs/stytch.md §2).
	envStytchVertical = "STYTCH_VERTICAL"
)

// origin is where a credential value came from.
type origin string

const (
	originNone    origin = ""
	originFlag    origin = "flag"
	originEnv     origin = "env"
	originKeyring origin = "keyring"
)

// sourceCreds are resolved Auth0 credentials and where each value came from.
type sourceCreds struct {
	client.SourceCredentials
	From struct{ Domain, ClientID, Secret origin }
	// KeyringErr is why the keyring could not be read when it was needed (unavailable, timed
	// out, a corrupt entry); nil when it was read, held nothing, or was not needed.
	KeyringErr error
}

// targetCreds are resolved Stytch credentials and where each value came from.
type targetCreds struct {
	client.TargetCredentials
	From       struct{ ProjectID, Secret, BaseURL, Vertical origin }
	KeyringErr error
}

// resolveSource resolves the Auth0 credentials. flags holds the values given on the command
// line ("" for none); store may be nil to leave the keyring out.
func resolveSource(ctx context.Context, flags client.SourceCredentials, getenv func(string) string, store keystore.Store) sourceCreds {
	var r sourceCreds
	r.Domain, r.From.Domain = pick(flags.Domain, getenv(envAuth0Domain))
	r.ClientID, r.From.ClientID = pick(flags.ClientID, getenv(envAuth0ClientID))
	var secret string
	secret, r.From.Secret = pick(flags.Secret.Reveal(), getenv(envAuth0Secret))
	r.Secret = client.NewSecret(secret)
	if store == nil || (r.Domain != "" && r.ClientID != "" && secret != "") {
		return r
	}
	saved, err := store.LoadSource(ctx, r.Domain)
	if err != nil {
		r.KeyringErr = keyringFailure(err)
		return r
	}
	if r.ClientID != "" && r.ClientID != saved.ClientID {
		return r
	}
	fill(&r.Domain, &r.From.Domain, saved.Domain)
	fill(&r.ClientID, &r.From.ClientID, saved.ClientID)
	fill(&secret, &r.From.Secret, saved.Secret.Reveal())
	r.Secret = client.NewSecret(secret)
	return r
}

// resolveTarget resolves the Stytch credentials, like resolveSource.
func resolveTarget(ctx context.Context, flags client.TargetCredentials, getenv func(string) string, store keystore.Store) targetCreds {
	var r targetCreds
	r.ProjectID, r.From.ProjectID = pick(flags.ProjectID, getenv(envStytchProject))
	var secret string
	secret, r.From.Secret = pick(flags.Secret.Reveal(), getenv(envStytchSecret))
	r.Secret = client.NewSecret(secret)
	r.BaseURL, r.From.BaseURL = pick(flags.BaseURL, getenv(envStytchBaseURL))
	var vertical string
	vertical, r.From.Vertical = pick(string(flags.Vertical), getenv(envStytchVertical))
	r.Vertical = client.Vertical(vertical)
	if store == nil || (r.ProjectID != "" && secret != "") {
		return r
	}
	saved, err := store.LoadTarget(ctx, r.ProjectID)
	if err != nil {
		r.KeyringErr = keyringFailure(err)
		return r
	}
	fill(&r.ProjectID, &r.From.ProjectID, saved.ProjectID)
	fill(&secret, &r.From.Secret, saved.Secret.Reveal())
	r.Secret = client.NewSecret(secret)
	fill(&r.BaseURL, &r.From.BaseURL, saved.BaseURL)
	fill(&vertical, &r.From.Vertical, string(saved.Vertical))
	r.Vertical = client.Vertical(vertical)
	return r
}

// Missing lists what is still needed, each with the ways to give it.
func (r sourceCreds) Missing() []string { return describe(r.missing()) }

// Missing lists what is still needed, each with the ways to give it.
func (r targetCreds) Missing() []string { return describe(r.missing()) }

func (r sourceCreds) missing() []need {
	return missing(
		need{r.Domain == "", "the Auth0 domain", envAuth0Domain},
		need{r.ClientID == "", "the Auth0 client id", envAuth0ClientID},
		need{r.Secret.IsZero(), "the Auth0 client secret", envAuth0Secret},
	)
}

func (r targetCreds) missing() []need {
	return missing(
		need{r.ProjectID == "", "the Stytch project id", envStytchProject},
		need{r.Secret.IsZero(), "the Stytch secret", envStytchSecret},
	)
}

type need struct {
	missing bool
	what    string
	env     string
}

// missingCredentials is the error of a command short of credentials: what is missing, in a
// short line, then (its hint) how to give it, on lines of their own, suggesting only what
// can work here: no `m2mport login` when the keyring can't be used.
type missingCredentials struct {
	needs      []need // only what is missing
	sides      []string
	keyringErr error // why the keyring could not be read, if it could not
	fromFile   bool  // import from Auth0: --from-file would need only Stytch's
}

func (e *missingCredentials) Error() string {
	var envs []string
	for _, n := range e.needs {
		envs = append(envs, n.env)
	}
	return "missing credentials: " + client.List(envs)
}

func (e *missingCredentials) hint() string {
	width := 0
	for _, n := range e.needs {
		width = max(width, len(n.env))
	}
	lines := []string{"Set them in the environment:"}
	for _, n := range e.needs {
		lines = append(lines, fmt.Sprintf("  %-*s  %s", width, n.env, n.what))
	}
	if e.keyringErr != nil {
		lines = append(lines, "The OS keyring can't be used here, so `m2mport login` can't save them (`m2mport status` says why).")
	} else {
		var logins []string
		for _, side := range e.sides {
			logins = append(logins, "`m2mport login "+side+"`")
		}
		lines = append(lines, "Or save them once in the OS keyring: "+client.List(logins)+".")
	}
	if e.fromFile {
		lines = append(lines, "Clients from a CSV or JSON file need only Stytch's: --from-file FILE.")
	}
	return strings.Join(lines, "\n")
}

func missing(needs ...need) []need {
	var out []need
	for _, n := range needs {
		if n.missing {
			out = append(out, n)
		}
	}
	return out
}

func describe(needs []need) []string {
	var out []string
	for _, n := range needs {
		out = append(out, fmt.Sprintf("%s (set %s)", n.what, n.env))
	}
	return out
}

func pick(flagValue, envValue string) (string, origin) {
	switch {
	case flagValue != "":
		return flagValue, originFlag
	case envValue != "":
		return envValue, originEnv
	}
	return "", originNone
}

func fill(value *string, from *origin, saved string) {
	if *value == "" && saved != "" {
		*value, *from = saved, originKeyring
	}
}

// keyringFailure drops "nothing saved", which resolution treats as an empty keyring.
func keyringFailure(err error) error {
	if errors.Is(err, keystore.ErrNotFound) {
		return nil
	}
	return err
}

// store returns where credentials are saved: env.Keystore, or the OS keyring.
func (env *Env) store() (keystore.Store, error) {
	if env.Keystore != nil {
		return env.Keystore, nil
	}
	return keystore.Open(env.Getenv)
}

// source and target build the API clients for credentials: env's, or the real ones.
func (env *Env) source(c client.SourceCredentials) (client.Source, error) {
	if env.OpenSource != nil {
		return env.OpenSource(c)
	}
	src, err := auth0.New(auth0.Config{Credentials: c, HTTPConfig: client.HTTPConfig{UserAgent: "m2mport/" + version()}})
	if err != nil {
		return nil, err
	}
	return src, nil
}

func (env *Env) target(c client.TargetCredentials) (client.Target, error) {
	if env.OpenTarget != nil {
		return env.OpenTarget(c)
	}
	tgt, err := stytch.New(stytch.Config{Credentials: c, HTTPConfig: client.HTTPConfig{UserAgent: "m2mport/" + version()}})
	if err != nil {
		return nil, err
	}
	return tgt, nil
}

// fail prints err on stderr for the operator, what went wrong then what to do, and returns
// code. On a terminal the command's name is marked as an error and long lines wrap.
func fail(env *Env, cmd string, err error, code int) int {
	o := env.outputOf(env.Err)
	// Errors carry what APIs answered: sanitized, so they stay text and away from the terminal.
	prefix := "m2mport " + cmd + ":"
	line := o.wrap(prefix+" "+sanitize.Line(err.Error()), "")
	o.printf("%s%s\n", o.m.Error.Render(prefix), strings.TrimPrefix(line, prefix))
	// A hint may be several lines, each its own sentence.
	for _, h := range strings.Split(hint(err), "\n") {
		if h != "" {
			o.printf("%s\n", o.wrap(sanitize.Line(h), ""))
		}
	}
	return code
}

// hint is what to do about err, from whichever layer knows.
func hint(err error) string {
	if h := keystore.Hint(err); h != "" {
		return h
	}
	var mc *missingCredentials
	if errors.As(err, &mc) {
		return mc.hint()
	}
	var ae *client.APIError
	if errors.As(err, &ae) {
		return ae.Hint
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return "The host name is not known: check the domain or URL for a typo (AUTH0_DOMAIN, STYTCH_BASE_URL), and that this machine can reach it (a VPN? a proxy?)."
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "Nothing answers at that address: check the URL and its port (AUTH0_DOMAIN, STYTCH_BASE_URL); a sandbox must still be running."
	}
	if errors.Is(err, client.ErrNoAnswer) {
		return "the server took the request but sent no answer in time: check the address and the network (a proxy?), then run the command again"
	}
	return ""
}

// noteWaits returns a context whose HTTP calls print their notable waits (client.Wait) to w,
// one line each, so a rate-limited or failing API is not minutes of silence while a
// headless command connects, reads and plans. The engine reports its own waits as events.
func noteWaits(ctx context.Context, w io.Writer, api string) context.Context {
	var mu sync.Mutex // calls may run in parallel
	return client.WithWaitReporter(ctx, func(wait client.Wait) {
		if wait.Notable() {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintln(w, wait.Note(api))
		}
	})
}
