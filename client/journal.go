package client

// The run report is a journal: one JSON object a line (NDJSON), appended as the run goes
// and flushed to disk in batches, so that writing it costs what it holds, once, and a crash
// leaves every line written before it readable.
//
//	{"t":"header","format":2,"kind":"import",…,"auth":"hmac-sha256","key_id":"…","mac":"…"}
//	{"t":"checklist","lines":["signature","typ",…],"mac":"…"}      once, before the first passed verdict
//	{"t":"client","client_id":"…",…,"state":"imported","created":"proven",…,"mac":"…"}   one per client, as it ends
//	{"t":"end","status":"finished",…,"mac":"…"}                    the closing summary
//	{"t":"undone","client_id":"…","by":"…","at":"…"}              appended later by undo
//
// Each line the run writes ends with "mac": HMAC-SHA256, under the machine's report key (kept
// in the OS keyring), of the previous line's MAC and this line without its "mac" member. The
// chain makes a line changed, added, removed or moved in the middle show; only the end may be
// missing, which a report with no "end" line says. Undo's "undone" marks carry no MAC: a mark
// can only make undo delete less.

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// ReportKeySize is the size of the key that authenticates reports.
const ReportKeySize = 32

// ReportAuth says what checking a report's authentication codes found.
type ReportAuth string

const (
	// AuthOK: every line the run wrote carries a valid code under this machine's key.
	AuthOK ReportAuth = "authenticated"
	// AuthNoKey: the report carries codes, but no key was given to check them with.
	AuthNoKey ReportAuth = "not checked"
	// AuthOtherKey: the report was authenticated with another key than this machine's.
	AuthOtherKey ReportAuth = "another key"
	// AuthNone: the run had no key (no OS keyring), so the report carries no codes.
	AuthNone ReportAuth = "none"
)

// Authenticated reports whether the report is known to be one m2mport wrote on this machine,
// as it wrote it.
func (r *Report) Authenticated() bool { return r.Auth == AuthOK }

// WhyUnauthenticated says why the report can't be authenticated, as the end of a sentence
// that starts "the report can't be authenticated: "; "" when it is authenticated.
func (r *Report) WhyUnauthenticated() string {
	switch r.Auth {
	case AuthOK:
		return ""
	case AuthNone:
		return "the run that wrote it had no OS keyring to keep a report key in, so it carries no authentication codes"
	case AuthOtherKey:
		return fmt.Sprintf("it was authenticated with another report key (%s) than this machine's: it was written on another machine or for another user, or before the keyring's report key was removed", r.keyID)
	}
	return "this machine's report key, kept in the OS keyring, can't be read"
}

// KeyID names a report key without giving it away: reports say which key authenticated them.
func KeyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("m2mport report key id"))
	return hex.EncodeToString(m.Sum(nil)[:6])
}

// The lines of a journal.
type (
	reportHeader struct {
		T string `json:"t"` // "header"
		RunHeader
		Auth  string `json:"auth"` // "hmac-sha256" or "none"
		KeyID string `json:"key_id,omitempty"`
	}
	checklistLine struct {
		T     string   `json:"t"` // "checklist"
		Lines []string `json:"lines"`
	}
	clientLine struct {
		T string `json:"t"` // "client"
		ReportClient
	}
	endLine struct {
		T        string    `json:"t"` // "end"
		Status   string    `json:"status"`
		Finished time.Time `json:"finished"`
		Progress Progress  `json:"progress"`
		Requests int64     `json:"requests"`
		Clients  int       `json:"clients"` // client lines written
	}
	undoneLine struct {
		T        string    `json:"t"` // "undone"
		ClientID string    `json:"client_id"`
		By       string    `json:"by"`
		At       time.Time `json:"at"`
	}
)

const (
	authHMAC = "hmac-sha256"
	authNone = "none"
)

// macSuffix is how every authenticated line ends: `,"mac":"<43 characters>"}`.
const (
	macPrefix = `,"mac":"`
	macLen    = 43 // base64 (raw URL) of 32 bytes
	macTail   = len(macPrefix) + macLen + len(`"}`)
)

func lineMAC(key, prev, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(prev)
	m.Write(body)
	return m.Sum(nil)
}

