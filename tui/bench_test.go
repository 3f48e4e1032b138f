package tui

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/m2mport/m2mport/client"
)

// Benchmarks of the Pick screen with 10,000 clients. Targets (issue 5): one filter keystroke
// (Update + View) median ≤ 2 ms, View of a 100×30 frame ≤ 1 ms. The Baseline benchmarks run
// in the same process so results can be read as ratios on a noisy machine (the scan is the
// machine's speed at the filter's core work; 100 clients is the same frame with a short list):
//
//	go test ./tui -run '^$' -bench 'Pick|Baseline' -benchmem -count 5

const benchClients = 10_000

func benchPick(b *testing.B, n int) *harness {
	b.Helper()
	t := &testing.T{}
	src, tgt := fakes()
	src.inv = manyClients(n)
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	h.press("enter", "enter")
	if _, ok := h.top().(*pickScreen); !ok {
		b.Fatalf("got %T", h.top())
	}
	return h
}

// reportMedian records each iteration's time and reports the median and the 99th percentile.
func reportMedian(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkPickFilterKeystroke types into the filter and deletes again: every iteration is
// one keystroke through the root model and one frame drawn, as Bubble Tea would do it.
func BenchmarkPickFilterKeystroke(b *testing.B) { benchKeystroke(b, benchClients, false) }

// BenchmarkPickFilterKeystrokeCold is the same with every drawn row forgotten before each
// keystroke, as when the filter brings rows never drawn before.
func BenchmarkPickFilterKeystrokeCold(b *testing.B) { benchKeystroke(b, benchClients, true) }

// BenchmarkBaselineKeystroke100 is a keystroke with 100 clients: the cost of the frame
// without the size of the list.
func BenchmarkBaselineKeystroke100(b *testing.B) { benchKeystroke(b, 100, false) }

func benchKeystroke(b *testing.B, n int, cold bool) {
	h := benchPick(b, n)
	p := h.top().(*pickScreen)
	h.press("/")
	keys := []tea.KeyPressMsg{keyPress("7"), keyPress("backspace")}
	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if cold {
			p.clearCache()
		}
		start := time.Now()
		h.app.Update(keys[i%2])
		_ = h.app.View()
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	reportMedian(b, times)
}

// BenchmarkPickView draws a 100×30 frame of the list with 10,000 clients.
func BenchmarkPickView(b *testing.B) {
	h := benchPick(b, benchClients)
	h.press("pgdown", "pgdown")
	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		_ = h.app.View()
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	reportMedian(b, times)
}

// BenchmarkPickMemory reports the heap the Pick screen holds for 10,000 clients, beyond the
// inventory itself.
func BenchmarkPickMemory(b *testing.B) {
	src, _ := fakes()
	inv := manyClients(benchClients)
	src.inv = inv
	var held uint64
	for i := 0; i < b.N; i++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		p := newPick(&shared{theme: defaultTheme(), styles: defaultTheme().Styles(true), keys: defaultKeyMap()}, src, nil)
		p.SetSize(98, 26)
		msg := loadInventory(context.Background(), newWaits(), p.sid, src, nil)().(inventoryMsg)
		p.Update(msg)
		runtime.GC()
		runtime.ReadMemStats(&after)
		held = after.HeapAlloc - before.HeapAlloc
		runtime.KeepAlive(p)
	}
	b.ReportMetric(float64(held), "heap-bytes")
	b.ReportMetric(float64(held)/benchClients, "bytes/client")
}

// BenchmarkBaselineScan is the floor of a filter keystroke: one substring search over
// 10,000 short strings, with no UI at all.
func BenchmarkBaselineScan(b *testing.B) {
	rows := buildPickRows(manyClients(benchClients), nil)
	hay := make([]string, len(rows))
	for i := range rows {
		hay[i] = rows[i].hay
	}
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		for _, s := range hay {
			if strings.Contains(s, "7") {
				n++
			}
		}
	}
	_ = n
}

// BenchmarkImportEvents10k follows a run of 10,000 clients: four events per client (planned,
// started, imported, verified) in the batches readEvents makes, one frame per batch. The
// figure is per client.
func BenchmarkImportEvents10k(b *testing.B) {
	src, tgt := fakes()
	inv := manyClients(benchClients)
	h := newHarness(&testing.T{}, testConfig(src, tgt), 100, 30)
	plan, err := client.NewPlan(context.Background(), tgt, "bench", inv.Clients, client.ResolveSkip)
	if err != nil {
		b.Fatal(err)
	}
	check := goldenCheck("x", "y")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s := newImport(h.app.sh, h.app.cfg, "bench", tgt, inv.Clients, nil)
		s.SetSize(98, 26)
		s.Update(planMsg{to: to(s.sid), plan: plan})
		s.phase = impRunning
		var batch []client.Event
		flush := func() {
			s.Update(eventsMsg{to: to(s.sid), events: batch, closed: true})
			_ = s.View()
			batch = batch[:0]
		}
		for i := range plan.Items {
			for _, ev := range []client.Event{
				{Kind: client.EventPlanned, Index: i},
				{Kind: client.EventStarted, Index: i},
				{Kind: client.EventKind(client.StateImported), Index: i, State: client.StateImported},
				{Kind: client.EventVerified, Index: i, Check: check},
			} {
				if batch = append(batch, ev); len(batch) == 512 {
					flush()
				}
			}
		}
		flush()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchClients), "ns/client")
}
