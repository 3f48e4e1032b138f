package httpx

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/m2mport/m2mport/client"
)

// MaxBody is the largest answer read. Neither API sends anything near it; a bigger body is
// a wrong URL or a misbehaving proxy, and reading it would only cost memory.
const MaxBody = 10 << 20

// Policy bounds the retries of one request. The zero value means the defaults.
type Policy struct {
	// MaxAttempts counts every try, the first included (default 5).
	MaxAttempts int
	// MaxWait caps the total time one request spends waiting between attempts and for the
	// API's rate limit to reset (default 2 min). A wait that would pass it is not taken: the
	// last error is returned instead.
	MaxWait time.Duration
	// BaseDelay is the first backoff (default 500 ms); it doubles with each retry, with
	// jitter, up to MaxDelay (default 20 s). Retry-After and x-ratelimit-reset override it.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// AttemptTimeout bounds one attempt, answer body included (default 30 s).
	AttemptTimeout time.Duration
}

func (p Policy) withDefaults() Policy {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	def(&p.MaxWait, 2*time.Minute)
	def(&p.BaseDelay, 500*time.Millisecond)
	def(&p.MaxDelay, 20*time.Second)
	def(&p.AttemptTimeout, 30*time.Second)
	return p
}

// Config sets up a Client for one API.
type Config struct {
	API        string // "auth0" or "stytch": names the API in errors
	BaseURL    string // see ParseBaseURL
	HTTPClient *http.Client
	UserAgent  string // "m2mport/1.2.3"; "m2mport/dev" when empty
	Policy     Policy
	// OnWait, if set, is told about every wait in addition to the context's reporter
	// (client.WithWaitReporter). It must not block.
	OnWait func(client.Wait)
	// DecodeError fills Code, Message and RequestID of e from an error answer's JSON body;
	// it leaves them empty when the body is not in a shape it knows.
	DecodeError func(body []byte, e *client.APIError)
	// Hint returns what the operator should do about e, or "" for the generic advice.
	Hint func(e *client.APIError) string
}

// With is c with the settings an API package's caller gave (client.HTTPConfig).
func (c Config) With(h client.HTTPConfig) Config {
	c.HTTPClient, c.UserAgent, c.OnWait = h.HTTPClient, h.UserAgent, h.OnWait
	c.Policy.MaxAttempts, c.Policy.MaxWait, c.Policy.AttemptTimeout = h.MaxAttempts, h.MaxWait, h.Timeout
	return c
}

