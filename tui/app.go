package tui

import (
	"context"
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"charm.land/bubbles/v2/help"
	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/tui/widget"
)

// Smallest terminal the UI draws in; below it the root shows a polite note instead.
const (
	minWidth  = 60
	minHeight = 16
)

// App is the root model: a stack of screens under a header and above a footer.
type App struct {
	sh    *shared
	cfg   Config
	stack []screen

	width, height int
	showHelp      bool
	help          help.Model // draws the footer and the full help
	problem       *problem   // the full-screen error, when set
	confirmQuit   string     // what quitting would interrupt, while asking
	quitting      bool       // confirmed: waiting for the work in flight to stop

	session session
}

// session is what the operator has established so far; screens further on are built from it.
type session struct {
	source     client.Source // nil when only the target was connected
	target     client.Target
	sourceInfo client.SourceInfo
	targetInfo client.TargetInfo
	// inventory is what Pick read of the source, and guard what it says about widening
	// access (nil when the clients were typed by hand).
	inventory *client.Inventory
	guard     *client.Guard
	// targetChanged: an import wrote to the target since Pick last compared with it;
	// countChanged, since Connect last counted its clients.
	targetChanged, countChanged bool
}

// New returns the root model for cfg.
func New(cfg Config) *App {
	sh := &shared{theme: cfg.Theme, keys: defaultKeyMap(), demo: cfg.Demo}
	if sh.theme.Name == "" {
		sh.theme = defaultTheme()
	}
	sh.styles = sh.theme.Styles(true)
	a := &App{sh: sh, cfg: cfg, help: newHelp(&sh.styles)}
	a.push(newConnect(sh, cfg))
	return a
}

// Run runs the TUI until the operator quits or ctx ends.
func Run(ctx context.Context, cfg Config, opts ...tea.ProgramOption) error {
	opts = append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)
	return finalError(tea.NewProgram(New(cfg), opts...).Run())
}

// finalError is how a program that ended with m and err ended for the caller: ErrInterrupted
// when the operator quit while work was in flight.
func finalError(m tea.Model, err error) error {
	if a, ok := m.(*App); err == nil && ok && a.quitting {
		return ErrInterrupted
	}
	return err
}

// ErrInterrupted is Run's error when the operator quit while work was in flight (an import
// stopped part way): the caller's exit status should say so.
var ErrInterrupted = errors.New("quit while work was in flight")

func (a *App) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, a.top().Init())
}

func (a *App) top() screen { return a.stack[len(a.stack)-1] }

func (a *App) push(s screen) tea.Cmd {
	a.stack = append(a.stack, s)
	a.showHelp = false
	a.layout()
	return s.Init()
}

func (a *App) pop() {
	if len(a.stack) > 1 {
		a.stack = a.stack[:len(a.stack)-1]
	}
	a.showHelp = false
	a.layout()
}

func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := a.update(msg)
	if a.busy() == "" {
		if a.quitting {
			return a, tea.Quit
		}
		a.confirmQuit = "" // the work it asked about is over: nothing left to interrupt
	}
	return a, cmd
}

func (a *App) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		a.layout()
		return nil
	case tea.BackgroundColorMsg:
		a.sh.styles = a.sh.theme.Styles(msg.IsDark())
		a.help = newHelp(&a.sh.styles)
		for _, s := range a.stack {
			s.restyle()
		}
		return nil
	case tea.KeyPressMsg:
		return a.key(msg)
	case backMsg:
		return a.back()
	case problemMsg:
		a.problem = &msg.problem
		return nil
	case routed:
		for _, s := range a.stack {
			if s.id() == msg.screenID() {
				return s.Update(msg)
			}
		}
		return nil // the screen that asked is gone
	}
	if cmd, ok := a.navigate(msg); ok {
		return cmd
	}
	return a.top().Update(msg)
}

func (a *App) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(a.stack))
	for _, s := range a.stack {
		cmds = append(cmds, s.Update(msg))
	}
	return tea.Batch(cmds...)
}

