package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
	"github.com/m2mport/m2mport/keystore"
)

// A Consumer project serves its signing keys only at the consumer path, a B2B one only at
// the B2B path. With no vertical given anywhere, an import verifies every client and check
// verifies a token on both (issue 12 §1).
func TestImportAndCheckOnBothVerticalsWithNoOptionGiven(t *testing.T) {
	for _, vertical := range []string{"consumer", "b2b"} {
		t.Run(vertical, func(t *testing.T) {
			sb, env := sandboxEnv(t, sandbox.Options{StytchVertical: vertical})
			code, out, errOut := run2(t, env, "import", "--all", "--yes")
			if code != ExitOK || !strings.Contains(out, "verified  6 of 6, 0 failed") { // Partner Webhooks and the settlement app widen access: blocked
				t.Fatalf("import on a %s project: exit %d\n%s\n%s", vertical, code, out, errOut)
			}
			routes := sandboxtest.Stats(t, sb.Stytch().URL).Routes
			own, other := "GET /v1/b2b/sessions/jwks/{project_id}", "GET /v1/sessions/jwks/{project_id}"
			if vertical == "consumer" {
				own, other = other, own
			}
			// Found once, then kept: the other path was asked at most once, and said no.
			if routes[own]["200"] == 0 || routes[other]["200"] != 0 || routes[other]["400"] > 1 {
				t.Errorf("key fetches on a %s project: own %v, other %v", vertical, routes[own], routes[other])
			}

			tok := sandboxToken(t, sb, "vertical-check", "read:a")
			code, out, errOut = runIn(t, env, tok, "check", "--client-id", "vertical-check", "--scopes", "read:a")
			if code != ExitOK || !strings.Contains(out, "✓ signature") || !strings.Contains(out, "All checks passed.") {
				t.Fatalf("check on a %s project: exit %d\n%s\n%s", vertical, code, out, errOut)
			}
		})
	}
}

// login finds the vertical and saves it with the credentials; status shows it, and a given
// one (flag or STYTCH_VERTICAL) wins over the saved one.
func TestLoginRemembersTheVerticalAndStatusShowsIt(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{StytchVertical: "consumer"})
	s := sb.Stytch()
	store := keystore.NewMemory()
	code, out, errOut := realRun(t, store, s.Secret, "login", "stytch", "--stytch-project-id", s.ProjectID, "--stytch-base-url", s.URL, "--secret-stdin")
	if code != ExitOK || !strings.Contains(out, "Consumer project") {
		t.Fatalf("login stytch: exit %d\n%s%s", code, out, errOut)
	}
	saved, err := store.LoadTarget(context.Background(), "")
	if err != nil || saved.Vertical != client.VerticalConsumer {
		t.Fatalf("saved %+v, %v; want the consumer vertical", saved, err)
	}
	code, out, _ = realRun(t, store, "", "status")
	if !strings.Contains(out, "vertical       Consumer") || !strings.Contains(out, "keyring") {
		t.Errorf("status: exit %d\n%s", code, out)
	}

	r := resolveTarget(context.Background(), client.TargetCredentials{}, getenv(map[string]string{envStytchVertical: "b2b"}), store)
	if r.Vertical != client.VerticalB2B || r.From.Vertical != originEnv {
		t.Errorf("STYTCH_VERTICAL should win over the saved vertical: %q from %s", r.Vertical, r.From.Vertical)
	}
	if code, _, errOut := realRun(t, store, "", "status", "--stytch-vertical", "b2c"); code != ExitUsage || !strings.Contains(errOut, "consumer or b2b") {
		t.Errorf("--stytch-vertical b2c: exit %d, %q", code, errOut)
	}
}