// Client sends requests to one API under the shared policy. It is safe for concurrent use.
type Client struct {
	api         string
	base        string
	hc          *http.Client
	userAgent   string
	policy      Policy
	onWait      func(client.Wait)
	decodeError func([]byte, *client.APIError)
	hint        func(*client.APIError) string

	mu     sync.Mutex
	quotas map[string]*quota // by Request.RateBucket

	// Seams for tests.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// New checks the base URL and the HTTP client (TLS verification must be on) and returns a
// Client.
func New(cfg Config) (*Client, error) {
	base, err := ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	hc, err := httpClient(cfg.HTTPClient)
	if err != nil {
		return nil, err
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = "m2mport/dev"
	}
	return &Client{
		api:         cfg.API,
		base:        base,
		hc:          hc,
		userAgent:   ua,
		policy:      cfg.Policy.withDefaults(),
		onWait:      cfg.OnWait,
		decodeError: cfg.DecodeError,
		hint:        cfg.Hint,
		now:         time.Now,
		sleep:       client.Sleep,
	}, nil
}

// httpClient copies the caller's client (or builds one) so that it never follows
// redirects — a redirect would carry the Authorization header to an address nobody chose —
// and refuses one that skips TLS verification.
func httpClient(in *http.Client) (*http.Client, error) {
	var hc http.Client
	if in != nil {
		hc = *in
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		t.MaxIdleConnsPerHost = 16
		hc.Transport = t
	}
	if t, ok := hc.Transport.(*http.Transport); ok && t.TLSClientConfig != nil && t.TLSClientConfig.InsecureSkipVerify {
		return nil, errors.New("refusing an HTTP client that skips TLS certificate verification")
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc, nil
}

// BaseURL is the API's base URL without a trailing slash.
func (c *Client) BaseURL() string { return c.base }

// SetClock replaces the clock the client reads and how it waits, between attempts and for a
// rate limit to reset. It is for tests that drive retries and rate limits against the
// sandbox (see client/internal/testclock): the waits are still decided, bounded and
// reported, but cost no wall-clock time. sleep must return ctx.Err() once ctx is done. Call
// it before the client's first request.
func (c *Client) SetClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) {
	c.now, c.sleep = now, sleep
}

// Request is one API call.
type Request struct {
	Method string
	// Path is the URL path below the base URL, with ids already escaped by url.PathEscape.
	// It is what errors show; queries never are.
	Path   string
	Query  url.Values
	Header http.Header // e.g. Authorization; never copied into an error
	JSON   any         // a JSON body, or
	Form   url.Values  // a form body
	// Idempotent requests are retried on 429, 5xx, timeouts and dropped connections.
	// Others are sent exactly once.
	Idempotent bool
	// RateBucket names the API's rate-limit bucket the request draws from, when the API
	// keeps several (Auth0's /oauth/token has its own); "" is the API-wide one.
	RateBucket string
	// Secrets are the credentials the request carries in its body; they are scrubbed from
	// anything an answer echoes into an error. Authorization header values are added
	// automatically.
	Secrets []string
}

func (r *Request) where(api string) string { return api + " " + r.Method + " " + r.Path }

// Do sends r under the policy and decodes a 2xx JSON answer into out (nil: the body is
// ignored). Errors are *client.APIError for answers, or errors wrapping client.ErrNoAnswer
// (sent, no answer), the context's error, or a "cannot reach" error (nothing was sent).
func (c *Client) Do(ctx context.Context, r *Request, out any) error {
	body, contentType, err := r.encode()
	if err != nil {
		return fmt.Errorf("%s: encode request: %w", r.where(c.api), err)
	}
	target := c.base + r.Path
	if len(r.Query) > 0 {
		target += "?" + r.Query.Encode()
	}
	scrub := newScrubber(r.Secrets, r.Header)
	attempts := 1 // a request that is not idempotent is sent once
	if r.Idempotent {
		attempts = c.policy.MaxAttempts
	}
	tries := client.Retry{Attempts: attempts, Base: c.policy.BaseDelay, Max: c.policy.MaxDelay, MaxWait: c.policy.MaxWait,
		Sleep: c.sleep, Method: r.Method, Path: r.Path, OnWait: c.onWait}.Start(ctx)
	for attempt := range tries.All() {
		if err := c.waitForQuota(ctx, r, attempt, &tries.Waited); err != nil {
			return err
		}
		pacer := client.PacerFrom(ctx)
		if pacer != nil {
			if err := pacer.Wait(ctx); err != nil {
				return fmt.Errorf("%s: %w", r.where(c.api), err)
			}
		}
		o := c.attempt(ctx, r, target, body, contentType, scrub, out)
		if pacer != nil {
			pacer.Observe(o.status)
		}
		if o.err == nil || !o.retryable {
			return tried(o.err, attempt)
		}
		tries.Again(o.err, o.status, o.retryAfter)
	}
	if tries.End == client.RetryInterrupted {
		return fmt.Errorf("%s: %w (while waiting to retry after: %v)", r.where(c.api), tries.WaitErr, tries.Err)
	}
	return tried(tries.Err, tries.N)
}

// tried says how many attempts ended in err, when there were several: "timed out after
// 30 s" alone hides that the operator waited five times that.
func tried(err error, attempts int) error {
	if err == nil || attempts < 2 {
		return err
	}
	return fmt.Errorf("%w (%d attempts)", err, attempts)
}

func (r *Request) encode() ([]byte, string, error) {
	switch {
	case r.JSON != nil:
		b, err := json.Marshal(r.JSON)
		return b, "application/json", err
	case r.Form != nil:
		return []byte(r.Form.Encode()), "application/x-www-form-urlencoded", nil
	}
	return nil, "", nil
}

// outcome is what one attempt came to.
type outcome struct {
	status     int // 0: no answer
	err        error
	retryable  bool
	retryAfter time.Duration // from Retry-After, or until x-ratelimit-reset; <0 when absent
}

func (c *Client) attempt(ctx context.Context, r *Request, target string, body []byte, contentType string, scrub scrubber, out any) outcome {
	actx, cancel := context.WithTimeout(ctx, c.policy.AttemptTimeout)
	defer cancel()
	var sent atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
		if info.Err == nil {
			sent.Store(true)
		}
	}}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(actx, trace), r.Method, target, rd)
	if err != nil {
		return outcome{err: fmt.Errorf("%s: build request: %w", r.where(c.api), unwrapURL(err))}
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}

	sentAt := c.now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return c.noAnswer(ctx, r, err, sent.Load(), 0, scrub)
	}
	defer resp.Body.Close()
	received := c.now()
	status := resp.StatusCode
	c.noteQuota(r.RateBucket, resp.Header, status, sentAt, received)
	data, err := readCapped(resp.Body, resp.ContentLength)
	if errors.Is(err, errTooLarge) {
		e := c.newError(r, status)
		e.Message = fmt.Sprintf("the answer is larger than %d MiB", MaxBody>>20)
		c.finish(e, scrub)
		return outcome{status: status, err: e}
	}
	if err != nil {
		// The connection broke after the status line: as far as the request goes, no answer.
		return c.noAnswer(ctx, r, err, true, status, scrub)
	}

	if status >= 200 && status < 300 {
		if out == nil {
			return outcome{status: status}
		}
		if msg, showBody := decodeBody(data, out); msg != "" {
			e := c.newError(r, status)
			e.Message = msg
			if showBody {
				e.Snippet = scrub.snippet(data)
			}
			c.finish(e, scrub)
			if !r.Idempotent {
				// It answered 2xx, so it probably acted, but we cannot tell on what.
				return outcome{status: status, err: fmt.Errorf("%w: %w", client.ErrNoAnswer, e)}
			}
			return outcome{status: status, err: e}
		}
		return outcome{status: status}
	}

	e := c.newError(r, status)
	trimmed := bytes.TrimSpace(data)
	if c.decodeError != nil && len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(trimmed) {
		c.decodeError(trimmed, e)
	}
	if e.Code == "" && e.Message == "" {
		e.Message = http.StatusText(status)
		switch {
		case len(trimmed) == 0:
			e.Message += " (empty answer)"
		default:
			e.Snippet = scrub.snippet(trimmed)
		}
	}
	if status >= 300 && status < 400 {
		e.Message = "unexpected redirect"
	}
	e.RetryAfter = retryAfter(resp.Header, received)
	c.finish(e, scrub)
	o := outcome{status: status, err: e, retryAfter: -1}
	switch {
	case status == http.StatusTooManyRequests:
		o.retryable = true
		o.retryAfter = c.serverDelay(resp.Header, received)
		e.RetryAfter = max(o.retryAfter, 0)
	case status == http.StatusRequestTimeout || status >= 500 && status != http.StatusNotImplemented:
		o.retryable = true
		if d := retryAfter(resp.Header, received); d > 0 {
			o.retryAfter = d
		}
	}
	return o
}

