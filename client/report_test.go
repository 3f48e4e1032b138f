package client

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A blocked client's secret may be shorter than four characters: its "last four" would be
// all of it, so the report must not carry them.
func TestReportHoldsNoShortSecretWhole(t *testing.T) {
	ctx := context.Background()
	ft := newFake("project-test-1")
	tiny := testClient("tiny", "a")
	tiny.Secret = NewSecret("Zq7")
	p, err := NewPlan(ctx, ft, "test", []Client{tiny}, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Items[0].Action != ActionBlocked {
		t.Fatalf("a 3-character secret is %s, want blocked", p.Items[0].Action)
	}
	path := filepath.Join(t.TempDir(), "r.json")
	opt := fastOptions()
	opt.ReportPath = path
	collect(t, ctx, ft, p, opt)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "Zq7") {
		t.Fatalf("the report holds the whole secret:\n%s", b)
	}
}

// The report on disk catches up with the run while the run waits on a slow call: a crash
// then loses at most a moment of it, and an undo still knows what the run created.
func TestReportCatchesUpWhileTheRunWaits(t *testing.T) {
	ft := newFake("project-test-1")
	release := make(chan struct{})
	ft.onCreate = func(id string) {
		if id == "slow" {
			<-release
		}
	}
	p, err := NewPlan(context.Background(), ft, "test", []Client{testClient("fast", "a"), testClient("slow", "a")}, "")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.json")
	opt := fastOptions()
	opt.ReportPath = path
	opt.Concurrency = 2
	events := Execute(context.Background(), ft, p, opt)
	defer func() {
		close(release)
		for range events {
		}
	}()
	for ev := range events {
		if ev.ClientID == "fast" && ev.Kind == EventVerified {
			break // from here on the run only waits for "slow"
		}
	}
	for range 200 {
		if r, err := ReadReport(path, testReportKey); err == nil && len(r.Clients) > 0 && r.Clients[0].ID == "fast" && r.Clients[0].Created == CreatedProven {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the report still does not show the client the run created while the run waits")
}
