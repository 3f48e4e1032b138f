// Package widget holds the small render helpers the screens of package tui share: text
// fitted to a width in terminal cells (cut, padded, wrapped, spread, laid over another
// block), one-word state badges in a tone, and the y/n answer boxes of a question.
//
// Helpers here take what they draw as arguments (strings, key bindings, the theme's
// styles) and return strings; they hold no state and do no I/O. Widths are cells, measured
// with ansi.StringWidth and cut with ansi.Truncate, never bytes.
//
// widget may import themes and the charm libraries, and client for its plain types at most.
// It must not import client/auth0, client/stytch, client/sandbox or cli, nor package tui.
package widget
