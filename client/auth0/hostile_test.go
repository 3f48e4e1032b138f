package auth0_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/m2mport/m2mport/client"
)

// A Management API that answers what no Management API should — a proxy's HTML page, JSON
// cut short, a body of 50 MB, nothing at all, or the same page whatever page is asked for —
// must give the operator one clear line and a hint, within the reader's own timeouts.
func TestInventoryOfAHostileManagementAPI(t *testing.T) {
	appsPage := func(first int) string {
		var apps []string
		for i := range 100 {
			apps = append(apps, fmt.Sprintf(`{"client_id":"app%05d","client_secret":"s3cret-%05d-Xy9Qabcdef","name":"App %d","app_type":"non_interactive"}`, first+i, first+i, first+i))
		}
		return `{"total":250,"start":0,"limit":100,"clients":[` + strings.Join(apps, ",") + `]}`
	}
	html := `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>`
	cases := []struct {
		name string
		page func(w http.ResponseWriter, r *http.Request, page int)
		says string // what the error must say
	}{
		{"HTML with 200", func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, html)
		}, `the answer is not JSON: unexpected body "502 Bad Gateway`},
		{"HTML with 502", func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, html)
		}, `502: Bad Gateway: unexpected body "502 Bad Gateway`},
		{"truncated JSON", func(w http.ResponseWriter, _ *http.Request, _ int) {
			fmt.Fprint(w, appsPage(0)[:300])
		}, "the answer was cut short"},
		{"connection cut mid-body", func(w http.ResponseWriter, _ *http.Request, _ int) {
			body := appsPage(0)
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			fmt.Fprint(w, body[:300])
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}, "no answer from the server"},
		{"50 MB body", func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.Header().Set("Content-Length", fmt.Sprint(50<<20))
			chunk := []byte(strings.Repeat(" ", 1<<20))
			for range 50 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, "the answer is larger than 10 MiB"},
		{"50 MB body, streamed", func(w http.ResponseWriter, _ *http.Request, _ int) {
			fmt.Fprint(w, `{"clients":[`)
			chunk := []byte(strings.Repeat(`{"client_id":"x"},`, 1<<16))
			for written := 0; written < 50<<20; written += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, "the answer is larger than 10 MiB"},
		{"hangs", func(_ http.ResponseWriter, r *http.Request, _ int) {
			<-r.Context().Done()
		}, "timed out after 300 ms"},
		{"every page the same", func(w http.ResponseWriter, _ *http.Request, _ int) {
			fmt.Fprint(w, appsPage(0))
		}, "page 1 repeats page 0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tenant := &fakeTenant{page: func(w http.ResponseWriter, r *http.Request, page int) {
				if r.URL.Path != "/api/v2/clients" {
					fmt.Fprintf(w, `{"total":0,%q:[]}`, listKey(r.URL.Path))
					return
				}
				tc.page(w, r, page)
			}}
			// Attempts time out after 300 ms in the case that tests it, and 5 s elsewhere so that
			// reading 10 MiB on a loaded machine is not one of them.
			timeout := 5 * time.Second
			if tc.name == "hangs" {
				timeout = 300 * time.Millisecond
			}
			src := startFakeTenant(t, tenant, timeout)
			// A guard, not a measurement: the reader's own bounds (2 attempts, 1 s of
			// waiting) end every case long before it.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := src.Inventory(ctx)
			if err == nil || ctx.Err() != nil {
				t.Fatalf("Inventory: %v (guard: %v)", err, ctx.Err())
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.says) || !strings.HasPrefix(msg, "list applications: ") {
				t.Errorf("error %q, want it to say %q", msg, tc.says)
			}
			if strings.ContainsFunc(msg, unicode.IsControl) || strings.Contains(msg, "json:") || len(msg) > 300 {
				t.Errorf("error should be one short line in words, not a decoder's: %q", msg)
			}
			var ae *client.APIError
			if errors.As(err, &ae) && ae.Hint == "" {
				t.Errorf("no hint for %q", msg)
			}
		})
	}
}
