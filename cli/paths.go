package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/m2mport/m2mport/client"
)

// Where m2mport keeps what it writes on its own: a command-line concern (the XDG variables,
// the home folder), so it is decided here and handed to the engine and the TUI as paths.

// runsDir is where run reports go when no --report is given: stateDir's runs/.
func runsDir(getenv func(string) string) (string, error) {
	dir, err := stateDir(getenv)
	if err != nil {
		return "", fmt.Errorf("find a place for the run report: %w (set XDG_STATE_HOME or use --report)", err)
	}
	return filepath.Join(dir, "runs"), nil
}

// stateDir is m2mport's folder for what it keeps between runs: $XDG_STATE_HOME/m2mport,
// with ~/.local/state when XDG_STATE_HOME is unset or not absolute (as the XDG spec says).
// Reports go in its runs/, the projects' locks in its locks/.
func stateDir(getenv func(string) string) (string, error) {
	dir := getenv("XDG_STATE_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home := getenv("HOME")
		if home == "" {
			var err error
			if home, err = os.UserHomeDir(); err != nil {
				return "", err
			}
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "m2mport"), nil
}

// reportPath is where a run's report goes when no path is given: in runsDir, named after the
// time, the kind of run and the project, so names sort by time.
func reportPath(getenv func(string) string, kind, projectID string, at time.Time) (string, error) {
	dir, err := runsDir(getenv)
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("%s-%s-%s%s", at.UTC().Format("20060102T150405.000Z"), kind, client.SafeFileName(projectID), reportExt)
	return filepath.Join(dir, name), nil
}

// reportExt ends the name of a report m2mport names itself: a journal, one JSON object a
// line. Reports of format 1 (before journals) end in .json.
const reportExt = ".ndjson"
