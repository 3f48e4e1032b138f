package httpx

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
)

const (
	bodySecret  = "S3cr3t-Body-Value-9f8e7d6c5b4a-DzJj"
	bearerToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXBhcnQ"
	basicSecret = "project-Secret-Value-a1b2c3d4e5"
)

// leaks lists every credential fragment that must never appear in an error.
var leaks = []string{bodySecret, bodySecret[:12], bearerToken, bearerToken[:20], basicSecret, basicSecret[:14],
	base64.StdEncoding.EncodeToString([]byte("project-test-1:" + basicSecret))}

// echo answers with everything the request carried: headers and body, in the shape the
// mode names. A hostile or confused server, a proxy's debug page, an API that quotes the
// input: none of it may bring a credential into an error.
func echo(mode string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		all := fmt.Sprintf("Authorization: %s\nbody: %s\nsecret: %s", r.Header.Get("Authorization"), body, form.Get("client_secret"))
		switch mode {
		case "json401":
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"error":"invalid_client","error_description":%q,"request_id":"r1"}`, all)
		case "html403":
			w.WriteHeader(403)
			fmt.Fprintf(w, "<html><title>Forbidden</title><body><pre>%s</pre></body></html>", all)
		case "text200":
			fmt.Fprint(w, all)
		case "truncated200":
			fmt.Fprintf(w, `{"m2m_client":{"client_secret":"%s`, form.Get("client_secret")[:10])
		case "fieldsecret200":
			fmt.Fprintf(w, `{"access_token":"%s","client_secret":"%s"`, bearerToken, form.Get("client_secret"))
		case "text500":
			w.WriteHeader(500)
			fmt.Fprint(w, all)
		case "json429":
			w.WriteHeader(429)
			fmt.Fprintf(w, `{"statusCode":429,"message":%q,"errorCode":"too_many_requests"}`, all)
		case "redirect":
			http.Redirect(w, r, "/elsewhere?token="+bearerToken, http.StatusTemporaryRedirect)
		case "huge":
			fmt.Fprint(w, strings.Repeat(all, MaxBody/len(all)+2))
		case "drop":
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		case "slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}
	}
}

func decodeEverything(b []byte, e *client.APIError) {
	// A decoder that copies whatever it finds, as a careless API package might.
	e.Message = string(b)
	e.Code = "code:" + string(b)
	e.RequestID = "request:" + string(b)
}

func TestNoErrorCarriesACredential(t *testing.T) {
	modes := []string{"json401", "html403", "text200", "truncated200", "fieldsecret200", "text500", "json429", "redirect", "huge", "drop", "slow"}
	for _, mode := range modes {
		for _, idempotent := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/idempotent=%v", mode, idempotent), func(t *testing.T) {
				srv, _ := script(echo(mode))
				defer srv.Close()
				c, _ := newTest(t, srv, func(cfg *Config) {
					cfg.Policy.MaxAttempts = 2
					cfg.Policy.AttemptTimeout = 100 * time.Millisecond
					cfg.DecodeError = decodeEverything
				})
				var waits []client.Wait
				ctx := client.WithWaitReporter(context.Background(), func(w client.Wait) { waits = append(waits, w) })
				for _, auth := range []string{"Bearer " + bearerToken, "Basic " + leaks[len(leaks)-1]} {
					req := &Request{Method: "POST", Path: "/v1/m2m/clients", Idempotent: idempotent,
						Header:  http.Header{"Authorization": {auth}},
						Form:    url.Values{"client_id": {"abc"}, "client_secret": {bodySecret}},
						Secrets: []string{bodySecret}}
					err := c.Do(ctx, req, &struct{}{})
					if err == nil {
						t.Fatal("want an error")
					}
					texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprint(waits)}
					var ae *client.APIError
					if errors.As(err, &ae) {
						texts = append(texts, fmt.Sprintf("%#v", *ae), ae.Hint, ae.Snippet, ae.Message, ae.Code, ae.RequestID)
					}
					for _, text := range texts {
						for _, leak := range leaks {
							if strings.Contains(text, leak) {
								t.Fatalf("credential %q… leaked into: %s", leak[:6], text)
							}
						}
					}
				}
			})
		}
	}
}
