package client

import (
	"context"
	"errors"
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
	// No burst right after being told to slow down: the next request waits its turn.
	if d := b.reserve(); d < 9*time.Millisecond {
		t.Fatalf("the first request after a 429 waits %v, want about 1/100 s", d)
	}
	// The answers to requests sent before the cut say nothing new: no second halving.
	clk.advance(100 * time.Millisecond)
	b.Observe(429)
	b.Observe(429)
	if r := b.Stats().Rate; r < 100 || r > 130 {
		t.Fatalf("429s within the cool-down halved again: %v", r)
	}
	// It creeps back quickly, half the configured rate per second, to 90% of the rate the
	// 429 came at, then slowly, an eightieth per second.
	if n := sendFor(t, b, clk, 900*time.Millisecond); n < 100 || n > 160 {
		t.Fatalf("%d requests in the 0.9 s after the cut, want the creep from 100/s towards 180/s", n)
	}
	if r := b.Stats().Rate; r < 180 || r > 181 {
		t.Fatalf("one second after the cut the rate is %v, want 180", r)
	}
	clk.advance(time.Second)
	_ = b.Wait(context.Background())
	if r := b.Stats().Rate; r < 182 || r > 183 {
		t.Fatalf("two seconds after the cut the rate is %v, want 182.5: probing slowly", r)
	}
	clk.advance(8 * time.Second)
	_ = b.Wait(context.Background())
	if r := b.Stats().Rate; r != 200 {
		t.Fatalf("ten seconds after the cut the rate is %v, want 200", r)
	}
	// A 429 past the cool-down halves again.
	b.Observe(429)
	if r := b.Stats().Rate; r != 100 {
		t.Fatalf("a 429 after the cool-down: rate %v, want 100", r)
	}
	if s := b.Stats(); s.RateLimited != 4 {
		t.Fatalf("rate limited %d, want 4", s.RateLimited)
	}
}

func TestBucketUnderRandom429sDipsButKeepsGoing(t *testing.T) {
	b, clk := newTestBucket(400)
	// One answer in ten is a 429 for a minute: a fault rate, not a limit.
	end := clk.t.Add(time.Minute)
	sent := 0
	for ; clk.t.Before(end); sent++ {
		if err := b.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		if sent%10 == 9 {
			b.Observe(429)
		} else {
			b.Observe(200)
		}
	}
	if perSec := float64(sent) / 60; perSec < 400*0.2 {
		t.Fatalf("%.0f requests/s under random 429s, want at least 20%% of 400", perSec)
	}
}

func TestBucketHalvesAgainWhenStillRefused(t *testing.T) {
	b, clk := newTestBucket(400)
	b.Observe(429)
	// Half the answers since the cut are 429s: the halved rate is still too high.
	for range 4 {
		clk.advance(10 * time.Millisecond)
		b.Observe(200)
		b.Observe(429)
	}
	if r := b.Stats().Rate; r > 110 {
		t.Fatalf("rate %v after persistent 429s within the cool-down, want it halved twice (100)", r)
	}
}

func TestBucketFloor(t *testing.T) {
	b, _ := newTestBucket(64)
	b.cooldown = 0 // every 429 counts, as a storm far over the limit would
	for range 20 {
		b.Observe(429)
	}
	if r := b.Stats().Rate; r != 2 {
		t.Fatalf("after a storm the rate is %v, want its floor 2 (64/32)", r)
	}
	b.Observe(200)
	b.Observe(503)
	if r := b.Stats().Rate; r != 2 {
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
