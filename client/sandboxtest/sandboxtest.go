// Package sandboxtest is what tests share when they run against client/sandbox: a sandbox
// per test, what its Stytch emulator stores and its request counts, a buffer a serving
// sandbox writes while the test reads it, the check that an error holds no secret, and a
// record of the waits a client reports. Only tests import it (of client, client/auth0,
// client/stytch, cli, tui and the top level); it imports client and client/sandbox and
// nothing else of ours. client/sandbox, written from the specs, never imports it; its own
// tests take the sandbox's lifetime, stats and log buffer from it, nothing that speaks
// the APIs' wire.
package sandboxtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
)

// Start starts a sandbox that closes when the test ends; a failure to close fails the test.
func Start(t testing.TB, opts sandbox.Options) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start(opts)
	if err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	t.Cleanup(func() {
		if err := sb.Close(); err != nil {
			t.Errorf("close sandbox: %v", err)
		}
	})
	return sb
}

// SourceCredentials are the Auth0 emulator's Management API app's.
func SourceCredentials(sb *sandbox.Sandbox) client.SourceCredentials {
	a := sb.Auth0()
	return client.SourceCredentials{Domain: a.Domain, ClientID: a.ClientID, Secret: client.NewSecret(a.ClientSecret)}
}

// TargetCredentials are the Stytch emulator's project's.
func TargetCredentials(sb *sandbox.Sandbox) client.TargetCredentials {
	s := sb.Stytch()
	return client.TargetCredentials{ProjectID: s.ProjectID, Secret: client.NewSecret(s.Secret), BaseURL: s.URL}
}

// NewClient builds an API client (auth0.New, stytch.New) from cfg, changed first by mod
// when there is one, failing t when it can't.
func NewClient[C, T any](t testing.TB, newClient func(C) (T, error), cfg C, mod func(*C)) T {
	t.Helper()
	if mod != nil {
		mod(&cfg)
	}
	c, err := newClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Stats reads GET /_sandbox/stats of the listener at baseURL.
func Stats(t testing.TB, baseURL string) sandbox.StatsJSON {
	t.Helper()
	var s sandbox.StatsJSON
	GetJSON(t, baseURL+"/_sandbox/stats", &s)
	return s
}

// StoredList reads GET /_sandbox/clients of the Stytch emulator: every client it stores,
// in its order, an id held twice listed twice.
func StoredList(t testing.TB, sb *sandbox.Sandbox) []sandbox.InspectedClient {
	t.Helper()
	var body struct{ Clients []sandbox.InspectedClient }
	GetJSON(t, sb.Stytch().URL+"/_sandbox/clients", &body)
	return body.Clients
}

// Stored is StoredList by id; it fails t when an id is stored twice.
func Stored(t testing.TB, sb *sandbox.Sandbox) map[string]sandbox.InspectedClient {
	t.Helper()
	m := map[string]sandbox.InspectedClient{}
	for _, c := range StoredList(t, sb) {
		if _, dup := m[c.ClientID]; dup {
			t.Fatalf("client %s is stored twice", c.ClientID)
		}
		m[c.ClientID] = c
	}
	return m
}

// GetJSON decodes the answer to a plain GET of url into out; any answer but 200 fails t.
func GetJSON(t testing.TB, url string, out any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, raw)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// NoSecretIn fails t when err, printed in any format, holds one of secrets (those under 8
// characters are too short to tell apart from other text).
func NoSecretIn(t testing.TB, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
	var ae *client.APIError
	if errors.As(err, &ae) {
		texts = append(texts, fmt.Sprintf("%#v", *ae))
	}
	for _, text := range texts {
		for _, s := range secrets {
			if len(s) >= 8 && strings.Contains(text, s) {
				t.Fatalf("an error holds a secret (…%s): %s", s[len(s)-4:], text)
			}
		}
	}
}

// Buffer collects what a process writes (a serving sandbox's log, a subprocess's stderr)
// while the test reads it. It is safe for concurrent use.
type Buffer struct {
	mu sync.Mutex
	b  []byte
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	b.b = append(b.b, p...)
	b.mu.Unlock()
	return len(p), nil
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.b)
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
