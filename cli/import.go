package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/file"
	"github.com/m2mport/m2mport/tui/sanitize"
)

// engineFlags are the flags import and undo share.
type engineFlags struct {
	yes, live, asJSON bool
	concurrency       int
	rate              float64
	report            string
}

func addEngineFlags(cmd *cobra.Command) *engineFlags {
	var f engineFlags
	fs := cmd.Flags()
	fs.BoolVar(&f.yes, "yes", false, "apply without asking")
	fs.BoolVar(&f.live, "live", false, "allow writing to a live (project-live-…) Stytch project")
	fs.BoolVar(&f.asJSON, "json", false, "print events as NDJSON, then one summary object")
	fs.IntVar(&f.concurrency, "concurrency", client.DefaultConcurrency, "clients worked on at once")
	fs.Float64Var(&f.rate, "rate", client.DefaultRate, "requests per second to Stytch (halves after a 429, then creeps back)")
	fs.StringVar(&f.report, "report", "", "where to write the run report (default $XDG_STATE_HOME/m2mport/runs/…)")
	notFiles(cmd, "concurrency", "rate")
	fileExt(cmd, "report", "ndjson", "json")
	return &f
}

func (f *engineFlags) check() error {
	if f.concurrency < 1 || f.concurrency > 64 {
		return fmt.Errorf("--concurrency must be between 1 and 64, not %d", f.concurrency)
	}
	if !(f.rate > 0 && f.rate <= 10000) { // written so that NaN fails too
		return fmt.Errorf("--rate must be above 0 and at most 10000, not %v", f.rate)
	}
	if f.report != "" {
		// A run's report is what undo works from: writing over one, even of a run that only
		// skipped, can leave clients no undo knows about.
		if _, err := os.Lstat(f.report); err == nil {
			return fmt.Errorf("--report %s already exists, and may be the record an undo needs: name a new file", f.report)
		}
	}
	return nil
}

// credentials resolves the target's credentials and, with withSource, the source's: flags,
// then the environment, then the keyring (see creds.go). The error says what is missing and
// how to give it.
func credentials(ctx context.Context, env *Env, given *credentialFlags, withSource bool) (client.SourceCredentials, client.TargetCredentials, error) {
	store, err := env.store()
	if err != nil {
		return client.SourceCredentials{}, client.TargetCredentials{}, err
	}
	tgt := resolveTarget(ctx, given.target, env.Getenv, store)
	mc := &missingCredentials{needs: tgt.missing(), keyringErr: tgt.KeyringErr}
	if len(mc.needs) > 0 {
		mc.sides = append(mc.sides, "stytch")
	}
	var src sourceCreds
	if withSource {
		src = resolveSource(ctx, given.source, env.Getenv, store)
		if needs := src.missing(); len(needs) > 0 {
			mc.needs, mc.sides = append(mc.needs, needs...), append(mc.sides, "auth0")
			mc.fromFile = true
		}
		mc.keyringErr = errors.Join(mc.keyringErr, src.KeyringErr)
	}
	if len(mc.needs) > 0 {
		return src.SourceCredentials, tgt.TargetCredentials, mc
	}
	return src.SourceCredentials, tgt.TargetCredentials, nil
}

// open resolves the credentials (see credentials) and builds the API clients for them: the
// target's and, with withSource, the source's (nil without).
func (env *Env) open(ctx context.Context, given *credentialFlags, withSource bool) (client.Source, client.Target, error) {
	sc, tc, err := credentials(ctx, env, given, withSource)
	if err != nil {
		return nil, nil, err
	}
	target, err := env.target(tc)
	if err != nil || !withSource {
		return nil, target, err
	}
	source, err := env.source(sc)
	return source, target, err
}

