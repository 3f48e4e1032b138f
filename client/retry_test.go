package client

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestHumanDurationReadsLikeAPerson(t *testing.T) {
	for d, want := range map[time.Duration]string{
		850 * time.Millisecond:                "850 ms",
		1200 * time.Millisecond:               "1.2 s",
		2 * time.Second:                       "2 s",
		45 * time.Second:                      "45 s",
		59*time.Minute + 55*time.Second:       "59 min 55 s",
		2 * time.Minute:                       "2 min",
		time.Hour:                             "1 h",
		24 * time.Hour:                        "24 h",
		23*time.Hour + 59*time.Minute:         "23 h 59 min",
		3*24*time.Hour + 5*time.Minute:        "3 days",
		90*time.Minute + 29*time.Second:       "1 h 30 min",
		2*time.Minute + 1500*time.Millisecond: "2 min 2 s",
	} {
		if got := HumanDuration(d); got != want {
			t.Errorf("HumanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// fakeSleep records the waits and takes no time.
type fakeSleep struct{ slept []time.Duration }

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.slept = append(f.slept, d)
	return ctx.Err()
}

func TestRetryBacksOffDoublingWithJitterUpToMax(t *testing.T) {
	var fs fakeSleep
	var waits []Wait
	ctx := WithWaitReporter(context.Background(), func(w Wait) { waits = append(waits, w) })
	boom := errors.New("no answer")
	tries := Retry{Attempts: 6, Base: 100 * time.Millisecond, Max: 400 * time.Millisecond, Sleep: fs.sleep, Method: "GET", Path: "/x"}.Start(ctx)
	n := 0
	for attempt := range tries.All() {
		n++
		if attempt != n {
			t.Fatalf("attempt %d, want %d", attempt, n)
		}
		tries.Again(boom, 0, -1)
	}
	if n != 6 || tries.N != 6 || tries.End != RetryExhausted || tries.Err != boom {
		t.Fatalf("%d tries, N %d, end %v, err %v", n, tries.N, tries.End, tries.Err)
	}
	full := []time.Duration{100, 200, 400, 400, 400}
	if len(fs.slept) != len(full) || len(waits) != len(full) {
		t.Fatalf("slept %v, reported %d waits", fs.slept, len(waits))
	}
	var total time.Duration
	for i, d := range fs.slept {
		f := full[i] * time.Millisecond
		if d < f/2 || d > f {
			t.Errorf("wait %d: %v, want between %v and %v", i+1, d, f/2, f)
		}
		if w := waits[i]; w.Delay != d || w.Attempt != i+2 || w.Reason != WaitNetwork || w.Method != "GET" || w.Path != "/x" {
			t.Errorf("reported %+v for a wait of %v before attempt %d", w, d, i+2)
		}
		total += d
	}
	if tries.Waited != total {
		t.Errorf("waited %v, slept %v", tries.Waited, total)
	}
}

func TestRetryHonoursTheAPIsWaitUpToMaxAfter(t *testing.T) {
	var fs fakeSleep
	tries := Retry{Attempts: 3, Base: time.Millisecond, MaxAfter: time.Minute, Sleep: fs.sleep}.Start(context.Background())
	for attempt := range tries.All() {
		if attempt == 1 {
			tries.Again(errors.New("429"), 429, 3*time.Second)
		} else {
			tries.Again(errors.New("429"), 429, time.Hour)
		}
	}
	if len(fs.slept) != 2 {
		t.Fatalf("slept %v", fs.slept)
	}
	if d := fs.slept[0]; d < 3*time.Second || d > 3*time.Second+270*time.Millisecond {
		t.Errorf("asked for 3 s, waited %v", d)
	}
	if d := fs.slept[1]; d < time.Minute || d > time.Minute+270*time.Millisecond {
		t.Errorf("asked for an hour, capped at a minute, waited %v", d)
	}
}

func TestRetryEnds(t *testing.T) {
	t.Run("done", func(t *testing.T) {
		tries := Retry{Attempts: 5}.Start(context.Background())
		n := 0
		for range tries.All() {
			n++ // no Again: the try did not ask for another
		}
		if n != 1 || tries.End != RetryDone {
			t.Fatalf("%d tries, end %v", n, tries.End)
		}
	})
	t.Run("too long", func(t *testing.T) {
		var fs fakeSleep
		tries := Retry{Attempts: 10, Base: time.Second, MaxWait: 2 * time.Second, Sleep: fs.sleep}.Start(context.Background())
		for range tries.All() {
			tries.Waited += 1500 * time.Millisecond // a wait the body took itself counts
			tries.Again(errors.New("503"), 503, -1)
		}
		if tries.End != RetryTooLong || tries.N != 1 || len(fs.slept) != 0 {
			t.Fatalf("end %v after %d tries, slept %v", tries.End, tries.N, fs.slept)
		}
	})
	t.Run("stopped before the wait", func(t *testing.T) {
		stop := make(chan struct{})
		close(stop)
		var fs fakeSleep
		var waits int
		ctx := WithWaitReporter(WithStop(context.Background(), stop), func(Wait) { waits++ })
		tries := Retry{Attempts: 5, Base: time.Second, Sleep: fs.sleep}.Start(ctx)
		for range tries.All() {
			tries.Again(errors.New("503"), 503, -1)
		}
		if tries.End != RetryStopped || tries.N != 1 || len(fs.slept) != 0 || waits != 0 {
			t.Fatalf("end %v after %d tries, slept %v, %d waits reported", tries.End, tries.N, fs.slept, waits)
		}
	})
	t.Run("stopped during the wait", func(t *testing.T) {
		stop := make(chan struct{})
		ctx := WithWaitReporter(WithStop(context.Background(), stop), func(Wait) { close(stop) })
		tries := Retry{Attempts: 5, Base: time.Hour}.Start(ctx)
		start := time.Now()
		for range tries.All() {
			tries.Again(errors.New("503"), 503, -1)
		}
		if tries.End != RetryStopped || tries.N != 1 || time.Since(start) > 10*time.Second {
			t.Fatalf("end %v after %d tries and %v", tries.End, tries.N, time.Since(start))
		}
	})
	t.Run("interrupted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		ctx = WithWaitReporter(ctx, func(Wait) { cancel() })
		tries := Retry{Attempts: 5, Base: time.Hour}.Start(ctx)
		for range tries.All() {
			tries.Again(errors.New("503"), 503, -1)
		}
		if tries.End != RetryInterrupted || !errors.Is(tries.WaitErr, context.Canceled) {
			t.Fatalf("end %v, wait error %v", tries.End, tries.WaitErr)
		}
	})
}

func TestWaitReasonIsOneMapping(t *testing.T) {
	for status, want := range map[int]WaitReason{0: WaitNetwork, 429: WaitRateLimited, 408: WaitServerError, 500: WaitServerError, 503: WaitServerError, 400: WaitNetwork} {
		if got := waitReason(status); got != want {
			t.Errorf("status %d: %q, want %q", status, got, want)
		}
	}
}

// Abandon returns f's answer, or ctx's cause without waiting for an f that never returns.
func TestAbandon(t *testing.T) {
	if v, err := Abandon(context.Background(), func() (int, error) { return 7, nil }); v != 7 || err != nil {
		t.Fatalf("Abandon = %v, %v; want f's 7, nil", v, err)
	}
	hung := errors.New("hung")
	ctx, cancel := context.WithCancelCause(context.Background())
	never := make(chan struct{})
	defer close(never)
	go func() { time.Sleep(10 * time.Millisecond); cancel(hung) }()
	v, err := Abandon(ctx, func() (int, error) { <-never; return 7, nil })
	if v != 0 || !errors.Is(err, hung) {
		t.Fatalf("Abandon = %v, %v; want 0 and the context's cause", v, err)
	}
}
