package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/sanitize"
)

// maxTokenBytes caps what check reads from stdin: a JWT is a few kilobytes at most.
const maxTokenBytes = 64 << 10

func newCheckCmd(env *Env) *cobra.Command {
	var (
		target     client.TargetCredentials
		clientID   string
		scopes     string
		asJSON     bool
		decodeOnly bool
	)
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Verify an access token against a Stytch project and show its checklist.",
		Long: "Decode an access token, verify its signature against a Stytch project's keys, and show the checklist.\n\n" +
			"The token comes from $" + envToken + ", else stdin (\"-\" as the argument says stdin whatever " +
			"the environment holds); on a terminal with neither, m2mport asks for it without echo. " +
			"The project is --stytch-project-id or $STYTCH_PROJECT_ID; --client-id and --scopes add what " +
			"sub and scope must be. (A token given as the argument is read too, but shows in ps and in " +
			"shell history.)\n\n" +
			"Exit status: 0 the signature was verified and no check failed; 1 a check failed, the token " +
			"is not a JWT, or the project's keys could not be read; 2 a usage error (no token, a bad flag); " +
			"3 the token was only decoded, as there is no project to verify it against (--decode-only " +
			"asks for that, and then exits 0 when no check fails); 130 interrupted (Ctrl-C).",
		Example: `# a token from a file, or a pipe, checked against the project in STYTCH_PROJECT_ID
m2mport check --client-id reports-svc --scopes "read:reports" < token.txt
# from the environment
M2MPORT_TOKEN="$(cat token.txt)" m2mport check --stytch-project-id project-test-…
# decode it only: no project, no verdict on who signed it
m2mport check --decode-only < token.txt`,
		Args:              cobra.ArbitraryArgs, // at most one, the token: see RunE
		ValidArgsFunction: noFiles,
	}
	f := cmd.Flags()
	addStytchFlags(cmd, &target)
	f.StringVar(&clientID, "client-id", "", "client id the token should be for (its sub)")
	f.StringVar(&scopes, "scopes", "", `scopes the token should carry, space separated ("read:a write:a")`)
	f.BoolVar(&asJSON, "json", false, "print the checklist, header and payload as one JSON object")
	f.BoolVar(&decodeOnly, "decode-only", false, "only decode the token, never verify it (exit 0 instead of 3 when no check fails)")
	notFiles(cmd, "client-id", "scopes")
	aliases(cmd, oldStytchNames)
	// With --json, stdout is one object even when there is no checklist, so a script
	// always has something to parse; stderr says the same to a person.
	failedJSON := func(err error) {
		if asJSON {
			writeJSON(env.Out, struct {
				Passed bool   `json:"passed"`
				Error  string `json:"error"`
				Hint   string `json:"hint,omitempty"`
			}{false, err.Error(), hint(err)})
		}
	}
	runCheck := func(ctx context.Context, args []string) int {
		scopesSet := cmd.Flags().Changed("scopes")
		failed := func(err error, code int) int {
			failedJSON(err)
			return fail(env, "check", err, code)
		}
		token, err := readToken(ctx, env, args)
		switch {
		case errors.Is(err, context.Canceled):
			fmt.Fprintln(env.Err) // the prompt's line was not ended by the operator
			return ExitInterrupted
		case err != nil:
			return failed(err, ExitUsage)
		}
		want := client.Expect{ClientID: clientID}
		if scopesSet {
			s := client.SplitScopes(scopes)
			want.Scopes = &s
		}
		var keys client.KeyFunc
		// No keyring: the key set is public, so a check needs no saved secret.
		creds := resolveTarget(ctx, target, env.Getenv, nil)
		if creds.ProjectID != "" && !decodeOnly {
			t, err := env.target(creds.TargetCredentials)
			if err != nil {
				return failed(err, ExitUsage)
			}
			want.ProjectID, want.Issuers, keys = t.ProjectID(), t.Issuers(), t.Key
		}
		cl, err := client.CheckToken(ctx, token, keys, want)
		if err != nil {
			return failed(err, ExitFailed)
		}
		if asJSON {
			sig, _ := cl.Line("signature")
			writeJSON(env.Out, struct {
				Passed bool `json:"passed"`
				// Verified is whether the signature was checked against the project's
				// keys and held: false for a token only decoded.
				Verified bool `json:"verified"`
				*client.Checklist
			}{cl.Passed(), sig.Status == client.CheckPass, cl})
		} else {
			printChecklist(env.outputOf(env.Out), cl, true)
		}
		switch {
		case !cl.Passed():
			return ExitFailed
		case keys == nil && !decodeOnly:
			// Decoding proves nothing about who signed it: `check && deploy` must not pass a
			// token anyone could have made.
			o := env.outputOf(env.Err)
			o.printf("%s\n", o.wrap("m2mport check: not verified (exit 3): there is no Stytch project to check the signature against. "+
				"Give --stytch-project-id (or set STYTCH_PROJECT_ID), or --decode-only to only decode.", ""))
			return ExitUnverified
		}
		return ExitOK
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		// The token, or none (stdin, $M2MPORT_TOKEN). More is refused as every command refuses
		// an extra argument, and with --json as one object on stdout too.
		if err := atMost(1)(cmd, args); err != nil {
			failedJSON(err)
			return err
		}
		return status(runCheck(cmd.Context(), args))
	}
	return cmd
}

