package client

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Wait is a pause the HTTP layer takes before trying again or before its next call: after a
// 429, a 5xx, a dropped connection, or because the API said its rate-limit bucket is empty.
// It is reported so the UI can say "rate limited — waiting 1.2 s".
type Wait struct {
	Reason  WaitReason
	Status  int // the HTTP status that caused it, 0 for network errors and pacing
	Delay   time.Duration
	Attempt int // the attempt about to be made after the wait (2 = first retry)
	Method  string
	Path    string
}

// WaitReason says why the HTTP layer is waiting.
type WaitReason string

const (
	WaitRateLimited WaitReason = "rate limited"       // a 429
	WaitServerError WaitReason = "server error"       // a 5xx
	WaitNetwork     WaitReason = "connection problem" // dropped connection, timeout
	WaitQuota       WaitReason = "rate limit reached" // x-ratelimit-remaining was 0
)

func (w Wait) String() string {
	return fmt.Sprintf("%s — waiting %s", w.Reason, HumanDuration(w.Delay))
}

// Notable reports whether a person watching should hear of w: every retry, and pauses for
// the rate limit long enough to notice. A tenant read at Auth0's free-tier limit pauses
// before nearly every call; saying so each time would bury the retries.
func (w Wait) Notable() bool {
	return w.Reason != WaitQuota || w.Delay >= 2*time.Second
}

// Note says what w means, for a line under a spinner or on stderr: "Auth0: rate limited
// (HTTP 429), retry 1 after 1.2 s", without the "Auth0: " when api is "" (a panel that
// already names it).
func (w Wait) Note(api string) string {
	var note string
	if w.Reason == WaitQuota {
		note = fmt.Sprintf("%s, pausing %s", w.Reason, HumanDuration(w.Delay))
	} else {
		reason := string(w.Reason)
		if w.Status != 0 {
			reason += fmt.Sprintf(" (HTTP %d)", w.Status)
		}
		note = fmt.Sprintf("%s, retry %d after %s", reason, w.Attempt-1, HumanDuration(w.Delay))
	}
	if api != "" {
		note = api + ": " + note
	}
	return note
}

// Plural counts for people: "1 client", "3 clients".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// List joins words as a sentence does: "a", "a and b", "a, b and c".
func List(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// HumanDuration says how long d is, for people, everywhere m2mport shows a duration:
// "850 ms", "1.2 s", "45 s", "59 min 55 s", "1 h", "23 h 59 min", "3 days". Under a minute, a
// duration in whole seconds shows no decimal; from a minute on it is rounded to the second,
// and shown in its two largest units.
func HumanDuration(d time.Duration) string {
	part := func(n int64, unit string, m int64, minor string) string {
		if m == 0 {
			return fmt.Sprintf("%d %s", n, unit)
		}
		return fmt.Sprintf("%d %s %d %s", n, unit, m, minor)
	}
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute && d%time.Second == 0:
		return fmt.Sprintf("%d s", d/time.Second)
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Hour:
		return part(int64(d/time.Minute), "min", int64(d%time.Minute/time.Second), "s")
	case d < 48*time.Hour:
		return part(int64(d/time.Hour), "h", int64(d%time.Hour/time.Minute), "min")
	}
	return fmt.Sprintf("%d days", d/(24*time.Hour))
}

// Pacer decides when the HTTP layer may send. The import engine puts its adaptive token
// bucket into the context of the calls it makes; the HTTP layer asks it before every attempt
// (retries included) and tells it about every answer, so one limiter governs all traffic.
type Pacer interface {
	// Wait blocks until a request may be sent or ctx ends.
	Wait(ctx context.Context) error
	// Observe is told each answer's status (0 when there was none).
	Observe(status int)
}

type pacerKey struct{}
type requestIDKey struct{}

// WithRequestIDs returns a context whose API calls tell fn the request id of every answer
// that carries one (Stytch's request_id), for the run report. fn runs on the calling
// goroutine and must not block.
func WithRequestIDs(ctx context.Context, fn func(id string)) context.Context {
	return context.WithValue(ctx, requestIDKey{}, fn)
}

// NoteRequestID tells the context's request id recorder, if any, about id.
func NoteRequestID(ctx context.Context, id string) {
	if fn, _ := ctx.Value(requestIDKey{}).(func(string)); fn != nil && id != "" {
		fn(id)
	}
}

type waitKey struct{}
type stopKey struct{}

// WithPacer returns a context whose HTTP calls are paced by p.
func WithPacer(ctx context.Context, p Pacer) context.Context {
	return context.WithValue(ctx, pacerKey{}, p)
}

// PacerFrom returns the context's pacer, or nil.
func PacerFrom(ctx context.Context) Pacer {
	p, _ := ctx.Value(pacerKey{}).(Pacer)
	return p
}

// WithWaitReporter returns a context whose HTTP calls report every wait to fn. fn must not
// block: it runs on the calling goroutine.
func WithWaitReporter(ctx context.Context, fn func(Wait)) context.Context {
	return context.WithValue(ctx, waitKey{}, fn)
}

// ReportWait tells the context's wait reporter, if any, about w.
func ReportWait(ctx context.Context, w Wait) {
	if fn, _ := ctx.Value(waitKey{}).(func(Wait)); fn != nil {
		fn(w)
	}
}

// WithStop returns a context whose HTTP calls stop retrying once stop is closed: the attempt
// under way finishes and its outcome stands, but no retry is waited for or sent. The import
// engine's calls outlive a cancel on purpose (a create in flight must be answered); this is
// what keeps them from retrying for minutes after the operator pressed Ctrl-C.
func WithStop(ctx context.Context, stop <-chan struct{}) context.Context {
	return context.WithValue(ctx, stopKey{}, stop)
}

// Stopped reports whether ctx's stop channel (WithStop) is closed.
func Stopped(ctx context.Context) bool {
	stop, _ := ctx.Value(stopKey{}).(<-chan struct{})
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// UntilStopped returns a context that also ends when ctx's stop channel closes, for a wait
// between attempts. Call cancel when the wait is over.
func UntilStopped(ctx context.Context) (context.Context, context.CancelFunc) {
	c, cancel := context.WithCancel(ctx)
	if stop, _ := ctx.Value(stopKey{}).(<-chan struct{}); stop != nil {
		go func() {
			select {
			case <-stop:
				cancel()
			case <-c.Done():
			}
		}()
	}
	return c, cancel
}