func newImportCmd(env *Env) *cobra.Command {
	var (
		all, dryRun, noVerify bool
		sel, onConflict       string
		fromFile              string
		audiences             []string
		accept, drop          []string
	)
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Plan, import and verify M2M clients without the terminal UI.",
		Long: "Plan, then import M2M clients from Auth0 (or a file) into Stytch, and verify each one.\n\n" +
			"Credentials come from flags or the environment (AUTH0_DOMAIN, AUTH0_CLIENT_ID, " +
			"AUTH0_CLIENT_SECRET, STYTCH_PROJECT_ID, STYTCH_SECRET, STYTCH_BASE_URL), then the keyring. " +
			"Without --yes a plan that writes is asked about on a terminal; otherwise the plan and the " +
			"command that applies it are printed, and import exits 2 (a plan that writes nothing just " +
			"verifies).\n\n" +
			"Exit 0 when every chosen client is imported or skipped and verified, 1 when " +
			"any failed or a check failed (or a client named with --select is blocked or left in " +
			"conflict), 2 for usage, a missing confirmation, or a live project without --live, 130 for " +
			"Ctrl-C at the question.",
		Example: `# the plan for every client, then the import
m2mport import --all --dry-run
m2mport import --all --yes
# two clients, with only the scopes granted on one API
m2mport import --select ID,ID --audience URL --yes
# clients from a CSV or JSON file instead of Auth0
m2mport import --from-file clients.csv --all --yes`,
	}
	ef := addEngineFlags(cmd)
	given := addCredentialFlags(cmd)
	f := cmd.Flags()
	f.BoolVar(&all, "all", false, "import every client the source holds")
	f.StringVar(&sel, "select", "", "import only these clients (comma-separated ids)")
	f.StringArrayVar(&audiences, "audience", nil, "carry over only the scopes granted on this API (repeatable; default all)")
	f.StringVar(&onConflict, "on-conflict", "skip", "what to do with a client that differs in Stytch: skip or update")
	f.BoolVar(&dryRun, "dry-run", false, "show the plan and stop")
	f.BoolVar(&noVerify, "no-verify", false, "do not mint and check a token for each client")
	f.StringVar(&fromFile, "from-file", "", "read clients from this CSV or JSON file instead of Auth0")
	f.StringSliceVar(&accept, "accept-widening", nil, "import these clients (ids) with the scopes that widen their access in Stytch, knowingly")
	f.StringSliceVar(&drop, "drop-widening", nil, "drop from these clients (ids, or all) the scopes that would widen their access in Stytch")
	oneOf(cmd, "on-conflict",
		"skip\tleave a client that differs in Stytch as it is",
		"update\tupdate its scopes, name, description and metadata")
	notFiles(cmd, "select", "audience", "accept-widening", "drop-widening")
	fileExt(cmd, "from-file", "csv", "json")
	noArgs(cmd, func(ctx context.Context) int {
		in := importRun{env: env, fs: cmd.Flags(), ef: ef, all: all, dryRun: dryRun, verify: !noVerify, fromFile: fromFile, audiences: audiences}
		switch {
		case all && sel != "":
			return fail(env, "import", errors.New("use --all or --select, not both"), ExitUsage)
		case !all && sel == "":
			return fail(env, "import", errors.New("say which clients: --all, or --select id,id"), ExitUsage)
		case fromFile != "" && len(audiences) > 0:
			return fail(env, "import", errors.New("--audience picks among the APIs an Auth0 client is granted; clients from a file have scopes, not grants: edit their scopes in the file instead"), ExitUsage)
		}
		if sel != "" {
			for _, id := range strings.Split(sel, ",") {
				if id = strings.TrimSpace(id); id != "" && !slices.Contains(in.selected, id) {
					in.selected = append(in.selected, id)
				}
			}
		}
		var err error
		if in.accept, in.drop, err = wideningFlags(accept, drop); err != nil {
			return fail(env, "import", err, ExitUsage)
		}
		if in.resolution, err = client.ParseResolution(onConflict); err != nil {
			return fail(env, "import", fmt.Errorf("--on-conflict: %w", err), ExitUsage)
		}
		if err := ef.check(); err != nil {
			return fail(env, "import", err, ExitUsage)
		}
		if in.source, in.target, err = env.open(ctx, given, fromFile == ""); err != nil {
			return fail(env, "import", err, ExitUsage)
		}
		if fromFile != "" {
			in.source = file.New(fromFile)
		}
		return in.run(ctx)
	})
	return cmd
}

