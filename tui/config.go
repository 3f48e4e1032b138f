package tui

import (
	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/themes"
)

// Config is everything the TUI takes from the outside. Package cli fills it from flags,
// environment and keyring, and chooses concrete API clients through the factories.
type Config struct {
	// NewSource and NewTarget build API clients from credentials. They may reject malformed
	// credentials (a bad domain, say) but must not do network I/O: the TUI calls Connect on
	// what they return, in a command, with a spinner.
	NewSource func(client.SourceCredentials) (client.Source, error)
	NewTarget func(client.TargetCredentials) (client.Target, error)

	// Source and Target prefill the connect screen.
	Source client.SourceCredentials
	Target client.TargetCredentials

	// Demo says that the run is against the built-in sandbox; the header says so.
	Demo bool

	// Theme draws the UI; its light or dark palette is picked from the terminal's background.
	Theme themes.Theme
}
