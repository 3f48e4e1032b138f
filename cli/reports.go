package cli

import (
	"context"
	"fmt"
	"math"
	"runtime/debug"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/keystore"
	"github.com/m2mport/m2mport/tui/sanitize"
)

// reportKey returns the key that authenticates run reports (keystore.ReportKey): env's, or
// the OS keyring's, made there on first use.
func reportKey(ctx context.Context, env *Env) ([]byte, error) {
	if env.ReportKey != nil {
		return env.ReportKey(ctx)
	}
	store, err := env.store()
	if err != nil {
		return nil, err
	}
	return keystore.ReportKey(ctx, store)
}

// runOptions are the engine options every run that writes shares: its report, the key that
// authenticates it and the state folder where the project's lock is taken. Without a
// usable keyring the run goes on, with a report that says it carries no authentication
// codes, and the operator is told what that means for undo.
func runOptions(ctx context.Context, env *Env, cmd, path string) client.Options {
	opt := client.Options{ReportPath: path}
	if dir, err := stateDir(env.Getenv); err == nil {
		opt.StateDir = dir
	}
	key, err := reportKey(ctx, env)
	if err != nil {
		note(env, fmt.Sprintf("warning: this %s's report can't be authenticated: the report key in the OS keyring can't be used (%s). "+
			"An undo of it will need --unauthenticated.", cmd, sanitize.Line(err.Error())))
	}
	opt.ReportKey = key
	return opt
}

// readImportReport reads the report an undo is given, checking it with this machine's
// report key when there is one. keyErr is why there is none.
func readImportReport(ctx context.Context, env *Env, path string) (r *client.Report, keyErr error, err error) {
	key, keyErr := reportKey(ctx, env)
	r, err = client.ReadReport(path, key)
	return r, keyErr, err
}

// whyUnauthenticated says why the report can't be authenticated, with the keyring's own
// reason when that is the cause.
func whyUnauthenticated(r *client.Report, keyErr error) string {
	why := r.WhyUnauthenticated()
	if r.Auth == client.AuthNoKey && keyErr != nil {
		why += " (" + keyErr.Error() + ")"
	}
	return why
}

// tuiRunOptions are the TUI's report key and state folder, read once before it starts (a
// keyring call may take seconds, and the TUI does no I/O in Update). Without a usable
// keyring its reports carry no authentication codes, as headless runs' do.
func tuiRunOptions(ctx context.Context, env *Env, store keystore.Store, unavailable error) (key []byte, state string) {
	if dir, err := stateDir(env.Getenv); err == nil {
		state = dir
	}
	if env.ReportKey != nil {
		key, _ = env.ReportKey(ctx)
	} else if unavailable == nil {
		key, _ = keystore.ReportKey(ctx, store)
	}
	return key, state
}

// headlessMemoryLimit is the soft limit of the Go heap for a headless import or undo (see
// limitMemory). A run of 100,000 clients peaks at about 92 MB live (its records and plan,
// while the plan is made); at this limit it takes no more CPU than without one.
const headlessMemoryLimit = 160 << 20

// limitMemory gives a headless import or undo a soft memory limit, unless GOMEMLIMIT sets
// one. With Go's default pacing the heap may grow to twice what is live before a collection
// returns what is garbage (a large tenant's pages, once read, and the plan's scratch). Near
// the limit the collector runs sooner instead; it never fails an allocation, and over the
// limit (a tenant whose records alone exceed it) it spends at most about half the CPU keeping
// up, as the runtime caps it.
func limitMemory(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" && debug.SetMemoryLimit(-1) == math.MaxInt64 {
		debug.SetMemoryLimit(headlessMemoryLimit)
	}
}
