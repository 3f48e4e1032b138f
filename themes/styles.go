package themes

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles are the Lip Gloss styles of one theme on one background. Screens take every style
// from here; they never build a colour of their own.
type Styles struct {
	Name    string // the theme's name
	Dark    bool   // drawn for a dark background
	Mono    bool
	Palette Palette

	// Text by meaning.
	Text, Muted, Subtle, Bold lipgloss.Style
	Accent, Accent2           lipgloss.Style
	Success, Warning, Error   lipgloss.Style
	Secret                    lipgloss.Style

	// Chrome: the header, titles, panels.
	Brand                                    lipgloss.Style // the app's name in the header
	StepDone, StepCurrent, StepTodo, StepSep lipgloss.Style
	Demo                                     lipgloss.Style // "DEMO — local sandbox"
	Danger                                   lipgloss.Style // the production banner
	Title                                    lipgloss.Style // a screen's title
	Panel, PanelFocus                        lipgloss.Style // bordered boxes
	PanelTitle                               lipgloss.Style

	// Forms.
	Label, LabelFocus, Placeholder, Prompt lipgloss.Style

	// Lists.
	Cursor lipgloss.Style // the row under the cursor
	Check  lipgloss.Style // the mark of a selected row

	// Badges by tone.
	BadgeOK, BadgeInfo, BadgeWarn, BadgeError, BadgeMuted lipgloss.Style

	// Help footer.
	Key, KeyDesc, HelpSep lipgloss.Style

	// JSON highlighting.
	JSONKey, JSONString, JSONNumber, JSONLiteral, JSONPunct lipgloss.Style
}

// Styles returns the theme's styles for a dark or light background.
func (t Theme) Styles(dark bool) Styles {
	p := t.Palette(dark)
	fg := func(c color.Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(c) }
	s := Styles{Name: t.Name, Dark: dark, Mono: t.Mono, Palette: p}

	s.Text = fg(p.Text)
	s.Muted = fg(p.Muted)
	s.Subtle = fg(p.Subtle)
	s.Bold = s.Text.Bold(true)
	s.Accent = fg(p.Accent)
	s.Accent2 = fg(p.Accent2)
	s.Success = fg(p.Success)
	s.Warning = fg(p.Warning)
	s.Error = fg(p.Error)
	s.Secret = fg(p.Secret)

	s.Brand = lipgloss.NewStyle().Bold(true).Foreground(p.OnAccent).Background(p.Accent).Padding(0, 1)
	s.StepDone = s.Muted
	s.StepCurrent = s.Accent.Bold(true).Underline(true)
	s.StepTodo = s.Subtle
	s.StepSep = s.Subtle
	s.Demo = lipgloss.NewStyle().Bold(true).Foreground(p.OnAccent).Background(p.Accent2).Padding(0, 1)
	s.Danger = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.BrightWhite).Background(p.Error).Padding(0, 1)
	s.Title = s.Text.Bold(true)
	s.Panel = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.Subtle).Padding(0, 1)
	s.PanelFocus = s.Panel.BorderForeground(p.Accent)
	s.PanelTitle = s.Accent.Bold(true)

	s.Label = s.Muted
	s.LabelFocus = s.Accent.Bold(true)
	s.Placeholder = s.Subtle
	s.Prompt = s.Accent

	s.Cursor = lipgloss.NewStyle().Background(p.Highlight).Foreground(p.Text)
	s.Check = s.Accent2.Bold(true)

	s.BadgeOK = s.Success
	s.BadgeInfo = s.Accent
	s.BadgeWarn = s.Warning
	s.BadgeError = s.Error
	s.BadgeMuted = s.Muted

	s.Key = s.Muted.Bold(true)
	s.KeyDesc = s.Muted
	s.HelpSep = s.Subtle

	s.JSONKey = s.Accent
	s.JSONString = s.Success
	s.JSONNumber = s.Warning
	s.JSONLiteral = s.Accent2
	s.JSONPunct = s.Muted

	if t.Mono {
		s.monochrome()
	}
	return s
}

// monochrome redraws the meaning colours carry with attributes, for NO_COLOR terminals.
func (s *Styles) monochrome() {
	plain := lipgloss.NewStyle()
	s.Muted, s.Subtle = plain.Faint(true), plain.Faint(true)
	s.Accent, s.Accent2 = plain.Bold(true), plain.Bold(true)
	s.Error, s.Warning, s.Success = plain.Bold(true), plain.Bold(true), plain
	s.Brand = plain.Bold(true).Reverse(true).Padding(0, 1)
	s.StepDone, s.StepTodo, s.StepSep = plain, plain.Faint(true), plain.Faint(true)
	s.StepCurrent = plain.Bold(true).Underline(true)
	s.Demo = plain.Bold(true).Reverse(true).Padding(0, 1)
	s.Danger = plain.Bold(true).Reverse(true).Padding(0, 1)
	s.Panel = plain.Border(lipgloss.RoundedBorder()).Padding(0, 1)
	s.PanelFocus = plain.Border(lipgloss.ThickBorder()).Padding(0, 1)
	s.PanelTitle = plain.Bold(true)
	s.Label, s.LabelFocus = plain, plain.Bold(true).Underline(true)
	s.Placeholder, s.Prompt = plain.Faint(true), plain.Bold(true)
	s.Cursor = plain.Reverse(true)
	s.Check = plain.Bold(true)
	s.BadgeOK, s.BadgeInfo, s.BadgeMuted = plain, plain, plain.Faint(true)
	s.BadgeWarn, s.BadgeError = plain.Bold(true), plain.Bold(true)
	s.Key, s.KeyDesc, s.HelpSep = plain.Bold(true), plain, plain.Faint(true)
	s.JSONKey, s.JSONString, s.JSONNumber, s.JSONLiteral, s.JSONPunct = plain.Bold(true), plain, plain, plain.Italic(true), plain.Faint(true)
}
