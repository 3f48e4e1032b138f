package client

import (
	"errors"
	"time"
)

// State is where a client ends up in a run. Every client of a plan reaches exactly one.
type State string

const (
	StateImported State = "imported" // created in the target by this run
	StateUpdated  State = "updated"  // a conflict resolved by an update
	StateSkipped  State = "skipped"  // already identical in the target (or, in an undo, already gone)
	StateConflict State = "conflict" // differs in the target and was left as it is
	StateBlocked  State = "blocked"  // cannot be imported
	StateFailed   State = "failed"   // an error; see the event's Error
	StateCanceled State = "canceled" // the run was cancelled before this client was done (see Message)
	StateDeleted  State = "deleted"  // undo: deleted from the target
)

// EventKind says what an Event reports. The final state of a client is reported by an
// event whose kind is the state's name ("imported", "skipped", "failed", …).
type EventKind string

const (
	EventPlanned  EventKind = "planned"  // once per client, before any work: its action
	EventStarted  EventKind = "started"  // the engine began writing the client
	EventWaiting  EventKind = "waiting"  // a pause before a retry or for the rate limit; see Wait
	EventRetried  EventKind = "retried"  // the engine sent a write again; see Attempt and Message
	EventVerified EventKind = "verified" // the client's token checklist is in Check (passed or not)
	EventFinished EventKind = "finished" // the last event: Summary is set
)

// Event is one thing that happened in a run, for the UI's live progress and the headless
// mode's NDJSON. It never holds a secret or a token.
type Event struct {
	Seq  int       `json:"seq"`
	Time time.Time `json:"time"`
	Kind EventKind `json:"event"`
	// Index is the client's position in Plan.Items (-1 for run-wide events).
	Index    int    `json:"index"`
	ClientID string `json:"client_id,omitempty"`
	Name     string `json:"name,omitempty"`
	Action   Action `json:"action,omitempty"` // planned events
	Scopes   Scopes `json:"scopes,omitempty"` // planned events: the scopes the client is to have
	// Diff and Blockers explain a planned conflict or block.
	Diff     []FieldDiff `json:"diff,omitempty"`
	Blockers []Blocker   `json:"blockers,omitempty"`
	// Widenings are how a planned client's Stytch token would reach further than its Auth0
	// tokens, not yet accepted: each is also one of Blockers.
	Widenings []Widening `json:"widenings,omitempty"`
	// Warnings are a planned client's warnings: widenings accepted, organizations dropped.
	Warnings []string `json:"warnings,omitempty"`
	// State is set on the client's final event.
	State   State      `json:"state,omitempty"`
	Attempt int        `json:"attempt,omitempty"`
	Wait    *WaitInfo  `json:"wait,omitempty"`
	Message string     `json:"message,omitempty"` // one sentence for people
	Error   *ErrorInfo `json:"error,omitempty"`
	Check   *Checklist `json:"check,omitempty"`
	// Progress is the run's progress once this event is counted.
	Progress Progress `json:"progress"`
	Summary  *Summary `json:"summary,omitempty"`

	outcome    *outcome // final events, engine to collector: what the report keeps of a write
	requestIDs []string // verified events, engine to collector: the token check's calls
}

// PlannedEvent is the EventPlanned of the plan's item i, as Execute emits it; a dry run
// prints these without executing.
func PlannedEvent(p *Plan, i int) Event {
	it := &p.Items[i]
	return Event{Kind: EventPlanned, Index: i, ClientID: it.Client.ID, Name: it.Client.Name, Action: it.Action,
		Scopes: it.Client.Scopes, Message: it.Reason(), Diff: it.Diff, Blockers: it.Blockers, Widenings: it.Widenings, Warnings: it.Warnings}
}

// Final reports whether the event gives its client's final state.
func (e Event) Final() bool { return e.State != "" }

// WaitInfo is a Wait as events carry it.
type WaitInfo struct {
	Reason  WaitReason `json:"reason"`
	Status  int        `json:"status,omitempty"`
	DelayMS int64      `json:"delay_ms"`
	Attempt int        `json:"attempt,omitempty"`
}