// journal appends a run's report: lines are buffered, and written and synced by sync.
type journal struct {
	f       *os.File
	w       *bufio.Writer
	key     []byte // nil: no authentication codes
	prev    []byte // the last line's MAC
	clients int
	err     error // the first write error; later lines are dropped
}

// createJournal creates the report at path (never over an existing file, nor through a
// symlink) and writes its header. The folder is created 0700 and the file is 0600: reports
// name clients and projects.
func createJournal(path string, key []byte, h reportHeader) (*journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("write run report: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // O_EXCL: never through a symlink either
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("write run report %s: it exists already, and may be the record an undo needs", path)
		}
		return nil, fmt.Errorf("write run report %s: %w", path, pathless(err))
	}
	j := &journal{f: f, w: bufio.NewWriterSize(f, 256<<10), key: key}
	h.T, h.Format, h.Auth = "header", ReportFormat, authNone
	if key != nil {
		h.Auth, h.KeyID = authHMAC, KeyID(key)
	}
	j.add(h)
	if err := j.sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return j, nil
}

// add buffers one line.
func (j *journal) add(v any) {
	if j.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		j.err = fmt.Errorf("encode a report line: %w", err)
		return
	}
	if j.key != nil {
		j.prev = lineMAC(j.key, j.prev, b)
		b = append(b[:len(b)-1], macPrefix...)
		b = base64.RawURLEncoding.AppendEncode(b, j.prev)
		b = append(b, `"}`...)
	}
	if _, err := j.w.Write(append(b, '\n')); err != nil {
		j.err = fmt.Errorf("write run report %s: %w", j.f.Name(), pathless(err))
	}
}

// sync writes the buffered lines and asks the OS to put them on disk: undo relies on the
// lines that say what a run created.
func (j *journal) sync() error {
	if j.err == nil {
		if err := j.w.Flush(); err != nil {
			j.err = fmt.Errorf("write run report %s: %w", j.f.Name(), pathless(err))
		} else if err := j.f.Sync(); err != nil {
			j.err = fmt.Errorf("write run report %s: %w", j.f.Name(), pathless(err))
		}
	}
	return j.err
}

func (j *journal) close() error {
	err := j.sync()
	if cerr := j.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write run report %s: %w", j.f.Name(), pathless(cerr))
	}
	return err
}

// MarkUndone appends to the import report at path that the undo named by (its report's
// path, or "an undo") removed the clients ids, or found them gone. The file is opened for
// appending, so a report reached through a symlink is marked where it is.
func MarkUndone(path, by string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("mark the undone clients in %s: %w", path, pathless(err))
	}
	defer f.Close()
	var buf bytes.Buffer
	// A run that crashed mid-line left no newline: end its cut line first, so the marks are
	// lines of their own (ReadReport accepts one cut line followed by marks).
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			buf.WriteByte('\n')
		}
	}
	now := time.Now().UTC()
	enc := json.NewEncoder(&buf)
	for _, id := range ids {
		_ = enc.Encode(undoneLine{T: "undone", ClientID: id, By: by, At: now}) // strings and a time: can't fail
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("mark the undone clients in %s: %w", path, pathless(err))
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("mark the undone clients in %s: %w", path, pathless(err))
	}
	return nil
}

// ErrOldReport is matched (errors.Is) by ReadReport's error for a report in an older format.
var ErrOldReport = errors.New("a report in an older format")

// ErrTampered is matched by ReadReport's error for a report whose authentication codes,
// checked with this machine's key, do not match: changed since m2mport wrote it.
var ErrTampered = errors.New("the report was changed after m2mport wrote it")

type readError struct {
	msg  string
	kind error
}

func (e *readError) Error() string        { return e.msg }
func (e *readError) Is(target error) bool { return e.kind != nil && target == e.kind }

// ReadReport reads a run report. key is this machine's report key, nil when it can't be
// read: with it, every line the run wrote must carry a valid authentication code (when the
// report was authenticated with that key), or the report is refused (ErrTampered).
// Report.Auth says what was checked.
//
// A journal is read as far as it is whole: a last line cut short by a crash is left out,
// and Report.Cut says so. A report in format 1 is refused with ErrOldReport.
func ReadReport(path string, key []byte) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("can't read %s: %w", path, pathless(err))
	}
	defer f.Close()
	return readJournal(bufio.NewReaderSize(f, 256<<10), path, key, false)
}

