package client

import (
	"time"
)

// ReportFormat is the version of the run report's layout: 2 is the journal (report.go,
// journal.go); 1 was one JSON document rewritten whole at every save.
const ReportFormat = 2

// Report is the record of one run (an import or an undo) as ReadReport finds it in its
// journal. It holds no secret: clients carry their secret's last four only. An undo reads an
// import's report to know which clients that run created and how they looked.
type Report struct {
	RunHeader
	Finished *time.Time `json:"finished,omitempty"`
	Status   string     `json:"status"` // running (no closing line), finished, canceled
	Progress Progress   `json:"progress"`
	Requests int64      `json:"requests"`
	// Checklist names the lines of a token's checklist; a client whose check passed passed
	// every one of them (for its own id and scopes), which the report says once, here.
	Checklist []string       `json:"checklist,omitempty"`
	Clients   []ReportClient `json:"clients"`

	// Cut says what a crash cut short: the last line, half written, which was left out.
	// Empty when every line is whole.
	Cut string `json:"-"`
	// Auth says whether the report's authentication codes were checked, and how it went.
	Auth ReportAuth `json:"-"`
	// keyID is the id of the report key the journal names.
	keyID string
}

// RunHeader is what a report says first about its run, on the journal's header line: what
// ran and when, from where to where, with which settings, and which process it was.
type RunHeader struct {
	Format    int       `json:"format"`
	Kind      string    `json:"kind"` // "import" or "undo"
	RunID     string    `json:"run_id"`
	Started   time.Time `json:"started"`
	Source    string    `json:"source,omitempty"`
	ProjectID string    `json:"project_id"`
	Live      bool      `json:"live"`
	// Undoes is the path of the import report an undo reverses.
	Undoes  string        `json:"undoes,omitempty"`
	Options ReportOptions `json:"options"`
	// Total is the number of clients in the run's plan.
	Total int `json:"total"`
	// Host and PID name the process that wrote the report.
	Host string `json:"host,omitempty"`
	PID  int    `json:"pid,omitempty"`
}

// ReportOptions are the settings a run used.
type ReportOptions struct {
	Concurrency int     `json:"concurrency"`
	Rate        float64 `json:"rate"`
	Verify      bool    `json:"verify"`
}

// Creation says whether, and how surely, a run created a client in the target.
type Creation string

const (
	// CreatedProven: the run's create was answered 2xx with the stored client. Undo deletes
	// such a client (when unchanged since).
	CreatedProven Creation = "proven"
	// CreatedUnconfirmed: a create got no answer, or a server error, and the client was then
	// found stored and identical. This run may have stored it, or another run (or person) may
	// have: undo leaves it unless told to include unconfirmed creations.
	CreatedUnconfirmed Creation = "unconfirmed"
)

// ReportClient is one client's line in a report, written when the client is done (its
// final state and, when verifying, its token's verdict).
type ReportClient struct {
	ID          string      `json:"client_id"`
	Name        string      `json:"name"`
	Scopes      Scopes      `json:"scopes"`
	SecretLast4 string      `json:"secret_last_four,omitempty"`
	Action      Action      `json:"action"`
	Resolution  Resolution  `json:"resolution,omitempty"`
	State       State       `json:"state"`
	Message     string      `json:"message,omitempty"`
	Diff        []FieldDiff `json:"diff,omitempty"`
	Blockers    []Blocker   `json:"blockers,omitempty"`
	// Warnings are the plan's warnings for the client: widenings of access accepted
	// knowingly (the record that someone said so), organizations its tokens lose.
	Warnings []string   `json:"warnings,omitempty"`
	Error    *ErrorInfo `json:"error,omitempty"`
	Attempts int        `json:"attempts,omitempty"`
	// Created says whether this run created the client in the target, and how surely; empty
	// when it did not. Proof says how it knows.
	Created Creation `json:"created,omitempty"`
	Proof   string   `json:"proof,omitempty"`
	// RequestIDs are Stytch's request ids of the calls made for the client, in order.
	RequestIDs []string `json:"request_ids,omitempty"`
	// Stored is the client as the target held it after this run wrote it, what an undo
	// compares with to know it is unchanged since.
	Stored *StoredRecord `json:"stored,omitempty"`
	// Check is the token's verdict: passed, or the lines that failed.
	Check *Verdict `json:"check,omitempty"`
	// UndoneBy names the undo that deleted the client, or found it gone (its report, or
	// "an undo"): a client there later under that id is someone else's, which the same
	// undo run again must leave alone. ReadReport fills it from the marks undo appends.
	UndoneBy string `json:"undone_by,omitempty"`
}

// Verdict is what a report keeps of a token's checklist: whether it passed, and only the
// lines that failed. A passing checklist is the same for every client (Report.Checklist).
type Verdict struct {
	Verdict string  `json:"verdict"` // "passed" or "failed"
	Lines   []Check `json:"failed,omitempty"`
}

// VerdictOf keeps of cl what a report needs.
func VerdictOf(cl *Checklist) *Verdict {
	if cl.Passed() {
		return &Verdict{Verdict: "passed"}
	}
	failed := cl.Failed()
	if len(failed) == 0 { // an empty checklist passes nothing
		failed = []Check{{Name: "token", Status: CheckFail, Actual: "no checklist"}}
	}
	return &Verdict{Verdict: "failed", Lines: failed}
}

// Passed reports whether the token passed its checklist.
func (v *Verdict) Passed() bool { return v != nil && v.Verdict == "passed" }

// Failed returns the lines that failed.
func (v *Verdict) Failed() []Check {
	if v == nil {
		return nil
	}
	return v.Lines
}

// StoredRecord is a Stored client as a report keeps it.
type StoredRecord struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Scopes      Scopes         `json:"scopes"`
	Metadata    map[string]any `json:"metadata,omitempty"`
	SecretLast4 string         `json:"secret_last_four"`
}

func recordOf(s Stored) *StoredRecord {
	return &StoredRecord{Name: s.Name, Description: s.Description, Scopes: s.Scopes, Metadata: s.Metadata, SecretLast4: s.SecretLast4}
}

func (r *StoredRecord) stored(id string) Stored {
	return Stored{ID: id, Name: r.Name, Description: r.Description, Scopes: r.Scopes, Metadata: r.Metadata, SecretLast4: r.SecretLast4}
}
