package tui

import (
	"context"
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/widget"
)

// connectTimeout bounds one Connect attempt, retries included, so a hung API ends in an
// error the operator can act on.
const connectTimeout = 45 * time.Second

// The connect screen's fields, in focus order.
const (
	fDomain = iota
	fClientID
	fClientSecret
	fProjectID
	fProjectSecret
	fBaseURL
)

type connectState int

const (
	// connReady shows the credentials with no field focused, so that keys are commands
	// (enter connects, e edits, q quits, ? shows the keys): focus goes to the form only when
	// the operator starts editing.
	connReady     connectState = iota
	connEditing                // a field has focus: keys type into it
	connVerifying              // both sides are being checked
	connLiveGuard              // a live project: the operator types its id to go on
	connVerified
)

type sideState int

const (
	sideIdle sideState = iota
	sideChecking
	sideOK
	sideFailed
	sideSkipped // the source was left empty: Stytch only
)

// side is what the screen knows about one of the two connections.
type side struct {
	state   sideState
	problem problem
}

// connectScreen is the Connect step: the operator's Auth0 and Stytch credentials, checked
// in parallel with a spinner (Initial -> Verifying -> Verified | Error, as crush's credential
// dialog does). A live Stytch project needs its id typed before anything else happens.
type connectScreen struct {
	base
	cfg      Config
	form     form
	state    connectState
	source   side
	target   side
	spinner  spinner.Model
	guard    textinput.Model
	guardErr string
	keys     connectKeys

	seq    int // numbers attempts, so the answers of a cancelled one are dropped
	cancel context.CancelFunc
	// editAt is the field editing starts at: the first empty one, the first of a side
	// that failed, or the one the operator left.
	editAt int

	src        client.Source
	tgt        client.Target
	sourceInfo client.SourceInfo
	targetInfo client.TargetInfo

	// Why a side is still checking: its calls' latest retry, from their waitMsgs;
	// unnamed, as each side's panel says which API it is.
	sourceWaits, targetWaits *waits
	sourceNote, targetNote   string

	// saved says what "remember" did: where the credentials went, or why they could not.
	saved    string
	savedErr bool
}

type rememberedMsg struct {
	to
	where string
	err   error
}

type sourceConnectedMsg struct {
	to
	seq  int
	src  client.Source
	info client.SourceInfo
	err  error
}

type targetConnectedMsg struct {
	to
	seq  int
	tgt  client.Target
	info client.TargetInfo
	err  error
}

// recountedMsg is the project's client count again, after an import wrote to it.
type recountedMsg struct {
	to
	seq  int
	info client.TargetInfo
	err  error
}

// recount asks the connected project again how many clients it holds, so that "N clients
// already there" is not the count from before an import.
func (c *connectScreen) recount() tea.Cmd {
	if c.state != connVerified || c.tgt == nil {
		return nil
	}
	id, seq, tgt := c.sid, c.seq, c.tgt
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		defer cancel()
		info, err := tgt.Connect(ctx)
		return recountedMsg{to: to(id), seq: seq, info: info, err: err}
	}
}

// nextScreen is where the operator goes once connected.
type nextScreen int

const (
	toPick nextScreen = iota
	toManual
	toCheck
)

// connectedMsg tells the root the connections are made and where to go.
type connectedMsg struct {
	source     client.Source
	target     client.Target
	sourceInfo client.SourceInfo
	targetInfo client.TargetInfo
	next       nextScreen
}

func newConnect(sh *shared, cfg Config) *connectScreen {
	c := &connectScreen{base: newBase(sh), cfg: cfg}
	src, tgt := cfg.Source, cfg.Target
	c.form.fields = []*field{
		newField("Domain", src.Domain, "acme.us.auth0.com"),
		newField("Client ID", src.ClientID, "Management API app's client id"),
		newField("Client secret", src.Secret.Reveal(), "its client secret").asSecret(),
		newField("Project ID", tgt.ProjectID, "project-test-…"),
		newField("Secret", tgt.Secret.Reveal(), "project secret").asSecret(),
		newField("Base URL", tgt.BaseURL, "Stytch's own, from the project id").asOptional(),
	}
	c.guard = textinput.New()
	c.guard.Prompt = ""
	c.guard.Placeholder = "type the project id"
	c.spinner = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	c.keys = sh.keys.Connect
	c.keys.Remember.SetEnabled(cfg.Keystore != nil)
	c.restyle()
	return c
}

