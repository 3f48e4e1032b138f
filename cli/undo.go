package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/sanitize"
)

func newUndoCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "undo (REPORT | --last)",
		Short: "Delete the clients an import created, if unchanged since.",
		Long: "Delete from Stytch exactly the clients an import run created, if unchanged since.\n\n" +
			"REPORT is that run's report; --last takes the newest import report in the runs folder " +
			"(of the project given with --stytch-project-id or $STYTCH_PROJECT_ID, when one is). " +
			"Only creations the run proved (a create answered 2xx) are deleted: clients it found stored after " +
			"a create got no answer are listed and kept, unless --include-unconfirmed. Clients the run skipped " +
			"or updated are never touched, nor ones changed since. The report must be one m2mport wrote on this " +
			"machine, as it wrote it (its authentication codes are checked with the report key in the OS keyring), " +
			"unless --unauthenticated. Shows the plan and asks, or --yes. Writes its own report. " +
			"Exit statuses are those of import.",
		Example: "m2mport undo --last\n" +
			`m2mport undo ~/.local/state/m2mport/runs/20260501T101500.000Z-import-project-test-….ndjson`,
		Args:              atMost(1), // the report, or none with --last
		ValidArgsFunction: completeReports(env),
	}
	ef := addEngineFlags(cmd)
	last := cmd.Flags().Bool("last", false, "undo the newest import in the runs folder (see `m2mport runs`)")
	unauthenticated := cmd.Flags().Bool("unauthenticated", false, "trust a report that can't be authenticated (written without a keyring, or on another machine)")
	unconfirmed := cmd.Flags().Bool("include-unconfirmed", false, "also delete clients the run found stored after a create got no answer (another run may have made them)")
	// Only the Stytch credentials: an undo never reads Auth0.
	given := &credentialFlags{}
	addStytchFlags(cmd, &given.target)
	cmd.RunE = runE(func(ctx context.Context, args []string) int {
		switch {
		case *last && len(args) > 0:
			return fail(env, "undo", errors.New("give the report of the import to undo, or --last, not both"), ExitUsage)
		case *last:
			path, err := lastImport(env, given.target.ProjectID)
			if err != nil {
				return fail(env, "undo", err, ExitUsage)
			}
			fmt.Fprintf(env.Err, "Undoing %s\n", sanitize.Line(path))
			args = []string{path}
		case len(args) != 1:
			return fail(env, "undo", errors.New("give the report of the import to undo, or --last"), ExitUsage)
		}
		if err := ef.check(); err != nil {
			return fail(env, "undo", err, ExitUsage)
		}
		limitMemory(env.Getenv)
		// ef.check refuses a --report that exists, the import's own report included.
		report, keyErr, err := readImportReport(ctx, env, args[0])
		if err != nil {
			fail(env, "undo", err, ExitUsage)
			note(env, reportHint(env.Getenv))
			return ExitUsage
		}
		if report.Cut != "" {
			note(env, fmt.Sprintf("note: %s: %s.", sanitize.Line(args[0]), report.Cut))
		}
		if report.Kind == "import" && !report.Ended() {
			note(env, fmt.Sprintf("note: %s has no closing line: that run was killed, or is still going; undo works from the clients it wrote down.", sanitize.Line(args[0])))
		}
		if report.Kind == "import" && !report.Authenticated() && !*unauthenticated {
			return fail(env, "undo", fmt.Errorf("%s can't be authenticated: %s. Undo deletes only what a report it can trust says a run created; "+
				"if you know this report is as m2mport wrote it, say so with --unauthenticated", args[0], whyUnauthenticated(report, keyErr)), ExitUsage)
		}
		// The report says which project; flags and environment may not say otherwise.
		if given.target.ProjectID == "" && env.Getenv(envStytchProject) == "" {
			given.target.ProjectID = report.ProjectID
		}
		_, target, err := env.open(ctx, given, false)
		if err != nil {
			return fail(env, "undo", err, ExitUsage)
		}
		if target.IsLive() && !ef.live {
			return fail(env, "undo", fmt.Errorf("%s is a live project (production): add --live to delete from it", target.ProjectID()), ExitUsage)
		}
		plan, err := client.PlanUndo(noteWaits(ctx, env.Err, "Stytch"), target, report, args[0],
			client.UndoOptions{Unauthenticated: *unauthenticated, IncludeUnconfirmed: *unconfirmed})
		if errors.Is(err, client.ErrNothingToUndo) {
			fmt.Fprintf(env.Out, "Nothing to undo: %s.\n", sanitize.Line(err.Error()))
			return ExitOK
		}
		if err != nil {
			return fail(env, "undo", err, ExitFailed)
		}
		if code, ok := presentPlan(ctx, env, "undo", cmd.Flags(), ef, plan, false); !ok {
			return code
		}
		return runPlan(ctx, env, "undo", target, plan, ef, false, false)
	})
	return cmd
}

// reportHint says where an import's report is, for an undo given something else.
func reportHint(getenv func(string) string) string {
	h := "Give the report of the import to undo: the import names it on its last line (Report: …)"
	if dir, err := runsDir(getenv); err == nil {
		h += ", and without --report it is in " + dir
	}
	return h + "."
}
