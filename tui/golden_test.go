package tui

import (
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/m2mport/m2mport/client"
)

// TestGolden draws every screen at 100×30 and 60×20 in the ASCII colour profile. Update
// with: go test ./tui -run TestGolden -update
func TestGolden(t *testing.T) {
	scenes := []struct {
		name  string
		setup func(src *fakeSource, tgt *fakeTarget)
		steps func(h *harness)
	}{
		{"connect", nil, func(h *harness) {}},
		{"connect_verified", func(src *fakeSource, _ *fakeTarget) {
			src.info.Missing = []client.MissingPermission{{Scope: "read:client_keys", Consequence: "client secrets are hidden, so no client can be imported"}}
		}, func(h *harness) { h.press("enter") }},
		{"connect_error", func(_ *fakeSource, tgt *fakeTarget) {
			tgt.connectErr = &client.APIError{API: "stytch", Status: 401, Code: client.CodeUnauthorized, RequestID: "request-id-test-0001"}
		}, func(h *harness) { h.press("enter") }},
		{"connect_live", func(_ *fakeSource, tgt *fakeTarget) {
			tgt.projectID, tgt.live = "project-live-0000aaaa-1111-2222-3333-444455556666", true
		}, func(h *harness) { h.press("enter") }},
		{"pick", nil, func(h *harness) { h.press("enter", "enter", "space") }},
		{"pick_details", nil, func(h *harness) { h.press("enter", "enter", "tab") }},
		{"pick_filter", nil, func(h *harness) { h.press("enter", "enter", "o", "/"); h.typeText("or") }},
		{"scopes", nil, func(h *harness) { h.press("enter", "enter", "a", "enter", "down", "space") }},
		{"scopes_text", nil, func(h *harness) { h.press("enter", "enter", "a", "enter", "e", "space"); h.typeText(" x") }},
		{"manual", nil, func(h *harness) { h.press("enter", "m"); h.typeText("svc-01"); h.press("tab"); h.typeText("short") }},
		{"help", nil, func(h *harness) { h.press("enter", "enter", "?") }},
		{"problem", func(src *fakeSource, _ *fakeTarget) {
			src.invErr = &client.APIError{API: "auth0", Status: 403, Code: "insufficient_scope", Message: "Insufficient scope, expected any of: read:clients", Hint: "add read:clients to the Management API grant of the app m2mport uses"}
		}, func(h *harness) { h.press("enter", "enter") }},
	}
	for _, sc := range scenes {
		for _, size := range [][2]int{{100, 30}, {60, 20}} {
			t.Run(sc.name+"/"+sizeName(size), func(t *testing.T) {
				src, tgt := fakes()
				if sc.setup != nil {
					sc.setup(src, tgt)
				}
				h := newHarness(t, testConfig(src, tgt), size[0], size[1])
				sc.steps(h)
				out := h.view()
				for _, secret := range []string{"mgmt-secret-value", "project-secret-value", "s3cr3t-"} {
					if strings.Contains(out, secret) {
						t.Fatalf("a secret reached the golden file: %s", secret)
					}
				}
				golden.RequireEqual(t, []byte(out))
			})
		}
	}
	t.Run("too_small", func(t *testing.T) {
		src, tgt := fakes()
		h := newHarness(t, testConfig(src, tgt), 40, 12)
		golden.RequireEqual(t, []byte(h.view()))
	})
}

func sizeName(s [2]int) string { return strconv.Itoa(s[0]) + "x" + strconv.Itoa(s[1]) }
