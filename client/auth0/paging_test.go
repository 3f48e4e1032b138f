package auth0_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
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

// liar is a tenant whose lists never end: answer(path, page, r) writes each page.
func liar(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, page int)) (*fakeTenant, func() error) {
	tenant := &fakeTenant{page: answer}
	src := startFakeTenant(t, tenant, 5*time.Second)
	return tenant, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		start := time.Now()
		_, err := src.Inventory(ctx)
		if ctx.Err() != nil {
			t.Fatalf("the reader was still paging after %s", time.Since(start))
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("the reader took %s to give up", d)
		}
		return err
	}
}

// freshApps is a page of 100 apps never seen before.
func freshApps(seq *atomic.Int64) string {
	var apps []string
	for range 100 {
		n := seq.Add(1)
		apps = append(apps, fmt.Sprintf(`{"client_id":"app%09d","client_secret":"s3cret-%09d-Xy9Qabcdef","name":"App %d","app_type":"non_interactive"}`, n, n, n))
	}
	return strings.Join(apps, ",")
}

func emptyList(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, `{"total":0,%q:[]}`, listKey(r.URL.Path))
}

// Issue 15.4: a server that lies about its lists must not keep the reader paging. Each case
// ends with a clear error, after a few calls, within seconds.
func TestInventoryStopsListsThatNeverEnd(t *testing.T) {
	wantErr := func(t *testing.T, err error, tenant *fakeTenant, maxCalls int64, says string) {
		t.Helper()
		var ae *client.APIError
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), says) || ae.Hint == "" {
			t.Fatalf("Inventory: %v; want an error that says %q, with a hint", err, says)
		}
		if n := tenant.lists.Load(); n > maxCalls {
			t.Errorf("%d list calls before stopping, want at most %d", n, maxCalls)
		}
	}

	// Each case lies in one list and answers the others empty.
	var a, b atomic.Int64
	b.Store(1000)
	pageA, pageB := freshApps(&a), freshApps(&b)
	for _, tc := range []struct {
		name     string
		lies     string // the list's path
		page     func(page int, seq *atomic.Int64) string
		maxCalls int64
		says     string
	}{
		{"a total of 1e9 and fresh pages", "/api/v2/clients", func(_ int, seq *atomic.Int64) string {
			return fmt.Sprintf(`{"total":1000000000,"start":0,"limit":100,"clients":[%s]}`, freshApps(seq))
		}, 1, "announces 1000000000 items"},
		{"two pages served in turn", "/api/v2/clients", func(page int, _ *atomic.Int64) string {
			body := pageA
			if page%2 == 1 {
				body = pageB
			}
			return fmt.Sprintf(`{"total":5000,"start":0,"limit":100,"clients":[%s]}`, body)
		}, 3, "came again on page 3"},
		// The first answer says 250 (3 pages); each later one claims more, so the total of the
		// page at hand never ends the list: the first answer's does, plus a margin.
		{"more pages than the total announced", "/api/v2/clients", func(page int, seq *atomic.Int64) string {
			return fmt.Sprintf(`{"total":%d,"start":0,"limit":100,"clients":[%s]}`, 250+page*1000, freshApps(seq))
		}, 3 + 2 + 1, "more than the 3 pages the first answer announced"},
		{"a checkpoint handed out twice", "/api/v2/client-grants", func(_ int, seq *atomic.Int64) string {
			return fmt.Sprintf(`{"client_grants":[{"id":"cgr_%d","client_id":"c","audience":"https://a/","scope":["x"]}],"next":"same"}`, seq.Add(1))
		}, 2 + 2, "checkpoint (next) already followed"},
		{"fresh checkpoints serving the same grants", "/api/v2/client-grants", func(_ int, seq *atomic.Int64) string {
			return fmt.Sprintf(`{"client_grants":[{"id":"cgr_1","client_id":"c","audience":"https://a/","scope":["x"]}],"next":"cp%d"}`, seq.Add(1))
		}, 2 + 2, "came again on page 2"},
		{"fresh checkpoints and empty pages", "/api/v2/client-grants", func(_ int, seq *atomic.Int64) string {
			return fmt.Sprintf(`{"client_grants":[],"next":"cp%d"}`, seq.Add(1))
		}, 2 + 3, "3 pages in a row held nothing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var seq atomic.Int64
			tenant, inventory := liar(t, func(w http.ResponseWriter, r *http.Request, page int) {
				if r.URL.Path != tc.lies {
					emptyList(w, r)
					return
				}
				fmt.Fprint(w, tc.page(page, &seq))
			})
			wantErr(t, inventory(), tenant, tc.maxCalls, tc.says)
		})
	}

	t.Run("fresh checkpoints and fresh grants", func(t *testing.T) {
		var seq atomic.Int64
		tenant, inventory := liar(t, func(w http.ResponseWriter, r *http.Request, _ int) {
			switch r.URL.Path {
			case "/api/v2/client-grants":
				var gs []string
				for range 100 {
					gs = append(gs, fmt.Sprintf(`{"id":"cgr_%d","client_id":"c","audience":"https://a/","scope":["x"]}`, seq.Add(1)))
				}
				fmt.Fprintf(w, `{"client_grants":[%s],"next":"cp%d"}`, strings.Join(gs, ","), seq.Load())
			case "/api/v2/resource-servers":
				fmt.Fprint(w, `{"total":1,"start":0,"limit":100,"resource_servers":[{"id":"rs1","name":"A","identifier":"https://a/"}]}`)
			default:
				fmt.Fprint(w, `{"total":1,"start":0,"limit":100,"clients":[{"client_id":"c","client_secret":"s3cret-c-Xy9Qabcdef","name":"C","app_type":"non_interactive"}]}`)
			}
		})
		// One app and one API hold at most (1+2)·1·3 grants: the first page of 100 is over.
		wantErr(t, inventory(), tenant, 3, "more than 9 items")
	})
}
