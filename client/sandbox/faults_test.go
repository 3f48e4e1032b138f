package sandbox_test

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client/sandbox"
)

func TestParseFaults(t *testing.T) {
	for _, tc := range []struct {
		spec, canonical string
	}{
		{"", ""},
		{"stytch:429=0.1,500=0.05,commitdrop=0.02;auth0:429=0.2,slow:2s=0.1", "stytch:429=0.1,500=0.05,commitdrop=0.02;auth0:429=0.2,slow:2s=0.1"},
		{" auth0:503=1 ", "auth0:503=1"},
		{"stytch:drop=0.5,slow:150ms=0.5", "stytch:drop=0.5,slow:150ms=0.5"},
		{"auth0:500=0;stytch:429=0", "stytch:429=0;auth0:500=0"},
	} {
		f, err := sandbox.ParseFaults(tc.spec)
		if err != nil {
			t.Errorf("ParseFaults(%q): %v", tc.spec, err)
			continue
		}
		want(t, "canonical form of "+tc.spec, f.String(), tc.canonical)
		again, err := sandbox.ParseFaults(f.String())
		if err != nil || again.String() != f.String() {
			t.Errorf("round trip of %q: %v %v", tc.spec, again, err)
		}
	}
	f, _ := sandbox.ParseFaults("auth0:slow:2s=0.1")
	want(t, "slow delay", f.Auth0[0].Delay, 2*time.Second)
	want(t, "slow kind", f.Auth0[0].Kind, sandbox.FaultSlow)

	for _, tc := range []struct {
		spec, mentions string
	}{
		{"stytch", `"stytch"`},
		{"stytch:429", `"429"`},
		{"stytch:429=2", `"2"`},
		{"stytch:429=-0.1", `"-0.1"`},
		{"stytch:429=NaN", `"NaN"`},
		{"stytch:429=lots", `"lots"`},
		{"okta:429=0.1", `"okta"`},
		{"auth0:commitdrop=0.1", "commitdrop"},
		{"stytch:slow:fast=0.1", "slow:fast"},
		{"stytch:slow:0s=0.1", "slow:0s"},
		{"stytch:slow=0.1", `"slow"`},
		{"stytch:418=0.1", `"418"`},
		{"stytch:429=0.6,500=0.6", "more than 1"},
		{"stytch:429=0.1,429=0.2", "429 appears twice"},
		{"stytch:429=0.1;stytch:500=0.1", "stytch appears twice"},
		{"stytch:429=0.1,", `""`},
	} {
		_, err := sandbox.ParseFaults(tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.mentions) {
			t.Errorf("ParseFaults(%q) = %v, want an error mentioning %s", tc.spec, err, tc.mentions)
		}
	}
	if _, err := sandbox.Start(sandbox.Options{Faults: "stytch:429=2"}); !errors.Is(err, sandbox.ErrBadOption) {
		t.Errorf("Start with a bad fault spec: %v, want ErrBadOption", err)
	}
}

// statusSequence sends n sequential requests for an unknown client and returns what each got.
func statusSequence(t *testing.T, sb *sandbox.Sandbox, n int) []int {
	s := sb.Stytch()
	var out []int
	for range n {
		out = append(out, do(t, http.MethodGet, s.URL+clientPath("nope"), nil, basic(s.ProjectID, s.Secret)).status)
	}
	return out
}

func TestFaultsAreDeterministicUnderTheRandomSeed(t *testing.T) {
	const spec = "stytch:500=0.3,503=0.2,429=0.1"
	run := func(seed int64) []int {
		return statusSequence(t, start(t, sandbox.Options{Seed: "empty", Faults: spec, RandomSeed: seed}), 80)
	}
	a, b, c := run(7), run(7), run(8)
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different faults:\n%v\n%v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 7 and 8 gave the same fault sequence %v", a)
	}
	count := map[int]int{}
	for _, st := range a {
		count[st]++
	}
	for _, st := range []int{404, 500, 503, 429} {
		if count[st] == 0 {
			t.Errorf("no %d in 80 requests at these ratios: %v", st, count)
		}
	}
	if len(count) != 4 {
		t.Errorf("statuses %v", count)
	}
}

