package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/sanitize"
)

func newCutoverCmd(env *Env) *cobra.Command {
	var (
		asJSON, markdown, compare bool
		maxTokens                 int
	)
	cmd := &cobra.Command{
		Use:   "cutover",
		Short: "What each API's services must change, and what would widen access.",
		Long: "Reads the Auth0 tenant and the Stytch project (the same credentials as import; nothing is written) " +
			"and says, for each API, what its services verify today and must verify after the move: issuer, " +
			"signing keys, audience, sub, the claims that go away and the token lifetime. Auth0 mints one token " +
			"per API; Stytch one per client, holding its scopes of every API, with the project as audience. So it " +
			"also says who an audience-only check would admit, which scope names two APIs share and which clients " +
			"would gain access through them, and which grants are bound to organizations.\n\n" +
			"--compare-claims mints one Auth0 token per client and API (at most --max-tokens; it says how many " +
			"first) to find custom claims Auth0 Actions add, which Stytch's tokens won't carry.\n\n" +
			"Exit 0 when nothing would widen access, 1 when something would (or m2mport could not look, or a " +
			"read failed), 2 for usage.",
		Example: `# the checklist for every API's service owners
m2mport cutover
# to paste into a ticket
m2mport cutover --markdown > cutover.md
# with the claims Auth0 Actions add (mints Auth0 tokens)
m2mport cutover --compare-claims --max-tokens 20`,
	}
	given := addCredentialFlags(cmd)
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print the analysis as one JSON object")
	f.BoolVar(&markdown, "markdown", false, "print the analysis as Markdown, to paste into a ticket")
	f.BoolVar(&compare, "compare-claims", false, "mint one Auth0 token per client and API to find custom claims (spends the tenant's M2M token quota)")
	f.IntVar(&maxTokens, "max-tokens", client.DefaultClaimTokens, "with --compare-claims, mint at most this many Auth0 tokens")
	notFiles(cmd, "max-tokens")
	noArgs(cmd, func(ctx context.Context) int {
		switch {
		case asJSON && markdown:
			return fail(env, "cutover", errors.New("use --json or --markdown, not both"), ExitUsage)
		case maxTokens < 1 || maxTokens > 10000:
			return fail(env, "cutover", fmt.Errorf("--max-tokens must be between 1 and 10000, not %d", maxTokens), ExitUsage)
		case f.Changed("max-tokens") && !compare:
			return fail(env, "cutover", errors.New("--max-tokens caps --compare-claims: give both"), ExitUsage)
		}
		source, target, err := env.open(ctx, given, true)
		if err != nil {
			return fail(env, "cutover", err, ExitUsage)
		}
		cut, code := analyzeCutover(ctx, env, source, target, compare, maxTokens)
		if cut == nil {
			return code
		}
		switch {
		case asJSON:
			writeJSON(env.Out, cut)
		case markdown:
			printCutoverMarkdown(env.Out, cut)
		default:
			printCutover(env.Out, cut)
		}
		if cut.WidensAccess || !cut.Sure() {
			return ExitFailed
		}
		return ExitOK
	})
	return cmd
}

// analyzeCutover reads both sides (only reads) and runs the analysis; with compare, it
// first says how many Auth0 tokens it will mint, then mints them.
func analyzeCutover(ctx context.Context, env *Env, source client.Source, target client.Target, compare bool, maxTokens int) (*client.Cutover, int) {
	toStytch := noteWaits(ctx, env.Err, "Stytch")
	info, err := target.Connect(toStytch)
	if err != nil {
		return nil, fail(env, "cutover", err, ExitFailed)
	}
	inv, err := source.Inventory(noteWaits(ctx, env.Err, "Auth0"))
	if err != nil {
		return nil, fail(env, "cutover", fmt.Errorf("read %s: %w", source.Name(), err), ExitFailed)
	}
	for _, w := range inv.Warnings {
		note(env, "warning: "+sanitize.Line(w))
	}
	facts, err := client.TargetFactsOf(toStytch, target, info, inv)
	if err != nil {
		return nil, fail(env, "cutover", err, ExitFailed)
	}
	in := client.CutoverInput{Inventory: inv, Source: client.SourceFactsOf(source), Target: facts}
	var claims *client.ClaimsRun
	if compare {
		minter, ok := source.(client.TokenMinter)
		if !ok {
			return nil, fail(env, "cutover", errors.New("--compare-claims needs an Auth0 tenant to mint tokens"), ExitUsage)
		}
		pairs, orgOnly := client.ClaimsPairs(in)
		sample := client.SampleClaimsPairs(pairs, maxTokens)
		what := fmt.Sprintf("Minting %s (one per client and API", client.Plural(len(sample), "Auth0 token"))
		if len(sample) < len(pairs) {
			what += fmt.Sprintf(", %d of %d: --max-tokens %d", len(sample), len(pairs), maxTokens)
		}
		fmt.Fprintf(env.Err, "%s) to compare claims; this spends the tenant's M2M token quota.\n", what)
		claims = client.CompareClaims(noteWaits(ctx, env.Err, "Auth0"), minter, sample, pairs, orgOnly)
		for _, e := range claims.Errors {
			note(env, "warning: no token for "+sanitize.Line(e))
		}
		if ctx.Err() != nil {
			return nil, fail(env, "cutover", ctx.Err(), ExitFailed)
		}
	}
	return client.Analyze(in, claims), ExitOK
}

