package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/sanitize"
)

func newRunsCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List past runs, newest first: when, project, counts, report.",
		Long: "List the imports and undos whose reports are in the runs folder ($XDG_STATE_HOME/m2mport/runs), " +
			"newest first: when each started, what kind of run, its project, how it ended and its counts, and " +
			"its report's path (what `m2mport undo` takes; `m2mport undo --last` takes the newest import's). " +
			"A run that was killed has no closing line in its report: it is listed as interrupted, with what it " +
			"wrote down. Runs given --report elsewhere are not listed.",
		Example: "m2mport runs\nm2mport runs --stytch-project-id project-test-… --json",
	}
	project := cmd.Flags().String(flagStytchProjectID, "", "list only the runs of this Stytch project")
	asJSON := cmd.Flags().Bool("json", false, "print one JSON object a run")
	notFiles(cmd, flagStytchProjectID)
	noArgs(cmd, func(ctx context.Context) int {
		dir, err := runsDir(env.Getenv)
		if err != nil {
			return fail(env, "runs", err, ExitFailed)
		}
		runs, err := listRuns(dir, *project)
		if err != nil {
			return fail(env, "runs", err, ExitFailed)
		}
		if *asJSON {
			for _, r := range runs {
				writeJSON(env.Out, r.json())
			}
			return ExitOK
		}
		if len(runs) == 0 {
			what := "no run reports"
			if *project != "" {
				what += " of project " + sanitize.Line(*project)
			}
			fmt.Fprintf(env.Out, "%s in %s yet.\n", strings.ToUpper(what[:1])+what[1:], sanitize.Line(dir))
			return ExitOK
		}
		printRuns(env.Out, runs)
		return ExitOK
	})
	return cmd
}

// pastRun is one report in the runs folder, as `runs` lists it.
type pastRun struct {
	path   string
	report *client.Report // nil when it could not be read
	err    error
}

type runJSON struct {
	Report    string           `json:"report"`
	Started   *time.Time       `json:"started,omitempty"`
	Kind      string           `json:"kind,omitempty"`
	ProjectID string           `json:"project_id,omitempty"`
	Status    string           `json:"status"`
	Progress  *client.Progress `json:"progress,omitempty"`
	// Unconfirmed counts the creations the run could not prove (undo keeps them).
	Unconfirmed int    `json:"unconfirmed,omitempty"`
	Note        string `json:"note,omitempty"`
}

func (r pastRun) json() runJSON {
	out := runJSON{Report: r.path, Status: r.status()}
	if r.report == nil {
		out.Note = r.err.Error()
		return out
	}
	rep := r.report
	out.Started, out.Kind, out.ProjectID, out.Progress = &rep.Started, rep.Kind, rep.ProjectID, &rep.Progress
	out.Unconfirmed, out.Note = r.unconfirmed(), rep.Cut
	return out
}

// status is how the run ended: finished, canceled, interrupted (no closing line), or why the
// report can't be read.
func (r pastRun) status() string {
	switch {
	case errors.Is(r.err, client.ErrOldReport):
		return "format 1"
	case r.report == nil:
		return "unreadable"
	case !r.report.Ended():
		return "interrupted"
	}
	return r.report.Status
}

func (r pastRun) unconfirmed() int {
	n := 0
	for _, c := range r.report.Clients {
		if c.Created == client.CreatedUnconfirmed {
			n++
		}
	}
	return n
}

