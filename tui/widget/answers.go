package widget

import (
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/m2mport/m2mport/themes"
)

// Answers draws a question's keys in its box, from the bindings the footer shows too, so
// the two say the same.
func Answers(st *themes.Styles, keys ...key.Binding) string {
	parts := make([]string, len(keys))
	for i, b := range keys {
		parts[i] = st.Key.Render(b.Help().Key) + " " + st.KeyDesc.Render(b.Help().Desc)
	}
	return strings.Join(parts, st.HelpSep.Render(" · "))
}
