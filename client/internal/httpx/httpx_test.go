package httpx

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/internal/testclock"
)

// newTest returns a Client for srv with a fake clock.
func newTest(t *testing.T, srv *httptest.Server, mod func(*Config)) (*Client, *testclock.Clock) {
	t.Helper()
	cfg := Config{API: "test", BaseURL: srv.URL, UserAgent: "m2mport/test",
		Policy: Policy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, AttemptTimeout: 2 * time.Second}}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	clk := testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	c.now, c.sleep = clk.Now, clk.Sleep
	return c, clk
}

// realClock is a client of srv with the default policy and the real clock, for tests of
// waits that a cancellation or a stop must cut short.
func realClock(t *testing.T, srv *httptest.Server) *Client {
	t.Helper()
	c, err := New(Config{API: "test", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// script serves the given handlers in turn, the last one for every further request.
func script(handlers ...http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		handlers[min(i, len(handlers)-1)](w, r)
	}))
	return srv, &n
}

func status(code int, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"status":%d}`, code)
	}
}

func okJSON(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	}
}

// drop reads the request and closes the connection without answering.
func drop(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func get() *Request { return &Request{Method: "GET", Path: "/things", Idempotent: true} }

func apiErr(t *testing.T, err error) *client.APIError {
	t.Helper()
	var ae *client.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want *client.APIError, got %T: %v", err, err)
	}
	return ae
}

func TestParseBaseURL(t *testing.T) {
	ok := map[string]string{
		"acme.us.auth0.com":          "https://acme.us.auth0.com",
		" https://Acme.Auth0.com/ ":  "https://acme.auth0.com",
		"https://login.example.com/": "https://login.example.com",
		"http://127.0.0.1:8080":      "http://127.0.0.1:8080",
		"http://127.9.9.9:1/":        "http://127.9.9.9:1",
		"http://[::1]:9000":          "http://[::1]:9000",
		"http://localhost:3000":      "http://localhost:3000",
		"https://example.com/stytch": "https://example.com/stytch",
	}
	for in, want := range ok {
		got, err := ParseBaseURL(in)
		if err != nil || got != want {
			t.Errorf("ParseBaseURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                                "no address",
		"http://example.com":              "plain http is allowed only to this machine",
		"http://10.0.0.1":                 "plain http is allowed only to this machine",
		"http://localhost.example.com":    "plain http is allowed only to this machine",
		"ftp://example.com":               "unsupported scheme",
		"https://user:hunter22@x.com":     "must not contain a user name or password",
		"https://x.com/?token=abc":        "must not contain a query",
		"https://x.com/#frag":             "must not contain a query or fragment",
		"https://":                        "has no host",
		"https://exa mple.com:hunter22/x": "not a valid address",
	}
	for in, want := range bad {
		_, err := ParseBaseURL(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseBaseURL(%q) error = %v; want it to say %q", in, err, want)
			continue
		}
		if strings.Contains(err.Error(), "hunter22") {
			t.Errorf("ParseBaseURL(%q) error repeats the password: %v", in, err)
		}
	}
}

func TestNewRefusesClientWithoutTLSVerification(t *testing.T) {
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	_, err := New(Config{API: "x", BaseURL: "https://example.com", HTTPClient: insecure})
	if err == nil || !strings.Contains(err.Error(), "TLS") {
		t.Fatalf("want a refusal, got %v", err)
	}
	if _, err := New(Config{API: "x", BaseURL: "http://example.com"}); err == nil {
		t.Fatal("plain http to a remote host must be refused at construction")
	}
}

func TestSendsUserAgentHeadersAndBodies(t *testing.T) {
	var got *http.Request
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		r.ParseForm()
		body = r.PostForm.Encode()
		fmt.Fprint(w, `{"ok":true}`)
	}))
	defer srv.Close()
	c, _ := newTest(t, srv, nil)
	var out struct{ OK bool }
	err := c.Do(context.Background(), &Request{Method: "POST", Path: "/a%2Fb", Query: map[string][]string{"x": {"1"}},
		Header: http.Header{"Authorization": {"Bearer t0ken"}}, Form: map[string][]string{"k": {"v w"}}}, &out)
	if err != nil || !out.OK {
		t.Fatalf("err %v out %+v", err, out)
	}
	if ua := got.Header.Get("User-Agent"); ua != "m2mport/test" {
		t.Errorf("User-Agent %q", ua)
	}
	if got.Header.Get("Authorization") != "Bearer t0ken" || got.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("headers %v", got.Header)
	}
	if got.URL.EscapedPath() != "/a%2Fb" || got.URL.RawQuery != "x=1" || body != "k=v+w" {
		t.Errorf("path %q query %q body %q", got.URL.EscapedPath(), got.URL.RawQuery, body)
	}
}

func TestRetryAfterSecondsIsHonouredAndReported(t *testing.T) {
	srv, n := script(status(429, "Retry-After", "3"), okJSON(`{}`))
	defer srv.Close()
	var cb []client.Wait
	c, clk := newTest(t, srv, func(cfg *Config) { cfg.OnWait = func(w client.Wait) { cb = append(cb, w) } })
	var fromCtx []client.Wait
	ctx := client.WithWaitReporter(context.Background(), func(w client.Wait) { fromCtx = append(fromCtx, w) })
	if err := c.Do(ctx, get(), &struct{}{}); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 {
		t.Fatalf("%d requests, want 2", n.Load())
	}
	s := clk.Slept()
	if len(s) != 1 || s[0] < 3*time.Second || s[0] > 3*time.Second+300*time.Millisecond {
		t.Fatalf("slept %v, want about 3 s", s)
	}
	want := client.Wait{Reason: client.WaitRateLimited, Status: 429, Delay: s[0], Attempt: 2, Method: "GET", Path: "/things"}
	if len(fromCtx) != 1 || fromCtx[0] != want || len(cb) != 1 || cb[0] != want {
		t.Fatalf("reported ctx %+v callback %+v, want %+v", fromCtx, cb, want)
	}
	if !strings.HasPrefix(want.String(), "rate limited — waiting 3.") {
		t.Errorf("the UI line reads %q", want.String())
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	for _, status := range []int{429, 503} {
		var c *Client
		srv, _ := script(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", c.now().Add(5*time.Second).UTC().Format(http.TimeFormat))
			// A reset that says otherwise: Retry-After wins.
			w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(c.now().Add(30*time.Second).Unix(), 10))
			w.WriteHeader(status)
		}, okJSON(`{}`))
		c, clk := newTest(t, srv, nil)
		if err := c.Do(context.Background(), get(), nil); err != nil {
			t.Fatal(err)
		}
		if s := clk.Slept(); len(s) != 1 || s[0] < 5*time.Second || s[0] > 5*time.Second+600*time.Millisecond {
			t.Errorf("%d: slept %v, want about 5 s", status, s)
		}
		srv.Close()
	}
}

func TestRateLimitResetEpochSecondsOn429(t *testing.T) {
	var c *Client
	srv, _ := script(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Ratelimit-Limit", "2")
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(c.now().Add(4*time.Second).Unix(), 10))
		w.WriteHeader(429)
	}, okJSON(`{}`))
	defer srv.Close()
	c, clk := newTest(t, srv, nil)
	var waits []client.Wait
	ctx := client.WithWaitReporter(context.Background(), func(w client.Wait) { waits = append(waits, w) })
	if err := c.Do(ctx, get(), nil); err != nil {
		t.Fatal(err)
	}
	s := clk.Slept()
	if len(s) != 1 || s[0] < 4*time.Second || s[0] > 4*time.Second+600*time.Millisecond {
		t.Fatalf("slept %v, want about 4 s (until the reset)", s)
	}
	if len(waits) != 1 || waits[0].Reason != client.WaitRateLimited {
		t.Fatalf("waits %+v", waits)
	}
}

// TestRateLimitResetInThePastBacksOff: x-ratelimit-reset is absolute, so a machine whose
// clock runs ahead of the API's reads every reset as past. A 429 must still be met with a
// real wait, not a retry at once that draws the next 429.
func TestRateLimitResetInThePastBacksOff(t *testing.T) {
	var c *Client
	srv, n := script(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Ratelimit-Limit", "2")
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(c.now().Add(-10*time.Second).Unix(), 10))
		w.WriteHeader(429)
	}, okJSON(`{}`))
	defer srv.Close()
	c, clk := newTest(t, srv, nil)
	if err := c.Do(context.Background(), get(), nil); err != nil || n.Load() != 2 {
		t.Fatalf("err %v after %d requests", err, n.Load())
	}
	if s := clk.Slept(); len(s) != 1 || s[0] < 50*time.Millisecond {
		t.Fatalf("slept %v, want the first backoff (50–100 ms)", s)
	}
}

// TestRateLimitResetFarOffWaitsAtMost20s: a machine whose clock runs behind the API's reads
// every reset as far off. It waits 20 s, not ten minutes, and does not refuse the wait as
// longer than MaxWait: the calls go through.
func TestRateLimitResetFarOffWaitsAtMost20s(t *testing.T) {
	var c *Client
	emptyUntilFarOff := func(w http.ResponseWriter) {
		w.Header().Set("X-Ratelimit-Limit", "2")
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(c.now().Add(10*time.Minute).Unix(), 10))
	}
	srv, n := script(func(w http.ResponseWriter, r *http.Request) {
		emptyUntilFarOff(w)
		w.WriteHeader(429)
	}, func(w http.ResponseWriter, r *http.Request) {
		emptyUntilFarOff(w)
		okJSON(`{}`)(w, r)
	})
	defer srv.Close()
	c, clk := newTest(t, srv, func(cfg *Config) { cfg.Policy.MaxWait = time.Minute })
	for range 2 { // a 429, then an answer that empties the bucket, then the next call
		if err := c.Do(context.Background(), get(), nil); err != nil {
			t.Fatalf("after %d requests: %v", n.Load(), err)
		}
	}
	if s := clk.Slept(); len(s) != 2 || s[0] < maxResetWait || s[0] > maxResetWait+300*time.Millisecond || s[1] != maxResetWait {
		t.Fatalf("slept %v, want 20 s (and a little jitter) before the retry and 20 s before the next call", s)
	}
}

func TestRemainingZeroWaitsBeforeNextCall(t *testing.T) {
	var c *Client
	var clk *testclock.Clock
	var arrivals []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrivals = append(arrivals, clk.Now())
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(c.now().Unix()+2, 10))
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	c, clk = newTest(t, srv, nil)
	var waits []client.Wait
	ctx := client.WithWaitReporter(context.Background(), func(w client.Wait) { waits = append(waits, w) })
	for range 2 {
		if err := c.Do(ctx, get(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if len(arrivals) != 2 || arrivals[1].Sub(arrivals[0]) != 2*time.Second {
		t.Fatalf("second call came %v after the first, want 2 s (the reset)", arrivals[1].Sub(arrivals[0]))
	}
	if len(waits) != 1 || waits[0].Reason != client.WaitQuota || waits[0].Delay != 2*time.Second || waits[0].Attempt != 1 {
		t.Fatalf("waits %+v", waits)
	}
	if got := waits[0].String(); got != "rate limit reached — waiting 2 s" {
		t.Errorf("wait line %q", got)
	}
}

func TestRemainingZeroWithResetInTheCurrentSecondWaitsForItsEnd(t *testing.T) {
	var clk *testclock.Clock
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(clk.Now().Unix(), 10))
	}))
	defer srv.Close()
	c, clk := newTest(t, srv, nil)
	clk.Advance(300 * time.Millisecond)
	for range 2 {
		if err := c.Do(context.Background(), get(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if s := clk.Slept(); len(s) != 1 || s[0] != 700*time.Millisecond {
		t.Fatalf("slept %v, want 700 ms (to the end of the reset second)", s)
	}
}

func TestRemainingAboveZeroClearsTheWait(t *testing.T) {
	var clk *testclock.Clock
	srv, _ := script(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(clk.Now().Unix()+30, 10))
	}, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Ratelimit-Remaining", "5")
	})
	defer srv.Close()
	c, clk := newTest(t, srv, nil)
	c.Do(context.Background(), get(), nil)
	c.mu.Lock()
	c.quotas[""].resumeAt = time.Time{} // as if the bucket refilled; the next answer says 5 left
	c.mu.Unlock()
	c.Do(context.Background(), get(), nil)
	c.Do(context.Background(), get(), nil)
	if s := clk.Slept(); len(s) != 0 {
		t.Fatalf("slept %v with tokens left", s)
	}
}

func TestBackoffWithoutServerAdviceGrowsWithJitter(t *testing.T) {
	srv, n := script(status(500), status(502), status(503), status(504), okJSON(`{}`))
	defer srv.Close()
	c, clk := newTest(t, srv, nil)
	if err := c.Do(context.Background(), get(), nil); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 5 {
		t.Fatalf("%d requests", n.Load())
	}
	s := clk.Slept()
	for i, d := range s {
		full := min(100*time.Millisecond<<i, time.Second)
		if d < full/2 || d > full {
			t.Errorf("wait %d = %v, want within [%v, %v]", i+1, d, full/2, full)
		}
	}
}

func TestAttemptCapReturnsLastError(t *testing.T) {
	srv, n := script(status(500))
	defer srv.Close()
	c, _ := newTest(t, srv, func(cfg *Config) { cfg.Policy.MaxAttempts = 3 })
	err := c.Do(context.Background(), get(), nil)
	if n.Load() != 3 {
		t.Fatalf("%d requests, want 3", n.Load())
	}
	if ae := apiErr(t, err); ae.Status != 500 || ae.Hint == "" {
		t.Fatalf("%+v", ae)
	}
	// The error says it was the last of several: one attempt's timeout is not how long it took.
	if !strings.HasSuffix(err.Error(), "(3 attempts)") {
		t.Fatalf("the error should count its attempts: %q", err)
	}
}

func TestWaitCapRefusesTooLongRetryAfter(t *testing.T) {
	srv, n := script(status(429, "Retry-After", "600"))
	defer srv.Close()
	c, clk := newTest(t, srv, func(cfg *Config) { cfg.Policy.MaxWait = 10 * time.Second })
	err := c.Do(context.Background(), get(), nil)
	if n.Load() != 1 || len(clk.Slept()) != 0 {
		t.Fatalf("%d requests, slept %v: a wait over the cap must not be taken", n.Load(), clk.Slept())
	}
	ae := apiErr(t, err)
	if ae.Status != 429 || ae.RetryAfter != 600*time.Second || !strings.Contains(ae.Hint, "rate limit") {
		t.Fatalf("%+v", ae)
	}
}

func TestWaitCapCountsEveryWait(t *testing.T) {
	srv, n := script(status(429, "Retry-After", "4"))
	defer srv.Close()
	c, clk := newTest(t, srv, func(cfg *Config) { cfg.Policy.MaxWait = 10 * time.Second; cfg.Policy.MaxAttempts = 10 })
	c.Do(context.Background(), get(), nil)
	if n.Load() != 3 || len(clk.Slept()) != 2 {
		t.Fatalf("%d requests, slept %v; want 3 requests and 2 waits of ~4 s under a 10 s cap", n.Load(), clk.Slept())
	}
}

func TestNonIdempotentRequestsAreSentOnce(t *testing.T) {
	for _, h := range []http.HandlerFunc{status(500), status(503, "Retry-After", "1"), status(429)} {
		srv, n := script(h, okJSON(`{}`))
		c, clk := newTest(t, srv, nil)
		err := c.Do(context.Background(), &Request{Method: "POST", Path: "/create", JSON: map[string]string{}}, &struct{}{})
		if n.Load() != 1 || len(clk.Slept()) != 0 {
			t.Errorf("%d requests, slept %v", n.Load(), clk.Slept())
		}
		if errors.Is(err, client.ErrNoAnswer) {
			t.Errorf("an answered create is not ambiguous: %v", err)
		}
		apiErr(t, err)
		srv.Close()
	}
	srv, _ := script(status(429, "Retry-After", "7"))
	defer srv.Close()
	c, _ := newTest(t, srv, nil)
	err := c.Do(context.Background(), &Request{Method: "POST", Path: "/create"}, nil)
	if ae := apiErr(t, err); ae.RetryAfter != 7*time.Second {
		t.Fatalf("RetryAfter %v: the engine needs it to retry creates", ae.RetryAfter)
	}
}

func TestDroppedConnection(t *testing.T) {
	srv, n := script(drop, okJSON(`{"ok":true}`))
	defer srv.Close()
	c, clk := newTest(t, srv, nil)
	var waits []client.Wait
	ctx := client.WithWaitReporter(context.Background(), func(w client.Wait) { waits = append(waits, w) })
	if err := c.Do(ctx, get(), &struct{}{}); err != nil {
		t.Fatalf("an idempotent request should survive one drop: %v", err)
	}
	if n.Load() != 2 || len(clk.Slept()) != 1 || len(waits) != 1 || waits[0].Reason != client.WaitNetwork || waits[0].Status != 0 {
		t.Fatalf("requests %d, slept %v, waits %+v", n.Load(), clk.Slept(), waits)
	}

	srv2, n2 := script(drop, okJSON(`{}`))
	defer srv2.Close()
	c2, _ := newTest(t, srv2, nil)
	err := c2.Do(context.Background(), &Request{Method: "POST", Path: "/v1/m2m/clients", JSON: map[string]string{"a": "b"}}, &struct{}{})
	if !errors.Is(err, client.ErrNoAnswer) || n2.Load() != 1 {
		t.Fatalf("a dropped create must be reported as ErrNoAnswer and not retried: %v (%d requests)", err, n2.Load())
	}
	if !strings.Contains(err.Error(), "test POST /v1/m2m/clients") {
		t.Errorf("error should name the request: %v", err)
	}
}

func TestConnectionRefusedIsNotAmbiguous(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := New(Config{API: "test", BaseURL: "http://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Do(context.Background(), &Request{Method: "POST", Path: "/create"}, nil)
	if err == nil || errors.Is(err, client.ErrNoAnswer) || !strings.Contains(err.Error(), "cannot reach") {
		t.Fatalf("nothing was sent, so the create is not ambiguous: %v", err)
	}
}

func TestDropMidBodyIsRetried(t *testing.T) {
	srv, n := script(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		fmt.Fprint(w, `{"clients":[`)
		w.(http.Flusher).Flush()
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}, okJSON(`{"clients":[]}`))
	defer srv.Close()
	c, _ := newTest(t, srv, nil)
	if err := c.Do(context.Background(), get(), &struct{}{}); err != nil || n.Load() != 2 {
		t.Fatalf("err %v after %d requests", err, n.Load())
	}
}

func TestSlowAnswerTimesOut(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	srv, n := script(slow, okJSON(`{}`))
	defer srv.Close()
	c, _ := newTest(t, srv, func(cfg *Config) { cfg.Policy.AttemptTimeout = 50 * time.Millisecond })
	if err := c.Do(context.Background(), get(), nil); err != nil || n.Load() != 2 {
		t.Fatalf("a slow answer should time out and be retried: %v (%d requests)", err, n.Load())
	}

	srv2, _ := script(slow)
	defer srv2.Close()
	c2, _ := newTest(t, srv2, func(cfg *Config) { cfg.Policy.AttemptTimeout = 50 * time.Millisecond })
	err := c2.Do(context.Background(), &Request{Method: "POST", Path: "/create"}, nil)
	if !errors.Is(err, client.ErrNoAnswer) || !strings.Contains(err.Error(), "timed out after 50 ms") {
		t.Fatalf("a create that timed out is ambiguous: %v", err)
	}
}

func TestCancellation(t *testing.T) {
	// Cancelled while waiting to retry.
	srv, n := script(status(429, "Retry-After", "30"))
	defer srv.Close()
	c := realClock(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	ctx = client.WithWaitReporter(ctx, func(client.Wait) { cancel() })
	start := time.Now()
	err := c.Do(ctx, get(), nil)
	if !errors.Is(err, context.Canceled) || n.Load() != 1 {
		t.Fatalf("err %v after %d requests", err, n.Load())
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("cancellation did not interrupt the wait")
	}

	// Cancelled while the request is in flight: not retried; a create is ambiguous.
	inFlight := make(chan struct{}, 1)
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inFlight <- struct{}{}
		<-r.Context().Done()
	}))
	defer srv2.Close()
	c2 := realClock(t, srv2)
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() { <-inFlight; cancel2() }()
	err = c2.Do(ctx2, &Request{Method: "POST", Path: "/create"}, nil)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, client.ErrNoAnswer) {
		t.Fatalf("a create cancelled in flight: %v", err)
	}
}

// A stop (the engine's cancel) ends the wait for a retry and sends no retry: the answer
// already in hand is the call's result, not a cancellation error.
func TestStopEndsRetriesButKeepsTheAnswer(t *testing.T) {
	srv, n := script(status(503, "Retry-After", "30"))
	defer srv.Close()
	c := realClock(t, srv)
	stop := make(chan struct{})
	ctx := client.WithStop(context.Background(), stop)
	ctx = client.WithWaitReporter(ctx, func(client.Wait) { close(stop) })
	start := time.Now()
	err := c.Do(ctx, get(), nil)
	if client.StatusOf(err) != 503 || errors.Is(err, context.Canceled) || n.Load() != 1 {
		t.Fatalf("err %v after %d requests", err, n.Load())
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("the stop did not end the wait")
	}
	// Already stopped: one attempt, whatever it answers, and no wait.
	if err := c.Do(ctx, get(), nil); client.StatusOf(err) != 503 || n.Load() != 2 {
		t.Fatalf("stopped call: %v after %d requests", err, n.Load())
	}
}

type fakePacer struct {
	mu       sync.Mutex
	waits    int
	observed []int
}

func (p *fakePacer) Wait(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waits++
	return ctx.Err()
}

func (p *fakePacer) Observe(status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.observed = append(p.observed, status)
}

func TestPacerIsAskedBeforeEveryAttemptAndToldEveryAnswer(t *testing.T) {
	// The drop comes first: on a reused connection net/http itself replays an idempotent
	// request that met a closed connection, and the pacer would not see it.
	srv, _ := script(drop, status(429), okJSON(`{}`))
	defer srv.Close()
	c, _ := newTest(t, srv, nil)
	p := &fakePacer{}
	if err := c.Do(client.WithPacer(context.Background(), p), get(), nil); err != nil {
		t.Fatal(err)
	}
	if p.waits != 3 || fmt.Sprint(p.observed) != "[0 429 200]" {
		t.Fatalf("pacer waits %d observed %v", p.waits, p.observed)
	}
}

func TestBodyCap(t *testing.T) {
	big := strings.Repeat("x", MaxBody+1)
	for name, h := range map[string]http.HandlerFunc{
		"content-length": func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, big) },
		"chunked": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("["))
			w.(http.Flusher).Flush()
			fmt.Fprint(w, big)
		},
	} {
		srv, n := script(h)
		// 10 MiB under -race on a loaded machine can outlast the default attempt timeout,
		// and a timed-out attempt is retried: this test is about the cap, not the clock.
		c, _ := newTest(t, srv, func(cfg *Config) { cfg.Policy.AttemptTimeout = time.Minute })
		err := c.Do(context.Background(), get(), &struct{}{})
		ae := apiErr(t, err)
		if !strings.Contains(ae.Message, "larger than 10 MiB") || n.Load() != 1 || ae.Hint == "" {
			t.Errorf("%s: %+v after %d requests", name, ae, n.Load())
		}
		srv.Close()
	}
}

func TestUnexpectedBodies(t *testing.T) {
	html := `<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{}</style></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>`
	cases := []struct {
		name    string
		status  int
		body    string
		message string
		snippet string
	}{
		{"html error", 502, html, "Bad Gateway", "502 Bad Gateway nginx"},
		{"html ok", 200, html, "the answer is not JSON", "502 Bad Gateway"},
		{"text ok", 200, "Service Unavailable\r\n\x1b[31mred\x00", "the answer is not JSON", "Service Unavailable [31mred"},
		{"empty ok", 200, "", "the answer was empty where JSON was expected", ""},
		{"empty error", 404, "", "Not Found (empty answer)", ""},
		{"truncated", 200, `{"clients":[{"client_id":"a"`, "the answer was cut short", `{"clients":[{"client_id":"a"`},
		{"invalid", 200, `{"a":tru}`, "the answer is not valid JSON", `{"a":tru}`},
		{"wrong shape", 200, `{"n":"x"}`, `the answer does not have the documented shape (field "n" is a string)`, ""},
		{"json error unknown shape", 400, `{"weird":1}`, "Bad Request", `{"weird":1}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := script(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			})
			defer srv.Close()
			c, _ := newTest(t, srv, func(cfg *Config) { cfg.Policy.MaxAttempts = 1 })
			var out struct {
				N int `json:"n"`
			}
			ae := apiErr(t, c.Do(context.Background(), get(), &out))
			if ae.Status != tc.status || ae.Path != "/things" || ae.Method != "GET" || ae.API != "test" {
				t.Errorf("%+v", ae)
			}
			if !strings.HasPrefix(ae.Message, tc.message) {
				t.Errorf("message %q, want %q", ae.Message, tc.message)
			}
			if !strings.HasPrefix(ae.Snippet, tc.snippet) || (tc.snippet == "" && ae.Snippet != "") {
				t.Errorf("snippet %q, want %q", ae.Snippet, tc.snippet)
			}
			if strings.Contains(ae.Error(), "json:") || strings.Contains(ae.Error(), "invalid character") {
				t.Errorf("a JSON decoder message reached the operator: %v", ae)
			}
			if strings.ContainsAny(ae.Snippet, "<>\x1b\x00\r\n") && tc.name != "truncated" {
				t.Errorf("snippet not sanitized: %q", ae.Snippet)
			}
		})
	}
}

func TestErrorBodiesAreDecodedByTheAPIPackage(t *testing.T) {
	srv, _ := script(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(404)
		fmt.Fprint(w, `{"error_type":"m2m_client_not_found","error_message":"not found","request_id":"req-1"}`)
	})
	defer srv.Close()
	c, _ := newTest(t, srv, func(cfg *Config) {
		cfg.DecodeError = func(b []byte, e *client.APIError) {
			var v struct{ ErrorType, ErrorMessage, RequestID string }
			json.Unmarshal(b, &struct {
				T *string `json:"error_type"`
				M *string `json:"error_message"`
				R *string `json:"request_id"`
			}{&v.ErrorType, &v.ErrorMessage, &v.RequestID})
			e.Code, e.Message, e.RequestID = v.ErrorType, v.ErrorMessage, v.RequestID
		}
		cfg.Hint = func(e *client.APIError) string {
			if e.Code == client.CodeClientNotFound {
				return "check the id"
			}
			return ""
		}
	})
	ae := apiErr(t, c.Do(context.Background(), get(), nil))
	if ae.Code != client.CodeClientNotFound || ae.Message != "not found" || ae.RequestID != "req-1" || ae.Hint != "check the id" || ae.Snippet != "" {
		t.Fatalf("%+v", ae)
	}
	if got := ae.Error(); got != "test GET /things: 404 m2m_client_not_found: not found (request req-1)" {
		t.Fatalf("Error() = %q", got)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var leaked atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { leaked.Store(true) }))
	defer other.Close()
	srv, _ := script(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	})
	defer srv.Close()
	c, _ := newTest(t, srv, nil)
	ae := apiErr(t, c.Do(context.Background(), &Request{Method: "GET", Path: "/x", Header: http.Header{"Authorization": {"Bearer abc"}}}, nil))
	if leaked.Load() || ae.Status != 302 || ae.Message != "unexpected redirect" || ae.Hint == "" {
		t.Fatalf("leaked %v, %+v", leaked.Load(), ae)
	}
}