// counts says what the run did, in a few words: "12 imported (2 unconfirmed), 3 skipped".
func (r pastRun) counts() string {
	if r.report == nil {
		if errors.Is(r.err, client.ErrOldReport) {
			return "written by an older m2mport"
		}
		return "not a report m2mport can read"
	}
	p := r.report.Progress
	imported := fmt.Sprintf("%d imported", p.Imported)
	if n := r.unconfirmed(); n > 0 {
		imported += fmt.Sprintf(" (%d unconfirmed)", n)
	}
	var parts []string
	for _, c := range []struct {
		n    int
		text string
	}{{p.Imported, imported}, {p.Updated, fmt.Sprintf("%d updated", p.Updated)}, {p.Deleted, fmt.Sprintf("%d deleted", p.Deleted)},
		{p.Skipped, fmt.Sprintf("%d skipped", p.Skipped)}, {p.Conflict, fmt.Sprintf("%d conflict", p.Conflict)},
		{p.Blocked, fmt.Sprintf("%d blocked", p.Blocked)}, {p.Failed, fmt.Sprintf("%d failed", p.Failed)},
		{p.Canceled, fmt.Sprintf("%d canceled", p.Canceled)}, {p.CheckFailed, fmt.Sprintf("%d check failed", p.CheckFailed)}} {
		if c.n > 0 {
			parts = append(parts, c.text)
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%d of %d done", p.Done, r.report.Total)
	}
	return strings.Join(parts, ", ")
}

// listRuns reads the reports in dir, newest first, of project when it is given. Reports of
// format 1 (.json) are listed as such; other files are left out.
func listRuns(dir, project string) ([]pastRun, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var runs []pastRun
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !(strings.HasSuffix(name, reportExt) || strings.HasSuffix(name, ".json")) {
			continue
		}
		path := filepath.Join(dir, name)
		r, err := client.ReadReportSummary(path)
		if project != "" && (r == nil || r.ProjectID != project) && !strings.Contains(name, "-"+client.SafeFileName(project)+".") {
			continue
		}
		runs = append(runs, pastRun{path: path, report: r, err: err})
	}
	// Newest first: by when the run started, and by name (which starts with the time) for a
	// report that can't be read.
	slices.SortStableFunc(runs, func(a, b pastRun) int {
		ta, tb := a.started(), b.started()
		if c := tb.Compare(ta); c != 0 {
			return c
		}
		return strings.Compare(b.path, a.path)
	})
	return runs, nil
}

func (r pastRun) started() time.Time {
	if r.report != nil {
		return r.report.Started
	}
	if t, err := time.Parse("20060102T150405.000Z", strings.SplitN(filepath.Base(r.path), "-", 2)[0]); err == nil {
		return t
	}
	return time.Time{}
}

// printRuns prints the runs as a table whose columns are measured in cells; the report's
// path comes last, whole, so that it can be copied.
func printRuns(w io.Writer, runs []pastRun) {
	rows := [][]string{{"WHEN", "KIND", "PROJECT", "STATUS", "COUNTS", "REPORT"}}
	for _, r := range runs {
		when, kind, project := "", "", ""
		if t := r.started(); !t.IsZero() {
			when = t.Local().Format("2006-01-02 15:04:05")
		}
		if r.report != nil {
			kind, project = r.report.Kind, clip(r.report.ProjectID, 64) // a Stytch project id is 49 characters
		}
		status := r.status()
		if r.report != nil && r.report.Cut != "" {
			status += ", last line cut"
		}
		rows = append(rows, []string{when, kind, project, status, clip(r.counts(), 80), sanitize.Line(r.path)})
	}
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], ansi.StringWidth(cell))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(cell)+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// lastImport is the report of the newest import in the runs folder: of project, when given
// (else $STYTCH_PROJECT_ID, when set).
func lastImport(env *Env, project string) (string, error) {
	if project == "" {
		project = env.Getenv(envStytchProject)
	}
	dir, err := runsDir(env.Getenv)
	if err != nil {
		return "", err
	}
	runs, err := listRuns(dir, project)
	if err != nil {
		return "", err
	}
	for _, r := range runs {
		if r.report != nil && r.report.Kind == "import" {
			return r.path, nil
		}
	}
	of := ""
	if project != "" {
		of = " of project " + project
	}
	return "", fmt.Errorf("--last: no import%s in %s (an import given --report elsewhere is undone by naming its report)", of, dir)
}
