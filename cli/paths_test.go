package cli

import (
	"strings"
	"testing"
	"time"
)

func TestReportPath(t *testing.T) {
	at := time.Date(2026, 11, 1, 10, 2, 3, 0, time.UTC)
	env := map[string]string{"XDG_STATE_HOME": "/state", "HOME": "/home/op"}
	getenv := func(k string) string { return env[k] }
	p, err := reportPath(getenv, "import", "project-test-1/../x", at)
	if err != nil || p != "/state/m2mport/runs/20261101T100203.000Z-import-project-test-1_.._x.ndjson" {
		t.Fatalf("%q %v", p, err)
	}
	env["XDG_STATE_HOME"] = "relative/ignored"
	if p, _ := reportPath(getenv, "undo", "p", at); !strings.HasPrefix(p, "/home/op/.local/state/m2mport/runs/") {
		t.Fatalf("fallback %q", p)
	}
	if d, _ := runsDir(getenv); d != "/home/op/.local/state/m2mport/runs" {
		t.Fatalf("runsDir %q", d)
	}
}
