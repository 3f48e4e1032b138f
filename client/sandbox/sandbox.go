package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Options configure a sandbox. The zero value runs the demo seed on free loopback ports with
// no faults, a generous Auth0 bucket and no Stytch limit.
type Options struct {
	Seed       string // "demo" (default when empty), "empty", "generated:N"
	RandomSeed int64  // drives generated data and fault decisions (deterministic)
	Auth0Addr  string // "" = 127.0.0.1:0 (any free loopback port); a non-loopback host is refused
	StytchAddr string
	Faults     string // e.g. "stytch:429=0.1,500=0.05,commitdrop=0.02;auth0:429=0.2,slow:2s=0.1"
	Auth0Rate  Rate   // zero value = a generous default bucket (still sends the x-ratelimit-* headers)
	StytchRate Rate   // zero value = unlimited
	// ManagementScopes are the scopes on the grant of the Management-API app m2mport connects
	// with; nil = the four it needs (read:clients read:client_keys read:client_grants
	// read:resource_servers). Lets tests exercise "missing read:client_keys" etc.
	ManagementScopes []string
	StytchProjectID  string // "" = the seed's project-test-… id; e.g. "project-live-…" to exercise the live guard
	// StytchVertical is the project's vertical, "b2b" (the default when empty) or
	// "consumer": its keys are served only at that vertical's JWKS path (spec §2).
	StytchVertical string
	Log            io.Writer // one line per request (api, method, path, status, duration); nil = none; never secrets or tokens
	// Now is the clock for token times and rate buckets; nil = time.Now. Lets tests expire
	// tokens and refill buckets without sleeping.
	Now func() time.Time
}

// Auth0Info is how to reach the Auth0 emulator as the Management-API app m2mport uses.
type Auth0Info struct {
	URL          string // "http://127.0.0.1:port"
	Domain       string // what AUTH0_DOMAIN gets: the URL (the reader accepts a URL for loopback)
	Tenant       string // "acme"
	Audience     string // URL + "/api/v2/"
	ClientID     string // the Management-API app
	ClientSecret string
}

// StytchInfo is how to reach the Stytch emulator as the project's owner.
type StytchInfo struct {
	URL       string // "http://127.0.0.1:port", what STYTCH_BASE_URL gets
	ProjectID string
	Secret    string
	Vertical  string // "b2b" or "consumer"
}

// ErrBadOption is wrapped by every error Start returns for an option it refuses (as opposed
// to, say, a port already in use), so a command can answer "usage error".
var ErrBadOption = errors.New("bad sandbox option")

type optionError struct{ msg string }

func (e *optionError) Error() string { return e.msg }
func (e *optionError) Unwrap() error { return ErrBadOption }

func badOption(format string, args ...any) error {
	return &optionError{msg: fmt.Sprintf(format, args...)}
}

