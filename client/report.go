package client

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ReportFormat is the version of the run report's JSON layout.
const ReportFormat = 1

// Report is the record of one run (an import or an undo), written as JSON while the run goes
// and at its end. It holds no secret: clients carry their secret's last four only. An undo
// reads an import's report to know which clients that run created and how they looked.
type Report struct {
	Format    int        `json:"format"`
	Kind      string     `json:"kind"` // "import" or "undo"
	Started   time.Time  `json:"started"`
	Finished  *time.Time `json:"finished,omitempty"`
	Status    string     `json:"status"` // running, finished, canceled
	Source    string     `json:"source,omitempty"`
	ProjectID string     `json:"project_id"`
	Live      bool       `json:"live"`
	// Undoes is the path of the import report an undo reverses.
	Undoes   string         `json:"undoes,omitempty"`
	Options  ReportOptions  `json:"options"`
	Progress Progress       `json:"progress"`
	Requests int64          `json:"requests"`
	Clients  []ReportClient `json:"clients"`
}

// ReportOptions are the settings a run used.
type ReportOptions struct {
	Concurrency int     `json:"concurrency"`
	Rate        float64 `json:"rate"`
	Verify      bool    `json:"verify"`
}

// ReportClient is one client's line in a report.
type ReportClient struct {
	ID          string      `json:"client_id"`
	Name        string      `json:"name"`
	Scopes      Scopes      `json:"scopes"`
	SecretLast4 string      `json:"secret_last_four,omitempty"`
	Action      Action      `json:"action"`
	Resolution  Resolution  `json:"resolution,omitempty"`
	State       State       `json:"state,omitempty"` // empty until the client reaches its final state
	Message     string      `json:"message,omitempty"`
	Diff        []FieldDiff `json:"diff,omitempty"`
	Blockers    []Blocker   `json:"blockers,omitempty"`
	// Warnings are the plan's warnings for the client: widenings of access accepted
	// knowingly (the record that someone said so), organizations its tokens lose.
	Warnings []string   `json:"warnings,omitempty"`
	Error    *ErrorInfo `json:"error,omitempty"`
	Attempts int        `json:"attempts,omitempty"`
	// Created is true when this run created the client in the target: the clients an undo
	// may delete.
	Created bool `json:"created"`
	// Stored is the client as the target held it after this run wrote it, what an undo
	// compares with to know it is unchanged since.
	Stored *StoredRecord `json:"stored,omitempty"`
	Check  *Checklist    `json:"check,omitempty"`
	// UndoneBy names the undo that deleted the client, or found it gone (its report, or
	// "an undo"): a client there later under that id is someone else's, which the same
	// undo run again must leave alone. See MarkUndone.
	UndoneBy string `json:"undone_by,omitempty"`
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

func newReport(kind string, p *Plan, opt Options, started time.Time) *Report {
	r := &Report{
		Format: ReportFormat, Kind: kind, Started: started.UTC(), Status: "running",
		Source: p.Source, ProjectID: p.ProjectID, Live: p.Live, Undoes: p.Undoes,
		Options: ReportOptions{Concurrency: opt.Concurrency, Rate: opt.Rate, Verify: opt.Verify},
		Clients: make([]ReportClient, len(p.Items)),
	}
	for i := range p.Items {
		it := &p.Items[i]
		r.Clients[i] = ReportClient{
			ID: it.Client.ID, Name: it.Client.Name, Scopes: it.Client.Scopes, SecretLast4: it.Client.Secret.Last4(),
			Action: it.Action, Resolution: it.Resolution, Diff: it.Diff, Blockers: it.Blockers,
			Warnings: it.Warnings,
		}
		if r.Clients[i].Scopes == nil {
			r.Clients[i].Scopes = Scopes{}
		}
	}
	return r
}

// WriteReport writes r to path atomically (a temporary file in the same folder, then a
// rename), so a reader or a crash never sees half a report. The folder is created 0700 and
// the file is 0600: reports name clients and projects.
func WriteReport(path string, r *Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode run report: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write run report: %w", err)
	}
	f, err := os.CreateTemp(dir, ".report-*.tmp")
	if err != nil {
		return fmt.Errorf("write run report: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		// On disk before the rename: a report that names what a run created is what undo
		// works from, and it is rewritten at most once a second, so the sync costs little.
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write run report %s: %w", path, err)
	}
	return nil
}

// MarkUndone records in the import report at path that the undo named by (its report's
// path) removed the clients ids, or found them gone.
func MarkUndone(path, by string, ids []string) error {
	r, err := ReadReport(path)
	if err != nil {
		return err
	}
	gone := make(map[string]bool, len(ids))
	for _, id := range ids {
		gone[id] = true
	}
	for i := range r.Clients {
		if c := &r.Clients[i]; gone[c.ID] && c.Created && c.UndoneBy == "" {
			c.UndoneBy = by
		}
	}
	return WriteReport(path, r)
}

// ReadReport reads a run report written by WriteReport.
func ReadReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("can't read %s: %w", path, pathless(err))
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s is not a report m2mport wrote: it is not JSON", path)
	}
	if r.Format != ReportFormat && r.Format != 0 && r.Kind != "" {
		return nil, fmt.Errorf("%s is a run report in format %d, and this m2mport reads format %d: use the m2mport that wrote it", path, r.Format, ReportFormat)
	}
	if r.Format != ReportFormat || (r.Kind != "import" && r.Kind != "undo") {
		return nil, fmt.Errorf("%s is not an m2mport run report", path)
	}
	return &r, nil
}