type importRun struct {
	env        *Env
	fs         *pflag.FlagSet
	ef         *engineFlags
	all        bool
	selected   []string
	audiences  []string
	resolution client.Resolution
	dryRun     bool
	verify     bool
	fromFile   string
	source     client.Source
	target     client.Target
	// accept and drop are the clients whose widenings of access to resolve, by id; drop
	// may be ["all"].
	accept, drop []string
}

func (in *importRun) run(ctx context.Context) int {
	env := in.env
	limitMemory(env.Getenv)
	if in.target.IsLive() && !in.ef.live && !in.dryRun {
		fmt.Fprintf(env.Err, "m2mport import: %s is a live project (production). Add --live to write to it.\n", in.target.ProjectID())
		return ExitUsage
	}
	// Check the project's credentials first: one cheap call, where reading a large tenant
	// may take minutes, and a wrong STYTCH_SECRET should not be news after that.
	toStytch := noteWaits(ctx, env.Err, "Stytch")
	if _, err := in.target.Connect(toStytch); err != nil {
		return fail(env, "import", err, ExitFailed)
	}
	if isTerminal(env.Err) && !in.ef.asJSON {
		// A large tenant at Auth0's rate limit takes minutes to read: say what is going on.
		fmt.Fprintf(env.Err, "Reading %s, then comparing with %s…\n", sanitize.Line(in.source.Name()), in.target.ProjectID())
	}
	inv, err := in.source.Inventory(noteWaits(ctx, env.Err, "Auth0"))
	if err != nil {
		return fail(env, "import", fmt.Errorf("read %s: %w", in.source.Name(), err), ExitFailed)
	}
	for _, w := range inv.Warnings {
		note(env, "warning: "+sanitize.Line(w))
	}
	// The guard learns from every client of the source, chosen or not; it is made before
	// choose, which may take the inventory's records for the plan.
	guard := client.NewGuard(inv)
	clients, err := in.choose(inv)
	if err != nil {
		return fail(env, "import", err, ExitUsage)
	}
	plan, err := client.NewPlan(toStytch, in.target, in.source.Name(), clients, in.resolution, client.WithGuard(guard))
	if err != nil {
		return fail(env, "import", err, ExitFailed)
	}
	if err := in.resolveWidenings(plan); err != nil {
		return fail(env, "import", err, ExitUsage)
	}
	if code, ok := presentPlan(ctx, env, "import", in.fs, in.ef, plan, in.dryRun); !ok {
		return code
	}
	return runPlan(ctx, env, "import", in.target, plan, in.ef, in.verify, in.selected != nil)
}