// Sandbox is a running pair of emulators.
type Sandbox struct {
	auth0  *auth0API
	stytch *stytchAPI
	done   chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// Start seeds both emulators and serves them on loopback until Close.
func Start(opts Options) (*Sandbox, error) {
	seed, err := parseSeed(opts.Seed)
	if err != nil {
		return nil, err
	}
	faults, err := ParseFaults(opts.Faults)
	if err != nil {
		return nil, &optionError{msg: err.Error()}
	}
	auth0Rate, err := normaliseRate("auth0", opts.Auth0Rate, defaultAuth0Rate)
	if err != nil {
		return nil, err
	}
	stytchRate, err := normaliseRate("stytch", opts.StytchRate, Rate{})
	if err != nil {
		return nil, err
	}
	if id := opts.StytchProjectID; id != "" && (len(id) > 128 || strings.ContainsFunc(id, func(r rune) bool {
		return r == '/' || unicode.IsSpace(r) || unicode.IsControl(r)
	})) {
		return nil, badOption("stytch project id %q: want up to 128 characters without '/', spaces or control characters, e.g. project-live-…", id)
	}
	vertical, err := parseVertical(opts.StytchVertical)
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	auth0Key, err := poolKey(0)
	if err != nil {
		return nil, err
	}
	stytchKey, err := poolKey(1)
	if err != nil {
		return nil, err
	}

	auth0Ln, err := listenLoopback("auth0", opts.Auth0Addr)
	if err != nil {
		return nil, err
	}
	stytchLn, err := listenLoopback("stytch", opts.StytchAddr)
	if err != nil {
		auth0Ln.Close()
		return nil, err
	}

	sb := &Sandbox{done: make(chan struct{})}
	var log *lineLogger
	if opts.Log != nil {
		log = &lineLogger{w: opts.Log}
	}
	auth0URL := "http://" + auth0Ln.Addr().String()
	data := seed.build(opts.RandomSeed, auth0URL, opts.ManagementScopes)
	sb.auth0 = newAuth0API(auth0Config{
		url: auth0URL, data: data.auth0, key: auth0Key,
		rate: auth0Rate, tokenRate: tokenRate(opts.Auth0Rate), now: opts.Now,
	})
	projectID := data.stytch.projectID
	if opts.StytchProjectID != "" {
		projectID = opts.StytchProjectID
	}
	sb.stytch = newStytchAPI(stytchConfig{
		projectID: projectID, secret: data.stytch.secret, clients: data.stytch.clients,
		key: stytchKey, rate: stytchRate, now: opts.Now, vertical: vertical,
	})
	sb.auth0.server.init("auth0", newFaultPlan(faults.Auth0, opts.RandomSeed, "auth0"), log, sb.done)
	sb.stytch.server.init("stytch", newFaultPlan(faults.Stytch, opts.RandomSeed, "stytch"), log, sb.done)
	sb.auth0.server.start(auth0Ln)
	sb.stytch.server.start(stytchLn)
	return sb, nil
}

func normaliseRate(api string, r, zero Rate) (Rate, error) {
	switch {
	case r.IsZero():
		return zero, nil
	case r.PerSecond <= 0 || r.Burst < 0:
		return Rate{}, badOption("%s rate %v: want a positive rate and a burst of at least 1", api, r)
	case r.Burst == 0:
		r.Burst = max(1, int(r.PerSecond+0.999999))
	}
	return r, nil
}

// listenLoopback listens on addr ("" = any free port on 127.0.0.1), refusing any host that
// is not loopback: the emulators hand out credentials and inspection data without auth.
func listenLoopback(api, addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, badOption("%s address %q: want HOST:PORT, e.g. 127.0.0.1:8080", api, addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, badOption("%s address %q: the sandbox listens on loopback only (127.0.0.1, ::1 or localhost), because it serves credentials without auth", api, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox %s: %w", api, err)
	}
	return ln, nil
}

// Auth0 says how to reach the Auth0 emulator.
func (s *Sandbox) Auth0() Auth0Info { return s.auth0.info() }

// Stytch says how to reach the Stytch emulator.
func (s *Sandbox) Stytch() StytchInfo { return s.stytch.info() }

// RotateStytchKey starts signing Stytch tokens with a new key; the JWKS then serves both the
// new key and the one before it, so tokens minted before the rotation still verify.
func (s *Sandbox) RotateStytchKey() { s.stytch.rotateKey() }

// Close stops both emulators: slow faults are cut short, listeners and connections closed,
// and every handler has returned when it does.
func (s *Sandbox) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		for _, srv := range []*server{&s.auth0.server, &s.stytch.server} {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			srv.closeFresh()
			if err := srv.srv.Shutdown(ctx); err != nil {
				// A request outlived the grace period: cut its connection.
				if err := srv.srv.Close(); err != nil {
					s.closeErr = errors.Join(s.closeErr, fmt.Errorf("close sandbox %s: %w", srv.api, err))
				}
			}
			cancel()
			srv.wg.Wait()
		}
	})
	return s.closeErr
}
