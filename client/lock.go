package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ProjectLock keeps two runs on this machine from writing to one project at once: an import
// and another import (or an undo) of the same project would each see the other's creations
// as theirs to settle. It is a file in the state folder's locks/, held with the OS's file
// lock, which the OS lets go of when the process ends however it ends. The file names the run
// that holds it, for the message the next run gets.
type ProjectLock struct {
	f *os.File
	// Stale names a run that died holding the lock (its process is gone): the lock was
	// taken over from it. Empty otherwise.
	Stale string
}

// LockHolder is what a lock file says about the run that holds it.
type LockHolder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host,omitempty"`
	Kind    string    `json:"kind"` // import, undo
	Started time.Time `json:"started"`
	Report  string    `json:"report,omitempty"`
}

func (h LockHolder) String() string {
	s := fmt.Sprintf("an %s started %s (pid %d", h.Kind, h.Started.Local().Format("2006-01-02 15:04:05"), h.PID)
	if h.Host != "" {
		s += " on " + h.Host
	}
	s += ")"
	if h.Report != "" {
		s += ", report " + h.Report
	}
	return s
}

// ErrLocked is matched (errors.Is) by LockProject's error when another run holds the lock.
var ErrLocked = errors.New("another m2mport run is writing to this project")

type lockedError struct{ msg string }

func (e *lockedError) Error() string        { return e.msg }
func (e *lockedError) Is(target error) bool { return target == ErrLocked }

// LockPath is the lock file of projectID under the state folder dir (StateDir).
func LockPath(dir, projectID string) string {
	return filepath.Join(dir, "locks", SafeFileName(projectID)+".lock")
}

// LockProject takes the lock of projectID under dir for the run me, or says which run holds
// it. Unlock lets go of it.
func LockProject(dir, projectID string, me LockHolder) (*ProjectLock, error) {
	path := LockPath(dir, projectID)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock project %s: %w", projectID, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock project %s: %w", projectID, pathless(err))
	}
	var before LockHolder
	known := readHolder(f, &before)
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock project %s (%s): %w", projectID, path, err)
	}
	if !held {
		f.Close()
		who := "another run"
		if known {
			who = before.String()
		}
		return nil, &lockedError{fmt.Sprintf("%s: %s is writing to project %s from this machine; wait for it to end (or stop it), then run again. "+
			"Two runs at once would each take the other's new clients for their own", ErrLocked, who, projectID)}
	}
	l := &ProjectLock{f: f}
	if known && before.PID != 0 && before.PID != me.PID {
		// The OS let go of the lock, so its holder is gone: say whose lock this was when the
		// file still names a run, which is what a run that was killed leaves.
		l.Stale = before.String()
		if processAlive(before.PID) {
			l.Stale += " (its pid is in use again, by another process)"
		}
	}
	b, _ := json.Marshal(me) // plain fields: can't fail
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(b, '\n'), 0) // what the lock file says is for messages only
	}
	return l, nil
}

func readHolder(f *os.File, h *LockHolder) bool {
	b := make([]byte, 4096)
	n, _ := f.ReadAt(b, 0)
	return n > 0 && json.Unmarshal(b[:n], h) == nil && h.PID != 0
}

// Unlock lets go of the lock. The file stays, emptied: a later run finds no holder in it.
func (l *ProjectLock) Unlock() {
	if l == nil || l.f == nil {
		return
	}
	_ = l.f.Truncate(0)
	_ = unlockFile(l.f)
	_ = l.f.Close()
	l.f = nil
}

// SafeFileName keeps a project id from naming another folder ("../x") when it names a file:
// every rune but ASCII letters, digits, '-', '_' and '.' becomes '_'. Locks and run reports
// are named with it.
func SafeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			return r
		}
		return '_'
	}, s)
}