// Init leaves every field unfocused: the first keys of the first screen are the ones the
// footer and the README name (enter, e, q, ?), not text for the Domain field.
func (c *connectScreen) Init() tea.Cmd {
	c.form.setFocus(-1)
	c.editAt = 0
	for i, f := range c.form.fields {
		if !f.optional && f.value() == "" {
			c.editAt = i
			break
		}
	}
	return nil
}

// startEditing gives the form the focus, at editAt.
func (c *connectScreen) startEditing() tea.Cmd {
	c.state = connEditing
	return c.form.setFocus(c.editAt)
}

// stopEditing takes the focus from the form; editing starts again where it stopped.
func (c *connectScreen) stopEditing() {
	c.state = connReady
	if c.form.focus >= 0 {
		c.editAt = c.form.focus
	}
	c.form.setFocus(-1)
}

// blank reports whether no credential is filled in at all: enter then starts editing rather
// than marking every field required.
func (c *connectScreen) blank() bool {
	for _, f := range c.form.fields {
		if !f.optional && f.value() != "" {
			return false
		}
	}
	return true
}

func (c *connectScreen) Step() step { return stepAccess }

func (c *connectScreen) Capturing() bool {
	return c.state == connEditing || c.state == connLiveGuard
}

func (c *connectScreen) restyle() {
	st := c.st()
	c.form.styleInputs(st)
	c.spinner.Style = st.Accent
	c.guard.SetStyles(textinput.Styles{
		Focused: textinput.StyleState{Text: st.Text, Placeholder: st.Placeholder},
		Blurred: textinput.StyleState{Text: st.Text, Placeholder: st.Placeholder},
		Cursor:  textinput.CursorStyle{Color: st.Palette.Error},
	})
}

func (c *connectScreen) SetSize(w, h int) {
	c.base.SetSize(w, h)
	c.form.setWidth(c.panelWidth() - 4 - 2)
	c.guard.SetWidth(max(w-widget.Width(guardPrompt)-1, 10)) // and a cell for the cursor
}

func (c *connectScreen) panelWidth() int { return max((c.width-1)/2, 20) }

func (c *connectScreen) sourceFilled() bool {
	for _, i := range []int{fDomain, fClientID, fClientSecret} {
		if c.form.fields[i].value() != "" {
			return true
		}
	}
	return false
}

func (c *connectScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return spin(&c.spinner, msg, c.state == connVerifying)
	case waitMsg:
		// Only the notes of the attempt in progress: a cancelled one's are dropped.
		if c.state != connVerifying {
			return nil
		}
		switch msg.from {
		case c.sourceWaits:
			c.sourceNote = msg.note
		case c.targetWaits:
			c.targetNote = msg.note
		default:
			return nil
		}
		return msg.from.listen(c.sid)
	case sourceConnectedMsg:
		if msg.seq == c.seq && c.state == connVerifying {
			c.src, c.sourceInfo = msg.src, msg.info
			c.source = result(msg.err, "Auth0")
			return c.settle()
		}
	case rememberedMsg:
		c.saved, c.savedErr = "Saved in "+msg.where+".", false
		if kp := c.cfg.KeyringProblem; kp != nil && msg.err == nil {
			p := describe(kp, "The keyring")
			c.saved, c.savedErr = strings.TrimSpace("Saved in "+msg.where+". "+p.What+" "+p.Hint), true
		}
		if msg.err != nil {
			p := describe(msg.err, "The keyring")
			c.saved, c.savedErr = strings.TrimSpace("Not saved: "+p.What+" "+p.Hint), true
		}
	case recountedMsg:
		// A failed recount keeps the old count: it is news only.
		if msg.seq == c.seq && msg.err == nil && c.state == connVerified {
			c.targetInfo.Clients = msg.info.Clients
		}
	case targetConnectedMsg:
		if msg.seq == c.seq && c.state == connVerifying {
			c.tgt, c.targetInfo = msg.tgt, msg.info
			c.target = result(msg.err, "Stytch")
			return c.settle()
		}
	case tea.PasteMsg:
		switch c.state {
		case connReady:
			// A paste is meant for a field: the one editing would start at.
			cmd := c.startEditing()
			c.resetChecks()
			return tea.Batch(cmd, c.form.update(msg))
		case connEditing:
			c.resetChecks()
			return c.form.update(msg)
		case connLiveGuard:
			var cmd tea.Cmd
			c.guard, cmd = c.guard.Update(msg)
			return cmd
		}
	case tea.KeyPressMsg:
		return c.key(msg)
	}
	return nil
}