// readJournal reads a journal from br. With summaryOnly, client lines keep only their state
// and creation (for a listing of runs).
func readJournal(br *bufio.Reader, path string, key []byte, summaryOnly bool) (*Report, error) {
	var (
		r        *Report
		prev     []byte
		checkMAC bool
		lineNo   int
		badLine  int    // a line that is not whole JSON: allowed once, followed only by marks
		badWhy   string // what was wrong with it
		undone   = map[string]string{}
		ended    bool
	)
	notReport := func() error {
		return &readError{msg: fmt.Sprintf("%s is not a report m2mport wrote", path)}
	}
	for {
		line, rerr := br.ReadBytes('\n')
		if len(line) == 0 && rerr != nil {
			if rerr != io.EOF {
				return nil, fmt.Errorf("can't read %s: %w", path, pathless(rerr))
			}
			break
		}
		lineNo++
		whole := bytes.HasSuffix(line, []byte("\n"))
		line = bytes.TrimRight(line, "\r\n")
		if lineNo == 1 {
			var h reportHeader
			if err := json.Unmarshal(line, &h); err != nil || h.T != "header" {
				if err == nil || bytes.Equal(bytes.TrimSpace(line), []byte("{")) {
					return nil, oldFormat(br, line, path)
				}
				if !whole && bytes.HasPrefix(line, []byte(`{"t":"header"`)) {
					return nil, &readError{msg: fmt.Sprintf("%s is cut short before the end of its first line: the run stopped before it wrote anything", path)}
				}
				return nil, notReport()
			}
			if h.Format != ReportFormat {
				if h.Format > ReportFormat {
					return nil, &readError{msg: fmt.Sprintf("%s is a run report in format %d, and this m2mport reads format %d: use a newer m2mport", path, h.Format, ReportFormat)}
				}
				return nil, notReport()
			}
			if h.Kind != "import" && h.Kind != "undo" {
				return nil, notReport()
			}
			r = &Report{RunHeader: h.RunHeader, Status: "running", keyID: h.KeyID}
			switch {
			case h.Auth != authHMAC:
				r.Auth = AuthNone
			case key == nil:
				r.Auth = AuthNoKey
			case KeyID(key) != h.KeyID:
				r.Auth = AuthOtherKey
			default:
				r.Auth, checkMAC = AuthOK, true
			}
			if checkMAC {
				body, mac, ok := splitMAC(line)
				if !ok || !hmac.Equal(mac, lineMAC(key, nil, body)) {
					return nil, tampered(path, 1)
				}
				prev = mac
			}
			continue
		}
		var kind struct {
			T string `json:"t"`
		}
		if json.Unmarshal(line, &kind) != nil || kind.T == "" {
			if badLine == 0 {
				badLine = lineNo
				badWhy = "is not whole"
				if whole {
					badWhy = "is not JSON"
				}
			}
			continue
		}
		if kind.T == "undone" { // unauthenticated on purpose: a mark only makes undo delete less
			var u undoneLine
			if json.Unmarshal(line, &u) == nil && u.ClientID != "" {
				if _, seen := undone[u.ClientID]; !seen {
					undone[u.ClientID] = u.By
				}
			}
			continue
		}
		if badLine != 0 {
			return nil, &readError{msg: fmt.Sprintf("line %d of %s %s, and lines the run wrote follow it: the report is damaged", badLine, path, badWhy)}
		}
		if checkMAC {
			body, mac, ok := splitMAC(line)
			if !ok || !hmac.Equal(mac, lineMAC(key, prev, body)) {
				return nil, tampered(path, lineNo)
			}
			prev = mac
		}
		switch kind.T {
		case "client":
			if summaryOnly {
				var c struct {
					State   State    `json:"state"`
					Created Creation `json:"created"`
				}
				if json.Unmarshal(line, &c) == nil {
					r.Clients = append(r.Clients, ReportClient{State: c.State, Created: c.Created})
				}
				continue
			}
			var c clientLine
			if err := json.Unmarshal(line, &c); err != nil {
				return nil, &readError{msg: fmt.Sprintf("line %d of %s is not a client line m2mport wrote: %v", lineNo, path, err)}
			}
			r.Clients = append(r.Clients, c.ReportClient)
		case "checklist":
			var c checklistLine
			if json.Unmarshal(line, &c) == nil {
				r.Checklist = c.Lines
			}
		case "end":
			var e endLine
			if json.Unmarshal(line, &e) == nil {
				fin := e.Finished
				r.Status, r.Finished, r.Progress, r.Requests, ended = e.Status, &fin, e.Progress, e.Requests, true
			}
		}
	}
	if r == nil {
		return nil, &readError{msg: fmt.Sprintf("%s is empty: not a report m2mport wrote", path)}
	}
	if badLine != 0 {
		r.Cut = fmt.Sprintf("its line %d was cut short (the run was stopped while writing it) and is left out", badLine)
	}
	if !ended {
		// No closing line: the run was killed, or is still going. Count what it wrote.
		r.Progress = Progress{Total: r.Total}
		for i := range r.Clients {
			r.Progress.count(r.Clients[i].State)
		}
	}
	for i := range r.Clients {
		if c := &r.Clients[i]; c.Created != "" {
			c.UndoneBy = undone[c.ID]
		}
	}
	return r, nil
}

