package sandbox

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// route is one endpoint of an emulated API. Patterns are matched segment by segment on the
// escaped path, so a client_id holding "/" (sent as %2F) stays one segment, and nothing is
// cleaned or redirected the way http.ServeMux would.
type route struct {
	method  string
	pattern string // "/v1/m2m/clients/{client_id}"; the stats key is method + " " + pattern
	segs    []string
	handle  func(w http.ResponseWriter, r *http.Request, params []string)
	bucket  *bucket // nil: not rate limited
	// inspection routes (/_sandbox/*) are never faulted, rate limited or counted, and answer
	// loopback callers only.
	inspection bool
	create     bool // a create: the commitdrop fault applies
}

func newRoute(method, pattern string, handle func(http.ResponseWriter, *http.Request, []string)) *route {
	return &route{method: method, pattern: pattern, segs: strings.Split(pattern, "/"), handle: handle}
}

func (rt *route) key() string { return rt.method + " " + rt.pattern }

// match returns the unescaped values of the pattern's {params}, or ok=false.
func (rt *route) match(segs []string) (params []string, ok bool) {
	if len(segs) != len(rt.segs) {
		return nil, false
	}
	for i, want := range rt.segs {
		if strings.HasPrefix(want, "{") {
			v, err := url.PathUnescape(segs[i])
			if err != nil || v == "" {
				return nil, false
			}
			params = append(params, v)
		} else if segs[i] != want {
			return nil, false
		}
	}
	return params, true
}

// server is one emulated API on its own listener: routing, then the pipeline every request
// goes through (rate limit, fault, handler, stats, log). The API-specific parts are the
// routes and fail, which writes the API's own error body for a status the pipeline decided.
type server struct {
	api    string // "auth0" or "stytch"
	routes []*route
	faults faultPlan
	seq    atomic.Uint64 // faultable requests so far: the fault decision's input
	stats  *stats
	log    *lineLogger
	done   chan struct{} // closed by Close: cuts slow faults short
	wg     sync.WaitGroup
	// fail answers 404 (rt nil), 405 (rt nil), 429, 500 or 503 in the API's error shape.
	fail func(w http.ResponseWriter, r *http.Request, rt *route, status int)
	// rateHeaders: answers of rate-limited routes carry x-ratelimit-* headers (Auth0).
	rateHeaders bool

	ln  net.Listener
	srv *http.Server

	// fresh holds connections that have not sent a request yet. http.Server.Shutdown waits
	// up to 5 s for such a connection (a client's spare dial, say), so Close cuts them first.
	freshMu sync.Mutex
	fresh   map[net.Conn]bool
}

// init sets up the parts every API shares, once the API has set routes and fail.
func (s *server) init(api string, faults faultPlan, log *lineLogger, done chan struct{}) {
	s.api, s.faults, s.log, s.done = api, faults, log, done
	s.stats = newStats()
	s.routes = append(s.routes, s.statsRoute())
}

func (s *server) start(ln net.Listener) {
	s.ln = ln
	s.fresh = map[net.Conn]bool{}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ConnState: s.track}
	go s.srv.Serve(ln) //nolint:errcheck // returns ErrServerClosed on Close
}

func (s *server) track(c net.Conn, state http.ConnState) {
	s.freshMu.Lock()
	defer s.freshMu.Unlock()
	if state == http.StateNew {
		select {
		case <-s.done: // closing: a connection arriving now would only hold Shutdown up
			c.Close()
		default:
			s.fresh[c] = true
		}
	} else {
		delete(s.fresh, c)
	}
}

// closeFresh closes the connections that have sent nothing, so that Shutdown need not wait
// for them.
func (s *server) closeFresh() {
	s.freshMu.Lock()
	defer s.freshMu.Unlock()
	for c := range s.fresh {
		c.Close()
		delete(s.fresh, c)
	}
}

func (s *server) url() string { return "http://" + s.ln.Addr().String() }

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.wg.Add(1)
	defer s.wg.Done()
	start := time.Now()
	segs := strings.Split(r.URL.EscapedPath(), "/")
	var rt *route
	var params []string
	wrongMethod := false
	for _, cand := range s.routes {
		if p, ok := cand.match(segs); ok {
			if cand.method != r.Method {
				wrongMethod = true
				continue
			}
			rt, params = cand, p
			break
		}
	}
	x := &exchange{w: w, s: s, r: r, start: start}
	defer x.finish() // a handler that wrote nothing answered 200
	if rt != nil && rt.inspection {
		if !isLoopbackAddr(r.RemoteAddr) {
			http.Error(x, "inspection answers loopback callers only", http.StatusForbidden)
		} else {
			rt.handle(x, r, params)
		}
		return
	}

	x.key = r.Method + " (no route)"
	if rt != nil {
		x.key = rt.key()
	}
	s.stats.inFlight.Add(1)
	defer s.stats.inFlight.Add(-1)
	s.serve(x, r, rt, params, wrongMethod)
}

