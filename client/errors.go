package client

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
)

// APIError is an error answer from the source or the target: the HTTP status, the API's own
// error code, its message and request id, and what the operator can do about it. It never
// holds a header, a secret or a token: API packages build it only from the answer's status,
// the request's method and URL path, and the error fields of the body.
type APIError struct {
	API       string // "auth0" or "stytch"
	Method    string
	Path      string // URL path only: queries and bodies stay out of errors
	Status    int
	Code      string // Stytch error_type, Auth0 errorCode or OAuth error
	Message   string
	RequestID string // Stytch's request_id, kept for support tickets and the run report
	// Snippet is the start of a body that was not the JSON the API documents (an HTML error
	// page from a proxy, say), control characters removed.
	Snippet string
	// Hint says what to do next, in one sentence, when the API package knows.
	Hint string
	// RetryAfter is how long the API asked to wait before trying again (Retry-After on a
	// 429 or 503), 0 when it did not say. The HTTP layer honours it for the requests it
	// retries; callers that retry themselves (the engine, for creates) read it here.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s: %d", e.API, e.Method, e.Path, e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Snippet != "" {
		fmt.Fprintf(&b, ": unexpected body %q", e.Snippet)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request %s)", e.RequestID)
	}
	return b.String()
}

// ErrNoAnswer marks a request that was sent but got no answer (the connection dropped or the
// request timed out after it was written). The server may or may not have acted on it: for a
// create, the outcome is ambiguous and the engine must find out with a read.
var ErrNoAnswer = errors.New("no answer from the server")

// Error codes the engine and the UI tell apart. Stytch's error_type values unless noted.
const (
	CodeDuplicateClientID = "duplicate_m2m_client_id"
	CodeClientNotFound    = "m2m_client_not_found"
	CodeInsecureSecret    = "insecure_m2m_client_secret"
	CodeSecretTooLong     = "client_secret_too_long"
	CodeInvalidScope      = "invalid_m2m_client_scope"
	CodeTooManyScopes     = "too_many_m2m_client_scopes"
	CodeUnauthorized      = "unauthorized_credentials"
	CodeTooManyRequests   = "too_many_requests"
	// OAuth token endpoint errors (both APIs).
	CodeInvalidClient   = "invalid_client"
	CodeInvalidOAuthScp = "invalid_scope"
	CodeAccessDenied    = "access_denied"
)

// ErrorCode returns the API error code carried by err, or "".
func ErrorCode(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}

// HasCode reports whether err is an API error with the given code.
func HasCode(err error, code string) bool { return err != nil && ErrorCode(err) == code }

// StatusOf returns the HTTP status carried by err, or 0.
func StatusOf(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// pathless is what went wrong with a file, without the path an *fs.PathError repeats
// ("open /x/report.json: no such file or directory"): the caller names the file, once.
// errors.Is(err, fs.ErrNotExist) still holds.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
