package client

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkEnginePerClient is the engine's own cost per imported and verified client:
// planning, pacing, events, the report and the checklist (an RSA signature check), against
// an in-memory target whose tokens are signed ahead of time. The baseline ("direct") makes
// the same calls one after the other without the engine.
//
//	go test ./client -run '^$' -bench EnginePerClient -benchmem
func BenchmarkEnginePerClient(b *testing.B) {
	setup := func(b *testing.B) (*fakeTarget, []Client) {
		b.StopTimer()
		ft := newFake("project-test-1")
		clients := make([]Client, b.N)
		for i := range clients {
			clients[i] = testClient(fmt.Sprintf("client-%06d", i), "read:orders", "write:orders")
		}
		ft.premint(clients)
		b.ReportAllocs()
		b.StartTimer()
		return ft, clients
	}
	b.Run("direct", func(b *testing.B) {
		ft, clients := setup(b)
		ctx := context.Background()
		for i := range clients {
			c := &clients[i]
			if _, err := ft.Create(ctx, c); err != nil {
				b.Fatal(err)
			}
			tok, err := ft.Token(ctx, c.ID, c.Secret, nil)
			if err != nil {
				b.Fatal(err)
			}
			if cl, err := CheckToken(ctx, tok.Value, ft.Key, Expect{ProjectID: ft.project, ClientID: c.ID, Scopes: &c.Scopes, Lifetime: tok.ExpiresIn}); err != nil || !cl.Passed() {
				b.Fatal(err)
			}
		}
	})
	b.Run("engine", func(b *testing.B) {
		ft, clients := setup(b)
		p, err := NewPlan(context.Background(), ft, "bench", clients, ResolveSkip)
		if err != nil {
			b.Fatal(err)
		}
		var sum *Summary
		for ev := range Execute(context.Background(), ft, p, Options{Rate: 1e9, Verify: true}) {
			if ev.Kind == EventFinished {
				sum = ev.Summary
			}
		}
		if !sum.OK() || sum.Progress.Imported != b.N {
			b.Fatalf("%+v", sum.Progress)
		}
	})
}