func result(err error, api string) side {
	if err != nil {
		return side{state: sideFailed, problem: describe(err, api)}
	}
	return side{state: sideOK}
}

func (c *connectScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := c.keys
	if key.Matches(msg, k.Reveal) {
		c.form.reveal = !c.form.reveal
		if c.form.reveal {
			c.keys.Reveal.SetHelp("ctrl+r", "hide secrets")
		} else {
			c.keys.Reveal.SetHelp("ctrl+r", "show secrets")
		}
		return nil
	}
	switch c.state {
	case connReady:
		switch {
		case key.Matches(msg, k.Connect) && c.blank():
			return c.startEditing()
		case key.Matches(msg, k.Connect):
			return c.connect()
		case key.Matches(msg, k.Fill):
			return c.startEditing()
		}
	case connEditing:
		// ctrl+r was taken above (it works outside editing too): no reveal key here.
		if cmd, ok := c.form.navigate(msg, k.fieldKeys, key.Binding{}); ok {
			return cmd
		}
		switch {
		case key.Matches(msg, k.Connect):
			return c.connect()
		case key.Matches(msg, k.Done):
			c.stopEditing()
			return nil
		}
		before := c.form.focused().input.Value()
		cmd := c.form.update(msg)
		if c.form.focused().input.Value() != before {
			c.resetChecks()
		}
		return cmd
	case connVerifying:
		if key.Matches(msg, k.Cancel) {
			c.cancel()
			c.seq++
			c.state = connReady
			c.source, c.target = side{}, side{}
			return nil
		}
	case connLiveGuard:
		switch {
		case key.Matches(msg, k.Confirm):
			if strings.TrimSpace(c.guard.Value()) != c.tgt.ProjectID() {
				c.guardErr = "That is not this project's id: type it exactly, or esc to go back."
				return nil
			}
			c.state = connVerified
			c.guard.Blur()
			return nil
		case key.Matches(msg, k.Back):
			// Back to the credentials as they were checked, nothing focused: enter asks
			// again, e edits them.
			c.state = connReady
			c.guard.Reset()
			c.guard.Blur()
			c.guardErr = ""
			c.editAt = fProjectID
			return nil
		}
		var cmd tea.Cmd
		c.guard, cmd = c.guard.Update(msg)
		c.guardErr = ""
		return cmd
	case connVerified:
		switch {
		case key.Matches(msg, k.Continue):
			if c.src == nil {
				return c.proceed(toManual)
			}
			return c.proceed(toPick)
		case key.Matches(msg, k.Manual):
			return c.proceed(toManual)
		case key.Matches(msg, k.Check):
			return c.proceed(toCheck)
		case key.Matches(msg, k.Remember):
			return c.remember()
		case key.Matches(msg, k.Edit):
			// Only e: esc here used to reopen the form unannounced, and the keys that
			// followed (t, a pasted token) landed in the Domain field.
			return c.startEditing()
		}
	}
	return nil
}

// remember saves the verified credentials, each set only after its side was verified.
func (c *connectScreen) remember() tea.Cmd {
	store := c.cfg.Keystore
	f := c.form.fields
	var src *client.SourceCredentials
	if c.source.state == sideOK {
		src = &client.SourceCredentials{Domain: f[fDomain].value(), ClientID: f[fClientID].value(), Secret: client.NewSecret(f[fClientSecret].value())}
	}
	// The vertical Connect found (or was given) is saved with the set: later runs then read
	// the project's keys at the right path first time.
	tgt := client.TargetCredentials{ProjectID: f[fProjectID].value(), Secret: client.NewSecret(f[fProjectSecret].value()), BaseURL: f[fBaseURL].value(),
		Vertical: c.targetInfo.Vertical}
	id := c.sid
	c.saved = "Saving…"
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		defer cancel()
		var err error
		if src != nil {
			err = store.SaveSource(ctx, *src)
		}
		if err == nil {
			err = store.SaveTarget(ctx, tgt)
		}
		return rememberedMsg{to: to(id), where: store.Where(), err: err}
	}
}

// givenVertical is the vertical the command line, environment or keyring gave for project,
// which holds only while the form still names that project.
func (c *connectScreen) givenVertical(project string) client.Vertical {
	if project == c.cfg.Target.ProjectID {
		return c.cfg.Target.Vertical
	}
	return client.VerticalUnknown
}

