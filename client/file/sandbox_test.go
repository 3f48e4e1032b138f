package file_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/file"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
	"github.com/m2mport/m2mport/client/stytch"
)

// Numbers in a file's metadata that Stytch stores exactly are imported, and a second run
// finds the clients identical; one it would change is left out, never imported changed.
func TestFileMetadataNumbersSurviveARerun(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Seed: "empty"})
	target := sandboxtest.NewClient(t, stytch.New, stytch.Config{Credentials: sandboxtest.TargetCredentials(sb)}, nil)
	path := filepath.Join(t.TempDir(), "clients.json")
	js := `[
  {"client_id": "numbers", "client_secret": "s3cret-numbers-abcdef", "scopes": "read:a", "metadata": {"tenth": 0.1, "half": 1.50, "k": 1e3, "zero": -0, "max": 9007199254740992, "nested": {"list": [1, 2.25, 1e21]}}},
  {"client_id": "plain", "client_secret": "s3cret-plain-abcdef", "scopes": "read:a", "metadata": {"n": 7}},
  {"client_id": "big", "client_secret": "s3cret-big-abcdef", "scopes": "read:a", "metadata": {"acct": 12345678901234567891}}
]`
	if err := os.WriteFile(path, []byte(js), 0o600); err != nil {
		t.Fatal(err)
	}
	src := file.New(path)
	inv, err := src.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Clients) != 2 || len(inv.Warnings) != 1 || !strings.Contains(inv.Warnings[0], "line 4") || !strings.Contains(inv.Warnings[0], "quote it as a string") {
		t.Fatalf("clients %d, warnings %q: want the big number's row left out", len(inv.Clients), inv.Warnings)
	}
	plan := func() *client.Plan {
		p, err := client.NewPlan(context.Background(), target, src.Name(), inv.Clients, client.ResolveSkip)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := plan()
	if n := p.Counts(); n.Create != 2 {
		t.Fatalf("first plan %+v", n)
	}
	var last client.Event
	for ev := range client.Execute(context.Background(), target, p, client.Options{}) {
		last = ev
	}
	if s := last.Summary; s == nil || s.Progress.Failed != 0 {
		t.Fatalf("import: %+v", last)
	}
	again := plan()
	if n := again.Counts(); n.Skip != 2 {
		for _, it := range again.Items {
			t.Logf("%s: %s %v", it.Client.ID, it.Action, it.Diff)
		}
		t.Fatalf("second plan %+v: the metadata should compare identical", n)
	}
}
