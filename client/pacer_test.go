package client

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

// fakeClock is a clock that only moves when a sleeper sleeps or the test says so.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }
func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.t = c.t.Add(d)
	return nil
}
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestBucket(rate float64) (*Bucket, *fakeClock) {
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	return newBucket(rate, clk.now, clk.sleep), clk
}

// sendFor sends requests one after the other for d of fake time and returns how many went.
func sendFor(t *testing.T, b *Bucket, clk *fakeClock, d time.Duration) int {
	t.Helper()
	end := clk.t.Add(d)
	n := 0
	for clk.t.Before(end) {
		if err := b.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

func TestBucketKeepsToItsRate(t *testing.T) {
	b, clk := newTestBucket(50)
	n := sendFor(t, b, clk, 10*time.Second)
	// 10 s at 50/s plus the initial burst of 2.5.
	if n < 500 || n > 503 {
		t.Fatalf("%d requests in 10 s at 50/s", n)
	}
	if s := b.Stats(); s.Requests != int64(n) || s.Rate != 50 {
		t.Fatalf("stats %+v", s)
	}
}

func TestBucketHalvesOnceAfterA429AndCreepsBack(t *testing.T) {
	b, clk := newTestBucket(200)
	sendFor(t, b, clk, time.Second)
	b.Observe(429)
	if r := b.Stats().Rate; r != 100 {
		t.Fatalf("after a 429 the rate is %v, want 100", r)
	}
	// The answers to requests sent before the cut say nothing new: no second halving.
	clk.advance(100 * time.Millisecond)
	b.Observe(429)
	b.Observe(429)
	if r := b.Stats().Rate; r != 100 {
		t.Fatalf("429s within the cool-down halved again: %v", r)
	}
	// No burst right after the cut: the next second carries at most the new rate.
	if n := sendFor(t, b, clk, 900*time.Millisecond); n > 96 {
		t.Fatalf("%d requests in the 0.9 s after the cut, want ≤ 90 (100/s) + a burst of 5", n)
	}
	// Past the cool-down the rate creeps back up, reaching the configured rate in 2 s.
	clk.advance(time.Second)
	if r := b.Stats().Rate; r != 100 {
		t.Fatalf("the rate moved without any request: %v", r)
	}
	_ = b.Wait(context.Background())
	if r := b.Stats().Rate; r <= 100 || r >= 200 {
		t.Fatalf("one second past the cool-down the rate is %v, want between 100 and 200", r)
	}
	clk.advance(3 * time.Second)
	_ = b.Wait(context.Background())
	if r := b.Stats().Rate; r != 200 {
		t.Fatalf("the rate came back to %v, want 200", r)
	}
	if s := b.Stats(); s.RateLimited != 3 {
		t.Fatalf("rate limited %d, want 3", s.RateLimited)
	}
}

func TestBucketUnderA429StormSlowsToItsFloor(t *testing.T) {
	b, clk := newTestBucket(64)
	for range 20 {
		b.Observe(429)
		clk.advance(1100 * time.Millisecond)
	}
	if r := b.Stats().Rate; math.Abs(r-2) > 0.5 {
		t.Fatalf("after a long storm the rate is %v, want its floor 2 (64/32) plus a little creep", r)
	}
	b.Observe(200)
	b.Observe(503)
	if r := b.Stats().Rate; r > 2.5 {
		t.Fatalf("non-429 answers changed the rate: %v", r)
	}
}

func TestBucketWaitEndsWithItsContext(t *testing.T) {
	b := NewBucket(1)
	ctx, cancel := context.WithCancel(context.Background())
	_ = b.Wait(ctx) // the burst
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	start := time.Now()
	if err := b.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait returned %v, want context.Canceled", err)
	}
	if time.Since(start) > 900*time.Millisecond {
		t.Fatal("Wait did not return when its context ended")
	}
}
