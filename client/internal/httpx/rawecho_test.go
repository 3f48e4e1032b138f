package httpx

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/leaktest"
)

// rawServer answers every request on a plain socket with the bytes answer makes of the
// request's body, written by hand, and closes the connection: what Go's own server would
// never send (a header line made of the request body), a hostile or broken one may.
func rawServer(t *testing.T, answer func(body []byte) string) string {
	t.Helper()
	return leaktest.RawServer(t, func(conn net.Conn) {
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		req, err := http.ReadRequest(bufio.NewReader(conn))
		if err != nil {
			return
		}
		body, _ := io.ReadAll(req.Body)
		_, _ = io.WriteString(conn, answer(body))
	})
}

// The secrets of the repro: the management app's (sent in a form body to
// /oauth/token), a client's (sent in a JSON body to a Stytch create), and one the request does
// not carry but m2mport knows (the project secret, echoed by a proxy in front of Auth0).
const (
	rawMgmtSecret    = "MgmtSecret-7Hq2Zr8LkP0vXw4YtN7uEaB3"
	rawClientSecret  = "ClientSecret+from/a=file&more-9f8e7d6c"
	rawProjectSecret = "secret-test-ProjectSecretValue-41Kz"
)

type rawRequest struct {
	name    string
	req     func() *Request
	secrets []string // what the answer must not show, however encoded
}

func rawRequests() []rawRequest {
	client.NewSecret(rawMgmtSecret)
	client.NewSecret(rawClientSecret)
	client.NewSecret(rawProjectSecret)
	basic := "Basic " + encodeBasic("project-test-1", rawProjectSecret)
	return []rawRequest{
		{"auth0 token (form body)", func() *Request {
			return &Request{Method: "POST", Path: "/oauth/token", Idempotent: true, RateBucket: "token",
				Form:    url.Values{"grant_type": {"client_credentials"}, "client_id": {"mgmt"}, "client_secret": {rawMgmtSecret}},
				Secrets: []string{rawMgmtSecret}}
		}, []string{rawMgmtSecret, rawProjectSecret}},
		{"stytch create (JSON body)", func() *Request {
			return &Request{Method: "POST", Path: "/v1/m2m/clients", Header: http.Header{"Authorization": {basic}},
				JSON:    map[string]any{"client_id": "from-file", "client_secret": rawClientSecret, "scopes": []string{"read:a"}},
				Secrets: []string{rawClientSecret, rawProjectSecret}}
		}, []string{rawClientSecret, rawProjectSecret}},
	}
}

// assertNothingShows fails if err, in any way it can be printed, shows one of secrets.
func assertNothingShows(t *testing.T, err error, secrets []string) {
	t.Helper()
	if err == nil {
		t.Fatal("want an error")
	}
	texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%v", client.NewErrorInfo(err))}
	var ae *client.APIError
	if errors.As(err, &ae) {
		texts = append(texts, fmt.Sprintf("%#v", *ae))
	}
	for _, text := range texts {
		for _, s := range secrets {
			if form, ok := leaktest.Shows(text, s); ok {
				t.Fatalf("%.10s… shows (%s) in: %s", s, form, text)
			}
		}
	}
}

// TestATransportErrorQuotingTheRequestIsScrubbed is the repro: a server that
// answers `HTTP/1.1 400` with a header line made of the echoed request body. Go's transport
// refuses the answer and quotes the line in its error.
func TestATransportErrorQuotingTheRequestIsScrubbed(t *testing.T) {
	for _, rr := range rawRequests() {
		t.Run(rr.name, func(t *testing.T) {
			base := rawServer(t, func(body []byte) string {
				return "HTTP/1.1 400 Bad Request\r\n" + string(body) + "\r\nContent-Length: 0\r\n\r\n"
			})
			c, err := New(Config{API: "test", BaseURL: base, Policy: Policy{MaxAttempts: 2, BaseDelay: time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			err = c.Do(context.Background(), rr.req(), &struct{}{})
			// The test proves something only if the transport's own words held the secret.
			var se *scrubbedError
			if !errors.As(err, &se) {
				t.Fatalf("not a transport error: %v", err)
			}
			if _, quoted := leaktest.Shows(se.err.Error(), rr.secrets[0]); !quoted {
				t.Fatalf("the transport's error did not quote the request: %v", se.err)
			}
			assertNothingShows(t, err, rr.secrets)
		})
	}
}

// TestAnErrorBodyEchoingASecretIsScrubbed: error pages, HTML and JSON, that echo a secret
// in each form a server might write it in.
func TestAnErrorBodyEchoingASecretIsScrubbed(t *testing.T) {
	bodies := map[string]func(form string) (contentType, body string){
		"JSON": func(form string) (string, string) {
			// Written by hand: the form goes in as it is, not re-escaped by an encoder.
			return "application/json", `{"error":"invalid_client","error_description":"bad credentials: ` + strings.ReplaceAll(form, `"`, `\"`) +
				`","error_message":"` + strings.ReplaceAll(form, `"`, `\"`) + `","request_id":"` + strings.ReplaceAll(form, `"`, `\"`) + `"}`
		},
		"HTML": func(form string) (string, string) {
			return "text/html", "<!DOCTYPE html><html><head><title>400 " + form + "</title></head><body><h1>Bad Request</h1><pre>" + form + "</pre></body></html>"
		},
		"text": func(form string) (string, string) { return "text/plain", form + "\n" },
	}
	for _, rr := range rawRequests() {
		for kind, body := range bodies {
			for _, secret := range rr.secrets {
				for _, f := range leaktest.Forms(secret) {
					name := fmt.Sprintf("%s/%s/%.8s/%s", rr.name, kind, secret, f.Name)
					t.Run(name, func(t *testing.T) {
						ct, b := body(f.Text)
						base := rawServer(t, func([]byte) string { return leaktest.Answer(400, ct, b) })
						// A decoder that copies the whole body into the error, as a careless
						// API package might: the scrubber is the last line, not the decoder.
						c, err := New(Config{API: "test", BaseURL: base, Policy: Policy{MaxAttempts: 1}, DecodeError: decodeEverything})
						if err != nil {
							t.Fatal(err)
						}
						assertNothingShows(t, c.Do(context.Background(), rr.req(), &struct{}{}), rr.secrets)
					})
				}
			}
		}
	}
}

func encodeBasic(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}