// key routes a key press: the quit confirmation and the error screen first, then the keys
// that work everywhere, then the screen.
func (a *App) key(msg tea.KeyPressMsg) tea.Cmd {
	k := a.sh.keys.Global
	if a.confirmQuit != "" {
		switch msg.String() {
		case "y", "Y", "ctrl+c":
			a.confirmQuit = ""
			a.quitting = true
			return a.broadcast(stopWorkMsg{})
		case "n", "N", "esc", "q":
			a.confirmQuit = ""
		}
		return nil
	}
	if key.Matches(msg, k.ForceQuit) {
		if a.quitting {
			return tea.Quit // a second ctrl+c does not wait
		}
		return a.quit()
	}
	if a.quitting {
		return nil
	}
	if a.tooSmall() {
		if key.Matches(msg, k.Quit) {
			return a.quit()
		}
		return nil
	}
	if a.problem != nil {
		switch {
		case key.Matches(msg, k.Back), msg.String() == "enter":
			a.problem = nil
			a.pop()
		case key.Matches(msg, k.Quit):
			return a.quit()
		}
		return nil
	}
	if !a.top().Capturing() {
		switch {
		case key.Matches(msg, k.Quit):
			return a.quit()
		case key.Matches(msg, k.Help):
			a.showHelp = !a.showHelp
			a.layout()
			return nil
		case a.showHelp && key.Matches(msg, k.Back):
			a.showHelp = false
			a.layout()
			return nil
		}
	}
	return a.top().Update(msg)
}

// quit quits, or asks first when a screen has work in flight.
func (a *App) quit() tea.Cmd {
	if busy := a.busy(); busy != "" {
		a.confirmQuit = busy
		return nil
	}
	return tea.Quit
}

// busy names the work in flight on any screen, or "".
func (a *App) busy() string {
	for _, s := range a.stack {
		if busy := s.Busy(); busy != "" {
			return busy
		}
	}
	return ""
}

func (a *App) tooSmall() bool {
	return a.width > 0 && (a.width < minWidth || a.height < minHeight)
}

// Layout: a header line and a blank line above the body, a blank line and the footer below
// it, and a column of padding on each side.
const (
	headerLines = 2
	padX        = 1
)

// bodySize is the area between the header and the given footer.
func (a *App) bodySize(footer string) (int, int) {
	w := max(a.width-2*padX, 0)
	h := a.height - headerLines - 1 - (strings.Count(footer, "\n") + 1)
	return w, max(h, 0)
}

func (a *App) layout() {
	if a.width == 0 {
		return
	}
	w, h := a.bodySize(a.footer())
	for _, s := range a.stack {
		s.SetSize(w, h)
	}
}

func (a *App) View() tea.View {
	v := tea.NewView(a.render())
	v.AltScreen = true
	v.WindowTitle = "m2mport"
	if p, ok := a.top().(interface{ terminalProgress() *tea.ProgressBar }); ok {
		v.ProgressBar = p.terminalProgress() // the terminal's own bar (tab, taskbar), where it has one
	}
	return v
}

func (a *App) render() string {
	if a.width == 0 {
		return ""
	}
	if a.tooSmall() {
		return a.tooSmallView()
	}
	footer := a.footer()
	w, h := a.bodySize(footer)
	body := a.top().View()
	if a.problem != nil {
		body = a.problemView(w, h)
	}
	body = widget.Fit(body, w, h)
	switch {
	case a.confirmQuit != "":
		body = widget.Overlay(body, a.confirmView(w), w, h)
	case a.quitting:
		body = widget.Overlay(body, a.sh.styles.PanelFocus.Render(a.sh.styles.Text.Render("Stopping: waiting for the calls in flight…")), w, h)
	}
	pad := strings.Repeat(" ", padX)
	var b strings.Builder
	b.WriteString(pad + a.header(w) + "\n\n")
	for _, line := range strings.Split(body, "\n") {
		b.WriteString(pad + line + "\n")
	}
	b.WriteString("\n")
	for i, line := range strings.Split(footer, "\n") {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(pad + line)
	}
	return b.String()
}