// printCutover prints the analysis for people: the verdict, then each API as a checklist
// for its service owners, the APIs that widen access first.
func printCutover(w io.Writer, cut *client.Cutover) {
	fmt.Fprintf(w, "Cutover: %s → Stytch project %s\n\n", sanitize.Line(cut.Source.Name), cut.Target.ProjectID)
	fmt.Fprintln(w, sanitize.Line(cut.Summary()))
	mark := "✓"
	if cut.WidensAccess || !cut.Sure() {
		mark = "✗"
	}
	fmt.Fprintf(w, "%s %s\n", mark, sanitize.Line(cut.Headline()))
	if cl := cut.Claims; cl != nil {
		fmt.Fprintf(w, "Claims compared in %d Auth0 tokens of %d client–API pairs (%d failed, %d organization-bound not asked).\n", cl.Minted, cl.Pairs, cl.Failed, cl.OrgOnly)
	}
	for i := range cut.APIs {
		a := &cut.APIs[i]
		fmt.Fprintf(w, "\n%s  %s\n", sanitize.Line(a.Label()), sanitize.Line(a.Identifier))
		fmt.Fprintf(w, "  granted today: %s\n", grantedToday(a))
		textItems.print(w, a.Findings(), true)
		fmt.Fprintln(w, "  checklist for its services:")
		textItems.print(w, a.Steps(), false)
	}
}

// itemStyle is how an output writes an API's findings and checklist steps: what leads each
// kind of item and each of its details, and how text is fitted and escaped.
type itemStyle struct {
	finding, widening, step, detail string
	text                            func(s string, n int) string
}

var (
	textItems     = itemStyle{finding: "  · ", widening: "  ✗ ", step: "  [ ] ", detail: "      ", text: clip}
	markdownItems = itemStyle{finding: "- ", widening: "- **Widens access:** ", step: "- [ ] ", detail: "  - ", text: mdClip}
)

// print writes items, findings or steps, a line each and a line for each of its details.
func (s itemStyle) print(w io.Writer, items []client.CutoverItem, findings bool) {
	for _, it := range items {
		lead := s.step
		switch {
		case findings && it.Widens:
			lead = s.widening
		case findings:
			lead = s.finding
		}
		fmt.Fprintf(w, "%s%s\n", lead, s.text(it.Title, 400))
		for _, d := range it.Detail {
			fmt.Fprintf(w, "%s%s\n", s.detail, s.text(d, 200))
		}
	}
}

// grantedToday lists the clients granted an API today, by name, with those that stay behind
// marked.
func grantedToday(a *client.CutoverAPI) string {
	if len(a.Clients) == 0 {
		return "no client"
	}
	var names []string
	for _, c := range a.Clients {
		n := clip(c.Label(), 60)
		if !c.Moving {
			n += " (stays behind)"
		}
		names = append(names, n)
	}
	return fmt.Sprintf("%s: %s", client.Plural(len(a.Clients), "client"), strings.Join(names, ", "))
}

// printCutoverMarkdown prints the analysis as Markdown, to paste into a ticket: one section
// per API, its checklist as task-list items.
func printCutoverMarkdown(w io.Writer, cut *client.Cutover) {
	fmt.Fprintf(w, "# Cutover: %s → Stytch project `%s`\n\n", mdClip(cut.Source.Name, 200), cut.Target.ProjectID)
	fmt.Fprintf(w, "%s\n\n", mdClip(cut.Summary(), 400))
	verdict := "**Nothing widens access.**"
	if cut.WidensAccess || !cut.Sure() {
		verdict = "**" + mdClip(cut.Headline(), 600) + "**"
	}
	if cut.Sure() && !cut.WidensAccess {
		verdict += " " + mdClip(cut.Headline(), 600)
	}
	fmt.Fprintln(w, verdict)
	for i := range cut.APIs {
		a := &cut.APIs[i]
		fmt.Fprintf(w, "\n## %s (`%s`)\n\n", mdClip(a.Label(), 120), strings.ReplaceAll(clip(a.Identifier, 200), "`", "'"))
		fmt.Fprintf(w, "Granted today to %s.\n\n", mdEscape(grantedToday(a)))
		markdownItems.print(w, a.Findings(), true)
		fmt.Fprintf(w, "\n### Checklist for its services\n\n")
		markdownItems.print(w, a.Steps(), false)
	}
}

// mdClip is text from the source, fitted to n and escaped for Markdown.
func mdClip(s string, n int) string { return mdEscape(clip(s, n)) }

// mdEscape keeps text from the source (names) from turning into Markdown: emphasis, links,
// HTML, tables. Spans in backquotes (the analysis quotes scope names so) stay code, where
// nothing needs escaping; a name holding a backquote is already one (sanitize.Line and
// clip keep it), so an unpaired one is escaped.
func mdEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `&lt;`, `>`, `&gt;`, `|`, `\|`, `#`, `\#`)
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // an unpaired backquote: no code spans at all
		return r.Replace(strings.ReplaceAll(s, "`", "'"))
	}
	for i := 0; i < len(parts); i += 2 {
		parts[i] = r.Replace(parts[i])
	}
	return strings.Join(parts, "`")
}
