package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Where m2mport keeps what it writes on its own: a command-line concern (the XDG variables,
// the home folder), so it is decided here and handed to the engine and the TUI as paths.

// runsDir is where run reports go when no --report is given: $XDG_STATE_HOME/m2mport/runs,
// with ~/.local/state when XDG_STATE_HOME is unset or not absolute (as the XDG spec says).
func runsDir(getenv func(string) string) (string, error) {
	dir := getenv("XDG_STATE_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home := getenv("HOME")
		if home == "" {
			var err error
			if home, err = os.UserHomeDir(); err != nil {
				return "", fmt.Errorf("find a place for the run report: %w (set XDG_STATE_HOME or use --report)", err)
			}
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "m2mport", "runs"), nil
}

// reportPath is where a run's report goes when no path is given: in runsDir, named after the
// time, the kind of run and the project, so names sort by time.
func reportPath(getenv func(string) string, kind, projectID string, at time.Time) (string, error) {
	dir, err := runsDir(getenv)
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("%s-%s-%s.json", at.UTC().Format("20060102T150405.000Z"), kind, safeName(projectID))
	return filepath.Join(dir, name), nil
}

// safeName keeps a project id from naming another folder ("../x").
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			return r
		}
		return '_'
	}, s)
}
