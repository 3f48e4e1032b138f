// Package testclock is a manual clock for tests of m2mport's HTTP layer and API clients.
// Whatever reads it (a client's retry and rate-limit waits, the sandbox's token buckets and
// token times through sandbox.Options.Now) sees the same time, and a wait moves that time on
// instead of passing: waits are decided, bounded and reported as for real, without costing
// wall-clock time, and a rate limit refills exactly as fast as the client backs off.
//
// testclock imports only the standard library. Only tests import it.
package testclock

import (
	"context"
	"sync"
	"time"
)

// Clock is a time that moves only when told to. It is safe for concurrent use.
type Clock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

// New returns a clock that reads start.
func New(start time.Time) *Clock { return &Clock{t: start} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Sleep moves the clock on by d at once and records d, unless ctx is done.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	c.t = c.t.Add(d)
	return nil
}

// Advance moves the clock on by d without counting it as a wait.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Slept returns every wait Sleep was asked for, in order.
func (c *Clock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}
