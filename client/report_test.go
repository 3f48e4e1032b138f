package client

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteReportIsAtomicAndPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "r.json")
	r := &Report{Format: ReportFormat, Kind: "import", ProjectID: "p", Clients: []ReportClient{{ID: "c", SecretLast4: "DzJj"}}}
	for range 3 {
		if err := WriteReport(path, r); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	fi, _ := os.Stat(path)
	di, _ := os.Stat(dir)
	if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
		t.Fatalf("modes %v %v", fi.Mode(), di.Mode())
	}
	got, err := ReadReport(path)
	if err != nil || got.Clients[0].SecretLast4 != "DzJj" {
		t.Fatalf("%+v %v", got, err)
	}
	os.WriteFile(path, []byte(`{"format":1,"kind":"other"}`), 0o600)
	if _, err := ReadReport(path); err == nil {
		t.Fatal("a foreign file read as a report")
	}
	os.WriteFile(path, []byte(`not json`), 0o600)
	if _, err := ReadReport(path); err == nil || !strings.Contains(err.Error(), "not a report") {
		t.Fatalf("garbage: %v", err)
	}
}

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
		if r, err := ReadReport(path); err == nil && r.Clients[0].State == StateImported && r.Clients[0].Created {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the report still does not show the client the run created while the run waits")
}
