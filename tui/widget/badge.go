package widget

import "github.com/m2mport/m2mport/themes"

// Tone is a badge's meaning, which picks its style.
type Tone int

const (
	ToneOK Tone = iota
	ToneInfo
	ToneWarn
	ToneError
	ToneMuted
)

// Badge is a row's one-word state, with a glyph so it reads without colour.
type Badge struct {
	Text string
	Tone Tone
}

// Render draws the badge in its tone's style.
func (b Badge) Render(st *themes.Styles) string {
	switch b.Tone {
	case ToneOK:
		return st.BadgeOK.Render(b.Text)
	case ToneInfo:
		return st.BadgeInfo.Render(b.Text)
	case ToneWarn:
		return st.BadgeWarn.Render(b.Text)
	case ToneError:
		return st.BadgeError.Render(b.Text)
	}
	return st.BadgeMuted.Render(b.Text)
}