// wideningFlags reads --accept-widening and --drop-widening: ids, each in one of them only;
// "all" drops every client's widenings (dropping never widens access), but every client
// accepted is named.
func wideningFlags(accept, drop []string) (a, d []string, err error) {
	clean := func(ids []string) []string {
		var out []string
		for _, id := range ids {
			if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		return out
	}
	a, d = clean(accept), clean(drop)
	if slices.Contains(a, "all") {
		return nil, nil, errors.New("--accept-widening takes the ids of the clients whose access may widen, one by one: accepting them all unseen is what it exists to prevent")
	}
	if slices.Contains(d, "all") && len(d) > 1 {
		return nil, nil, errors.New("--drop-widening all already names every client")
	}
	for _, id := range a {
		if slices.Contains(d, id) || slices.Contains(d, "all") {
			return nil, nil, fmt.Errorf("client %q is given to both --accept-widening and --drop-widening: keep its scopes or drop them", id)
		}
	}
	return a, d, nil
}

// resolveWidenings applies --accept-widening and --drop-widening to the plan. A client named
// that is not in the plan is a usage error; one whose access would not widen only draws a
// note, so that a script keeps working once the source no longer widens it.
func (in *importRun) resolveWidenings(p *client.Plan) error {
	if len(in.accept) == 0 && len(in.drop) == 0 {
		return nil
	}
	byID := map[string]int{}
	for i := range p.Items {
		byID[p.Items[i].Client.ID] = i
	}
	apply := func(flag string, ids []string, resolve func(int) error) error {
		for _, id := range ids {
			i, ok := byID[id]
			if !ok {
				return fmt.Errorf("--%s %s: no such client in the plan", flag, clip(id, 60))
			}
			if err := resolve(i); errors.Is(err, client.ErrNothingToResolve) {
				note(in.env, fmt.Sprintf("note: --%s %s: its access would not widen", flag, clip(id, 60)))
			} else if err != nil {
				return err
			}
		}
		return nil
	}
	drop := in.drop
	if slices.Equal(drop, []string{"all"}) {
		drop = nil
		for i := range p.Items {
			if len(p.Items[i].Widenings) > 0 {
				drop = append(drop, p.Items[i].Client.ID)
			}
		}
	}
	if err := apply("drop-widening", drop, p.DropWidenings); err != nil {
		return err
	}
	return apply("accept-widening", in.accept, p.AcceptWidenings)
}

// choose picks the clients to import and narrows their scopes to the chosen audiences. With
// --all it takes the inventory's own records, in place: a large tenant's records are not
// copied for the plan, and inv.Clients is not to be read afterwards.
func (in *importRun) choose(inv *client.Inventory) ([]client.Client, error) {
	known := map[string]bool{} // every API a client of the source is granted, or the source lists
	if len(in.audiences) > 0 {
		for _, c := range inv.Clients {
			for _, g := range c.Grants {
				known[g.Audience] = true
			}
		}
		for _, a := range inv.APIs {
			known[a.Identifier] = true
		}
	}
	var out []client.Client
	if in.all {
		out = inv.Clients[:0]
		for _, c := range inv.Clients {
			if c.LeftOut != "" {
				note(in.env, fmt.Sprintf("left out: %s (%s): %s; name it with --select to import it", clip(c.Name, 60), clip(c.ID, 60), c.LeftOut))
				continue
			}
			out = append(out, c)
		}
		clear(inv.Clients[len(out):]) // what was left out is not kept twice
		inv.Clients = nil
	} else {
		byID := make(map[string]int, len(inv.Clients))
		for i, c := range inv.Clients {
			byID[c.ID] = i
		}
		for _, id := range in.selected {
			i, ok := byID[id]
			if !ok {
				return nil, fmt.Errorf("client %q is not in %s", id, inv.Source)
			}
			out = append(out, inv.Clients[i])
		}
	}
	if len(in.audiences) > 0 {
		for _, a := range in.audiences {
			if !known[a] {
				return nil, fmt.Errorf("--audience %q: no client of %s is granted that API", a, inv.Source)
			}
		}
	}
	choice := client.ScopeChoice{Audiences: in.audiences}
	kept := out[:0]
	for _, c := range out {
		if len(in.audiences) > 0 && !slices.ContainsFunc(c.Grants, func(g client.Grant) bool { return slices.Contains(in.audiences, g.Audience) }) {
			// With none of its scopes chosen it would be created with no scopes, or updated
			// to none: never what narrowing to an API means.
			note(in.env, fmt.Sprintf("left out: %s (%s): not granted any API given with --audience", clip(c.Name, 60), clip(c.ID, 60)))
			continue
		}
		// The same set, as it mostly is, stays the one the source made: a source keeps
		// each set of scopes once for all the clients that hold it.
		if s := c.ChosenScopes(choice); c.Scopes == nil || !s.Equal(c.Scopes) {
			c.Scopes = s
		}
		kept = append(kept, c)
	}
	out = kept
	for _, c := range out {
		// An app of another type that may use client_credentials is imported like an M2M
		// app; the operator should know it also serves people (issue 12 §3).
		if typ := c.TypeNote(); typ != "" && c.IsM2M() {
			note(in.env, fmt.Sprintf("note: %s (%s): a %s with client_credentials, imported like an M2M app",
				clip(c.Name, 60), clip(c.ID, 60), sanitize.Line(typ)))
		}
	}
	if len(out) == 0 {
		if len(in.audiences) > 0 {
			return nil, fmt.Errorf("no chosen client of %s is granted an API given with --audience", inv.Source)
		}
		return nil, fmt.Errorf("%s holds no client to import", inv.Source)
	}
	return out, nil
}

// printPlanJSON prints the plan as NDJSON: one planned event per client, then the counts.
func printPlanJSON(w io.Writer, p *client.Plan) {
	now := time.Now()
	for i := range p.Items {
		ev := client.PlannedEvent(p, i)
		ev.Seq, ev.Time, ev.Progress.Total = i+1, now, len(p.Items) // as a run would number them
		writeJSON(w, ev)
	}
	writeJSON(w, struct {
		Event  string            `json:"event"`
		Counts client.PlanCounts `json:"counts"`
	}{"plan", p.Counts()})
}

// planWrites says what the plan writes, as the start of a question: "Write 2 new clients and
// 1 update to", "Delete 3 clients from".
func planWrites(n client.PlanCounts) string {
	if n.Delete > 0 {
		return "Delete " + client.Plural(n.Delete, "client") + " from"
	}
	var parts []string
	if n.Create > 0 {
		parts = append(parts, client.Plural(n.Create, "new client"))
	}
	if n.Update > 0 {
		parts = append(parts, client.Plural(n.Update, "update"))
	}
	return "Write " + strings.Join(parts, " and ") + " to"
}

// presentPlan shows the plan of import or undo — a table, or with --json its planned events
// (and the table on stderr when the operator is asked on a terminal) — and, when the plan
// writes and --yes was not given, asks on the terminal. Without a terminal to ask on it prints
// the command that applies the plan. ok says whether to run the plan; when it is false, code
// is the exit code.
func presentPlan(ctx context.Context, env *Env, cmd string, fs *pflag.FlagSet, ef *engineFlags, plan *client.Plan, dryRun bool) (code int, ok bool) {
	needConfirm := plan.Writes() && !ef.yes
	tty := env.terminal()
	switch {
	case !ef.asJSON:
		printPlan(env.outputOf(env.Out), plan)
	case dryRun || (needConfirm && tty == nil):
		printPlanJSON(env.Out, plan)
	case needConfirm:
		printPlan(env.outputOf(env.Err), plan)
	}
	switch {
	case dryRun:
		return ExitOK, false
	case !needConfirm:
		return ExitOK, true
	case tty == nil:
		fmt.Fprintf(env.Err, "\nNothing was written. To apply this plan, run:\n  %s\n", rerunCommand(cmd, fs))
		return ExitUsage, false
	}
	// The terminal's ReadLine gives up when ctx ends: a Ctrl-C at the question ends the
	// command instead of leaving it blocked on a read until a second Ctrl-C kills it.
	answer, err := tty.ReadLine(ctx, fmt.Sprintf("\n%s Stytch project %s? [y/N] ", planWrites(plan.Counts()), plan.ProjectID))
	if a := strings.ToLower(strings.TrimSpace(answer)); err != nil || (a != "y" && a != "yes") {
		if err != nil {
			fmt.Fprintln(env.Err) // the prompt's line was not ended by the operator
		}
		fmt.Fprintln(env.Err, "Nothing was written.")
		if errors.Is(err, context.Canceled) {
			return ExitInterrupted, false // Ctrl-C: as a shell reports it, not a usage error
		}
		return ExitUsage, false
	}
	return ExitOK, true
}

// rerunCommand is the command line that was given, with --yes.
func rerunCommand(cmd string, fs *pflag.FlagSet) string {
	parts := []string{"m2mport", cmd}
	fs.Visit(func(f *pflag.Flag) {
		if f.Name == "yes" || f.Name == "help" {
			return
		}
		if f.Value.Type() == "bool" {
			if f.Value.String() == "true" {
				parts = append(parts, "--"+f.Name)
			} else {
				parts = append(parts, "--"+f.Name+"=false")
			}
			return
		}
		if l, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range l.GetSlice() {
				parts = append(parts, "--"+f.Name+"="+shellWord(v))
			}
			return
		}
		parts = append(parts, "--"+f.Name+"="+shellWord(f.Value.String()))
	})
	// Flags, then arguments (undo's REPORT), after "--" when one looks like a flag.
	parts = append(parts, "--yes")
	if slices.ContainsFunc(fs.Args(), func(a string) bool { return strings.HasPrefix(a, "-") }) {
		parts = append(parts, "--")
	}
	for _, a := range fs.Args() {
		parts = append(parts, shellWord(a))
	}
	return strings.Join(parts, " ")
}

