package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/m2mport/m2mport/themes"
)

// screen is one page of the UI. The root sends it the messages meant for it, gives it the
// body's size, and draws its View between the header and the footer.
type screen interface {
	help.KeyMap // its keys, for the footer and the full help

	Init() tea.Cmd
	Update(tea.Msg) tea.Cmd
	View() string
	// SetSize gives the size of the body, the area between header and footer.
	SetSize(width, height int)
	// Step is the step of the flow the screen belongs to, for the header.
	Step() step
	// Capturing reports whether a text field has focus: printable keys (q, ?) then belong to
	// the screen, not to the root.
	Capturing() bool
	// Busy names the work in flight that quitting would interrupt, or "" when there is none.
	Busy() string
	// id is what the screen's async answers are routed by.
	id() int
	// restyle tells the screen that the shared styles changed (background colour, theme),
	// for those that copy styles into components (text inputs, spinners) or cache what they
	// drew with them.
	restyle()
}

// step is where the operator is in the four steps of a migration.
type step int

const (
	stepAccess step = iota
	stepScopes
	stepImport
	stepValidate
)

// Names of the steps, in the order the operator goes through them. Stytch's guide lists
// Import before Scopes because its dashboard creates the client first; m2mport carries the
// scopes in the import itself, so the operator chooses them first.
var stepNames = [...]string{"Access", "Scopes", "Import", "Validate"}

// shared is the context every screen holds: the styles, the key map and the demo flag.
// It is owned by the root, which updates it when the background colour or theme changes.
type shared struct {
	theme  themes.Theme
	styles themes.Styles
	keys   keyMap
	demo   bool
	nextID int
}

// newID gives each screen the id its async results are routed by.
func (s *shared) newID() int {
	s.nextID++
	return s.nextID
}

// routed is a message for one screen: the answer to a command it started.
type routed interface{ screenID() int }

// to is embedded in routed messages.
type to int

func (t to) screenID() int { return int(t) }

// backMsg asks the root to leave the current screen.
type backMsg struct{}

func goBack() tea.Msg { return backMsg{} }

// problemMsg asks the root to show a full-screen error; Esc leaves it and the screen that
// sent it.
type problemMsg struct{ problem problem }

// base holds what every screen has: the shared context, its id and its size.
type base struct {
	sh            *shared
	sid           int
	width, height int
}

func newBase(sh *shared) base { return base{sh: sh, sid: sh.newID()} }

func (b *base) id() int            { return b.sid }
func (b *base) SetSize(w, h int)   { b.width, b.height = w, h }
func (b *base) Capturing() bool    { return false }
func (b *base) Busy() string       { return "" }
func (b *base) st() *themes.Styles { return &b.sh.styles }

// stopWorkMsg asks every screen to stop its work: the operator is quitting.
type stopWorkMsg struct{}

// spin turns a screen's spinner on its tick while busy; once the work is over it lets the
// ticks stop.
func spin(sp *spinner.Model, msg spinner.TickMsg, busy bool) tea.Cmd {
	if !busy {
		return nil
	}
	var cmd tea.Cmd
	*sp, cmd = sp.Update(msg)
	return cmd
}
