package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/stytch"
)

// sandboxToken creates a client in the sandbox's project and returns a token Stytch issues it.
func sandboxToken(t *testing.T, sb *sandbox.Sandbox) string {
	t.Helper()
	s := sb.Stytch()
	tgt, err := stytch.New(stytch.Config{Credentials: client.TargetCredentials{ProjectID: s.ProjectID, Secret: client.NewSecret(s.Secret), BaseURL: s.URL}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := client.Client{ID: "check-client", Secret: client.NewSecret("Zq8-secret-for-check"), Scopes: client.SplitScopes("read:a")}
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
	tok := sandboxToken(t, sb)

	code, out, errOut := run2(t, nil, "check", tok)
	if code != ExitOK || strings.Contains(out, "passed") ||
		!strings.Contains(out, "Decoded only: signature, iss, aud, sub, scope and lifetime not checked; give --stytch-project-id") {
		t.Errorf("decode only: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = run2(t, nil, "check", tok, "--json")
	var res struct{ Passed, Verified bool }
	if code != ExitOK || json.Unmarshal([]byte(out), &res) != nil || res.Verified {
		t.Errorf("decode only, --json after the token: exit %d %s", code, out)
	}
	if code, _, _ := run2(t, nil, "check", "--help"); code != ExitOK {
		t.Errorf("check --help: exit %d", code)
	}
	_, help, _ := run2(t, nil, "check", "--help")
	help = strings.Join(strings.Fields(help), " ") // as wrapped for the terminal
	if !strings.Contains(help, "2 for a usage error") || !strings.Contains(help, "only decoded") {
		t.Errorf("check --help does not document its exit codes:\n%s", help)
	}

	// Flags after the token count.
	code, out, errOut = run2(t, env, "check", tok, "--scopes", "write:a", "--json")
	res = struct{ Passed, Verified bool }{}
	if code != ExitFailed || json.Unmarshal([]byte(out), &res) != nil || res.Passed || !res.Verified {
		t.Errorf("verified, a scope expectation that fails: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = run2(t, env, "check", tok)
	if code != ExitOK || !strings.Contains(out, "All checks passed.\nNot checked: sub, scope and lifetime (give --client-id and --scopes).") {
		t.Errorf("verified: exit %d\n%s", code, out)
	}
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