// envToken is the environment variable check reads a token from: a token on the command
// line shows in ps and in shell history.
const envToken = "M2MPORT_TOKEN"

// readToken takes the token from the argument (kept for scripts that pass it so), else from
// $M2MPORT_TOKEN, else from stdin: piped, or typed without echo at a prompt when stdin is a
// terminal. "-" as the argument means stdin whatever the environment holds. A leading
// "Bearer " and line breaks are dropped (client.PastedToken). The prompt gives up on Ctrl-C
// with context.Canceled.
func readToken(ctx context.Context, env *Env, args []string) (client.Secret, error) {
	var raw string
	fromStdin := len(args) == 1 && args[0] == "-"
	switch {
	case len(args) == 1 && !fromStdin:
		raw = args[0]
	case !fromStdin && env.Getenv(envToken) != "":
		raw = env.Getenv(envToken)
	case env.Terminal != nil || isTerminal(env.In):
		tty := env.terminal()
		if tty == nil {
			return client.Secret{}, errors.New("no token: pipe it to stdin, or set " + envToken)
		}
		var err error
		if raw, err = tty.ReadSecret(ctx, "Token to check (not shown): "); err != nil {
			if errors.Is(err, io.EOF) {
				err = errors.New("no token was typed")
			}
			return client.Secret{}, err
		}
	default:
		b, err := io.ReadAll(io.LimitReader(env.In, maxTokenBytes+1))
		if err != nil {
			return client.Secret{}, fmt.Errorf("read the token from stdin: %w", err)
		}
		if len(b) > maxTokenBytes {
			return client.Secret{}, errors.New("the input is larger than any access token: pass one token")
		}
		raw = string(b)
	}
	token := client.PastedToken(raw)
	if token.Reveal() == "" {
		return client.Secret{}, errors.New("no token: pipe it to stdin, or set " + envToken)
	}
	return token, nil
}

// checkMark is the symbol of a checklist line in plain text.
func checkMark(s client.CheckStatus) string {
	switch s {
	case client.CheckPass:
		return "✓"
	case client.CheckFail:
		return "✗"
	}
	return "·"
}

