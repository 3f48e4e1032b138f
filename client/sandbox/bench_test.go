package sandbox_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/m2mport/m2mport/client/sandbox"
)

// The import benchmarks that come later must be limited by the engine, not the sandbox: these
// measure the sandbox's own rates over loopback HTTP with parallel clients, and a trivial
// request (GET /_sandbox/stats) as the baseline to read them against. The benchmark's
// clients share the machine with the server, as they will in the import benchmarks.
//
//	go test -run '^$' -bench . -benchtime 3s ./client/sandbox/

// benchRequests runs RunParallel over a keep-alive client and reports requests per second.
func benchRequests(b *testing.B, unit string, newReq func(i int64) *http.Request) {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var n atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Do(newReq(n.Add(1)))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body) //nolint:errcheck // draining for keep-alive
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
}

func BenchmarkBaselineStats(b *testing.B) {
	sb := start(b, sandbox.Options{Seed: "empty"})
	u := sb.Stytch().URL + "/_sandbox/stats"
	benchRequests(b, "req/s", func(int64) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		return req
	})
}

func BenchmarkStytchCreate(b *testing.B) {
	sb := start(b, sandbox.Options{Seed: "empty"})
	s := sb.Stytch()
	u := s.URL + "/v1/m2m/clients"
	benchRequests(b, "creates/s", func(i int64) *http.Request {
		body := fmt.Sprintf(`{"client_id":"bench-client-%08d","client_secret":"%s-%d","client_name":"Bench client %d",`+
			`"client_description":"Created by BenchmarkStytchCreate","scopes":["read:orders","write:orders","read:inventory"],`+
			`"trusted_metadata":{"team":"bench"}}`, i, goodSecret, i, i)
		req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(s.ProjectID, s.Secret)
		return req
	})
}

func BenchmarkStytchToken(b *testing.B) {
	sb := start(b, sandbox.Options{Seed: "empty"})
	s := newStytch(b, sb)
	s.create(map[string]any{"client_id": "bench-token", "client_secret": goodSecret, "scopes": []string{"read:orders", "write:orders"}})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"bench-token"}, "client_secret": {goodSecret}}.Encode()
	u := s.tokenURL()
	benchRequests(b, "tokens/s", func(int64) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	})
}

// BenchmarkBaselineRSASign is the machine's raw RS256 signing rate with the same key size
// (2048 bits) and parallelism: the ceiling for BenchmarkStytchToken, which signs one JWT per
// request.
func BenchmarkBaselineRSASign(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte("header.claims"))
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signs/s")
}

// BenchmarkStart measures starting and closing a demo sandbox (tests start dozens).
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		sb, err := sandbox.Start(sandbox.Options{})
		if err != nil {
			b.Fatal(err)
		}
		sb.Close()
	}
}
