package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/auth0"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/keystore"
	"github.com/m2mport/m2mport/themes"
	"github.com/m2mport/m2mport/tui"
)

// newTUICmd is the root command: the TUI, with the other commands under it.
func newTUICmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{ValidArgsFunction: noFiles}
	given := addCredentialFlags(cmd)
	theme := addThemeFlag(cmd)
	// Args stays cobra's own: an argument is an unknown command, with "Did you mean …?".
	cmd.RunE = runE(func(ctx context.Context, _ []string) int {
		th, err := themes.Select(*theme, env.Getenv)
		if err != nil {
			fmt.Fprintf(env.Err, "m2mport: %v\n", err)
			return ExitUsage
		}
		// The keyring prefills the connect screen and keeps what the operator asks it
		// to; when it can't be reached, credentials live for this session only.
		store, unavailable := env.Keystore, error(nil)
		if store == nil {
			store, unavailable = keystore.OpenSession(ctx, env.Getenv)
		}
		reachable := store
		if unavailable != nil {
			reachable = nil
		}
		cfg := tuiConfig(env, th)
		cfg.Source = resolveSource(ctx, given.source, env.Getenv, reachable).SourceCredentials
		cfg.Target = resolveTarget(ctx, given.target, env.Getenv, reachable).TargetCredentials
		cfg.Keystore, cfg.KeyringProblem = store, unavailable
		cfg.ReportKey, cfg.StateDir = tuiRunOptions(ctx, env, store, unavailable)
		return runTUI(ctx, env, cfg)
	})
	return cmd
}

func newDemoCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "The terminal UI against a built-in sandbox, no account needed.",
		Long: "The TUI against a built-in sandbox: a local Auth0 tenant and Stytch project, no account needed.\n\n" +
			"Credentials are prefilled; nothing leaves this machine and nothing is saved in the keyring.",
	}
	theme := addThemeFlag(cmd)
	noArgs(cmd, func(ctx context.Context) int {
		th, err := themes.Select(*theme, env.Getenv)
		if err != nil {
			return fail(env, "demo", err, ExitUsage)
		}
		sb, err := sandbox.Start(sandbox.Options{Seed: "demo"})
		if err != nil {
			return fail(env, "demo", fmt.Errorf("start the sandbox: %w", err), ExitFailed)
		}
		defer sb.Close()
		cfg := demoConfig(env, th, sb)
		return runTUI(ctx, env, cfg)
	})
	return cmd
}

// tuiConfig wires the API packages into the TUI.
func tuiConfig(env *Env, th themes.Theme) tui.Config {
	return tui.Config{
		NewSource: func(c client.SourceCredentials) (client.Source, error) {
			if env.OpenSource != nil {
				return env.OpenSource(c)
			}
			// Unlike the headless commands, the TUI also lists the tenant's other apps,
			// greyed out behind a toggle, so it asks for them.
			return auth0.New(auth0.Config{Credentials: c, HTTPConfig: client.HTTPConfig{UserAgent: "m2mport/" + version()}, IncludeNonM2M: true})
		},
		NewTarget: env.target,
		Theme:     th,
		ReportPath: func(projectID string) (string, error) {
			return reportPath(env.Getenv, "import", projectID, time.Now())
		},
	}
}

// demoConfig points the TUI at a running sandbox, with an in-memory keyring.
func demoConfig(env *Env, th themes.Theme, sb *sandbox.Sandbox) tui.Config {
	cfg := tuiConfig(env, th)
	a, s := sb.Auth0(), sb.Stytch()
	cfg.Demo = true
	cfg.Source = client.SourceCredentials{Domain: a.Domain, ClientID: a.ClientID, Secret: client.NewSecret(a.ClientSecret)}
	cfg.Target = client.TargetCredentials{ProjectID: s.ProjectID, Secret: client.NewSecret(s.Secret), BaseURL: s.URL}
	cfg.Keystore = keystore.NewMemory()
	// The demo keeps nothing: its runs' reports stay in memory, out of the runs folder
	// (where `runs` and `undo --last` would find the sandbox's fixed project id).
	cfg.ReportPath, cfg.StateDir, cfg.ReportKey = nil, "", nil
	return cfg
}

func runTUI(ctx context.Context, env *Env, cfg tui.Config) int {
	var report string // the last run's, to say what it did if the operator quits during it
	if reportPath := cfg.ReportPath; reportPath != nil {
		cfg.ReportPath = func(projectID string) (string, error) {
			p, err := reportPath(projectID)
			report = p
			return p, err
		}
	}
	err := tui.Run(ctx, cfg, tea.WithInput(env.In), tea.WithOutput(env.Out))
	if errors.Is(err, tui.ErrInterrupted) {
		for _, l := range quitDuringImport(report) {
			note(env, l)
		}
		return ExitFailed
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(env.Err, "m2mport: %v\n", err)
		return ExitFailed
	}
	return ExitOK
}

// quitDuringImport is what m2mport says when the operator quit the TUI during an import: what
// the run did, from its report, and where the report is. The same import finishes the rest.
func quitDuringImport(report string) []string {
	const again = "run the same import again to finish (what is done is skipped)"
	if report == "" {
		return []string{"m2mport: quit during an import: " + again + "."}
	}
	r, err := client.ReadReportSummary(report)
	if err != nil {
		return []string{"m2mport: quit during an import: " + again + ".", "Report: " + report}
	}
	done := "no client was done yet"
	if r.Progress.Done > 0 {
		done = fmt.Sprintf("%d of %d clients done: %s", r.Progress.Done, r.Total, pastRun{path: report, report: r}.counts())
	}
	return []string{
		fmt.Sprintf("m2mport: quit during an import, %s; %s.", done, again),
		"Report: " + report,
	}
}
