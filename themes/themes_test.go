package themes

import (
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