func (c *Client) newError(r *Request, status int) *client.APIError {
	return &client.APIError{API: c.api, Method: r.Method, Path: r.Path, Status: status}
}

// finish scrubs what came from the answer and adds the hint.
func (c *Client) finish(e *client.APIError, scrub scrubber) {
	e.Message = scrub.clean(e.Message)
	e.Code = scrub.clean(e.Code)
	e.RequestID = scrub.clean(e.RequestID)
	if c.hint != nil {
		e.Hint = c.hint(e)
	}
	if e.Hint == "" {
		e.Hint = genericHint(e)
	}
}

func genericHint(e *client.APIError) string {
	switch {
	case e.Status == http.StatusTooManyRequests:
		return "the API is rate limiting m2mport; wait a minute and run it again"
	case e.Status >= 300 && e.Status < 400:
		return "check the address: the API answered with a redirect, which m2mport does not follow"
	case e.Snippet != "" || strings.Contains(e.Message, "larger than"):
		return "something other than the API answered (a proxy, or a wrong address?): check the address"
	case e.Status >= 500:
		return "the service had a problem; try again in a few minutes"
	}
	return ""
}

// decodeBody decodes a 2xx body into out, or says why it could not and whether the body is
// worth showing.
func decodeBody(data []byte, out any) (problem string, showBody bool) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return "the answer was empty where JSON was expected", false
	}
	if trimmed[0] != '{' && trimmed[0] != '[' {
		return "the answer is not JSON", true
	}
	err := json.Unmarshal(trimmed, out)
	if err == nil {
		return "", false
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn) && strings.Contains(err.Error(), "unexpected end"):
		return "the answer was cut short", true
	case errors.As(err, &typ):
		return fmt.Sprintf("the answer does not have the documented shape (field %q is a %s)", typ.Field, typ.Value), false
	default:
		return "the answer is not valid JSON", true
	}
}

