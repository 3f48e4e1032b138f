package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/m2mport/m2mport/client"
)

func newUndoCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "undo REPORT",
		Short: "Delete the clients an import created, if unchanged since.",
		Long: "Delete from Stytch exactly the clients an import run created, if unchanged since.\n\n" +
			"REPORT is that run's report. Clients the run skipped or updated are never touched, nor " +
			"ones changed since. Shows them and asks, or --yes. Writes its own report. " +
			"Exit statuses are those of import.",
		Example:           `m2mport undo ~/.local/state/m2mport/runs/20260501T101500.000Z-import-project-test-….json`,
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: completeReports(env),
	}
	ef := addEngineFlags(cmd)
	// Only the Stytch credentials: an undo never reads Auth0.
	given := &credentialFlags{}
	addStytchFlags(cmd.Flags(), &given.target)
	cmd.RunE = runE(func(ctx context.Context, args []string) int {
		if len(args) != 1 {
			return fail(env.Err, "undo", errors.New("give the report of the import to undo"), ExitUsage)
		}
		if err := ef.check(); err != nil {
			return fail(env.Err, "undo", err, ExitUsage)
		}
		// ef.check refuses a --report that exists, the import's own report included.
		report, err := client.ReadReport(args[0])
		if err != nil {
			fail(env.Err, "undo", err, ExitUsage)
			fmt.Fprintln(env.Err, reportHint(env.Getenv))
			return ExitUsage
		}
		// The report says which project; flags and environment may not say otherwise.
		if given.target.ProjectID == "" && env.Getenv(envStytchProject) == "" {
			given.target.ProjectID = report.ProjectID
		}
		_, tc, err := credentials(ctx, env, given, false)
		if err != nil {
			return fail(env.Err, "undo", err, ExitUsage)
		}
		target, err := env.target(tc)
		if err != nil {
			return fail(env.Err, "undo", err, ExitUsage)
		}
		if target.IsLive() && !ef.live {
			return fail(env.Err, "undo", fmt.Errorf("%s is a live project (production): add --live to delete from it", target.ProjectID()), ExitUsage)
		}
		plan, err := client.PlanUndo(noteWaits(ctx, env.Err, "Stytch"), target, report, args[0])
		if errors.Is(err, client.ErrNothingToUndo) {
			fmt.Fprintf(env.Out, "Nothing to undo: %v.\n", err)
			return ExitOK
		}
		if err != nil {
			return fail(env.Err, "undo", err, ExitFailed)
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
