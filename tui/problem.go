package tui

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/keystore"
	"github.com/m2mport/m2mport/tui/sanitize"
)

// problem is an error as the operator reads it: what happened in one sentence, what to do
// next, and a reference for support (a request id). It never holds a Go error chain.
type problem struct {
	What string
	Hint string
	Ref  string
}

// describe turns err into a problem. side names the API for errors that do not say which it
// was ("Auth0", "Stytch").
func describe(err error, side string) problem {
	var ae *client.APIError
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var certInvalid x509.CertificateInvalidError
	var ke *keystore.Error
	switch {
	case err == nil:
		return problem{}
	case errors.Is(err, context.Canceled):
		return problem{What: "Cancelled."}
	case errors.As(err, &ae):
		return describeAPI(ae)
	case errors.As(err, &ke):
		return problem{What: sentence(ke.Kind.Error()), Hint: sentence(ke.Hint)}
	case errors.Is(err, client.ErrNoAnswer):
		return problem{What: fmt.Sprintf("%s did not answer.", side), Hint: "Check your connection and try again; nothing is lost."}
	case errors.Is(err, context.DeadlineExceeded):
		return problem{What: fmt.Sprintf("%s took too long to answer.", side), Hint: "Check your connection and try again."}
	case errors.As(err, &dns):
		return problem{What: fmt.Sprintf("Could not find the host %s.", sanitize.Line(dns.Name)), Hint: "Check the domain or base URL for typos."}
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &certInvalid):
		return problem{What: fmt.Sprintf("The TLS certificate of %s is not trusted.", side), Hint: "m2mport never skips certificate checks: check the address, or the proxy between you and it."}
	case isRefused(err):
		return problem{What: fmt.Sprintf("Could not connect to %s.", side), Hint: "Check the address and that the service is reachable from here."}
	}
	return problem{What: sentence(sanitize.Line(err.Error()))}
}

// describeInfo is describe for an error the engine passed on as client.ErrorInfo (in an
// event, or as the cause of a check it could not make): the API's answer when there was
// one, else its message.
func describeInfo(e *client.ErrorInfo, side string) problem {
	switch {
	case e.Code == "no_answer":
		return describe(client.ErrNoAnswer, side)
	case e.Status != 0 || e.Code != "":
		return describeAPI(&client.APIError{API: side, Status: e.Status, Code: e.Code, RequestID: e.RequestID, Hint: e.Hint})
	}
	return problem{What: sentence(sanitize.Line(e.Message))}
}

func describeAPI(e *client.APIError) problem {
	api := apiName(e.API)
	p := problem{Hint: sentence(sanitize.Line(e.Hint)), Ref: sanitize.Line(e.RequestID)}
	msg := sanitize.Line(e.Message)
	switch {
	case e.Status == 401 || e.Code == client.CodeUnauthorized || e.Code == client.CodeInvalidClient:
		p.What = api + " rejected these credentials."
		if p.Hint == "" {
			p.Hint = map[string]string{
				"Auth0":  "Check the domain, client id and secret of the app m2mport uses to read the Management API.",
				"Stytch": "Check the project id and secret (Stytch dashboard → Project settings → API keys).",
			}[api]
		}
		if p.Hint == "" {
			p.Hint = "Check the id and the secret."
		}
	case e.Status == 403 || e.Code == client.CodeAccessDenied:
		p.What = api + " refused: these credentials are not allowed to do this."
		if msg != "" {
			p.What = fmt.Sprintf("%s refused: %s", api, sentence(msg))
		}
	case e.Status == 429 || e.Code == client.CodeTooManyRequests:
		p.What = api + " is rate limiting m2mport."
		if p.Hint == "" {
			p.Hint = "Wait a minute, then try again."
		}
	case e.Snippet != "":
		p.What = fmt.Sprintf("%s answered with something that is not its API (HTTP %d).", api, e.Status)
		if p.Hint == "" {
			p.Hint = "Check the address: a proxy or a wrong URL may be in the way."
		}
	case e.Status >= 500:
		p.What = fmt.Sprintf("%s had a server error (HTTP %d).", api, e.Status)
		if p.Hint == "" {
			p.Hint = "This is usually brief: try again in a moment."
		}
	case msg != "":
		p.What = fmt.Sprintf("%s: %s", api, sentence(msg))
	default:
		p.What = fmt.Sprintf("%s answered HTTP %d %s.", api, e.Status, sanitize.Line(e.Code))
	}
	return p
}

func apiName(api string) string {
	switch strings.ToLower(api) {
	case "auth0":
		return "Auth0"
	case "stytch":
		return "Stytch"
	case "":
		return "The API"
	}
	return sanitize.Line(api)
}

// isRefused reports a connection that could not be made (refused, unreachable).
func isRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.ContainsAny(s[len(s)-1:], ".!?") {
		s += "."
	}
	return s
}

// plural is "1 client", "2 clients".
func plural(n int, noun string) string { return client.Plural(n, noun) }