var errTooLarge = errors.New("body too large")

func readCapped(body io.Reader, length int64) ([]byte, error) {
	if length > MaxBody {
		return nil, errTooLarge
	}
	var buf bytes.Buffer
	if length > 0 {
		buf.Grow(int(length))
	}
	n, err := buf.ReadFrom(io.LimitReader(body, MaxBody+1))
	if err != nil {
		return nil, err
	}
	if n > MaxBody {
		return nil, errTooLarge
	}
	return buf.Bytes(), nil
}

// noAnswer turns a transport error into an error that says whether the request reached the
// server. sent is whether it was written in full. The transport's own words may quote what
// the server sent (a malformed header line, the start of an answer that is not HTTP): they
// are scrubbed like an answer's body.
func (c *Client) noAnswer(ctx context.Context, r *Request, err error, sent bool, status int, scrub scrubber) outcome {
	where := r.where(c.api)
	if ctx.Err() != nil { // the caller gave up: never retried
		if sent && !r.Idempotent {
			return outcome{status: status, err: fmt.Errorf("%s: %w: %w", where, client.ErrNoAnswer, ctx.Err())}
		}
		return outcome{status: status, err: fmt.Errorf("%s: %w", where, ctx.Err())}
	}
	cause := scrub.err(unwrapURL(err))
	if errors.Is(cause, context.DeadlineExceeded) || isTimeout(cause) {
		cause = fmt.Errorf("timed out after %s", client.HumanDuration(c.policy.AttemptTimeout))
	}
	if sent {
		return outcome{status: status, retryable: true, retryAfter: -1,
			err: fmt.Errorf("%s: %w: %w", where, client.ErrNoAnswer, cause)}
	}
	var certErr *tls.CertificateVerificationError
	var dnsErr *net.DNSError
	retryable := !errors.As(cause, &certErr) && !(errors.As(cause, &dnsErr) && dnsErr.IsNotFound)
	return outcome{status: status, retryable: retryable, retryAfter: -1,
		err: fmt.Errorf("%s: cannot reach the server: %w", where, cause)}
}

// unwrapURL drops net/http's *url.Error, whose message quotes the whole URL, query included.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (c *Client) report(ctx context.Context, w client.Wait) {
	if c.onWait != nil {
		c.onWait(w)
	}
	client.ReportWait(ctx, w)
}
