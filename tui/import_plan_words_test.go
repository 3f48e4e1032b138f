package tui

import (
	"strings"
	"testing"

	"github.com/m2mport/m2mport/client"
)

// "This will update 2, then mint…" named no clients: each count says what it counts.
func TestConfirmNamesWhatItWrites(t *testing.T) {
	for _, tc := range []struct {
		n    client.PlanCounts
		want string
	}{
		{client.PlanCounts{Create: 2, Update: 1}, "create 2 clients and update 1 client"},
		{client.PlanCounts{Update: 2}, "update 2 clients"},
		{client.PlanCounts{Create: 1}, "create 1 client"},
	} {
		if got := strings.Join(planWrites(tc.n), " and "); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.n, got, tc.want)
		}
	}
}
