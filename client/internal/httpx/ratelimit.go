package httpx

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/m2mport/m2mport/client"
)

// retryAfter reads Retry-After as seconds or as an HTTP date; 0 when absent or past.
func retryAfter(h http.Header, now time.Time) time.Duration {
	d, ok := parseRetryAfter(h.Get("Retry-After"), now)
	if !ok {
		return 0
	}
	return d
}

func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || math.IsNaN(secs) || math.IsInf(secs, 0) {
			return 0, false
		}
		return time.Duration(min(secs, 1e6) * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// resetAt reads x-ratelimit-reset, the UNIX time in seconds at which the API adds tokens to
// its bucket. The header has whole seconds only, so the moment it names may already have
// begun when the answer arrives; then the refill is due within that second, and the end of
// it is the earliest time that is surely late enough.
func resetAt(h http.Header, received time.Time) (time.Time, bool) {
	v := strings.TrimSpace(h.Get("X-Ratelimit-Reset"))
	if v == "" {
		return time.Time{}, false
	}
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil || secs <= 0 {
		return time.Time{}, false
	}
	t := time.Unix(secs, 0)
	if !t.After(received) {
		t = t.Add(time.Second)
	}
	return t, true
}

// serverDelay is how long a 429 answer asks to wait: Retry-After when present, else until
// x-ratelimit-reset; -1 when it says nothing usable. A reset that has passed by our clock
// (which then runs ahead of the API's) says nothing usable: taken at its word, every retry
// would go at once and draw the next 429.
//
// A reset is also read against our clock when it runs behind the API's: see maxResetWait.
func (c *Client) serverDelay(h http.Header, received time.Time) time.Duration {
	if d, ok := parseRetryAfter(h.Get("Retry-After"), received); ok {
		return d
	}
	if t, ok := resetAt(h, received); ok {
		if d := t.Sub(c.now()); d > 0 {
			return min(d, maxResetWait)
		}
	}
	return -1
}

// maxResetWait caps a wait for x-ratelimit-reset. The reset is the API's time read against
// our clock, which may run behind (a laptop back from sleep, a VM without NTP). Tokens are
// added every second or so at every Auth0 tier, so a reset further off says more about the
// clocks than about the bucket: waiting this long (go-auth0 clamps to 10 s) keeps a skewed
// machine working, where waiting for the reset would refuse every wait as past MaxWait.
const maxResetWait = 20 * time.Second

// quota is what the API's rate-limit headers have taught about its token bucket.
type quota struct {
	limit int // x-ratelimit-limit when last seen
	// resumeAt is when the bucket has a token again after an answer said
	// x-ratelimit-remaining: 0; no attempt starts before it.
	resumeAt time.Time
	// since is when the first request counted in taken was sent, and taken the answers
	// since then that took a token. They bound the refill rate from below (see refillRate).
	since time.Time
	taken int
}

// refillRate is a lower bound on the bucket's refill rate in tokens per second, or 0: a
// bucket of limit tokens that served taken requests since `since` and still holds remaining
// cannot have been refilled more slowly than (taken + remaining − limit) / elapsed. Waiting
// 1/rate after an answer that left the bucket below one token is therefore always enough,
// and usually much less than waiting for x-ratelimit-reset, which has whole seconds only: at
// Auth0's free tier (2/s) following the reset alone gives about 1.5 calls a second.
func (q *quota) refillRate(limit, remaining int, now time.Time) float64 {
	elapsed := now.Sub(q.since).Seconds()
	if q.since.IsZero() || limit <= 0 || elapsed <= 0 {
		return 0
	}
	return max(float64(q.taken+remaining-limit)/elapsed, 0)
}

// noteQuota learns from an answer's rate-limit headers whether the next call must wait for
// the bucket to refill, and how long.
func (c *Client) noteQuota(bucket string, h http.Header, status int, sent, received time.Time) {
	remaining, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Ratelimit-Remaining")))
	if err != nil {
		return
	}
	limit, _ := strconv.Atoi(strings.TrimSpace(h.Get("X-Ratelimit-Limit")))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.quotas == nil {
		c.quotas = map[string]*quota{}
	}
	q := c.quotas[bucket]
	if q == nil {
		q = &quota{}
		c.quotas[bucket] = q
	}
	if status == http.StatusTooManyRequests || limit != q.limit {
		// A 429 means someone else drinks from the bucket too; a new limit, that it
		// changed. Either way, learn afresh; a retry waits for Retry-After or the reset.
		q.since, q.taken, q.limit = time.Time{}, 0, limit
	}
	if status == http.StatusTooManyRequests {
		return
	}
	if q.since.IsZero() {
		q.since = sent
	}
	q.taken++
	if remaining > 0 {
		q.resumeAt = time.Time{}
		return
	}
	until, ok := resetAt(h, received)
	if rate := q.refillRate(limit, remaining, received); rate > 0 {
		if est := received.Add(time.Duration(float64(time.Second) / rate)); !ok || est.Before(until) {
			until, ok = est, true
		}
	}
	if ok {
		q.resumeAt = minTime(until, received.Add(maxResetWait))
	}
}

// waitForQuota holds an attempt back until the API's bucket has refilled, when an earlier
// answer said it was empty.
func (c *Client) waitForQuota(ctx context.Context, r *Request, attempt int, waited *time.Duration) error {
	c.mu.Lock()
	var until time.Time
	if q := c.quotas[r.RateBucket]; q != nil {
		until = q.resumeAt
	}
	c.mu.Unlock()
	d := until.Sub(c.now())
	if d <= 0 {
		return nil
	}
	if *waited+d > c.policy.MaxWait {
		return fmt.Errorf("%s: the API's rate limit allows the next call only in %s, longer than m2mport waits; try again later",
			r.where(c.api), client.HumanDuration(d))
	}
	c.report(ctx, client.Wait{Reason: client.WaitQuota, Delay: d, Attempt: attempt, Method: r.Method, Path: r.Path})
	if err := c.sleep(ctx, d); err != nil {
		return fmt.Errorf("%s: %w", r.where(c.api), err)
	}
	*waited += d
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
