package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
)

// cutoverOut runs cutover against sb and puts placeholders for the emulators' addresses,
// which change from run to run, so that the output can be a golden file.
func cutoverOut(t *testing.T, sb *sandbox.Sandbox, env map[string]string, want int, args ...string) string {
	t.Helper()
	before := sandboxtest.Stored(t, sb)
	writesBefore := stytchWrites(t, sb)
	code, out, errOut := run2(t, env, append([]string{"cutover"}, args...)...)
	if code != want {
		t.Fatalf("cutover %v: exit %d, want %d\n%s\n%s", args, code, want, out, errOut)
	}
	if after := sandboxtest.Stored(t, sb); len(after) != len(before) {
		t.Fatalf("cutover wrote to the project: %d clients, %d before", len(after), len(before))
	}
	if w := stytchWrites(t, sb); w != writesBefore {
		t.Fatalf("cutover sent %d writes to the project", w-writesBefore)
	}
	for _, secret := range []string{env["AUTH0_CLIENT_SECRET"], env["STYTCH_SECRET"], "passpasspass"} {
		if strings.Contains(out+errOut, secret) {
			t.Fatal("cutover printed a secret")
		}
	}
	return strings.NewReplacer(sb.Auth0().URL, "http://AUTH0", sb.Stytch().URL, "http://STYTCH",
		strings.TrimPrefix(sb.Auth0().URL, "http://"), "AUTH0").Replace(out)
}

// stytchWrites counts the requests to the Stytch emulator that could change the project:
// everything but reads, searches and tokens.
func stytchWrites(t *testing.T, sb *sandbox.Sandbox) int {
	n := 0
	for route, byStatus := range sandboxtest.Stats(t, sb.Stytch().URL).Routes {
		if strings.HasPrefix(route, "GET ") || strings.HasSuffix(route, "/search") || strings.Contains(route, "/oauth2/token") {
			continue
		}
		for _, c := range byStatus {
			n += c
		}
	}
	return n
}

// The demo tenant: the shared scope, the client that would gain access, the organization-bound
// grant, and for each API how many more clients an audience-only check would admit, in each
// of the three formats; exit 1, since something would widen access.
func TestCutoverOfTheDemoTenant(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	t.Run("human", func(t *testing.T) {
		out := cutoverOut(t, sb, env, ExitFailed)
		for _, want := range []string{
			"✗ Something would widen access: 2 clients, on 2 APIs.",
			"✗ `read:payments` is also the Billing API's scope: 1 client granted it there would gain access here",
			"✗ organization-bound: Partner Webhooks gets `read:orders` only for an organization",
			"checking only the audience would admit 9 clients it does not today",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("missing %q", want)
			}
		}
		golden.RequireEqual(t, []byte(out))
	})
	t.Run("markdown", func(t *testing.T) {
		golden.RequireEqual(t, []byte(cutoverOut(t, sb, env, ExitFailed, "--markdown")))
	})
	t.Run("json", func(t *testing.T) {
		out := cutoverOut(t, sb, env, ExitFailed, "--json")
		var cut client.Cutover
		if err := json.Unmarshal([]byte(out), &cut); err != nil || strings.Count(strings.TrimSpace(out), "\n") != 0 {
			t.Fatalf("not one JSON object: %v\n%s", err, out)
		}
		if !cut.WidensAccess || len(cut.APIs) != 3 || cut.APIs[1].Name != "Payouts API" || cut.APIs[1].Shared[0].Gain[0].ID != settlementID ||
			cut.APIs[0].OrgGrants[0].Client.ID != partnerID || cut.APIs[1].AudienceOnly.More != 9 {
			t.Errorf("%+v", cut)
		}
		golden.RequireEqual(t, []byte(out))
	})
	t.Run("claims", func(t *testing.T) {
		code, out, errOut := run2(t, env, "cutover", "--compare-claims", "--max-tokens", "3")
		if code != ExitFailed || !strings.HasPrefix(errOut, "Minting 3 Auth0 tokens (one per client and API, 3 of 8: --max-tokens 3)") ||
			!strings.Contains(out, "Claims compared in 3 Auth0 tokens of 8 client–API pairs (0 failed, 1 organization-bound not asked).") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		code, out, errOut = run2(t, env, "cutover", "--compare-claims")
		if code != ExitFailed || !strings.Contains(errOut, "Minting 8 Auth0 tokens") ||
			!strings.Contains(out, "custom claims in its Auth0 tokens that Stytch's won't carry: https://acme.example/warehouse (1 of 5)") ||
			!strings.Contains(out, "stop relying on azp, gty, https://acme.example/warehouse and org_id") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
	})
}

func TestCutoverSaysWhenItCannotLook(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "demo", ManagementScopes: []string{"read:clients", "read:client_keys", "read:client_grants"}})
	out := cutoverOut(t, sb, env, ExitFailed)
	if strings.Contains(out, "Nothing would widen access") || !strings.Contains(out, "read:resource_servers is missing") {
		t.Fatalf("without read:resource_servers:\n%s", out)
	}
	// What the grants show still counts: the organization-bound grant is seen.
	if !strings.Contains(out, "organization-bound: Partner Webhooks") {
		t.Errorf("the organization-bound grant is lost:\n%s", out)
	}
}

func TestCutoverOfATenantWhereNothingWidens(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "generated:20", RandomSeed: 3})
	out := cutoverOut(t, sb, env, ExitOK)
	if !strings.Contains(out, "✓ Nothing would widen access") {
		t.Fatalf("%s", out)
	}
}

func TestCutoverRefusesWhatItShouldNot(t *testing.T) {
	_, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	wantUsageErrors(t, []usageCase{
		{[]string{"--json", "--markdown"}, "not both"},
		{[]string{"--max-tokens", "5"}, "give both"},
		{[]string{"--compare-claims", "--max-tokens", "0"}, "between 1 and 10000"},
		{[]string{"extra"}, `m2mport cutover: takes no arguments (got 1)`},
	}, func(args []string) (int, string, string) {
		return run2(t, env, append([]string{"cutover"}, args...)...)
	})
}
