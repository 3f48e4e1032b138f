package sandbox

import (
	"maps"
	"strconv"
	"sync"
	"sync/atomic"
)

// stats counts the requests one listener served, for GET /_sandbox/stats. Inspection requests
// are not counted, so reading the stats does not change them.
type stats struct {
	mu       sync.Mutex
	total    int
	routes   map[string]map[string]int // "GET /api/v2/clients" -> status -> count
	statuses map[string]int
	faults   map[string]int
	inFlight atomic.Int64
}

// statusDropped stands for the status of a request whose connection was closed unanswered.
const statusDropped = "dropped"

func newStats() *stats {
	return &stats{routes: map[string]map[string]int{}, statuses: map[string]int{}, faults: map[string]int{}}
}

func (s *stats) record(route, status string, fault FaultKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total++
	byStatus := s.routes[route]
	if byStatus == nil {
		byStatus = map[string]int{}
		s.routes[route] = byStatus
	}
	byStatus[status]++
	s.statuses[status]++
	if fault != "" {
		s.faults[string(fault)]++
	}
}

// StatsJSON is the body of GET /_sandbox/stats.
type StatsJSON struct {
	Total    int                       `json:"total"`
	Routes   map[string]map[string]int `json:"routes"`    // "METHOD /route/{template}" -> status -> count
	Statuses map[string]int            `json:"statuses"`  // status ("200", …, "dropped") -> count
	Faults   map[string]int            `json:"faults"`    // injected fault kind -> count
	InFlight int                       `json:"in_flight"` // requests being served right now
}

func (s *stats) snapshot() StatsJSON {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := StatsJSON{Total: s.total, Routes: map[string]map[string]int{}, Statuses: maps.Clone(s.statuses),
		Faults: maps.Clone(s.faults), InFlight: int(s.inFlight.Load())}
	for r, m := range s.routes {
		out.Routes[r] = maps.Clone(m)
	}
	return out
}

func statusKey(code int) string { return strconv.Itoa(code) }
