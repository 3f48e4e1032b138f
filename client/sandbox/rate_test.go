package sandbox_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client/sandbox"
)

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want sandbox.Rate
	}{
		{"", sandbox.Rate{}},
		{"0", sandbox.Rate{}},
		{"200", sandbox.Rate{PerSecond: 200, Burst: 200}},
		{"2:5", sandbox.Rate{PerSecond: 2, Burst: 5}},
		{"0.5", sandbox.Rate{PerSecond: 0.5, Burst: 1}},
		{"free", sandbox.Rate{PerSecond: 2, Burst: 2}},
		{"enterprise", sandbox.Rate{PerSecond: 16, Burst: 50}},
	} {
		got, err := sandbox.ParseRate(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"-1", "fast", "2:0", "2:x", "2:-3", "NaN", "Inf", ":5", "1e9"} {
		if _, err := sandbox.ParseRate(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseRate(%q) = %v, want an error naming it", bad, err)
		}
	}
	if _, err := sandbox.Start(sandbox.Options{StytchRate: sandbox.Rate{PerSecond: -1}}); !errors.Is(err, sandbox.ErrBadOption) {
		t.Errorf("Start with a negative rate: %v", err)
	}
}

func rateHeaders(t testing.TB, a answer) (limit, remaining int, reset int64) {
	t.Helper()
	var err1, err2, err3 error
	limit, err1 = strconv.Atoi(a.header.Get("X-Ratelimit-Limit"))
	remaining, err2 = strconv.Atoi(a.header.Get("X-Ratelimit-Remaining"))
	reset, err3 = strconv.ParseInt(a.header.Get("X-Ratelimit-Reset"), 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatalf("rate-limit headers %v: %v", a.header, err)
	}
	return
}

func TestAuth0RateLimitHeadersOnEveryManagementAnswer(t *testing.T) {
	sb := start(t, sandbox.Options{})
	a := sb.Auth0()
	tok := mgmtToken(t, a, "")
	for _, tc := range []struct {
		path string
		opts []reqOpt
	}{
		{"/api/v2/clients", []reqOpt{bearer(tok)}},
		{"/api/v2/clients/nope", []reqOpt{bearer(tok)}},
		{"/api/v2/client-grants?per_page=500", []reqOpt{bearer(tok)}},
		{"/api/v2/resource-servers", nil},
	} {
		ans := do(t, http.MethodGet, a.URL+tc.path, nil, tc.opts...)
		limit, remaining, reset := rateHeaders(t, ans)
		if limit < 1 || remaining < 0 || remaining >= limit || reset < time.Now().Unix() {
			t.Errorf("%s (%d): limit %d remaining %d reset %d", tc.path, ans.status, limit, remaining, reset)
		}
	}
}

func TestAuth0FreeTierBucket(t *testing.T) {
	clk := newClock()
	sb := start(t, sandbox.Options{Auth0Rate: sandbox.Rate{PerSecond: 2, Burst: 2}, Now: clk.Now})
	a := sb.Auth0()
	tok := mgmtToken(t, a, "")
	get := func() answer { return mgmtGet(t, a, tok, "/api/v2/resource-servers") }
	now := clk.Now().Unix()

	first := get()
	want(t, "first", first.status, 200)
	limit, remaining, reset := rateHeaders(t, first)
	want(t, "limit", limit, 2)
	want(t, "remaining after one", remaining, 1)
	want(t, "reset: the next token in half a second, rounded up", reset, now+1)

	second := get()
	want(t, "second", second.status, 200)
	_, remaining, _ = rateHeaders(t, second)
	want(t, "remaining after two", remaining, 0)

	third := get()
	wantMgmtError(t, third, 429, "too_many_requests", "Global limit has been reached")
	_, remaining, reset = rateHeaders(t, third)
	want(t, "remaining when limited", remaining, 0)
	want(t, "reset when limited", reset, now+1)
	want(t, "no Retry-After from the bucket", third.header.Get("Retry-After"), "")

	clk.Advance(500 * time.Millisecond)
	want(t, "after half a second", get().status, 200)
	want(t, "and not twice", get().status, 429)
	clk.Advance(10 * time.Second)
	for i := range 2 {
		want(t, "burst refilled "+strconv.Itoa(i), get().status, 200)
	}
}

func TestAuth0TokenEndpointBucket(t *testing.T) {
	clk := newClock()
	sb := start(t, sandbox.Options{Auth0Rate: sandbox.Rate{PerSecond: 2, Burst: 2}, Now: clk.Now})
	a := sb.Auth0()
	for i := range 30 {
		if ans := tokenFor(t, a.URL, a.ClientID, a.ClientSecret, a.Audience, ""); ans.status != 200 {
			t.Fatalf("token %d: %d %s", i, ans.status, ans.raw)
		}
	}
	ans := tokenFor(t, a.URL, a.ClientID, a.ClientSecret, a.Audience, "")
	wantOAuthError(t, ans, 429, "too_many_requests", "Rate limit exceeded. Please retry after some time.")
	limit, _, _ := rateHeaders(t, ans)
	want(t, "token bucket limit", limit, 30)
}

func TestStytchBucket(t *testing.T) {
	clk := newClock()
	sb := start(t, sandbox.Options{Seed: "empty", StytchRate: sandbox.Rate{PerSecond: 1, Burst: 2}, Now: clk.Now})
	s := newStytch(t, sb)
	for i := range 2 {
		status, _ := s.call(http.MethodPost, "/v1/m2m/clients/search", nil)
		want(t, "within burst "+strconv.Itoa(i), status, 200)
	}
	a := do(t, http.MethodPost, s.info.URL+"/v1/m2m/clients/search", nil, basic(s.info.ProjectID, s.info.Secret))
	status, m := s.envelope(a)
	wantStytchError(t, status, m, 429, "too_many_requests")
	want(t, "no Retry-After", a.header.Get("Retry-After"), "")
	want(t, "no Auth0 headers on Stytch", a.header.Get("X-Ratelimit-Limit"), "")
	clk.Advance(time.Second)
	status, _ = s.call(http.MethodPost, "/v1/m2m/clients/search", nil)
	want(t, "after a second", status, 200)
}

func TestStytchIsUnlimitedByDefault(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty"})
	s := newStytch(t, sb)
	for range 300 {
		if status, m := s.call(http.MethodPost, "/v1/m2m/clients/search", nil); status != 200 {
			t.Fatalf("%d %v", status, m)
		}
	}
}