// printChecklist prints the checklist as a table, the token's header and payload first when
// withToken is set, and a closing verdict.
func printChecklist(o *output, cl *client.Checklist, withToken bool) {
	if withToken && len(cl.Header) > 0 {
		o.printf("%s\n%s\n\n%s\n%s\n\n", o.m.Bold.Render("Header"), sanitize.Text(string(cl.Header)), o.m.Bold.Render("Payload"), sanitize.Text(string(cl.Payload)))
	}
	mark := func(s client.CheckStatus) string {
		switch s {
		case client.CheckPass:
			return o.m.Success.Render(checkMark(s))
		case client.CheckFail:
			return o.m.Error.Render(checkMark(s))
		}
		return o.m.Muted.Render(checkMark(s))
	}
	// A line per check; a failed one also says what was expected and what is wrong. Values
	// come from the token: each stays on its line, so a claim cannot draw a line of its own.
	for _, l := range cl.Checks {
		actual := sanitize.Line(l.Actual)
		switch l.Status {
		case client.CheckFail:
			o.printf("%s %-9s %s\n", mark(l.Status), l.Name, o.m.Error.Render(sanitize.Line(l.Note)))
			o.printf("  %-9s expected %s\n  %-9s got      %s\n", "", sanitize.Line(l.Expected), "", actual)
		case client.CheckInfo:
			o.printf("%s %-9s %s %s\n", mark(l.Status), l.Name, actual, o.m.Muted.Render("(not checked)"))
		default:
			o.printf("%s %-9s %s\n", mark(l.Status), l.Name, actual)
		}
	}
	o.printf("\n")
	lines := verdict(cl)
	for i, l := range lines {
		switch {
		case i == 0 && len(cl.Failed()) > 0:
			l = o.m.Error.Render(l)
		case i == 0 && strings.HasPrefix(l, "All checks passed"):
			l = o.m.Success.Render(l)
		default:
			l = o.wrap(l, "")
		}
		o.printf("%s\n", l)
	}
}

// verdict sums the checklist up: what failed, or that all passed, then what was not
// checked. A token only decoded has passed nothing that proves it came from the project, so
// its verdict is that, never "passed".
func verdict(cl *client.Checklist) []string {
	var unchecked, flags []string
	for _, l := range cl.Checks {
		if l.Status == client.CheckInfo {
			unchecked = append(unchecked, l.Name)
			if f, ok := map[string]string{"sub": "--client-id", "scope": "--scopes"}[l.Name]; ok {
				flags = append(flags, f)
			}
		}
	}
	var out []string
	decodedOnly := false
	if sig, _ := cl.Line("signature"); sig.Status == client.CheckInfo {
		decodedOnly = true
	}
	switch failed := len(cl.Failed()); {
	case failed == 1:
		out = append(out, "1 check failed.")
	case failed > 1:
		out = append(out, fmt.Sprintf("%d checks failed.", failed))
	case !decodedOnly:
		out = append(out, "All checks passed.")
	}
	switch {
	case decodedOnly:
		out = append(out, "Decoded only: "+client.List(unchecked)+" not checked; give --stytch-project-id (or set STYTCH_PROJECT_ID) to verify the token against the project's keys.")
	case len(flags) > 0:
		out = append(out, "Not checked: "+client.List(unchecked)+" (give "+client.List(flags)+").")
	case len(unchecked) > 0:
		out = append(out, "Not checked: "+client.List(unchecked)+".")
	}
	return out
}

// writeJSON prints v as one line of JSON. Text from outside is kept exactly, but what a
// terminal would act on even inside a JSON string — C1 controls (U+0080–U+009F) and bidi
// controls, which encoding/json writes as they are — is written as a \u escape, which every
// JSON reader decodes back: NDJSON read on a terminal is as inert as the human output.
func writeJSON(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(fmt.Sprintf(`{"error":%q}`, err.Error()))
	}
	w.Write(append(escapeTerminalControls(b), '\n'))
}

func escapeTerminalControls(b []byte) []byte {
	active := func(r rune) bool { return (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Bidi_Control, r) }
	if !bytes.ContainsFunc(b, active) {
		return b
	}
	var out bytes.Buffer
	for _, r := range string(b) {
		if active(r) {
			fmt.Fprintf(&out, `\u%04x`, r)
		} else {
			out.WriteRune(r)
		}
	}
	return out.Bytes()
}
