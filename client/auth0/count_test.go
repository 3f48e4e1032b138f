package auth0_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
)

// Connect's count is the number of clients Inventory offers (what Pick lists): every app
// with client_credentials, whatever its type, and every non_interactive app. It used to
// count non_interactive apps only, so Connect said 12 and Pick listed 13.
func TestConnectCountsWhatInventoryOffers(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	src := newSource(t, sb, nil)
	info, err := src.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	inv, err := src.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Clients != len(inv.Clients) || info.ClientsAtLeast {
		t.Fatalf("Connect counts %d (at least: %v), Inventory offers %d", info.Clients, info.ClientsAtLeast, len(inv.Clients))
	}
}

// app is one application of a pagedTenant.
type pagedApp struct{ appType, grants string }

// pagedTenant serves apps as Auth0 does: filtered by app_type, paged by page and per_page,
// with totals.
func pagedTenant(apps []pagedApp) *fakeTenant {
	return &fakeTenant{page: func(w http.ResponseWriter, r *http.Request, page int) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/api/v2/clients" {
			fmt.Fprintf(w, `{"total":0,"start":0,"limit":100,%q:[]}`, listKey(r.URL.Path))
			return
		}
		q := r.URL.Query()
		var items []string
		for i, a := range apps {
			if types := q.Get("app_type"); types != "" && !slices.Contains(strings.Split(types, ","), a.appType) {
				continue
			}
			grants := ""
			if a.grants != "" {
				grants = fmt.Sprintf(`,"grant_types":[%q]`, a.grants)
			}
			items = append(items, fmt.Sprintf(`{"client_id":"app%05d","client_secret":"s3cret-%05d-Xy9Qabcdef","name":"App %d","app_type":%q%s,"tenant":"acme"}`, i, i, i, a.appType, grants))
		}
		per, _ := strconv.Atoi(q.Get("per_page"))
		if per <= 0 {
			per = 50
		}
		total := len(items)
		items = items[min(page*per, total):min((page+1)*per, total)]
		fmt.Fprintf(w, `{"total":%d,"start":%d,"limit":%d,"clients":[%s]}`, total, page*per, per, strings.Join(items, ","))
	}}
}

// A tenant of more than a page is counted without reading it all: exactly when every app
// that is not M2M is on the first page, else as a lower bound that says so.
func TestConnectCountsALargeTenantHonestly(t *testing.T) {
	const m2m = 230
	build := func(othersAt int) []pagedApp {
		var apps []pagedApp
		for range m2m {
			apps = append(apps, pagedApp{"non_interactive", "client_credentials"})
		}
		others := []pagedApp{
			{"regular_web", "client_credentials"}, {"regular_web", "client_credentials"}, // offered
			{"spa", "implicit"}, {"regular_web", "authorization_code"}, // not offered
		}
		return slices.Insert(apps, othersAt, others...)
	}
	for _, tc := range []struct {
		name     string
		othersAt int
		want     int
		atLeast  bool
	}{
		{"others on the first page", 10, m2m + 2, false},
		{"others further on", 150, m2m, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tenant := pagedTenant(build(tc.othersAt))
			src := startFakeTenant(t, tenant, 5*time.Second)
			info, err := src.Connect(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if info.Clients != tc.want || info.ClientsAtLeast != tc.atLeast {
				t.Errorf("Connect: %d clients (at least: %v), want %d (%v)", info.Clients, info.ClientsAtLeast, tc.want, tc.atLeast)
			}
			if n := tenant.lists.Load(); n != 2 {
				t.Errorf("%d list calls to count a tenant of %d apps; want 2", n, m2m+4)
			}
			inv, err := src.Inventory(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(inv.Clients) < info.Clients || (!info.ClientsAtLeast && len(inv.Clients) != info.Clients) {
				t.Errorf("Inventory offers %d; Connect said %d (at least: %v)", len(inv.Clients), info.Clients, info.ClientsAtLeast)
			}
		})
	}
	// One page: one call, exact.
	tenant := pagedTenant(build(0)[:60])
	info, err := startFakeTenant(t, tenant, 5*time.Second).Connect(context.Background())
	if err != nil || info.Clients != 58 || info.ClientsAtLeast || tenant.lists.Load() != 1 {
		t.Errorf("a tenant of one page: %+v, %v, %d calls", info, err, tenant.lists.Load())
	}
}
