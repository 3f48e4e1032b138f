package sandbox

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// FaultKind is what an injected fault does to a request.
type FaultKind string

// Fault kinds. Each request gets at most one fault.
const (
	Fault429  FaultKind = "429"  // answer 429 with the API's rate-limit body and Retry-After: 1
	Fault500  FaultKind = "500"  // answer 500 with the API's error body
	Fault503  FaultKind = "503"  // answer 503 with the API's error body
	FaultSlow FaultKind = "slow" // wait Delay, then answer normally
	FaultDrop FaultKind = "drop" // close the connection without an answer; nothing is done
	// FaultCommitDrop applies to Stytch creates only: the client is stored, then the
	// connection is closed before the answer. Other requests it falls on are served normally.
	FaultCommitDrop FaultKind = "commitdrop"
)

// Fault is one entry of a fault spec: Ratio of an API's requests get Kind.
type Fault struct {
	Kind  FaultKind
	Ratio float64
	Delay time.Duration // FaultSlow only
}

func (f Fault) String() string {
	k := string(f.Kind)
	if f.Kind == FaultSlow {
		k += ":" + f.Delay.String()
	}
	return k + "=" + strconv.FormatFloat(f.Ratio, 'g', -1, 64)
}

// Faults are the faults injected per API. The zero value injects none.
type Faults struct {
	Auth0  []Fault
	Stytch []Fault
}

// String gives the canonical spec string; ParseFaults(f.String()) == f.
func (f Faults) String() string {
	var parts []string
	for _, api := range []struct {
		name   string
		faults []Fault
	}{{"stytch", f.Stytch}, {"auth0", f.Auth0}} {
		if len(api.faults) == 0 {
			continue
		}
		items := make([]string, len(api.faults))
		for i, x := range api.faults {
			items[i] = x.String()
		}
		parts = append(parts, api.name+":"+strings.Join(items, ","))
	}
	return strings.Join(parts, ";")
}

const maxSlowDelay = 10 * time.Minute

// ParseFaults reads a fault spec: sections "api:kind=ratio,…" separated by ";", api one of
// auth0, stytch; kind one of 429, 500, 503, slow:<duration>, drop, and commitdrop (stytch
// only). Ratios are between 0 and 1 and add up to at most 1 per API. For example
// "stytch:429=0.1,500=0.05,commitdrop=0.02;auth0:429=0.2,slow:2s=0.1".
func ParseFaults(s string) (Faults, error) {
	var f Faults
	seen := map[string]bool{}
	for section := range strings.SplitSeq(s, ";") {
		section = strings.TrimSpace(section)
		if section == "" {
			continue
		}
		api, list, ok := strings.Cut(section, ":")
		api = strings.TrimSpace(api)
		if !ok {
			return Faults{}, fmt.Errorf("faults: section %q: want api:kind=ratio,… (api is auth0 or stytch)", section)
		}
		var dst *[]Fault
		switch api {
		case "auth0":
			dst = &f.Auth0
		case "stytch":
			dst = &f.Stytch
		default:
			return Faults{}, fmt.Errorf("faults: section %q: unknown api %q (want auth0 or stytch)", section, api)
		}
		if seen[api] {
			return Faults{}, fmt.Errorf("faults: api %s appears twice; put all its faults in one section", api)
		}
		seen[api] = true
		kinds := map[FaultKind]bool{}
		var sum float64
		for item := range strings.SplitSeq(list, ",") {
			x, err := parseFault(api, strings.TrimSpace(item))
			if err != nil {
				return Faults{}, err
			}
			if kinds[x.Kind] {
				return Faults{}, fmt.Errorf("faults: %s: %s appears twice", api, x.Kind)
			}
			kinds[x.Kind] = true
			sum += x.Ratio
			*dst = append(*dst, x)
		}
		if sum > 1+1e-9 {
			return Faults{}, fmt.Errorf("faults: %s: ratios add up to %g, more than 1", api, sum)
		}
	}
	return f, nil
}

func parseFault(api, item string) (Fault, error) {
	kind, ratioS, ok := strings.Cut(item, "=")
	if !ok {
		return Fault{}, fmt.Errorf("faults: %s: %q: want kind=ratio, e.g. 429=0.1", api, item)
	}
	ratio, err := strconv.ParseFloat(ratioS, 64)
	if err != nil || math.IsNaN(ratio) || ratio < 0 || ratio > 1 {
		return Fault{}, fmt.Errorf("faults: %s: %q: ratio %q is not a number between 0 and 1", api, item, ratioS)
	}
	x := Fault{Kind: FaultKind(kind), Ratio: ratio}
	switch {
	case kind == "429" || kind == "500" || kind == "503" || kind == "drop":
	case kind == "commitdrop":
		if api != "stytch" {
			return Fault{}, fmt.Errorf("faults: %s: %q: commitdrop applies to Stytch creates only", api, item)
		}
	case strings.HasPrefix(kind, "slow:"):
		d, err := time.ParseDuration(strings.TrimPrefix(kind, "slow:"))
		if err != nil || d <= 0 || d > maxSlowDelay {
			return Fault{}, fmt.Errorf("faults: %s: %q: want slow:<duration> with a duration between 1ns and %s, e.g. slow:2s", api, item, maxSlowDelay)
		}
		x.Kind, x.Delay = FaultSlow, d
	default:
		return Fault{}, fmt.Errorf("faults: %s: %q: unknown fault %q (want 429, 500, 503, slow:<duration>, drop or commitdrop)", api, item, kind)
	}
	return x, nil
}

// faultPlan decides, for the n-th faultable request to one API, which fault (if any) it gets.
// The decision hashes (random seed, api, n), so the same seed gives the same fault sequence
// in every process; which concurrent request gets which n is up to the scheduler.
type faultPlan struct {
	faults []Fault
	key    uint64
}

func newFaultPlan(faults []Fault, randomSeed int64, api string) faultPlan {
	key := uint64(randomSeed)
	for _, c := range []byte(api) {
		key = splitmix(key ^ uint64(c))
	}
	return faultPlan{faults: faults, key: key}
}

// decide returns the fault for request number n, or nil.
func (p faultPlan) decide(n uint64) *Fault {
	if len(p.faults) == 0 {
		return nil
	}
	u := float64(splitmix(p.key+n)>>11) / (1 << 53) // uniform in [0, 1)
	for i := range p.faults {
		u -= p.faults[i].Ratio
		if u < 0 {
			return &p.faults[i]
		}
	}
	return nil
}

// splitmix is SplitMix64's finaliser: a cheap, well-mixed, portable 64-bit hash.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