// resetChecks forgets earlier results once the credentials they were for change.
func (c *connectScreen) resetChecks() {
	c.source, c.target = side{}, side{}
	c.saved = ""
}

func (c *connectScreen) proceed(next nextScreen) tea.Cmd {
	msg := connectedMsg{source: c.src, target: c.tgt, sourceInfo: c.sourceInfo, targetInfo: c.targetInfo, next: next}
	return func() tea.Msg { return msg }
}

// connect checks the required fields and starts both checks.
func (c *connectScreen) connect() tea.Cmd {
	withSource := c.sourceFilled()
	required := []int{fProjectID, fProjectSecret}
	if withSource {
		required = append([]int{fDomain, fClientID, fClientSecret}, required...)
	}
	if cmd, ok := c.form.requireFilled(required...); !ok {
		c.state = connEditing // at the first field that is missing
		return cmd
	}
	f := c.form.fields
	c.seq++
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	c.cancel = cancel
	c.state = connVerifying
	c.form.setFocus(-1)
	c.src, c.tgt = nil, nil
	c.target = side{state: sideChecking}
	c.sourceWaits, c.targetWaits = nil, newWaits()
	c.sourceNote, c.targetNote = "", ""
	cmds := []tea.Cmd{c.spinner.Tick, connectTarget(ctx, c.targetWaits, c.sid, c.seq, c.cfg.NewTarget, client.TargetCredentials{
		ProjectID: f[fProjectID].value(), Secret: client.NewSecret(f[fProjectSecret].value()), BaseURL: f[fBaseURL].value(),
		Vertical: c.givenVertical(f[fProjectID].value()),
	})}
	if withSource {
		c.source = side{state: sideChecking}
		c.sourceWaits = newWaits()
		cmds = append(cmds, connectSource(ctx, c.sourceWaits, c.sid, c.seq, c.cfg.NewSource, client.SourceCredentials{
			Domain: f[fDomain].value(), ClientID: f[fClientID].value(), Secret: client.NewSecret(f[fClientSecret].value()),
		}))
		cmds = append(cmds, c.sourceWaits.listen(c.sid))
	} else {
		c.source = side{state: sideSkipped}
	}
	// The listeners go after the work they listen to (a synchronous test harness runs a
	// batch in order).
	cmds = append(cmds, c.targetWaits.listen(c.sid))
	return tea.Batch(cmds...)
}

func connectSource(ctx context.Context, waits *waits, id, seq int, build func(client.SourceCredentials) (client.Source, error), creds client.SourceCredentials) tea.Cmd {
	return func() tea.Msg {
		src, info, err := connectSide(ctx, waits, build, creds, client.Source.Connect, "this build cannot read Auth0")
		return sourceConnectedMsg{to: to(id), seq: seq, src: src, info: info, err: err}
	}
}

func connectTarget(ctx context.Context, waits *waits, id, seq int, build func(client.TargetCredentials) (client.Target, error), creds client.TargetCredentials) tea.Cmd {
	return func() tea.Msg {
		tgt, info, err := connectSide(ctx, waits, build, creds, client.Target.Connect, "this build cannot write to Stytch")
		return targetConnectedMsg{to: to(id), seq: seq, tgt: tgt, info: info, err: err}
	}
}

// connectSide builds one side's API client from its credentials and connects it, its
// waits noted; unable says why when the build has no way to make one.
func connectSide[C, A, I any](ctx context.Context, waits *waits, build func(C) (A, error), creds C, connect func(A, context.Context) (I, error), unable string) (A, I, error) {
	defer waits.finish()
	var info I
	if build == nil {
		var none A
		return none, info, errors.New(unable)
	}
	api, err := build(creds)
	if err == nil {
		info, err = connect(api, waits.watch(ctx, ""))
	}
	return api, info, err
}

// settle moves on once both answers are in.
func (c *connectScreen) settle() tea.Cmd {
	if c.source.state == sideChecking || c.target.state == sideChecking {
		return nil
	}
	c.cancel()
	// A side that failed says why, with nothing focused: enter tries again, e edits from
	// that side's first field, q quits.
	switch {
	case c.source.state == sideFailed:
		c.state, c.editAt = connReady, fDomain
		return nil
	case c.target.state == sideFailed:
		c.state, c.editAt = connReady, fProjectID
		return nil
	case c.tgt.IsLive() || c.targetInfo.Live:
		c.state = connLiveGuard
		return c.guard.Focus()
	}
	c.state = connVerified
	return nil
}