func TestFaultAnswers(t *testing.T) {
	t.Run("stytch", func(t *testing.T) {
		for _, tc := range []struct {
			fault     string
			status    int
			errorType string
		}{
			{"429", 429, "too_many_requests"},
			{"500", 500, "internal_server_error"},
			{"503", 503, "service_unavailable"},
		} {
			sb := start(t, sandbox.Options{Seed: "empty", Faults: "stytch:" + tc.fault + "=1"})
			s := newStytch(t, sb)
			for _, path := range []string{"/v1/m2m/clients/search", "/v1/public/" + s.info.ProjectID + "/oauth2/token"} {
				a := do(t, http.MethodPost, s.info.URL+path, map[string]any{}, basic(s.info.ProjectID, s.info.Secret))
				status, m := s.envelope(a)
				wantStytchError(t, status, m, tc.status, tc.errorType)
				want(t, "Retry-After", a.header.Get("Retry-After"), map[bool]string{true: "1"}[tc.status == 429])
			}
			if tc.status == 429 {
				status, m := s.call(http.MethodPost, "/v1/m2m/clients/search", nil)
				want(t, "429 message", str(m["error_message"]), "Too many requests have been made.")
				want(t, "status", status, 429)
			}
		}
	})
	t.Run("auth0", func(t *testing.T) {
		for _, status := range []int{429, 500, 503} {
			sb := start(t, sandbox.Options{Faults: fmt.Sprintf("auth0:%d=1", status)})
			a := sb.Auth0()
			mg := do(t, http.MethodGet, a.URL+"/api/v2/clients", nil)
			tok := tokenFor(t, a.URL, a.ClientID, a.ClientSecret, a.Audience, "")
			want(t, "management status", mg.status, status)
			m := mg.obj(t)
			want(t, "statusCode", num(m["statusCode"]), int64(status))
			want(t, "error", str(m["error"]), http.StatusText(status))
			want(t, "token status", tok.status, status)
			if status == 429 {
				want(t, "management 429 message", str(m["message"]), "Global limit has been reached")
				want(t, "management 429 errorCode", str(m["errorCode"]), "too_many_requests")
				wantOAuthError(t, tok, 429, "too_many_requests", "Rate limit exceeded. Please retry after some time.")
				want(t, "Retry-After on injected 429s", mg.header.Get("Retry-After"), "1")
				want(t, "remaining on injected 429s", mg.header.Get("X-Ratelimit-Remaining"), "0")
			} else if str(tok.obj(t)["error"]) == "" {
				t.Errorf("token %d body %s", status, tok.raw)
			}
			if mg.header.Get("X-Ratelimit-Limit") == "" {
				t.Error("an injected fault lost the rate-limit headers")
			}
		}
	})
}

func TestDropClosesTheConnectionAndDoesNothing(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty", Faults: "stytch:drop=1"})
	s := sb.Stytch()
	_, err := tryDo(http.MethodPost, s.URL+"/v1/m2m/clients",
		map[string]any{"client_id": "dropped", "client_secret": goodSecret, "scopes": []string{}}, basic(s.ProjectID, s.Secret))
	if err == nil {
		t.Fatal("a dropped request got an answer")
	}
	want(t, "stored after drop", len(inspect(t, s)), 0)
	st := stats(t, s.URL)
	want(t, "dropped in stats", st.Routes["POST /v1/m2m/clients"]["dropped"], 1)
	want(t, "drop faults", st.Faults["drop"], 1)
}

func TestCommitDropStoresThenDrops(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty", Faults: "stytch:commitdrop=1"})
	s := sb.Stytch()
	_, err := tryDo(http.MethodPost, s.URL+"/v1/m2m/clients",
		map[string]any{"client_id": "ambiguous", "client_secret": goodSecret, "scopes": []string{"a:b"}}, basic(s.ProjectID, s.Secret))
	if err == nil {
		t.Fatal("a commitdrop create got an answer")
	}
	stored := inspect(t, s)
	if len(stored) != 1 || stored[0].ClientID != "ambiguous" || stored[0].ClientSecretSHA256 != sha(goodSecret) {
		t.Fatalf("stored after commitdrop: %+v", stored)
	}
	// commitdrop touches creates only: the read that resolves the ambiguity is answered.
	st := newStytch(t, sb)
	status, m := st.call(http.MethodGet, clientPath("ambiguous"), nil)
	want(t, "get after commitdrop", status, 200)
	want(t, "scopes", fmt.Sprint(m["m2m_client"].(map[string]any)["scopes"]), "[a:b]")
	// And the retried create is a duplicate.
	_, err = tryDo(http.MethodPost, s.URL+"/v1/m2m/clients",
		map[string]any{"client_id": "ambiguous", "client_secret": goodSecret, "scopes": []string{"a:b"}}, basic(s.ProjectID, s.Secret))
	if err == nil {
		t.Fatal("a second commitdrop create got an answer")
	}
	want(t, "stored after the retry", len(inspect(t, s)), 1)
}

