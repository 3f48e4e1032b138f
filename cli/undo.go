package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/sanitize"
)

func init() {
	register(&command{
		name: "undo",
		summary: "Delete from Stytch exactly the clients an import run created, if unchanged since.\n" +
			"REPORT is that run's report. Clients the run skipped or updated are never touched, nor\n" +
			"ones changed since. Shows them and asks, or --yes. Writes its own report.",
		usage: "undo [flags] REPORT",
		flags: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) int {
			ef := addEngineFlags(fs)
			unauthenticated := fs.Bool("unauthenticated", false, "trust a report that can't be authenticated (written without a keyring, or on another machine)")
			unconfirmed := fs.Bool("include-unconfirmed", false, "also delete clients the run found stored after a create got no answer (another run may have made them)")
			// Only the Stytch half of the credential flags: an undo never reads Auth0.
			all := flag.NewFlagSet("", flag.ContinueOnError)
			given := addCredentialFlags(all)
			for _, name := range []string{"stytch-project-id", "stytch-base-url"} {
				f := all.Lookup(name)
				fs.Var(f.Value, f.Name, f.Usage)
			}
			return func(ctx context.Context, args []string) int {
				if len(args) != 1 {
					return fail(env.Err, "undo", errors.New("give the report of the import to undo"), ExitUsage)
				}
				if err := ef.check(); err != nil {
					return fail(env.Err, "undo", err, ExitUsage)
				}
				// ef.check refuses a --report that exists, the import's own report included.
				report, keyErr, err := readImportReport(ctx, env, args[0])
				if err != nil {
					fail(env.Err, "undo", err, ExitUsage)
					fmt.Fprintln(env.Err, reportHint(env.Getenv))
					return ExitUsage
				}
				if report.Cut != "" {
					fmt.Fprintf(env.Err, "note: %s: %s.\n", sanitize.Line(args[0]), report.Cut)
				}
				if report.Kind == "import" && !report.Ended() {
					fmt.Fprintf(env.Err, "note: %s has no closing line: that run was killed, or is still going; undo works from the clients it wrote down.\n", sanitize.Line(args[0]))
				}
				if report.Kind == "import" && !report.Authenticated() && !*unauthenticated {
					return fail(env.Err, "undo", fmt.Errorf("%s can't be authenticated: %s. Undo deletes only what a report it can trust says a run created; "+
						"if you know this report is as m2mport wrote it, say so with --unauthenticated", args[0], whyUnauthenticated(report, keyErr)), ExitUsage)
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
				plan, err := client.PlanUndo(noteWaits(ctx, env.Err, "Stytch"), target, report, args[0],
					client.UndoOptions{Unauthenticated: *unauthenticated, IncludeUnconfirmed: *unconfirmed})
				if errors.Is(err, client.ErrNothingToUndo) {
					fmt.Fprintf(env.Out, "Nothing to undo: %s.\n", sanitize.Line(err.Error()))
					return ExitOK
				}
				if err != nil {
					return fail(env.Err, "undo", err, ExitFailed)
				}
				if code, ok := presentPlan(ctx, env, "undo", fs, ef, plan, false); !ok {
					return code
				}
				return runPlan(ctx, env, "undo", target, plan, ef, false, false)
			}
		},
	})
}

// reportHint says where an import's report is, for an undo given something else.
func reportHint(getenv func(string) string) string {
	h := "Give the report of the import to undo: the import names it on its last line (Report: …)"
	if p, err := client.DefaultReportPath(getenv, "import", "", time.Now()); err == nil {
		h += ", and without --report it is in " + filepath.Dir(p)
	}
	return h + "."
}
