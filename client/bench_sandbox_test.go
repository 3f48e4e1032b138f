package client_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
)

// BenchmarkRateLimited2000 imports 2,000 clients (create + verify) into a sandbox whose
// Stytch API allows 200 requests per second, and reports how close the run came to the
// limit: ratio = elapsed ÷ (requests made ÷ 200/s), the baseline being a run that uses every
// slot the limit allows; 429/s is the rate-limited answers per second of run. It asserts
// correctness only (every client imported and verified), never time.
//
//	go test ./client -run '^$' -bench RateLimited2000 -benchtime 1x
func BenchmarkRateLimited2000(b *testing.B) {
	for _, engineRate := range []float64{200, 400, 1000} {
		b.Run(fmt.Sprintf("engine-rate=%v", engineRate), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				w := startWorld(b, sandbox.Options{Seed: "generated:2000", RandomSeed: 3, StytchRate: sandbox.Rate{PerSecond: 200, Burst: 20}})
				clients := w.importable(b)
				p, err := client.NewPlan(context.Background(), w.target, w.source.Name(), clients, client.ResolveSkip)
				if err != nil {
					b.Fatal(err)
				}
				before := sandboxtest.Stats(b, w.sb.Stytch().URL).Total
				b.StartTimer()
				var sum *client.Summary
				for ev := range client.Execute(context.Background(), w.target, p, client.Options{Rate: engineRate, Concurrency: 16, Verify: true}) {
					if ev.Kind == client.EventFinished {
						sum = ev.Summary
					}
				}
				b.StopTimer()
				served := sandboxtest.Stats(b, w.sb.Stytch().URL).Total - before
				if !sum.OK() || sum.Progress.Imported != len(clients) || sum.Progress.Verified != len(clients) {
					b.Fatalf("not every client was imported and verified: %+v", sum.Progress)
				}
				if got := len(sandboxtest.Stored(b, w.sb)); got != len(clients) {
					b.Fatalf("the target holds %d clients, want %d", got, len(clients))
				}
				secs := sum.Elapsed.Seconds()
				b.ReportMetric(secs/(float64(served)/200), "ratio")
				b.ReportMetric(float64(sum.RateLimited)/secs, "429/s")
				b.ReportMetric(float64(served), "requests")
				b.ReportMetric(secs, "s/run")
				b.Logf("engine rate %v: %d clients, %d requests (engine counted %d) in %s, %d rate limited",
					engineRate, len(clients), served, sum.Requests, sum.Elapsed.Round(time.Millisecond), sum.RateLimited)
			}
		})
	}
}

// BenchmarkSandboxPerClient is the cost of one imported and verified client through the
// real HTTP clients against an unlimited sandbox (whose server side runs in the same
// process and is counted too), next to the same calls made one after the other without
// the engine: the baseline.
func BenchmarkSandboxPerClient(b *testing.B) {
	setup := func(b *testing.B) (*world, []client.Client) {
		b.StopTimer()
		w := startWorld(b, sandbox.Options{Seed: fmt.Sprintf("generated:%d", b.N), RandomSeed: 5})
		clients := w.importable(b)
		b.StartTimer()
		return w, clients
	}
	b.Run("direct", func(b *testing.B) {
		w, clients := setup(b)
		b.ReportAllocs()
		ctx := context.Background()
		for i := range clients {
			c := &clients[i]
			if _, err := w.target.Create(ctx, c); err != nil {
				b.Fatal(err)
			}
			tok, err := w.target.Token(ctx, c.ID, c.Secret, nil)
			if err != nil {
				b.Fatal(err)
			}
			cl, err := client.CheckToken(ctx, tok.Value, w.target.Key, client.Expect{ProjectID: w.target.ProjectID(), ClientID: c.ID, Scopes: &c.Scopes, Lifetime: tok.ExpiresIn})
			if err != nil || !cl.Passed() {
				b.Fatal(err, cl.Failed())
			}
		}
	})
	b.Run("engine", func(b *testing.B) {
		w, clients := setup(b)
		b.ReportAllocs()
		p, err := client.NewPlan(context.Background(), w.target, "bench", clients, client.ResolveSkip)
		if err != nil {
			b.Fatal(err)
		}
		var sum *client.Summary
		for ev := range client.Execute(context.Background(), w.target, p, client.Options{Rate: 1e6, Verify: true}) {
			if ev.Kind == client.EventFinished {
				sum = ev.Summary
			}
		}
		if !sum.OK() || sum.Progress.Imported != len(clients) {
			b.Fatalf("%+v", sum.Progress)
		}
	})
}
