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
// x-ratelimit-reset; -1 when it says nothing.
func (c *Client) serverDelay(h http.Header, received time.Time) time.Duration {
	if d, ok := parseRetryAfter(h.Get("Retry-After"), received); ok {
		return d
	}
	if t, ok := resetAt(h, received); ok {
		return max(t.Sub(c.now()), 0)
	}
	return -1
}

// noteQuota remembers, from an answer's rate-limit headers, whether the next call must wait
// for the bucket to refill.
func (c *Client) noteQuota(h http.Header, received time.Time) {
	v := strings.TrimSpace(h.Get("X-Ratelimit-Remaining"))
	if v == "" {
		return
	}
	remaining, err := strconv.Atoi(v)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if remaining > 0 {
		c.resumeAt = time.Time{}
		return
	}
	if t, ok := resetAt(h, received); ok && t.After(c.resumeAt) {
		c.resumeAt = t
	}
}

// waitForQuota holds an attempt back until the API's bucket has refilled, when an earlier
// answer said it was empty.
func (c *Client) waitForQuota(ctx context.Context, r *Request, attempt int, waited *time.Duration) error {
	c.mu.Lock()
	until := c.resumeAt
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