// fakeBucket is a token bucket on the test's fake clock that answers like Auth0: 429 when
// empty, x-ratelimit-* headers on every answer, the reset rounded up to whole seconds.
type fakeBucket struct {
	mu       sync.Mutex
	clk      *testclock.Clock
	rate     float64
	burst    float64
	tokens   float64
	last     time.Time
	served   int
	rejected int
}

func (b *fakeBucket) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// 10 ms on the way there and 10 ms back: real calls take time, and following the
	// whole-second reset alone then wastes most of a second now and then.
	b.clk.Advance(10 * time.Millisecond)
	defer b.clk.Advance(10 * time.Millisecond)
	now := b.clk.Now()
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	ok := b.tokens >= 1
	if ok {
		b.tokens--
	}
	next := now.Add(time.Duration((1 - (b.tokens - float64(int(b.tokens)))) / b.rate * float64(time.Second)))
	reset := next.Unix()
	if next.Nanosecond() > 0 {
		reset++
	}
	w.Header().Set("X-Ratelimit-Limit", strconv.Itoa(int(b.burst)))
	w.Header().Set("X-Ratelimit-Remaining", strconv.Itoa(int(b.tokens)))
	w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(reset, 10))
	if !ok {
		b.rejected++
		w.WriteHeader(429)
		return
	}
	b.served++
	fmt.Fprint(w, `{}`)
}

