package auth0_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/auth0"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
)

// heapPeak samples the live heap every millisecond while it runs, so a benchmark can report
// the peak memory of one operation, not just what it allocated in total.
type heapPeak struct {
	peak atomic.Uint64
	stop chan struct{}
	done sync.WaitGroup
}

func startHeapPeak() *heapPeak {
	runtime.GC()
	h := &heapPeak{stop: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > h.peak.Load() {
			h.peak.Store(v)
		}
	}
	read()
	h.done.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				read()
				return
			case <-t.C:
				read()
			}
		}
	})
	return h
}

func (h *heapPeak) end() uint64 {
	close(h.stop)
	h.done.Wait()
	return h.peak.Load()
}

// replay serves the sandbox's answers from memory after the first time it sees a request,
// so that benchmarks measure the reader, not the emulator (whose page handling dominates
// otherwise). Rate-limit headers are dropped: replayed, they would be stale.
func replay(b *testing.B, sb *sandbox.Sandbox) string {
	type answer struct {
		status int
		body   []byte
	}
	var mu sync.Mutex
	cache := map[string]answer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		key := r.Method + " " + r.URL.RequestURI()
		if r.URL.Path == "/oauth/token" {
			form, _ := url.ParseQuery(string(body))
			form.Set("audience", sb.Auth0().Audience) // the replay's own audience means nothing to the sandbox
			body = []byte(form.Encode())
			key += " " + form.Get("client_id")
		}
		mu.Lock()
		a, ok := cache[key]
		mu.Unlock()
		if !ok {
			req, _ := http.NewRequest(r.Method, sb.Auth0().URL+r.URL.RequestURI(), bytes.NewReader(body))
			req.Header = r.Header.Clone()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			a = answer{resp.StatusCode, data}
			mu.Lock()
			cache[key] = a
			mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(a.body)))
		w.WriteHeader(a.status)
		w.Write(a.body)
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// rawPages is the baseline: the same requests with plain net/http, bodies decoded into
// generic maps, no policy, no join, no records. What Inventory costs beyond it is the
// reader's own work.
func rawPages(b *testing.B, base string, sb *sandbox.Sandbox) int {
	a := sb.Auth0()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {a.ClientID}, "client_secret": {a.ClientSecret}, "audience": {base + "/api/v2/"}}
	resp, err := http.PostForm(base+"/oauth/token", form)
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	items := 0
	for _, list := range []struct {
		path, key string
		q         url.Values
	}{
		{"/api/v2/clients", "clients", url.Values{"app_type": {"non_interactive"}, "is_global": {"false"}, "include_fields": {"true"},
			"fields": {"client_id,client_secret,name,description,app_type,client_metadata,grant_types,token_endpoint_auth_method,client_authentication_methods,tenant"}}},
		{"/api/v2/client-grants", "client_grants", url.Values{}},
		{"/api/v2/resource-servers", "resource_servers", url.Values{}},
	} {
		list.q.Set("per_page", "100")
		list.q.Set("include_totals", "true")
		for page := 0; ; page++ {
			list.q.Set("page", strconv.Itoa(page))
			req, _ := http.NewRequest("GET", base+list.path+"?"+list.q.Encode(), nil)
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			req.Header.Set("Accept", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var p map[string]any
			if err := json.Unmarshal(body, &p); err != nil {
				b.Fatalf("%s: %v", list.path, err)
			}
			n := len(p[list.key].([]any))
			items += n
			if n < 100 {
				break
			}
		}
	}
	return items
}

// BenchmarkInventory reads N apps without a rate limit, against the baseline of fetching the
// same pages raw. Both run against a replay of the sandbox's answers, so neither pays for
// the emulator.
func BenchmarkInventory(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		sb := sandboxtest.Start(b, sandbox.Options{Seed: fmt.Sprintf("generated:%d", n), RandomSeed: 1})
		base := replay(b, sb)
		mgmt := sb.Auth0()
		src := func() *auth0.Source {
			s, err := auth0.New(auth0.Config{Credentials: client.SourceCredentials{Domain: base, ClientID: mgmt.ClientID, Secret: client.NewSecret(mgmt.ClientSecret)}})
			if err != nil {
				b.Fatal(err)
			}
			return s
		}
		// Warm the replay with both kinds of request.
		rawPages(b, base, sb)
		if _, err := src().Inventory(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("baseline-raw/apps=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				h := startHeapPeak()
				rawPages(b, base, sb)
				peak = max(peak, h.end())
			}
			b.ReportMetric(float64(peak), "peak-heap-B")
		})
		b.Run(fmt.Sprintf("inventory/apps=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				h := startHeapPeak()
				inv, err := src().Inventory(context.Background())
				if err != nil || len(inv.Clients) != n+1 {
					b.Fatal(err)
				}
				peak = max(peak, h.end())
			}
			b.ReportMetric(float64(peak), "peak-heap-B")
		})
	}
}

// BenchmarkFreeTier reads 1,000 apps from a sandbox at Auth0's free-tier limit (burst 2,
// 2/s) and reports the time taken over the least the limit allows for the Management API
// calls made ((calls − burst) / rate), and the 429s drawn. Run with -benchtime=1x: one
// operation takes about 15 s.
func BenchmarkFreeTier(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		sb := sandboxtest.Start(b, sandbox.Options{Seed: "generated:1000", RandomSeed: 7, Auth0Rate: sandbox.Rate{PerSecond: 2, Burst: 2}})
		src := newSource(b, sb, nil)
		b.StartTimer()
		begin := time.Now()
		inv, err := src.Inventory(context.Background())
		elapsed := time.Since(begin)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		st := sandboxtest.Stats(b, sb.Auth0().URL)
		mgmt := st.Total - st.Routes["POST /oauth/token"]["200"]
		least := time.Duration(float64(mgmt-2) / 2 * float64(time.Second))
		b.ReportMetric(elapsed.Seconds()/least.Seconds(), "x-least")
		b.ReportMetric(float64(st.Statuses["429"]), "429s")
		b.ReportMetric(float64(mgmt), "mgmt-calls")
		_ = inv
		sb.Close()
		b.StartTimer()
	}
}
