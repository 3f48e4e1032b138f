package stytch

import "github.com/m2mport/m2mport/client/internal/testclock"

// SetClock puts the stytch client on clk: tests that drive retries and rate limits against
// the sandbox check every wait without sleeping through it.
func SetClock(t *Target, clk *testclock.Clock) { t.api.SetClock(clk.Now, clk.Sleep) }