// Ended reports whether the run closed its report (a finished or cancelled run). One that
// did not was killed or is still going, and may have done more than it wrote.
func (r *Report) Ended() bool { return r.Finished != nil }

func tampered(path string, line int) error {
	return &readError{kind: ErrTampered, msg: fmt.Sprintf("%s: line %d does not match its authentication code: the report was changed after m2mport wrote it, so undo trusts none of it", path, line)}
}

// splitMAC splits an authenticated line into the body its MAC was computed over and the MAC.
func splitMAC(line []byte) (body, mac []byte, ok bool) {
	if len(line) < macTail+2 || !bytes.HasSuffix(line, []byte(`"}`)) {
		return nil, nil, false
	}
	at := len(line) - macTail
	if !bytes.Equal(line[at:at+len(macPrefix)], []byte(macPrefix)) {
		return nil, nil, false
	}
	mac, err := base64.RawURLEncoding.DecodeString(string(line[at+len(macPrefix) : len(line)-2]))
	if err != nil || len(mac) != sha256.Size {
		return nil, nil, false
	}
	body = append(bytes.Clone(line[:at]), '}')
	return body, mac, true
}

// oldFormat reads what follows a first line that is not a journal header: a format 1
// report (one indented JSON document) is named as such.
func oldFormat(br *bufio.Reader, first []byte, path string) error {
	rest, _ := io.ReadAll(io.LimitReader(br, 1<<30))
	var old struct {
		Format int    `json:"format"`
		Kind   string `json:"kind"`
	}
	if json.Unmarshal(append(append(first, '\n'), rest...), &old) != nil || (old.Kind != "import" && old.Kind != "undo") {
		return &readError{msg: fmt.Sprintf("%s is not a report m2mport wrote", path)}
	}
	if old.Format == 1 || old.Format == 0 {
		return &readError{kind: ErrOldReport, msg: fmt.Sprintf("%s is a run report in format 1, written by an m2mport older than this one, "+
			"before reports said which creations are proven and could be authenticated; this m2mport reads format %d only, "+
			"so it can't undo that run: use the m2mport that wrote it", path, ReportFormat)}
	}
	return &readError{msg: fmt.Sprintf("%s is not a report m2mport wrote", path)}
}

// ReadReportSummary reads what a listing of runs needs from a report: its header, its
// closing line (or, for a run that never closed it, counts from its client lines) and
// whether its last line was cut. Clients hold only their state and creation; nothing is
// authenticated (Auth is AuthNoKey or AuthNone).
func ReadReportSummary(path string) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("can't read %s: %w", path, pathless(err))
	}
	defer f.Close()
	return readJournal(bufio.NewReaderSize(f, 256<<10), path, nil, true)
}
