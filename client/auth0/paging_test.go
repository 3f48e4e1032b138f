package auth0_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
)

// A proxy or cache that drops the query string answers the first page whatever page is asked
// for. The reader must say so instead of returning the first 100 apps of a tenant of 250 as if
// they were all of them.
func TestInventoryRefusesPagesThatIgnoreThePageAskedFor(t *testing.T) {
	var apps []string
	for i := range 100 {
		apps = append(apps, fmt.Sprintf(`{"client_id":"app%05d","client_secret":"s3cret-%05d-Xy9Qabcdef","name":"App %d","app_type":"non_interactive"}`, i, i, i))
	}
	firstPage := `{"total":250,"start":0,"limit":100,"clients":[` + strings.Join(apps, ",") + `]}`
	tenant := &fakeTenant{page: func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path != "/api/v2/clients" {
			fmt.Fprintf(w, `{"total":0,%q:[]}`, listKey(r.URL.Path))
			return
		}
		fmt.Fprint(w, firstPage)
	}}
	inv, err := startFakeTenant(t, tenant, 5*time.Second).Inventory(context.Background())
	var ae *client.APIError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "page 1 repeats page 0") || ae.Hint == "" {
		t.Fatalf("Inventory: %v, %v; want an error that says page 1 repeats page 0, with a hint", inv, err)
	}
	if n := tenant.lists.Load(); n != 2 {
		t.Errorf("%d list calls: the reader should stop at the first repeated page", n)
	}
}
