package themes

import (
	"image/color"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

func env(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

func TestSelectPrecedence(t *testing.T) {
	cases := []struct {
		name string
		flag string
		env  map[string]string
		want string
	}{
		{"default", "", nil, Default},
		{"env theme", "", map[string]string{"M2MPORT_THEME": "dusk"}, "dusk"},
		{"flag beats env", "paper", map[string]string{"M2MPORT_THEME": "dusk"}, "paper"},
		{"NO_COLOR beats env", "", map[string]string{"M2MPORT_THEME": "dusk", "NO_COLOR": "1"}, "mono"},
		{"NO_COLOR any value", "", map[string]string{"NO_COLOR": "yes please"}, "mono"},
		{"explicit flag beats NO_COLOR", "high-contrast", map[string]string{"NO_COLOR": "1"}, "high-contrast"},
		{"case-insensitive", "DUSK", nil, "dusk"},
	}
	for _, c := range cases {
		got, err := Select(c.flag, env(c.env))
		if err != nil || got.Name != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.name, got.Name, err, c.want)
		}
	}
}

func TestUnknownThemeListsTheChoices(t *testing.T) {
	_, err := Select("neon", env(nil))
	if err == nil || !strings.Contains(err.Error(), `"neon"`) || !strings.Contains(err.Error(), "charm, dusk") {
		t.Fatalf("flag: %v", err)
	}
	_, err = Select("", env(map[string]string{"M2MPORT_THEME": "neon"}))
	if err == nil || !strings.HasPrefix(err.Error(), "M2MPORT_THEME: ") {
		t.Fatalf("env: %v", err)
	}
}

func TestEveryThemeHasEveryColourOnBothBackgrounds(t *testing.T) {
	if len(Names()) < 5 {
		t.Fatalf("themes: %v", Names())
	}
	for _, name := range Names() {
		th, _ := Lookup(name)
		for _, dark := range []bool{true, false} {
			p := th.Palette(dark)
			v := reflect.ValueOf(p)
			for i := range v.NumField() {
				if v.Field(i).IsNil() {
					t.Errorf("%s (dark=%v): %s is unset", name, dark, v.Type().Field(i).Name)
				}
			}
		}
	}
}

func TestBackgroundPicksThePalette(t *testing.T) {
	th, _ := Lookup(Default)
	if th.Palette(true).Text == th.Palette(false).Text {
		t.Fatal("the default theme should differ on light and dark backgrounds")
	}
	dusk, _ := Lookup("dusk")
	if dusk.Palette(false) != dusk.Palette(true) {
		t.Fatal("a dark-only theme is used as it is on a light background")
	}
}

func TestMonoDrawsNoColour(t *testing.T) {
	charm, _ := Lookup(Default)
	if !hasColour(charm.Styles(true).Accent.Render("x")) {
		t.Fatal("hasColour does not see colour")
	}
	th, _ := Lookup("mono")
	s := th.Styles(true)
	v := reflect.ValueOf(s)
	for i := range v.NumField() {
		st, ok := v.Field(i).Interface().(lipgloss.Style)
		if !ok {
			continue
		}
		if hasColour(st.Render("x")) {
			t.Errorf("%s renders colour: %q", v.Type().Field(i).Name, st.Render("x"))
		}
	}
	if got := s.Cursor.Render("row"); !strings.Contains(got, "7m") && !strings.Contains(got, ";7") {
		t.Fatalf("the cursor row must stay visible without colour (reverse video): %q", got)
	}
}

// hasColour reports whether out sets a foreground or background colour (SGR 30–38, 40–48,
// 90–97, 100–107).
func hasColour(out string) bool {
	for _, seq := range strings.Split(out, "\x1b[")[1:] {
		end := strings.IndexByte(seq, 'm')
		if end < 0 {
			continue
		}
		for _, p := range strings.FieldsFunc(seq[:end], func(r rune) bool { return r == ';' || r == ':' }) {
			n, err := strconv.Atoi(p)
			if err == nil && (n >= 30 && n <= 38 || n >= 40 && n <= 48 || n >= 90 && n <= 97 || n >= 100 && n <= 107) {
				return true
			}
		}
	}
	return false
}

// Faint is not unreadable: in the colour themes, disabled rows, upcoming steps and
// placeholders (Subtle) keep about 3:1 against a typical background, secondary text (Muted)
// 4:1 and body text 7:1 (WCAG contrast ratios).
func TestColourThemesStayReadable(t *testing.T) {
	lum := func(c color.Color) float64 {
		r, g, b, _ := c.RGBA()
		f := func(v uint32) float64 {
			x := float64(v) / 0xffff
			if x <= 0.03928 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		return 0.2126*f(r) + 0.7152*f(g) + 0.0722*f(b)
	}
	ratio := func(a, b color.Color) float64 {
		la, lb := lum(a), lum(b)
		return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
	}
	backgrounds := map[bool]color.Color{true: color.RGBA{0x1e, 0x1e, 0x2e, 0xff}, false: color.White}
	for _, name := range []string{"charm", "dusk", "paper"} {
		th, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		for dark, bg := range backgrounds {
			if (dark && th.Dark == nil) || (!dark && th.Light == nil) {
				continue
			}
			p := th.Palette(dark)
			for _, c := range []struct {
				what  string
				color color.Color
				least float64
			}{{"Subtle", p.Subtle, 2.9}, {"Muted", p.Muted, 4}, {"Text", p.Text, 7}} {
				if r := ratio(c.color, bg); r < c.least {
					t.Errorf("%s (dark %v): %s is %.2f:1 against the background, want at least %.1f:1", name, dark, c.what, r, c.least)
				}
			}
		}
	}
}

func TestHeadlessMarks(t *testing.T) {
	red := HeadlessMarks(env(nil)).Error.Render("✗")
	if !strings.Contains(red, "\x1b[") || !strings.Contains(red, "✗") {
		t.Fatalf("no colour: %q", red)
	}
	for _, kv := range []map[string]string{{"NO_COLOR": "1"}, {"M2MPORT_THEME": "mono"}} {
		m := HeadlessMarks(env(kv))
		if got := m.Success.Render("✓"); got != "✓" {
			t.Errorf("%v: success %q", kv, got)
		}
		if got := m.Error.Render("✗"); strings.Contains(got, "38;") || strings.Contains(got, "31") || got == "✗" {
			t.Errorf("%v: error %q, want bold without colour", kv, got)
		}
	}
	if a, b := HeadlessMarks(env(map[string]string{"M2MPORT_THEME": "dusk"})).Success.Render("x"), HeadlessMarks(env(nil)).Success.Render("x"); a == b {
		t.Errorf("a named theme lends nothing: %q", a)
	}
	if got := NoMarks().Error.Render("✗"); got != "✗" {
		t.Errorf("NoMarks: %q", got)
	}
}
