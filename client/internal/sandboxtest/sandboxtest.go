// Package sandboxtest is what the tests of client/auth0 and client/stytch share when they
// run against client/sandbox: a sandbox per test, its request counts, and a record of the
// waits a client reports. Only those tests import it; it imports client and client/sandbox
// and nothing else of ours (and client/sandbox, written from the specs, never imports it).
package sandboxtest

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
)

// Start starts a sandbox that closes when the test ends.
func Start(t testing.TB, opts sandbox.Options) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

// Stats reads GET /_sandbox/stats of the listener at baseURL.
func Stats(t testing.TB, baseURL string) sandbox.StatsJSON {
	t.Helper()
	var s sandbox.StatsJSON
	GetJSON(t, baseURL+"/_sandbox/stats", &s)
	return s
}

// GetJSON decodes the answer to a plain GET of url into out.
func GetJSON(t testing.TB, url string, out any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// Waits counts the waits a client reports, by reason. It is safe for concurrent use.
type Waits struct {
	mu       sync.Mutex
	byReason map[client.WaitReason]int
}

// FaultWaits returns ctx reporting every wait to a new Waits, and fails t when a 429 is waited
// on for less than the second the sandbox's injected 429s ask for (Retry-After: 1). Use it
// where only injected faults, not the sandbox's rate limits, answer 429.
func FaultWaits(t testing.TB, ctx context.Context) (context.Context, *Waits) {
	w := &Waits{byReason: map[client.WaitReason]int{}}
	return client.WithWaitReporter(ctx, func(wait client.Wait) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.byReason[wait.Reason]++
		if wait.Reason == client.WaitRateLimited && wait.Delay < time.Second {
			t.Errorf("waited %s after an injected 429, which says Retry-After: 1", wait.Delay)
		}
	}), w
}

// ByReason returns the counts so far.
func (w *Waits) ByReason() map[client.WaitReason]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.byReason)
}
