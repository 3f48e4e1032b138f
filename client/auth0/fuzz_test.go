package auth0_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/m2mport/m2mport/client"
)

// FuzzInventoryPages serves arbitrary bodies as the first page of the application and grant
// lists, with a status of the input's choosing, and reads the tenant through the real reader
// (HTTP layer included). Whatever the answer, the reader either says what went wrong in one
// printable line, or returns records that are consistent with what it was sent: the apps it
// offers (non_interactive, or any with client_credentials), ids and secrets as sent, scopes
// the union of the client's grants, and no secret in any message. The grant list is read
// with take/from, so its first page is served for every checkpoint: a page with "next"
// must end in an error (a checkpoint or items served twice), never a loop.
func FuzzInventoryPages(f *testing.F) {
	f.Add(200, []byte(`{"total":1,"start":0,"limit":100,"clients":[{"tenant":"acme","client_id":"HCuHYoHrhT2OgacfzK0TVNc16uFbwZ7P",`+
		`"client_secret":"uT9-_aQ2cFkVbLm0xRw3ZsYp8EdJnHq4tGi7oK1vXy5uT9-_aQ2cFkVbLm0xRw3Zs","name":"Billing worker","app_type":"non_interactive",`+
		`"grant_types":["client_credentials"],"token_endpoint_auth_method":"client_secret_post"}]}`),
		[]byte(`{"total":1,"start":0,"limit":100,"client_grants":[{"id":"cgr_u03NqDMrHK3MOGB5","client_id":"HCuHYoHrhT2OgacfzK0TVNc16uFbwZ7P",`+
			`"audience":"https://api.example.com/","scope":["read:orders","write:orders"]}]}`))
	// One tenant and one reader per fuzzing process, in memory; each input swaps what the
	// tenant serves.
	var pages atomic.Pointer[[2][]byte]
	var statuses atomic.Int64
	tenant := &fakeTenant{page: func(w http.ResponseWriter, r *http.Request, page int) {
		path := r.URL.Path
		body := []byte(`{"total":0,"` + listKey(path) + `":[]}`)
		code := http.StatusOK
		switch {
		case page > 0:
		case path == "/api/v2/clients":
			body, code = pages.Load()[0], int(statuses.Load())
		case path == "/api/v2/client-grants":
			body = pages.Load()[1]
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		w.Write(body)
	}}
	src := inMemoryTenant(f, tenant)
	f.Fuzz(func(t *testing.T, status int, clientsPage, grantsPage []byte) {
		// 2xx to 4xx: what the reader retries (429, 408, 5xx) would only slow the fuzzing down
		// by its backoff; the HTTP layer's own tests cover retries.
		status = 200 + (status%300+300)%300
		if status == http.StatusTooManyRequests || status == http.StatusRequestTimeout {
			status = http.StatusBadRequest
		}
		pages.Store(&[2][]byte{clientsPage, grantsPage})
		statuses.Store(int64(status))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		inv, err := src.Inventory(ctx)
		if err != nil {
			msg := err.Error()
			if strings.ContainsFunc(msg, func(r rune) bool { return unicode.IsControl(r) }) || strings.Contains(msg, mgmtSecret) {
				t.Fatalf("the error should be one printable line without credentials: %q", msg)
			}
			if ctx.Err() != nil {
				t.Fatalf("the reader did not finish: %v", err)
			}
			return
		}
		if status >= 300 {
			t.Fatalf("a %d answer was taken for a page", status)
		}
		var sent struct {
			Clients []struct {
				ID         string    `json:"client_id"`
				Secret     string    `json:"client_secret"`
				AppType    string    `json:"app_type"`
				GrantTypes *[]string `json:"grant_types"`
			} `json:"clients"`
		}
		_ = json.Unmarshal(clientsPage, &sent)
		secrets := map[string]string{}
		for _, c := range sent.Clients {
			// Offered: every non_interactive app, and any app that may use client_credentials.
			offered := c.AppType == client.AppTypeM2M || (c.GrantTypes != nil && slices.Contains(*c.GrantTypes, "client_credentials"))
			if _, seen := secrets[c.ID]; !seen && offered {
				secrets[c.ID] = c.Secret
			}
		}
		if len(inv.Clients) != len(secrets) {
			t.Fatalf("%d clients read, %d distinct ids sent", len(inv.Clients), len(secrets))
		}
		var texts []string
		texts = append(texts, inv.Warnings...)
		for _, c := range inv.Clients {
			if secret, ok := secrets[c.ID]; !ok || c.Secret.Reveal() != secret {
				t.Fatalf("client %q read with a secret it was not sent with", c.ID)
			}
			var union client.Scopes
			for _, g := range c.Grants {
				if !slices.IsSorted(g.Scopes) {
					t.Fatalf("grant scopes not a set: %q", g.Scopes)
				}
				if !g.System {
					union = union.Union(g.Scopes)
				}
			}
			if !c.Scopes.Equal(union) {
				t.Fatalf("client %q: scopes %q, its grants give %q", c.ID, c.Scopes, union)
			}
			for _, b := range c.Blocked {
				texts = append(texts, b.Message, b.Hint)
			}
			texts = append(texts, c.LeftOut)
		}
		for _, text := range texts {
			if strings.Contains(text, mgmtSecret) {
				t.Fatalf("a message shows the management app's secret: %q", text)
			}
			for _, secret := range secrets {
				if len(secret) >= 8 && strings.Contains(text, secret) && !strings.Contains(string(grantsPage), secret) && !strings.Contains(strings.ReplaceAll(string(clientsPage), `"client_secret":"`+secret, ""), secret) {
					t.Fatalf("a message shows a client secret: %q", text)
				}
			}
		}
	})
}
