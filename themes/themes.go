// Package themes turns semantic palettes (Accent, Muted, Success, Warning, Error, Secret, …)
// into the Lip Gloss styles every screen of the TUI draws with, so that no component
// hard-codes a colour. It picks a theme by name (--theme, M2MPORT_THEME), honours NO_COLOR,
// and chooses a theme's light or dark palette from the terminal's background, which the TUI
// asks for at start (Lip Gloss v2 has no adaptive colours).
//
// themes imports Lip Gloss only: nothing of ours, no Bubble Tea.
package themes

import (
	"fmt"
	"image/color"
	"sort"
	"strings"

	"charm.land/lipgloss/v2"
)

// Palette is a theme's colours by meaning. Components ask for Success, never for green.
type Palette struct {
	Text     color.Color // body text
	Muted    color.Color // secondary text: labels, descriptions, help
	Subtle   color.Color // borders, rules, disabled items: fainter than Muted, still about 3:1 on the background
	Accent   color.Color // brand, focus, the current step
	Accent2  color.Color // a second highlight: selection marks, JSON keys
	OnAccent color.Color // text drawn on an Accent background
	Success  color.Color
	Warning  color.Color
	Error    color.Color
	Secret   color.Color // masked and revealed secrets
	// Highlight is the background of the row under the cursor.
	Highlight color.Color
}

// Theme is a named pair of palettes. A theme made for one kind of background leaves the other
// nil and is used as it is on both.
type Theme struct {
	Name        string
	Description string
	Dark        *Palette
	Light       *Palette
	// Mono themes draw with attributes (bold, faint, reverse, underline) instead of colour.
	Mono bool
}

// Palette returns the palette for a dark or light background.
func (t Theme) Palette(dark bool) Palette {
	switch {
	case dark && t.Dark != nil, t.Light == nil:
		return *t.Dark
	default:
		return *t.Light
	}
}

// Default is the theme used when none is named.
const Default = "charm"

// Names lists the themes, default first, for --help and error messages.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		if n != Default {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return append([]string{Default}, names...)
}

// Lookup returns the theme with the given name (case-insensitive; "" means Default).
func Lookup(name string) (Theme, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		name = Default
	}
	t, ok := registry[name]
	if !ok {
		return Theme{}, fmt.Errorf("unknown theme %q: choose one of %s", name, strings.Join(Names(), ", "))
	}
	return t, nil
}

// Select picks the theme for this run. An explicit --theme flag wins; then NO_COLOR (any
// non-empty value, per no-color.org) forces the monochrome theme; then M2MPORT_THEME; then
// Default.
func Select(flag string, getenv func(string) string) (Theme, error) {
	if strings.TrimSpace(flag) != "" {
		return Lookup(flag)
	}
	if getenv("NO_COLOR") != "" {
		return Lookup("mono")
	}
	if env := getenv("M2MPORT_THEME"); env != "" {
		t, err := Lookup(env)
		if err != nil {
			return Theme{}, fmt.Errorf("M2MPORT_THEME: %w", err)
		}
		return t, nil
	}
	return Lookup(Default)
}

func hex(s string) color.Color { return lipgloss.Color(s) }

var registry = map[string]Theme{
	"charm": {
		Name:        "charm",
		Description: "purple and pink, light or dark to match the terminal (default)",
		Dark: &Palette{
			Text: hex("#E4E1EC"), Muted: hex("#9A96A8"), Subtle: hex("#6C6780"),
			Accent: hex("#8B6CFF"), Accent2: hex("#FF6AC1"), OnAccent: hex("#FFFDF5"),
			Success: hex("#3CD69B"), Warning: hex("#F5C55B"), Error: hex("#FF5F7E"),
			Secret: hex("#E8A3FF"), Highlight: hex("#2D2840"),
		},
		Light: &Palette{
			Text: hex("#2A2733"), Muted: hex("#6E6A7C"), Subtle: hex("#8F8AA0"),
			Accent: hex("#5B3FE0"), Accent2: hex("#C2187A"), OnAccent: hex("#FFFDF5"),
			Success: hex("#0B8A5C"), Warning: hex("#A66300"), Error: hex("#C8203F"),
			Secret: hex("#8A2BB8"), Highlight: hex("#ECE7FB"),
		},
	},
	"dusk": {
		Name:        "dusk",
		Description: "cool blues and teals for dark terminals",
		Dark: &Palette{
			Text: hex("#D8DEE9"), Muted: hex("#8C97AA"), Subtle: hex("#737E95"),
			Accent: hex("#6FB3D2"), Accent2: hex("#B48EAD"), OnAccent: hex("#1B2029"),
			Success: hex("#A3BE8C"), Warning: hex("#EBCB8B"), Error: hex("#E0707A"),
			Secret: hex("#C8A2D8"), Highlight: hex("#2B3341"),
		},
	},
	"paper": {
		Name:        "paper",
		Description: "ink on warm paper, for light terminals",
		Light: &Palette{
			Text: hex("#33302A"), Muted: hex("#75705F"), Subtle: hex("#948D78"),
			Accent: hex("#1F6F8B"), Accent2: hex("#9C4221"), OnAccent: hex("#FFFCF2"),
			Success: hex("#2F7A3B"), Warning: hex("#8F5E00"), Error: hex("#B3261E"),
			Secret: hex("#6B3FA0"), Highlight: hex("#EFE8D4"),
		},
	},
	"high-contrast": {
		Name:        "high-contrast",
		Description: "the 16 basic terminal colours at full strength, bold where it matters",
		Dark: &Palette{
			Text: lipgloss.BrightWhite, Muted: lipgloss.White, Subtle: lipgloss.White,
			Accent: lipgloss.BrightCyan, Accent2: lipgloss.BrightMagenta, OnAccent: lipgloss.Black,
			Success: lipgloss.BrightGreen, Warning: lipgloss.BrightYellow, Error: lipgloss.BrightRed,
			Secret: lipgloss.BrightMagenta, Highlight: lipgloss.Blue,
		},
		Light: &Palette{
			Text: lipgloss.Black, Muted: lipgloss.Black, Subtle: lipgloss.BrightBlack,
			Accent: lipgloss.Blue, Accent2: lipgloss.Magenta, OnAccent: lipgloss.BrightWhite,
			Success: lipgloss.Green, Warning: lipgloss.Black, Error: lipgloss.Red,
			Secret: lipgloss.Magenta, Highlight: lipgloss.BrightCyan,
		},
	},
	"mono": {
		Name:        "mono",
		Description: "no colour at all: bold, faint and reverse video (chosen by NO_COLOR)",
		Mono:        true,
		Dark:        monoPalette(),
	},
}

func monoPalette() *Palette {
	n := lipgloss.NoColor{}
	return &Palette{Text: n, Muted: n, Subtle: n, Accent: n, Accent2: n, OnAccent: n,
		Success: n, Warning: n, Error: n, Secret: n, Highlight: n}
}
