package tui

import (
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/keystore"
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

	// Keystore, when set, lets the operator keep verified credentials ("remember"). A store
	// that is not the OS keyring (the demo's, or when none is reachable) says so in Where.
	Keystore keystore.Store
	// KeyringProblem is why the OS keyring could not be used, when Keystore stands in for it
	// in memory: "remember" then says the credentials last this session only, and why.
	KeyringProblem error

	// Theme draws the UI; its light or dark palette is picked from the terminal's background.
	Theme themes.Theme

	// Concurrency and Rate tune the import engine; zero uses its defaults.
	Concurrency int
	Rate        float64
	// ReportPath says where a run's report is written for a project; nil keeps the report in
	// memory only.
	ReportPath func(projectID string) (string, error)
	// ReportKey authenticates the report's lines (client.Options.ReportKey); nil writes a
	// report without authentication codes. StateDir, when set, is where a run takes its
	// project's lock (client.Options.StateDir).
	ReportKey []byte
	StateDir  string

	// Now is the clock token times are shown against; nil means time.Now.
	Now func() time.Time
}

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
