package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/m2mport/m2mport/client/sandbox"
)

// A clients file that can't be read is one sentence naming it once, not a chain of Go errors.
func TestImportFromABadFileSaysWhyOnce(t *testing.T) {
	_, env := sandboxEnv(t, sandbox.Options{Seed: "empty"})
	dir := t.TempDir()
	obj := filepath.Join(dir, "obj.json")
	writeFile(t, obj, `{"client_id":"x"}`)
	for _, tc := range []struct{ file, says string }{
		{filepath.Join(dir, "nonexistent.csv"), "m2mport import: read nonexistent.csv: no such file or directory"},
		{obj, "m2mport import: read obj.json: not a JSON array of clients"},
	} {
		code, _, errOut := run2(t, env, "import", "--from-file", tc.file, "--all", "--dry-run")
		name := filepath.Base(tc.file)
		if code != ExitFailed || !strings.Contains(errOut, tc.says) || strings.Count(errOut, name) != 1 || strings.Contains(errOut, dir) {
			t.Errorf("--from-file %s: exit %d, stderr %q, want exit %d saying %q, naming the file once", name, code, errOut, ExitFailed, tc.says)
		}
	}
}
