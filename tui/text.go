package tui

import (
	"fmt"
	"time"

	"github.com/m2mport/m2mport/client"
)

// span says how long d is, the way the UI shows durations: "850 ms", "1.2 s", "45 s",
// "59 min 55 s", "1 h", "23 h 59 min", "3 days" (client.HumanDuration counts a day in
// minutes: "1440 min 0 s"). Under a minute, a duration in whole seconds shows no decimal.
func span(d time.Duration) string {
	part := func(n int64, unit string, m int64, minor string) string {
		if m == 0 {
			return fmt.Sprintf("%d %s", n, unit)
		}
		return fmt.Sprintf("%d %s %d %s", n, unit, m, minor)
	}
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute && d%time.Second == 0:
		return fmt.Sprintf("%d s", d/time.Second)
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Hour:
		return part(int64(d/time.Minute), "min", int64(d%time.Minute/time.Second), "s")
	case d < 48*time.Hour:
		return part(int64(d/time.Hour), "h", int64(d%time.Hour/time.Minute), "min")
	}
	return fmt.Sprintf("%d days", d/(24*time.Hour))
}

func plural(n int, noun string) string { return client.Plural(n, noun) }