func TestSlowFaultDelaysThenAnswers(t *testing.T) {
	sb := start(t, sandbox.Options{Seed: "empty", Faults: "stytch:slow:40ms=1"})
	s := newStytch(t, sb)
	began := time.Now()
	status, _ := s.call(http.MethodPost, "/v1/m2m/clients/search", nil)
	// A lower bound only: a timer never fires early, so this cannot flake.
	if waited := time.Since(began); waited < 40*time.Millisecond {
		t.Errorf("answered after %v, before the 40ms delay", waited)
	}
	want(t, "status", status, 200)
	want(t, "slow faults", stats(t, s.info.URL).Faults["slow"], 1)
}

func TestInspectionIsNeverFaultedOrLimited(t *testing.T) {
	clk := newClock()
	sb := start(t, sandbox.Options{Faults: "stytch:500=1;auth0:drop=1", Auth0Rate: sandbox.Rate{PerSecond: 1, Burst: 1},
		StytchRate: sandbox.Rate{PerSecond: 1, Burst: 1}, Now: clk.Now})
	for range 5 {
		for _, base := range []string{sb.Auth0().URL, sb.Stytch().URL} {
			want(t, base+" stats", do(t, http.MethodGet, base+"/_sandbox/stats", nil).status, 200)
		}
		want(t, "clients", do(t, http.MethodGet, sb.Stytch().URL+"/_sandbox/clients", nil).status, 200)
	}
	want(t, "inspection is not counted", stats(t, sb.Stytch().URL).Total, 0)
}

func TestCloseCutsSlowFaultsShort(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{Seed: "empty", Faults: "stytch:slow:10m=1"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		tryDo(http.MethodPost, sb.Stytch().URL+"/v1/m2m/clients/search", nil) //nolint:errcheck // either outcome is fine
	}()
	// Wait until the request is inside its slow fault, then close: Close must return (the
	// test would otherwise hit go test's timeout) and the request must end.
	for stats(t, sb.Stytch().URL).InFlight == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	<-done
}

// FuzzParseFaults: what ParseFaults accepts keeps the rules it states (known kinds, each
// once per API, commitdrop on Stytch only, ratios in [0, 1] adding up to at most 1, slow
// delays within bounds) and survives a round trip through its canonical form; what it refuses
// it refuses in one line. More seeds are in testdata/fuzz/FuzzParseFaults.
func FuzzParseFaults(f *testing.F) {
	for _, s := range []string{"", "stytch:429=0.1,500=0.05,commitdrop=0.02;auth0:429=0.2,slow:2s=0.1",
		"auth0:drop=1", "stytch:slow:1h2m3.5s=0.25", "x:y=z;;", "stytch:429=1e-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		parsed, err := sandbox.ParseFaults(spec)
		if err != nil {
			if msg := err.Error(); msg == "" || strings.ContainsAny(msg, "\r\n") {
				t.Fatalf("the error should be one line: %q", msg)
			}
			return
		}
		for api, faults := range map[string][]sandbox.Fault{"auth0": parsed.Auth0, "stytch": parsed.Stytch} {
			sum, kinds := 0.0, map[sandbox.FaultKind]bool{}
			for _, x := range faults {
				switch {
				case !(x.Ratio >= 0 && x.Ratio <= 1):
					t.Fatalf("%s: ratio %v", api, x.Ratio)
				case kinds[x.Kind]:
					t.Fatalf("%s: %s twice", api, x.Kind)
				case x.Kind == sandbox.FaultCommitDrop && api != "stytch":
					t.Fatalf("commitdrop on %s", api)
				case (x.Kind == sandbox.FaultSlow) != (x.Delay > 0) || x.Delay > 10*time.Minute:
					t.Fatalf("%s: %s with delay %v", api, x.Kind, x.Delay)
				case !slices.Contains([]sandbox.FaultKind{sandbox.Fault429, sandbox.Fault500, sandbox.Fault503, sandbox.FaultSlow,
					sandbox.FaultDrop, sandbox.FaultCommitDrop}, x.Kind):
					t.Fatalf("%s: unknown kind %q", api, x.Kind)
				}
				kinds[x.Kind] = true
				sum += x.Ratio
			}
			if sum > 1+1e-9 {
				t.Fatalf("%s: ratios add up to %v", api, sum)
			}
		}
		again, err := sandbox.ParseFaults(parsed.String())
		if err != nil || again.String() != parsed.String() || !reflect.DeepEqual(again, parsed) {
			t.Fatalf("%q -> %q -> %v %v", spec, parsed.String(), again, err)
		}
	})
}