func waitInfo(w Wait) *WaitInfo {
	return &WaitInfo{Reason: w.Reason, Status: w.Status, DelayMS: w.Delay.Milliseconds(), Attempt: w.Attempt}
}

// ErrorInfo is an error as events and reports carry it: one sentence, and the API's code,
// status and request id when the error came from an API.
type ErrorInfo struct {
	Message   string `json:"message"`
	Code      string `json:"code,omitempty"`
	Status    int    `json:"status,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	Hint      string `json:"hint,omitempty"`
}

// NewErrorInfo describes err; nil for nil.
func NewErrorInfo(err error) *ErrorInfo {
	if err == nil {
		return nil
	}
	// Scrubbed once more: what goes into events, the run report and --json must not show a
	// secret even if an error reached here by a way that skipped the HTTP layer's scrubbing.
	info := &ErrorInfo{Message: Scrub(err.Error())}
	var ae *APIError
	if errors.As(err, &ae) {
		info.Code, info.Status, info.RequestID, info.Hint = Scrub(ae.Code), ae.Status, Scrub(ae.RequestID), Scrub(ae.Hint)
	} else if errors.Is(err, ErrNoAnswer) {
		info.Code = "no_answer"
	}
	return info
}

// Progress counts a run's clients by final state, and its verifications.
type Progress struct {
	Total    int `json:"total"`
	Done     int `json:"done"` // clients in a final state
	Imported int `json:"imported"`
	Updated  int `json:"updated"`
	Skipped  int `json:"skipped"`
	Conflict int `json:"conflict"`
	Blocked  int `json:"blocked"`
	Failed   int `json:"failed"`
	Canceled int `json:"canceled"`
	Deleted  int `json:"deleted"`
	// Verify counts clients that are due a checklist (imported, updated or skipped, when
	// verifying); Verified those checked, CheckFailed those whose checklist failed.
	Verify      int `json:"verify"`
	Verified    int `json:"verified"`
	CheckFailed int `json:"check_failed"`
}

func (p *Progress) count(s State) {
	p.Done++
	switch s {
	case StateImported:
		p.Imported++
	case StateUpdated:
		p.Updated++
	case StateSkipped:
		p.Skipped++
	case StateConflict:
		p.Conflict++
	case StateBlocked:
		p.Blocked++
	case StateFailed:
		p.Failed++
	case StateCanceled:
		p.Canceled++
	case StateDeleted:
		p.Deleted++
	}
}

// Summary closes a run: its final counts, how long it took, how many requests it made and
// how many were rate limited, and where its report is.
type Summary struct {
	Progress    Progress      `json:"progress"`
	Elapsed     time.Duration `json:"-"`
	ElapsedMS   int64         `json:"elapsed_ms"`
	Requests    int64         `json:"requests"`
	RateLimited int64         `json:"rate_limited"`
	Canceled    bool          `json:"canceled"`
	ReportPath  string        `json:"report,omitempty"`
	ReportError string        `json:"report_error,omitempty"`
	// NotStarted says why the run wrote nothing at all (its report could not be written, or
	// another run holds the project's lock: Locked).
	NotStarted string `json:"not_started,omitempty"`
	Locked     bool   `json:"locked,omitempty"`
	// StaleLock names a run that died holding the project's lock, taken over by this one.
	StaleLock string `json:"stale_lock,omitempty"`
	// Problems are the report's lines of the clients that did not end well (failed, check
	// failed, conflict, blocked), in plan order: all a summary lists of the clients.
	Problems []ReportClient `json:"-"`
}

// OK reports whether the run did everything it set out to: nothing failed or cancelled and
// every due checklist passed. Conflicts left as they are and blocked clients are the
// operator's choice and the plan's news, not failures.
func (s *Summary) OK() bool {
	p := s.Progress
	return !s.Canceled && s.NotStarted == "" && p.Failed == 0 && p.Canceled == 0 && p.CheckFailed == 0 && p.Verified == p.Verify
}
