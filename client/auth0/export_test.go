package auth0

import "github.com/m2mport/m2mport/client/internal/testclock"

// SetClock puts the auth0 client on clk: tests that drive retries and rate limits against
// the sandbox check every wait without sleeping through it.
func SetClock(s *Source, clk *testclock.Clock) { s.api.SetClock(clk.Now, clk.Sleep) }
