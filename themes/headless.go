package themes

import (
	"charm.land/lipgloss/v2"
)

// Marks are the few styles of headless output on a terminal (check's checklist, import's
// plan and summary, errors): a mark or a word coloured by meaning. Headless output has no
// chrome and never asks the terminal for its background, so it keeps to these.
type Marks struct {
	Success, Error, Warning, Muted, Accent, Bold lipgloss.Style
}

// HeadlessMarks returns the marks for output on a terminal. NO_COLOR (any value) gives bold
// and faint only; a theme named by M2MPORT_THEME lends its dark palette's colours; otherwise
// the terminal's own basic colours — green, red, yellow, cyan — which the operator's colour
// scheme already made readable on their background, light or dark.
func HeadlessMarks(getenv func(string) string) Marks {
	plain := lipgloss.NewStyle()
	if getenv("NO_COLOR") != "" {
		return monoMarks()
	}
	if name := getenv("M2MPORT_THEME"); name != "" {
		if t, err := Lookup(name); err == nil {
			if t.Mono {
				return monoMarks()
			}
			p := t.Palette(true)
			return Marks{
				Success: plain.Foreground(p.Success), Error: plain.Foreground(p.Error).Bold(true),
				Warning: plain.Foreground(p.Warning), Muted: plain.Foreground(p.Muted),
				Accent: plain.Foreground(p.Accent), Bold: plain.Bold(true),
			}
		}
	}
	return Marks{
		Success: plain.Foreground(lipgloss.Green), Error: plain.Foreground(lipgloss.Red).Bold(true),
		Warning: plain.Foreground(lipgloss.Yellow), Muted: plain.Faint(true),
		Accent: plain.Foreground(lipgloss.Cyan), Bold: plain.Bold(true),
	}
}

func monoMarks() Marks {
	plain := lipgloss.NewStyle()
	return Marks{Success: plain, Error: plain.Bold(true), Warning: plain.Bold(true), Muted: plain.Faint(true), Accent: plain.Bold(true), Bold: plain.Bold(true)}
}

// NoMarks are marks that add nothing: output that is not a terminal stays plain text.
func NoMarks() Marks { return Marks{} }
