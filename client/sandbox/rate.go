package sandbox

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rate is a token bucket: PerSecond tokens are added continuously up to Burst. The zero value
// means the API's default (generous for Auth0, unlimited for Stytch).
type Rate struct {
	PerSecond float64
	Burst     int
}

// IsZero reports whether r asks for the API's default.
func (r Rate) IsZero() bool { return r.PerSecond == 0 && r.Burst == 0 }

func (r Rate) String() string {
	if r.IsZero() {
		return "default"
	}
	return strconv.FormatFloat(r.PerSecond, 'f', -1, 64) + ":" + strconv.Itoa(r.Burst)
}

// Rate presets by name, from the Auth0 spec §6.
var ratePresets = map[string]Rate{
	"free":       {PerSecond: 2, Burst: 2},
	"enterprise": {PerSecond: 16, Burst: 50},
}

// ParseRate reads a rate flag: "200" (200/s, burst 200), "2:5" (2/s, burst 5), a preset
// ("free": Auth0's free tier, 2/s burst 2; "enterprise": 16/s burst 50), or "0"/"" for the
// API's default.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return Rate{}, nil
	}
	if r, ok := ratePresets[s]; ok {
		return r, nil
	}
	perS, burstS, hasBurst := strings.Cut(s, ":")
	per, err := strconv.ParseFloat(perS, 64)
	if err != nil || math.IsNaN(per) || math.IsInf(per, 0) || per <= 0 {
		return Rate{}, fmt.Errorf("rate %q: %q is not a positive number of requests per second (use e.g. 200, 2:5 or free)", s, perS)
	}
	burst := int(math.Ceil(per))
	if hasBurst {
		b, err := strconv.Atoi(burstS)
		if err != nil || b < 1 {
			return Rate{}, fmt.Errorf("rate %q: burst %q is not a whole number of at least 1", s, burstS)
		}
		burst = b
	}
	if burst > 1_000_000 || per > 1_000_000 {
		return Rate{}, fmt.Errorf("rate %q: at most 1000000 per second and a burst of 1000000", s)
	}
	return Rate{PerSecond: per, Burst: burst}, nil
}

// bucket is a token bucket on the sandbox's clock.
type bucket struct {
	rate Rate
	now  func() time.Time

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newBucket(r Rate, now func() time.Time) *bucket {
	return &bucket{rate: r, now: now, tokens: float64(r.Burst), last: now()}
}

// bucketState is what the x-ratelimit-* headers report after a take.
type bucketState struct {
	ok        bool
	limit     int
	remaining int
	reset     time.Time // when the next token is added (now when the bucket is full)
}

func (b *bucket) take() bucketState {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = math.Min(float64(b.rate.Burst), b.tokens+dt*b.rate.PerSecond)
	}
	b.last = now
	st := bucketState{limit: b.rate.Burst}
	if b.tokens >= 1 {
		b.tokens--
		st.ok = true
	}
	st.remaining = int(b.tokens)
	st.reset = now
	if b.tokens < float64(b.rate.Burst) {
		missing := 1 - (b.tokens - math.Floor(b.tokens))
		st.reset = now.Add(time.Duration(missing / b.rate.PerSecond * float64(time.Second)))
	}
	return st
}