// serve runs the pipeline for a non-inspection request: bucket, fault, handler.
func (s *server) serve(x *exchange, r *http.Request, rt *route, params []string, wrongMethod bool) {
	fault := s.faults.decide(s.seq.Add(1) - 1)
	if rt != nil && rt.bucket != nil {
		st := rt.bucket.take()
		if s.rateHeaders {
			setRateHeaders(x.Header(), st)
		}
		if !st.ok {
			s.fail(x, r, rt, http.StatusTooManyRequests)
			return
		}
	}
	if fault != nil && (fault.Kind != FaultCommitDrop || (rt != nil && rt.create)) {
		x.fault = fault.Kind
		switch fault.Kind {
		case Fault429:
			h := x.Header()
			h.Set("Retry-After", "1")
			if s.rateHeaders && rt != nil && rt.bucket != nil {
				h.Set("X-Ratelimit-Remaining", "0")
				h.Set("X-Ratelimit-Reset", strconv.FormatInt(rt.bucket.now().Unix()+1, 10))
			}
			s.fail(x, r, rt, http.StatusTooManyRequests)
			return
		case Fault500, Fault503:
			status, _ := strconv.Atoi(string(fault.Kind))
			s.fail(x, r, rt, status)
			return
		case FaultDrop:
			x.drop()
			return
		case FaultCommitDrop:
			rt.handle(&discardWriter{h: http.Header{}}, r, params)
			x.drop()
			return
		case FaultSlow:
			t := time.NewTimer(fault.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
			case <-s.done:
			}
			t.Stop()
		}
	}
	switch {
	case rt != nil:
		rt.handle(x, r, params)
	case wrongMethod:
		s.fail(x, r, nil, http.StatusMethodNotAllowed)
	default:
		s.fail(x, r, nil, http.StatusNotFound)
	}
}

// exchange is the ResponseWriter handlers write to. It counts and logs the answer when its
// status is decided, before any byte of it leaves, so a caller that has its answer (or its
// dropped connection) always finds it in /_sandbox/stats and the log.
type exchange struct {
	w        http.ResponseWriter
	s        *server
	r        *http.Request
	start    time.Time
	key      string // the stats key; "" for inspection requests, which are not counted
	status   int
	dropped  bool
	fault    FaultKind // the fault injected, if any
	finished bool
}

func (x *exchange) Header() http.Header { return x.w.Header() }

func (x *exchange) WriteHeader(code int) {
	if x.status == 0 {
		x.status = code
		x.finish()
	}
	x.w.WriteHeader(code)
}

func (x *exchange) Write(b []byte) (int, error) {
	if x.status == 0 {
		x.WriteHeader(http.StatusOK)
	}
	return x.w.Write(b)
}

func (x *exchange) statusText() string {
	switch {
	case x.dropped:
		return statusDropped
	case x.status == 0:
		return statusKey(http.StatusOK)
	}
	return statusKey(x.status)
}

func (x *exchange) finish() {
	if x.finished {
		return
	}
	x.finished = true
	if x.key != "" {
		x.s.stats.record(x.key, x.statusText(), x.fault)
	}
	x.s.logLine(x.r, x.statusText(), x.fault, x.start)
}

// drop closes the client's connection without an answer.
func (x *exchange) drop() {
	x.dropped = true
	x.finish()
	hj, ok := x.w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// setRateHeaders writes Auth0's x-ratelimit-* headers; reset is in UNIX epoch seconds,
// rounded up so that waiting until then is always enough.
func setRateHeaders(h http.Header, st bucketState) {
	h.Set("X-Ratelimit-Limit", strconv.Itoa(st.limit))
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(st.remaining))
	reset := st.reset.Unix()
	if st.reset.Nanosecond() > 0 {
		reset++
	}
	h.Set("X-Ratelimit-Reset", strconv.FormatInt(reset, 10))
}

func (s *server) logLine(r *http.Request, status string, fault FaultKind, start time.Time) {
	if s.log == nil {
		return
	}
	// The escaped path keeps a hostile client_id from writing its own log lines; queries and
	// bodies are never logged (they are where credentials travel).
	line := fmt.Sprintf("%-6s %-6s %s %s %s", s.api, r.Method, r.URL.EscapedPath(), status, time.Since(start).Round(time.Microsecond))
	if fault != "" {
		line += " fault=" + string(fault)
	}
	s.log.println(line)
}

// lineLogger writes whole lines to a writer shared by both listeners.
type lineLogger struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineLogger) println(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, line+"\n") //nolint:errcheck // a failing log must not fail requests
}

// discardWriter swallows a handler's answer (commitdrop: the work is done, the answer lost).
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"sandbox: cannot encode answer"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b) //nolint:errcheck // the client went away
}

// maxBody bounds request bodies; both APIs' real limits are far above anything m2mport sends.
const maxBody = 1 << 20

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func isLoopbackAddr(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// inspectionRoute is a /_sandbox/* endpoint: never faulted, limited or counted.
func inspectionRoute(pattern string, handle func(http.ResponseWriter, *http.Request, []string)) *route {
	rt := newRoute(http.MethodGet, pattern, handle)
	rt.inspection = true
	return rt
}

func (s *server) statsRoute() *route {
	return inspectionRoute("/_sandbox/stats", func(w http.ResponseWriter, _ *http.Request, _ []string) {
		writeJSON(w, http.StatusOK, s.stats.snapshot())
	})
}

// oauthError is an OAuth error answer of a token endpoint (both APIs use OAuth's names).
type oauthError struct {
	status      int
	code        string
	description string
}

// tokenParams reads a token request body, form-encoded or JSON (both APIs accept both).
func tokenParams(r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := r.ParseForm(); err != nil {
			return nil, fmt.Errorf("cannot read the form body: %v", err)
		}
		return r.PostForm, nil
	}
	var m map[string]any
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		return nil, errors.New("the request body is not a JSON object")
	}
	p := url.Values{}
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("parameter %s must be a string", k)
		}
		p.Set(k, s)
	}
	return p, nil
}

// basicCredentials reads client credentials from an HTTP Basic header; RFC 6749 §2.3.1 has
// them form-encoded first (golang.org/x/oauth2 does).
func basicCredentials(r *http.Request) (id, secret string) {
	u, p, ok := r.BasicAuth()
	if !ok {
		return "", ""
	}
	if v, err := url.QueryUnescape(u); err == nil {
		u = v
	}
	if v, err := url.QueryUnescape(p); err == nil {
		p = v
	}
	return u, p
}