// shellWord is s as a shell word: as it is when it needs no quoting, else quoted.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || r == ',' || r == '=' || r == '@' ||
			('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9'))
	}) < 0 {
		return s
	}
	return shellQuote(s)
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// printPlan prints the plan as a table: what happens to each client and why.
func printPlan(o *output, p *client.Plan) {
	live := ""
	if p.Live {
		live = " " + o.m.Error.Render("(LIVE)")
	}
	head := fmt.Sprintf("Plan: %s → Stytch project %s", sanitize.Line(p.Source), sanitize.Line(p.ProjectID))
	if p.Undoes != "" { // the source is the import's, not what is being done now
		head = fmt.Sprintf("Undo: what the import from %s created in Stytch project %s (report %s)", sanitize.Line(p.Source), sanitize.Line(p.ProjectID), sanitize.Line(p.Undoes))
	}
	o.printf("%s%s\n\n", o.wrap(head, "  "), live)
	// The why, then what differs and what to do, each a line of the cell: on a narrow
	// terminal the cell wraps, never the table. Rows are made as they are printed, twice
	// (widths first), so a plan of 100,000 clients is never held as a table in memory.
	row := func(i int) []string {
		it := &p.Items[i]
		action := string(it.Action)
		if it.Action == client.ActionConflict {
			action += " → " + string(it.Resolution)
		}
		why := []string{sanitize.Line(it.Reason())}
		for _, d := range it.Diff {
			why = append(why, "  "+clip(d.String(), 100))
		}
		if it.Action == client.ActionBlocked && len(it.Blockers) > 0 {
			for _, b := range it.Blockers[1:] {
				if b.Resolvable() {
					why = append(why, "  "+clip(b.Message, 240))
				}
			}
			switch {
			case it.Blockers[0].Resolvable():
				id := shellWord(it.Client.ID)
				scopes := client.WideningScopes(it.Widenings)
				why = append(why, fmt.Sprintf("  → drop %s with --drop-widening %s, or keep %s knowingly with --accept-widening %s",
					clip(scopes.String(), 120), id, themIt(len(scopes)), id))
			case it.Blockers[0].Hint != "":
				why = append(why, "  → "+clip(it.Blockers[0].Hint, 240))
			}
		}
		for _, warning := range it.Warnings {
			why = append(why, "  ! "+clip(warning, 240))
		}
		return []string{action, clip(it.Client.ID, 40), clip(it.Client.Name, 30), strconv.Itoa(len(it.Client.Scopes)), strings.Join(why, "\n")}
	}
	asIs := func(s string) string { return s }
	scopes := func(s string) string { n, _ := strconv.Atoi(s); return client.Plural(n, "scope") }
	o.table([]column{{"ACTION", 0, nil}, {"CLIENT", 0, nil}, {"NAME", 12, asIs}, {"SCOPES", 0, scopes}, {"WHY", 0, nil}}, len(p.Items), row, func(row, col int) lipgloss.Style {
		if col != 0 || row < 0 {
			return lipgloss.NewStyle()
		}
		switch p.Items[row].Action {
		case client.ActionCreate:
			return o.m.Success
		case client.ActionDelete, client.ActionConflict:
			return o.m.Warning
		case client.ActionBlocked:
			return o.m.Error
		}
		return o.m.Muted
	})
	n := p.Counts()
	skipped := "identical"
	if p.Undoes != "" {
		skipped = "already gone" // an undo skips only clients no longer in the target
	}
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{n.Create, "to create"}, {n.Update, "to update"}, {n.Delete, "to delete"}, {n.Skip, skipped}, {n.Conflict, "left " + asItIs(n.Conflict) + " (conflict)"}, {n.Blocked, "blocked"},
		{n.Keep, "kept (that run could not prove it created them: --include-unconfirmed deletes them too)"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	o.printf("\n%s\n", o.wrap(strings.Join(parts, ", ")+".", ""))
	updatable := 0
	for i := range p.Items {
		if it := &p.Items[i]; p.Undoes == "" && it.Action == client.ActionConflict && it.Resolution != client.ResolveUpdate && it.CanUpdate() {
			updatable++
		}
	}
	if updatable > 0 {
		o.printf("%s\n", o.wrap(client.Plural(updatable, "conflict")+" left "+asItIs(updatable)+" could be brought in line with --on-conflict update.", ""))
	}
	widening := 0
	for i := range p.Items {
		if len(p.Items[i].Widenings) > 0 {
			widening++
		}
	}
	if widening > 0 {
		o.printf("%s\n", o.wrap(client.Plural(widening, "client")+" would widen access: each stays out until its scopes are dropped (--drop-widening) or kept knowingly (--accept-widening); `m2mport cutover` shows every API's side.", ""))
	}
}

// asItIs is "as it is" for one thing, "as they are" for more.
func asItIs(n int) string {
	if n == 1 {
		return "as it is"
	}
	return "as they are"
}

func themIt(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// who names a report's client for people: its name and id.
func who(c client.ReportClient) string {
	if c.Name == "" {
		return clip(c.ID, 60)
	}
	return fmt.Sprintf("%s (%s)", clip(c.Name, 40), clip(c.ID, 60))
}

// clip makes untrusted text one inert line at most n characters long.
func clip(s string, n int) string {
	s = sanitize.Line(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// runPlan runs the plan, shows progress, prints the summary and returns the exit code. With
// named, the clients were asked for by id: one that ends blocked or in conflict (also one
// that appeared, different, after the plan) fails the run, as it was not imported.
func runPlan(ctx context.Context, env *Env, cmd string, t client.Target, p *client.Plan, ef *engineFlags, verify, named bool) int {
	path := ef.report
	if path == "" {
		var err error
		if path, err = reportPath(env.Getenv, cmd, p.ProjectID, time.Now()); err != nil {
			return fail(env, cmd, err, ExitFailed)
		}
	}
	opt := runOptions(ctx, env, cmd, path)
	opt.Concurrency, opt.Rate, opt.Verify = ef.concurrency, ef.rate, verify
	progress := isTerminal(env.Err) && !ef.asJSON
	var sum *client.Summary
	var lastLine time.Time
	for ev := range client.Execute(ctx, t, p, opt) {
		switch {
		case ev.Kind == client.EventFinished:
			sum = ev.Summary
		case ef.asJSON:
			writeJSON(env.Out, ev)
		case progress && time.Since(lastLine) > 100*time.Millisecond:
			fmt.Fprintf(env.Err, "\r\x1b[K%s", progressLine(ev, p.Undoes != ""))
			lastLine = time.Now()
		}
	}
	if progress {
		fmt.Fprint(env.Err, "\r\x1b[K")
	}
	ok := sum.OK() && !(named && sum.Progress.Blocked+sum.Progress.Conflict > 0)
	if ef.asJSON {
		writeJSON(env.Out, struct {
			Event string `json:"event"`
			OK    bool   `json:"ok"`
			*client.Summary
		}{"summary", ok, sum})
	} else {
		printSummary(env.outputOf(env.Out), sum)
	}
	if sum.NotStarted != "" {
		if sum.Locked {
			return fail(env, cmd, fmt.Errorf("nothing was written to the project: %s", sum.NotStarted), ExitFailed)
		}
		return fail(env, cmd, fmt.Errorf("nothing was written to the project: %s (give --report a writable path)", sum.NotStarted), ExitFailed)
	}
	if sum.StaleLock != "" {
		note(env, fmt.Sprintf("note: took over the project's lock from %s, which is no longer running", sanitize.Line(sum.StaleLock)))
	}
	if sum.ReportError != "" {
		note(env, "warning: "+sum.ReportError)
	}
	if !ok {
		return ExitFailed
	}
	return ExitOK
}

// progressLine is the one line a run on a terminal keeps rewriting.
func progressLine(ev client.Event, undo bool) string {
	p := ev.Progress
	written := fmt.Sprintf("%d imported", p.Imported+p.Updated)
	if undo {
		written = fmt.Sprintf("%d deleted", p.Deleted)
	}
	line := fmt.Sprintf("%d/%d done · %s · %d skipped · %d failed", p.Done, p.Total, written, p.Skipped, p.Failed)
	if p.Verify > 0 {
		line += fmt.Sprintf(" · verified %d/%d", p.Verified, p.Verify)
	}
	if ev.Kind == client.EventWaiting {
		line += " · " + ev.Message
	}
	return line
}

// printSummary prints the counts, then every client that did not end well, then the report.
func printSummary(o *output, s *client.Summary) {
	if s.NotStarted != "" {
		return // the caller says why, as an error
	}
	p := s.Progress
	o.printf("\n")
	if s.Canceled {
		o.printf("%s\n", o.wrap("Cancelled: clients not started are listed as canceled; run the same command again to finish.", ""))
	}
	var rows [][]string
	var styles []lipgloss.Style
	for _, row := range []struct {
		name string
		n    int
		st   lipgloss.Style
	}{{"imported", p.Imported, o.m.Success}, {"updated", p.Updated, o.m.Success}, {"deleted", p.Deleted, o.m.Success},
		{"skipped", p.Skipped, lipgloss.NewStyle()}, {"conflict", p.Conflict, o.m.Warning},
		{"blocked", p.Blocked, o.m.Warning}, {"failed", p.Failed, o.m.Error}, {"canceled", p.Canceled, o.m.Warning}} {
		if row.n > 0 {
			rows, styles = append(rows, []string{row.name, fmt.Sprint(row.n)}), append(styles, row.st)
		}
	}
	if p.Verify > 0 {
		line := fmt.Sprintf("%d of %d, %d failed", p.Verified, p.Verify, p.CheckFailed)
		if unchecked := p.Verify - p.Verified; unchecked > 0 {
			line += fmt.Sprintf(", %d not checked (the run stopped first; run it again)", unchecked)
		}
		st := o.m.Success
		if p.CheckFailed > 0 || p.Verified < p.Verify {
			st = o.m.Error
		}
		rows, styles = append(rows, []string{"verified", line}), append(styles, st)
	}
	rows = append(rows, []string{"requests", fmt.Sprintf("%d in %s (%d rate limited)", s.Requests, client.HumanDuration(s.Elapsed), s.RateLimited)})
	styles = append(styles, o.m.Muted)
	for i, r := range rows {
		o.printf("%s  %s\n", styles[i].Render(fmt.Sprintf("%-8s", r[0])), r[1])
	}
	if len(s.Problems) > 0 {
		var bad []string
		cross, dot := o.m.Error.Render("✗"), o.m.Warning.Render("·")
		for _, c := range s.Problems {
			switch {
			case c.State == client.StateFailed && c.Error != nil:
				bad = append(bad, fmt.Sprintf("%s %s: %s", cross, who(c), clip(c.Error.Message, 200)))
			case c.Check != nil && !c.Check.Passed():
				for _, l := range c.Check.Failed() {
					line := fmt.Sprintf("%s %s: check %s: expected %s, got %s", cross, who(c), l.Name, clip(l.Expected, 80), clip(l.Actual, 80))
					if l.Note != "" { // the why: "the key set could not be read: 429 …"
						line += " (" + clip(l.Note, 160) + ")"
					}
					bad = append(bad, line)
				}
			case c.State == client.StateConflict || c.State == client.StateBlocked:
				bad = append(bad, fmt.Sprintf("%s %s %s: %s", dot, c.State, who(c), clip(c.Message, 200)))
			}
		}
		if len(bad) > 0 {
			o.printf("\n")
			for _, l := range bad {
				o.printf("%s\n", o.wrap(l, "  "))
			}
		}
	}
	if s.ReportPath != "" {
		o.printf("\nReport: %s\n", s.ReportPath)
	}
}
