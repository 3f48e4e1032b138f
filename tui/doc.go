// Package tui is m2mport's terminal UI: connect to Auth0 and Stytch, pick clients, choose
// their scopes, import them and prove each one with a token.
//
// The root model (App) owns navigation (a stack of screens), the step header, the help
// footer, the full-screen error state, the quit confirmation and the "terminal too small"
// screen. Each screen satisfies the small screen interface and keeps its own KeyMap, which
// also feeds the footer. A screen of more than about 500 lines is split by concern: pick.go
// (model, Update, commands), pick_keys.go, pick_rows.go, pick_table.go, pick_details.go; the
// same for import_*, scopes_* and connect_*. Render helpers shared by screens (badges, y/n
// answers, text fitted in cells) live in tui/widget. Screens share a small context (size,
// styles, keys).
//
// Rules (from crush and gh-dash): no I/O or heavy work in Update — every network call is a
// tea.Cmd calling into a client.Source or client.Target; commands never touch model state,
// they return a message (news from a command still running, such as an API's retries,
// comes as messages too: waits.go); async results carry the id of the screen that asked and a sequence
// number, so stale answers are dropped; focus decides where keys go; text is measured in
// cells (ansi.StringWidth, ansi.Truncate), never bytes. Untrusted text is passed through
// tui/sanitize once, when it arrives; secrets are shown masked unless revealed on purpose.
//
// README.md in this folder writes the UI rules down and says how to add a screen.
//
// tui imports client, themes and keystore. It must not import client/auth0, client/stytch,
// client/sandbox or cli: the wiring hands it factories in a Config.
package tui