func TestPacingByHeadersKeepsUpWithTheBucketWithout429s(t *testing.T) {
	b := &fakeBucket{rate: 2, burst: 2, tokens: 2}
	srv := httptest.NewServer(b)
	defer srv.Close()
	c, clk := newTest(t, srv, nil)
	clk.Advance(600 * time.Millisecond) // start mid-second
	b.clk, b.last = clk, clk.Now()
	// Real timers fire a little late, by a varying few milliseconds.
	late := 0
	c.sleep = func(ctx context.Context, d time.Duration) error {
		late = (late + 7) % 10
		return clk.Sleep(ctx, d+time.Duration(late)*time.Millisecond)
	}
	begin := clk.Now()
	const calls = 40
	for range calls {
		if err := c.Do(context.Background(), get(), nil); err != nil {
			t.Fatal(err)
		}
		clk.Advance(15 * time.Millisecond) // decoding the page
	}
	elapsed := clk.Now().Sub(begin)
	t.Logf("%d calls in %s of simulated time", calls, elapsed)
	least := time.Duration(calls-2) * time.Second / 2 // the burst, then one per 0.5 s
	if b.rejected != 0 || elapsed > least*11/10 {
		t.Fatalf("%d calls drew %d 429s and took %s of simulated time; the bucket allows %s", calls, b.rejected, elapsed, least)
	}
}

func TestRateBucketsAreLearntApart(t *testing.T) {
	var clk *testclock.Clock
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" { // a big bucket that would inflate the estimate of the small one
			w.Header().Set("X-Ratelimit-Limit", "30")
			w.Header().Set("X-Ratelimit-Remaining", "29")
		} else {
			w.Header().Set("X-Ratelimit-Limit", "2")
			w.Header().Set("X-Ratelimit-Remaining", "0")
			w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(clk.Now().Unix()+1, 10))
		}
	}))
	defer srv.Close()
	c, clk := newTest(t, srv, nil)
	for range 20 {
		c.Do(context.Background(), &Request{Method: "POST", Path: "/token", RateBucket: "token"}, nil)
	}
	if err := c.Do(context.Background(), get(), nil); err != nil {
		t.Fatal(err)
	}
	c.Do(context.Background(), get(), nil)
	if s := clk.Slept(); len(s) != 1 || s[0] < 500*time.Millisecond {
		t.Fatalf("slept %v: the small bucket must wait for its own reset", s)
	}
}
