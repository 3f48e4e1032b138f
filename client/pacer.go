package client

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Bucket is the engine's adaptive token bucket, a Pacer: requests flow at up to Rate per
// second with a small burst. A 429 halves the rate — at most once per cool-down, since the
// answers to requests already in flight say nothing new — and the rate creeps back to the
// configured one: quickly (half of it per second) up to 90% of the rate the last 429 came
// at, slowly (an eightieth per second) beyond, so a bucket set above the API's limit settles
// just under it, probing now and then, instead of drawing 429s every other second. One
// Bucket governs every call of a run, and its Stats are the run's request counts.
type Bucket struct {
	mu       sync.Mutex
	max      float64 // configured rate, requests per second
	min      float64
	rate     float64 // current rate
	tokens   float64 // may go negative: requests already promised a slot in the future
	last     time.Time
	cutAt    time.Time
	cooldown time.Duration // least time between two halvings
	recover  float64       // rate regained per second, below the ceiling
	probe    float64       // rate regained per second, near or above it
	ceiling  float64       // the rate when the last 429 came; 0 before any
	// Answers and 429s since the last halving: when 429s keep coming within the cool-down
	// (more than a quarter of the answers), the halved rate is still too high.
	answers, limitedSinceCut int

	sent, limited int64

	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// BucketStats counts what a bucket saw.
type BucketStats struct {
	Requests    int64   // requests it let through (every attempt, retries included)
	RateLimited int64   // 429 answers observed
	Rate        float64 // the current rate
}

// NewBucket returns a bucket allowing rate requests per second.
func NewBucket(rate float64) *Bucket {
	return newBucket(rate, time.Now, Sleep)
}

func newBucket(rate float64, now func() time.Time, sleep func(context.Context, time.Duration) error) *Bucket {
	if rate <= 0 {
		rate = DefaultRate
	}
	return &Bucket{
		max: rate, min: max(rate/32, 0.5), rate: rate,
		tokens:   burstOf(rate),
		cooldown: time.Second,
		recover:  rate / 2,
		probe:    rate / 80,
		now:      now, sleep: sleep,
		last: now(),
	}
}

// burstOf is how many requests may go at once after a pause: a twentieth of a second's
// worth, so that a slowed-down bucket also bursts less.
func burstOf(rate float64) float64 { return max(1, rate/20) }

// advance refills the bucket and lets the rate creep back, up to now. Caller holds mu.
func (b *Bucket) advance(now time.Time) {
	dt := now.Sub(b.last).Seconds()
	if dt <= 0 {
		return
	}
	b.tokens = min(burstOf(b.rate), b.tokens+dt*b.rate)
	// The rate creeps back even within the cool-down: a 429 now and then (a fault, not a
	// limit) then costs a dip, not a slide to the floor.
	if b.rate < b.max {
		fast := 0.9 * b.ceiling
		if b.ceiling == 0 {
			fast = b.max
		}
		if b.rate < fast {
			b.rate = min(fast, b.rate+dt*b.recover)
		} else {
			b.rate = min(b.max, b.rate+dt*b.probe)
		}
	}
	b.last = now
}

// reserve takes a slot and says how long to wait for it.
func (b *Bucket) reserve() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance(b.now())
	b.tokens--
	b.sent++
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// Wait blocks until a request may be sent or ctx ends.
func (b *Bucket) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d := b.reserve(); d > 0 {
		return b.sleep(ctx, d)
	}
	return nil
}

// Observe halves the rate on a 429, unless it was halved within the cool-down and the 429s
// since are few: the answers to requests sent before a halving say nothing new, but a
// quarter of them or more still refused means the halved rate is still too high.
func (b *Bucket) Observe(status int) {
	if status == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.answers++
	if status != http.StatusTooManyRequests {
		return
	}
	now := b.now()
	b.advance(now)
	b.limited++
	b.limitedSinceCut++
	overloaded := b.limitedSinceCut >= 4 && b.limitedSinceCut*4 > b.answers
	if !b.cutAt.IsZero() && now.Sub(b.cutAt) < b.cooldown && !overloaded {
		return
	}
	b.ceiling = b.rate
	b.rate = max(b.min, b.rate/2)
	b.tokens = min(b.tokens, 0) // no burst right after being told to slow down
	b.cutAt = now
	b.answers, b.limitedSinceCut = 0, 0
}

// Stats returns what the bucket saw so far.
func (b *Bucket) Stats() BucketStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return BucketStats{Requests: b.sent, RateLimited: b.limited, Rate: b.rate}
}
