package client_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
	"github.com/m2mport/m2mport/client/stytch"
)

// FuzzLimitsAgreeWithTheSandbox holds the planner's pre-checks against the Stytch emulator,
// which enforces the same assumed limits written from the spec: a record LimitBlockers lets
// through must be accepted and stored exactly as sent (same secret, scopes, name and
// description), and a record it blocks must be refused. Otherwise the plan would promise an
// import that fails, or a stored client would not be the source's.
func FuzzLimitsAgreeWithTheSandbox(f *testing.F) {
	f.Add("HCuHYoHrhT2OgacfzK0TVNc16uFbwZ7P", "s3cret-Xy9Q-abcdefgh", "Billing worker", "Nightly invoice run", "read:invoices\nwrite:invoices", []byte(`{"team":"billing"}`))
	type world struct {
		sb  *sandbox.Sandbox
		tgt *stytch.Target
	}
	start := sync.OnceValues(func() (world, error) {
		sb, err := sandbox.Start(sandbox.Options{Seed: "empty"})
		if err != nil {
			return world{}, err
		}
		tgt, err := stytch.New(stytch.Config{Credentials: sandboxtest.TargetCredentials(sb), HTTPConfig: client.HTTPConfig{MaxAttempts: 1}})
		return world{sb, tgt}, err
	})
	f.Fuzz(func(t *testing.T, id, secret, name, description, scopes string, metadata []byte) {
		w, err := start()
		if err != nil {
			t.Fatal(err)
		}
		sb, tgt := w.sb, w.tgt
		ctx := context.Background()
		c := client.Client{ID: id, Secret: client.NewSecret(secret), Name: name, Description: description,
			Scopes: client.NewScopes(strings.Split(scopes, "\n")...)}
		_ = json.Unmarshal(metadata, &c.Metadata)
		blockers := client.LimitBlockers(&c)
		if id == "" || secret == "" {
			return // the writer refuses these itself, before any call
		}
		// Each on its own: "\xd1" ending one and "\x80" starting the next are valid together.
		if !utf8.ValidString(id) || !utf8.ValidString(secret) || !utf8.ValidString(name) || !utf8.ValidString(description) {
			// JSON would carry U+FFFD in place of the bad bytes: the target would take another
			// client than the source's, so the plan must block it.
			if len(blockers) == 0 {
				t.Fatalf("the plan lets through text that cannot be sent unchanged")
			}
			return
		}
		if id == "." || id == ".." || strings.Contains(id, "/") {
			// Stytch takes these, but they are URL path segments a proxy may send elsewhere
			// (a DELETE of "..", say): the plan refuses them, and this test does not send them.
			if len(blockers) == 0 {
				t.Fatalf("the plan lets %q through, a path segment a proxy may rewrite", id)
			}
			return
		}
		_, err = tgt.Create(ctx, &c)
		if client.StatusOf(err) != http.StatusBadRequest && err != nil {
			t.Fatalf("create: %v", err)
		}
		if err == nil {
			defer func() {
				if err := tgt.Delete(ctx, id); err != nil {
					t.Fatalf("clean up: %v", err)
				}
			}()
		}
		switch {
		case len(blockers) == 0 && err != nil:
			t.Fatalf("the plan lets %q through, the target refuses it: %v", id, err)
		case len(blockers) > 0 && err == nil:
			t.Fatalf("the plan blocks %q (%s), the target takes it", id, blockers[0].Message)
		case err != nil:
			return
		}
		got, ok := sandboxtest.Stored(t, sb)[id]
		if !ok {
			t.Fatalf("%q was created but is not stored", id)
		}
		sum := sha256.Sum256([]byte(secret))
		if got.ClientSecretSHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("the target holds another secret than the source's")
		}
		if got.ClientName != name || got.ClientDescription != description || !client.NewScopes(got.Scopes...).Equal(c.Scopes) {
			t.Fatalf("stored %q %q %q, sent %q %q %q", got.ClientName, got.ClientDescription, got.Scopes, name, description, c.Scopes)
		}
	})
}
