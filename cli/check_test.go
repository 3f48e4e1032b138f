package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
)

// sandboxToken creates a client in the sandbox's project and mints a token for it, as a
// service would.
func sandboxToken(t *testing.T, sb *sandbox.Sandbox, id, scopes string) string {
	t.Helper()
	tgt := sandboxTarget(t, sb)
	ctx := context.Background()
	c := client.Client{ID: id, Secret: client.NewSecret("Zq8-secret-for-" + id), Scopes: client.SplitScopes(scopes)}
	if _, err := tgt.Create(ctx, &c); err != nil {
		t.Fatal(err)
	}
	tok, err := tgt.Token(ctx, c.ID, c.Secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok.Value.Reveal()
}

// A token only decoded is not "passed": the verdict says what was not checked, and the exit
// is 0 as check --help documents. With a project, the same token passes, flags after it.
func TestCheckDecodeOnlyIsNotAPass(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "empty"})
	tok := sandboxToken(t, sb, "check-client", "read:a")

	// No project: decoded, not verified, and the exit status says so (3), so that
	// `check && deploy` never passes a token anyone could have signed.
	code, out, errOut := runIn(t, nil, tok, "check")
	if code != ExitUnverified || strings.Contains(out, "passed") ||
		!strings.Contains(out, "Decoded only: signature, iss, aud, sub, scope and lifetime not checked; give --stytch-project-id") ||
		!strings.Contains(errOut, "not verified (exit 3)") {
		t.Errorf("decode only: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runIn(t, nil, tok, "check", "--client-id", "check-client", "--json")
	var res struct{ Passed, Verified bool }
	if code != ExitUnverified || json.Unmarshal([]byte(out), &res) != nil || res.Verified || !res.Passed {
		t.Errorf("decode only, --json: exit %d %s", code, out)
	}
	// Asked for, decoding alone is a success; a failed expectation still fails.
	if code, out, errOut := runIn(t, nil, tok, "check", "--decode-only"); code != ExitOK || strings.Contains(errOut, "exit 3") {
		t.Errorf("--decode-only: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, _ := runIn(t, env, tok, "check", "--decode-only", "--client-id", "someone-else"); code != ExitFailed {
		t.Errorf("--decode-only, a wrong sub: exit %d", code)
	}
	// --decode-only never verifies, even with a project at hand.
	if code, out, _ := runIn(t, env, tok, "check", "--decode-only", "--json"); code != ExitOK || !strings.Contains(out, `"verified":false`) {
		t.Errorf("--decode-only with a project: exit %d %s", code, out)
	}

	_, help, _ := run2(t, nil, "check", "--help")
	help = strings.Join(strings.Fields(help), " ") // as wrapped for the terminal
	for _, status := range []string{"0 the signature was verified", "1 a check failed", "2 a usage error", "3 the token was only decoded", "130 interrupted", "M2MPORT_TOKEN"} {
		if !strings.Contains(help, status) {
			t.Errorf("check --help does not document %q:\n%s", status, help)
		}
	}

	// Verified: 0, or 1 when an expectation fails. The token from the environment.
	env["M2MPORT_TOKEN"] = tok
	code, out, errOut = run2(t, env, "check", "--scopes", "write:a", "--json")
	res = struct{ Passed, Verified bool }{}
	if code != ExitFailed || json.Unmarshal([]byte(out), &res) != nil || res.Passed || !res.Verified {
		t.Errorf("verified, a scope expectation that fails: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = run2(t, env, "check")
	if code != ExitOK || !strings.Contains(out, "All checks passed.\nNot checked: sub, scope and lifetime (give --client-id and --scopes).") {
		t.Errorf("verified: exit %d\n%s", code, out)
	}
	// "-" reads stdin, whatever the environment holds; the argument still works.
	if code, _, errOut := runIn(t, env, "not.a.jwt", "check", "-"); code != ExitFailed || !strings.Contains(errOut, "not a JWT") {
		t.Errorf(`"-" with M2MPORT_TOKEN set: exit %d %s`, code, errOut)
	}
	delete(env, "M2MPORT_TOKEN")
	if code, _, _ := run2(t, env, "check", tok); code != ExitOK {
		t.Errorf("the token as the argument: exit %d", code)
	}
}

// On a terminal with no token, check asks for it without echo; Ctrl-C there ends it with 130.
func TestCheckAsksForTheTokenOnATerminal(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "empty"})
	tok := sandboxToken(t, sb, "check-client", "read:a")
	check := func(tty Terminal, args ...string) (int, string, string) {
		var out, errb strings.Builder
		e := &Env{Stdio: Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}, Getenv: func(k string) string { return env[k] }, Terminal: tty}
		return run(context.Background(), append([]string{"check"}, args...), e), out.String(), errb.String()
	}
	tty := &scriptedTerminal{answers: map[string]string{"Token to check": "Bearer " + tok + "\n"}}
	if code, out, errOut := check(tty); code != ExitOK || !strings.Contains(out, "All checks passed") || len(tty.asked) != 1 || !strings.HasPrefix(tty.asked[0], "secret: ") {
		t.Fatalf("asked %q: exit %d\n%s%s", tty.asked, code, out, errOut)
	}
	if code, _, _ := check(canceledTerminal{}); code != ExitInterrupted {
		t.Fatalf("Ctrl-C at the prompt: exit %d, want %d", code, ExitInterrupted)
	}
	if code, _, errOut := check(eofTerminal{}); code != ExitUsage || !strings.Contains(errOut, "no token was typed") {
		t.Fatalf("end of input at the prompt: exit %d %s", code, errOut)
	}
}

// canceledTerminal is the operator pressing Ctrl-C at a prompt: main cancels the context.
type canceledTerminal struct{}

func (canceledTerminal) ReadLine(context.Context, string) (string, error) {
	return "", context.Canceled
}
func (canceledTerminal) ReadSecret(context.Context, string) (string, error) {
	return "", context.Canceled
}

// Scripts parse --json output: a token that is no JWT is one JSON object on stdout too.
func TestCheckJSONReportsErrorsAsJSON(t *testing.T) {
	for _, tc := range []struct {
		stdin string
		args  []string
		code  int
		says  string
	}{
		{"not.a.jwt", []string{"check", "--json"}, ExitFailed, "not a JWT"},
		{"", []string{"check", "--json", "garbage"}, ExitFailed, "not a JWT"},
		{"", []string{"check", "-", "--json"}, ExitUsage, "no token"},
	} {
		code, out, errOut := runIn(t, nil, tc.stdin, tc.args...)
		var res struct {
			Passed bool
			Error  string
		}
		if code != tc.code || strings.Count(out, "\n") != 1 || json.Unmarshal([]byte(out), &res) != nil || res.Passed || !strings.Contains(res.Error, tc.says) {
			t.Errorf("%v: exit %d, stdout %q, want exit %d and one JSON object saying %q", tc.args, code, out, tc.code, tc.says)
		}
		if !strings.Contains(errOut, tc.says) {
			t.Errorf("%v: stderr %q", tc.args, errOut)
		}
	}
}
