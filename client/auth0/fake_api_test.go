package auth0_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/auth0"
)

// mgmtSecret is the Management API app's secret on fake tenants: nothing may echo it.
const mgmtSecret = "mgmt-Secret-Qz8xLw3KpN2vR7tY"

// fakeTenant is a Management API that answers each list page with whatever a test or a fuzz
// input says: unlike the sandbox, it can be wrong in every way a proxy or an outage can.
type fakeTenant struct {
	// page answers a list call for a page (0-based); nil answers an empty page.
	page func(w http.ResponseWriter, r *http.Request, page int)
	// lists counts the list calls made.
	lists atomic.Int64
}

func (f *fakeTenant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/oauth/token":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtZ210In0.c2ln","expires_in":86400,`+
			`"scope":"read:clients read:client_keys read:client_grants read:resource_servers","token_type":"Bearer"}`)
	case strings.HasPrefix(r.URL.Path, "/api/v2/"):
		f.lists.Add(1)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if f.page == nil {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"total":0,"start":0,"limit":100,%q:[]}`, listKey(r.URL.Path))
			return
		}
		f.page(w, r, page)
	default:
		http.NotFound(w, r)
	}
}

// listKey is the key a list page holds its items under.
func listKey(path string) string {
	return map[string]string{"/api/v2/clients": "clients", "/api/v2/client-grants": "client_grants",
		"/api/v2/resource-servers": "resource_servers"}[path]
}

// startFakeTenant serves f on loopback and returns a reader of it with the given attempt
// timeout and few retries.
func startFakeTenant(t testing.TB, f *fakeTenant, timeout time.Duration) *auth0.Source {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return newReader(t, srv.URL, nil, timeout)
}

// inMemoryTenant returns a reader that reaches f without a network: each request is served
// by calling f in the caller's goroutine. Fuzzing needs this: a server's goroutines make
// coverage vary from run to run, and the fuzzer then spends its time minimizing noise.
func inMemoryTenant(t testing.TB, f *fakeTenant) *auth0.Source {
	t.Helper()
	return newReader(t, "https://acme.us.auth0.com", &http.Client{Transport: handlerTransport{f}}, 5*time.Second)
}

type handlerTransport struct{ h http.Handler }

func (ht handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	ht.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

func newReader(t testing.TB, domain string, hc *http.Client, timeout time.Duration) *auth0.Source {
	t.Helper()
	src, err := auth0.New(auth0.Config{
		Credentials: client.SourceCredentials{Domain: domain, ClientID: "mgmtAppClientId0000000000000000", Secret: client.NewSecret(mgmtSecret)},
		HTTPConfig:  client.HTTPConfig{HTTPClient: hc, Timeout: timeout, MaxAttempts: 2, MaxWait: time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}
