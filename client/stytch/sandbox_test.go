package stytch_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/internal/testclock"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
	"github.com/m2mport/m2mport/client/stytch"
)

func newTarget(t testing.TB, sb *sandbox.Sandbox, mod func(*stytch.Config)) *stytch.Target {
	t.Helper()
	return sandboxtest.NewClient(t, stytch.New, stytch.Config{Credentials: sandboxtest.TargetCredentials(sb), HTTPConfig: client.HTTPConfig{UserAgent: "m2mport/test"}}, mod)
}

// setup starts a sandbox and a target for its project (changed by mod first, when given),
// and a record of the secrets the test handles, holding the project's and goodSecret.
func setup(t *testing.T, mod func(*stytch.Config)) (*sandbox.Sandbox, *stytch.Target, *secrets) {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	s := &secrets{}
	s.add(sb.Stytch().Secret, goodSecret)
	return sb, newTarget(t, sb, mod), s
}

// secrets collects every secret a test handles, so that each error can be checked for them.
type secrets struct {
	mu   sync.Mutex
	list []string
}

func (s *secrets) add(v ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, v...)
}

// check fails when err, in any format, holds one of the secrets.
func (s *secrets) check(t testing.TB, err error) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	sandboxtest.NoSecretIn(t, err, s.list...)
}

// wantCode checks err is an APIError with the status and code, a hint, and no secret.
func (s *secrets) wantCode(t testing.TB, what string, err error, status int, code string) *client.APIError {
	t.Helper()
	s.check(t, err)
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != status || ae.Code != code {
		t.Fatalf("%s: want %d %s, got %v", what, status, code, err)
	}
	if ae.Hint == "" || ae.RequestID == "" || ae.API != "stytch" {
		t.Errorf("%s: %#v should carry a hint and the request id", what, *ae)
	}
	return ae
}

const goodSecret = "Xk2-p9QvL0zR7mW4tY8uB3nC6dF1gH5j"

func TestConnect(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	info, err := newTarget(t, sb, nil).Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.ProjectID != sb.Stytch().ProjectID || info.Live || info.Clients != 2 || info.Vertical != client.VerticalB2B {
		t.Fatalf("%+v, want the demo project's 2 clients and its vertical", info)
	}
	// One search, and the key set that says the vertical (and is then cached).
	if st := sandboxtest.Stats(t, sb.Stytch().URL); st.Total != 2 {
		t.Fatalf("connect took %d calls", st.Total)
	}

	var s secrets
	s.add(sb.Stytch().Secret, "wrong-project-secret")
	bad := newTarget(t, sb, func(c *stytch.Config) { c.Credentials.Secret = client.NewSecret("wrong-project-secret") })
	_, err = bad.Connect(context.Background())
	ae := s.wantCode(t, "wrong secret", err, 401, client.CodeUnauthorized)
	if !strings.Contains(ae.Hint, "check the project ID and secret") {
		t.Errorf("hint %q", ae.Hint)
	}
}

func TestLiveProject(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{StytchProjectID: "project-live-6e0c3ad5-0000-4000-8000-000000000001"})
	tg := newTarget(t, sb, nil)
	info, err := tg.Connect(context.Background())
	if err != nil || !info.Live || !tg.IsLive() {
		t.Fatalf("a project-live- project must say so: %+v %v", info, err)
	}
}

func TestImportGetUpdateDelete(t *testing.T) {
	sb, tg, s := setup(t, nil)
	ctx := context.Background()

	c := &client.Client{ID: "auth0|Billing/Worker-ü?#%", Secret: client.NewSecret(goodSecret), Name: "Billing Worker", Description: "Nightly",
		Scopes: client.NewScopes("write:invoices", "read:invoices"), Metadata: map[string]any{"team": "billing", "tier": "gold"}}
	got, err := tg.Create(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	want := client.Stored{ID: c.ID, Name: "Billing Worker", Description: "Nightly", Status: "active", Scopes: c.Scopes,
		Metadata: map[string]any{"team": "billing", "tier": "gold"}, SecretLast4: c.Secret.Last4()}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("created\n got %+v\nwant %+v", got, want)
	}
	in := sandboxtest.Stored(t, sb)[c.ID]
	sum := sha256.Sum256([]byte(goodSecret))
	if in.ClientSecretSHA256 != hex.EncodeToString(sum[:]) {
		t.Fatal("Stytch does not hold the source's secret")
	}
	if again, err := tg.Get(ctx, c.ID); err != nil || fmt.Sprint(again) != fmt.Sprint(want) {
		t.Fatalf("get %+v %v", again, err)
	}

	_, err = tg.Create(ctx, c)
	s.wantCode(t, "duplicate", err, 400, client.CodeDuplicateClientID)

	empty, name := "", "Billing Worker v2"
	none := client.Scopes{}
	one := client.NewScopes("read:invoices")
	steps := []struct {
		u    client.Update
		want string
	}{
		{client.Update{Name: &name}, "Billing Worker v2|Nightly|read:invoices write:invoices|map[team:billing tier:gold]"},
		{client.Update{Description: &empty, Scopes: &one}, "Billing Worker v2||read:invoices|map[team:billing tier:gold]"},
		{client.Update{Metadata: map[string]any{"tier": nil, "owner": "ops"}}, "Billing Worker v2||read:invoices|map[owner:ops team:billing]"},
		{client.Update{Scopes: &none}, "Billing Worker v2|||map[owner:ops team:billing]"},
	}
	for i, st := range steps {
		got, err := tg.Update(ctx, c.ID, st.u)
		if err != nil {
			t.Fatal(err)
		}
		line := fmt.Sprintf("%s|%s|%s|%v", got.Name, got.Description, got.Scopes, got.Metadata)
		if line != st.want {
			t.Errorf("update %d: %s, want %s", i, line, st.want)
		}
		if again, _ := tg.Get(ctx, c.ID); fmt.Sprint(again) != fmt.Sprint(got) {
			t.Errorf("update %d answered %+v but stored %+v", i, got, again)
		}
	}
	if got, err := tg.SetStatus(ctx, c.ID, false); err != nil || got.Status != "inactive" {
		t.Fatalf("status %+v %v", got, err)
	}

	if err := tg.Delete(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	_, err = tg.Get(ctx, c.ID)
	s.wantCode(t, "get deleted", err, 404, client.CodeClientNotFound)
	s.wantCode(t, "delete again", tg.Delete(ctx, c.ID), 404, client.CodeClientNotFound)
	_, err = tg.Update(ctx, c.ID, client.Update{Name: &name})
	s.wantCode(t, "update deleted", err, 404, client.CodeClientNotFound)
}

func TestImportRefusals(t *testing.T) {
	sb, tg, s := setup(t, nil)
	many := map[string]any{}
	for i := range 21 {
		many[fmt.Sprint("k", i)] = "v"
	}
	var scopes []string
	for i := range 101 {
		scopes = append(scopes, fmt.Sprint("s:", i))
	}
	cases := []struct {
		name string
		c    client.Client
		code string
	}{
		{"weak secret", client.Client{ID: "weak", Secret: client.NewSecret("passpasspasspass")}, client.CodeInsecureSecret},
		{"short secret", client.Client{ID: "short", Secret: client.NewSecret("Ab1-x")}, client.CodeInsecureSecret},
		{"long secret", client.Client{ID: "long", Secret: client.NewSecret(strings.Repeat("aB3-xY9_", 33))}, client.CodeSecretTooLong},
		{"scope with a space", client.Client{ID: "sp", Secret: client.NewSecret(goodSecret), Scopes: client.Scopes{"read orders"}}, client.CodeInvalidScope},
		{"too many scopes", client.Client{ID: "many", Secret: client.NewSecret(goodSecret), Scopes: client.NewScopes(scopes...)}, client.CodeTooManyScopes},
		{"too many metadata keys", client.Client{ID: "meta", Secret: client.NewSecret(goodSecret), Metadata: many}, "metadata_too_many_keys"},
		{"metadata too large", client.Client{ID: "big", Secret: client.NewSecret(goodSecret), Metadata: map[string]any{"x": strings.Repeat("y", 5000)}}, "metadata_too_large"},
		{"id with a space", client.Client{ID: "has space", Secret: client.NewSecret(goodSecret)}, "m2m_client_invalid_client_id"},
	}
	for _, tc := range cases {
		s.add(tc.c.Secret.Reveal())
		_, err := tg.Create(context.Background(), &tc.c)
		s.wantCode(t, tc.name, err, 400, tc.code)
		if errors.Is(err, client.ErrNoAnswer) {
			t.Errorf("%s: a refusal is not ambiguous", tc.name)
		}
	}
	if n := len(sandboxtest.Stored(t, sb)); n != 2 {
		t.Fatalf("%d clients stored after refusals, want the demo's 2", n)
	}
}

func TestSearch(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Seed: "empty"})
	tg := newTarget(t, sb, nil)
	ctx := context.Background()
	var ids []string
	for i := range 1200 {
		c := &client.Client{ID: fmt.Sprintf("client-%04d", i), Secret: client.NewSecret(goodSecret), Name: fmt.Sprint("n", i%3), Scopes: client.Scopes{fmt.Sprint("s:", i%5)}}
		if _, err := tg.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	before := sandboxtest.Stats(t, sb.Stytch().URL).Routes["POST /v1/m2m/clients/search"]["200"]
	found, err := tg.Search(ctx, append(slices.Clone(ids), "not-there", "also/not ü"))
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1200 || found["client-0007"].Scopes.String() != "s:2" || found["client-0007"].SecretLast4 != client.LastFour(goodSecret) {
		t.Fatalf("found %d, client-0007 %+v", len(found), found["client-0007"])
	}
	if n := sandboxtest.Stats(t, sb.Stytch().URL).Routes["POST /v1/m2m/clients/search"]["200"] - before; n != 2 {
		t.Fatalf("1202 ids took %d searches, want 2 (batches of 1000): %v", n, sandboxtest.Stats(t, sb.Stytch().URL).Routes)
	}

	// The raw endpoint: cursor paging, filters, a bad filter.
	var all []string
	req := stytch.SearchRequest{Limit: 250}
	for pages := 0; ; pages++ {
		page, err := tg.SearchPage(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Clients {
			all = append(all, c.ID)
		}
		if page.NextCursor == "" {
			if pages != 4 {
				t.Fatalf("%d pages of 250 for 1200 clients", pages+1)
			}
			break
		}
		req.Cursor = page.NextCursor
	}
	slices.Sort(all)
	if !slices.Equal(all, ids) {
		t.Fatalf("paging lost or repeated clients: %d", len(all))
	}
	page, err := tg.SearchPage(ctx, stytch.SearchRequest{Limit: 1000, Query: &stytch.Query{Operator: "AND", Operands: []stytch.Filter{
		{Name: "client_name", Values: []string{"n1"}}, {Name: "scopes", Values: []string{"s:0", "s:1"}}}}})
	if err != nil || len(page.Clients) != 160 {
		t.Fatalf("name n1 and scope s:0|s:1: %d clients, %v", len(page.Clients), err)
	}
	var s secrets
	_, err = tg.SearchPage(ctx, stytch.SearchRequest{Query: &stytch.Query{Operator: "AND", Operands: []stytch.Filter{{Name: "colour", Values: []string{"red"}}}}})
	s.wantCode(t, "bad filter", err, 400, "m2m_search_filter_name_not_recognized")
}

func TestTokensAndKeys(t *testing.T) {
	sb, tg, s := setup(t, func(c *stytch.Config) { c.JWKSRefetchEvery = time.Millisecond })
	ctx := context.Background()
	c := &client.Client{ID: "svc-orders", Secret: client.NewSecret(goodSecret), Scopes: client.NewScopes("read:orders", "write:orders")}
	if _, err := tg.Create(ctx, c); err != nil {
		t.Fatal(err)
	}

	verify := func(tok client.Token, scopes string) *jwt.Token {
		t.Helper()
		s.add(tok.Value.Reveal())
		if tok.ExpiresIn != time.Hour {
			t.Errorf("expires_in read as %s, want the sandbox's 1h", tok.ExpiresIn)
		}
		parsed, err := jwt.Parse(tok.Value.Reveal(), func(tk *jwt.Token) (any, error) {
			kid, _ := tk.Header["kid"].(string)
			return tg.Key(ctx, kid)
		}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(tg.ProjectID()), jwt.WithIssuer(tg.Issuers()[0]),
			jwt.WithSubject(c.ID), jwt.WithExpirationRequired())
		if err != nil {
			t.Fatalf("token does not verify against the project's keys: %v", err)
		}
		if got := parsed.Claims.(jwt.MapClaims)["scope"]; got != scopes {
			t.Fatalf("scope %q, want %q", got, scopes)
		}
		return parsed
	}
	tok, err := tg.Token(ctx, c.ID, c.Secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := verify(tok, "read:orders write:orders")
	tok, err = tg.Token(ctx, c.ID, c.Secret, client.NewScopes("read:orders"))
	if err != nil {
		t.Fatal(err)
	}
	verify(tok, "read:orders")
	jwksCalls := func() int {
		return sandboxtest.Stats(t, sb.Stytch().URL).Routes["GET /v1/b2b/sessions/jwks/{project_id}"]["200"]
	}
	if n := jwksCalls(); n != 1 {
		t.Fatalf("the key set was fetched %d times for one kid", n)
	}

	sb.RotateStytchKey()
	tok, err = tg.Token(ctx, c.ID, c.Secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Within JWKSRefetchEvery of the last fetch: the new kid waits for the next one.
	rotated := verify(tok, "read:orders write:orders")
	if rotated.Header["kid"] == first.Header["kid"] || jwksCalls() != 2 {
		t.Fatalf("after a rotation the new kid is fetched once: kids %v %v, %d fetches", first.Header["kid"], rotated.Header["kid"], jwksCalls())
	}
	if _, err := tg.Key(ctx, first.Header["kid"].(string)); err != nil {
		t.Fatalf("the previous key is still served: %v", err)
	}
	if _, err := tg.Key(ctx, "made-up"); !errors.Is(err, stytch.ErrUnknownKey) {
		t.Fatalf("made-up kid: %v", err)
	}

	if v := tg.Vertical(); v != client.VerticalB2B {
		t.Errorf("the target found vertical %q on the sandbox's default B2B project", v)
	}

	_, err = tg.Token(ctx, c.ID, client.NewSecret("Wrong-Secret-Value-123"), nil)
	s.add("Wrong-Secret-Value-123")
	s.wantCode(t, "wrong secret", err, 400, client.CodeInvalidClient)
	_, err = tg.Token(ctx, "nobody", c.Secret, nil)
	s.wantCode(t, "unknown client", err, 400, client.CodeInvalidClient)
	_, err = tg.Token(ctx, c.ID, c.Secret, client.NewScopes("admin"))
	s.wantCode(t, "scope not held", err, 400, client.CodeInvalidOAuthScp)
	tg.SetStatus(ctx, c.ID, false)
	_, err = tg.Token(ctx, c.ID, c.Secret, nil)
	s.wantCode(t, "inactive client", err, 400, client.CodeInvalidClient)
}

// The project's vertical decides where its keys are; the target finds it (B2B path first, the
// consumer one on a 4xx), remembers it, and takes an explicit one without looking elsewhere.
func TestVerticalIsFoundRememberedOrGiven(t *testing.T) {
	ctx := context.Background()
	jwksCalls := func(sb *sandbox.Sandbox) (b2b, consumer map[string]int) {
		r := sandboxtest.Stats(t, sb.Stytch().URL).Routes
		return r["GET /v1/b2b/sessions/jwks/{project_id}"], r["GET /v1/sessions/jwks/{project_id}"]
	}
	for _, v := range []client.Vertical{client.VerticalB2B, client.VerticalConsumer} {
		t.Run(string(v), func(t *testing.T) {
			sb := sandboxtest.Start(t, sandbox.Options{StytchVertical: string(v)})
			tg := newTarget(t, sb, nil)
			info, err := tg.Connect(ctx)
			if err != nil || info.Vertical != v || tg.Vertical() != v {
				t.Fatalf("Connect: %+v %v; want vertical %s", info, err, v)
			}
			c := &client.Client{ID: "svc-" + string(v), Secret: client.NewSecret(goodSecret), Scopes: client.NewScopes("read:x")}
			if _, err := tg.Create(ctx, c); err != nil {
				t.Fatal(err)
			}
			tok, err := tg.Token(ctx, c.ID, c.Secret, nil)
			if err != nil {
				t.Fatal(err)
			}
			cl, err := client.CheckToken(ctx, tok.Value, tg.Key, client.Expect{ProjectID: tg.ProjectID(), Issuers: tg.Issuers(), ClientID: c.ID,
				Scopes: &c.Scopes, Lifetime: tok.ExpiresIn})
			if err != nil || !cl.Passed() {
				t.Fatalf("the token does not verify: %v %+v", err, cl.Failed())
			}
			b2b, consumer := jwksCalls(sb)
			wantB2B, wantConsumer := map[string]int{"200": 1}, map[string]int(nil)
			if v == client.VerticalConsumer {
				wantB2B, wantConsumer = map[string]int{"400": 1}, map[string]int{"200": 1}
			}
			if fmt.Sprint(b2b) != fmt.Sprint(wantB2B) || fmt.Sprint(consumer) != fmt.Sprint(wantConsumer) {
				t.Errorf("key fetches: b2b %v consumer %v; want %v and %v (the vertical is found once and kept)", b2b, consumer, wantB2B, wantConsumer)
			}

			// Given explicitly: only its own path is asked.
			given := newTarget(t, sb, func(c *stytch.Config) { c.Credentials.Vertical = v })
			if _, err := given.Key(ctx, "made-up"); !errors.Is(err, stytch.ErrUnknownKey) {
				t.Fatalf("given vertical: %v", err)
			}
			b2b, consumer = jwksCalls(sb)
			if b2b["400"] != wantB2B["400"] || b2b["200"]+consumer["200"] != 2 {
				t.Errorf("a given vertical was looked for elsewhere: b2b %v consumer %v", b2b, consumer)
			}
			// Given wrongly: a clear error, no guessing.
			other := client.VerticalConsumer
			if v == client.VerticalConsumer {
				other = client.VerticalB2B
			}
			wrong := newTarget(t, sb, func(c *stytch.Config) { c.Credentials.Vertical = other })
			_, err = wrong.Key(ctx, "any")
			var ae *client.APIError
			if !errors.As(err, &ae) || ae.Status != 400 || !strings.Contains(ae.Hint, v.Title()) || wrong.Vertical() != other {
				t.Fatalf("the wrong vertical given: %v (hint %q)", err, ae.Hint)
			}
		})
	}
	if _, err := stytch.New(stytch.Config{Credentials: client.TargetCredentials{ProjectID: "project-test-x", Vertical: "b2c"}}); err == nil {
		t.Error("an unknown vertical was taken")
	}
}

func TestRotation(t *testing.T) {
	_, tg, s := setup(t, nil)
	ctx := context.Background()
	c := &client.Client{ID: "rotating", Secret: client.NewSecret(goodSecret), Scopes: client.Scopes{"a"}}
	if _, err := tg.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	_, err := tg.RotateComplete(ctx, c.ID)
	s.wantCode(t, "complete before start", err, 400, "m2m_client_not_rotating_secret")
	_, err = tg.RotateCancel(ctx, c.ID)
	s.wantCode(t, "cancel before start", err, 400, "m2m_client_not_rotating_secret")

	r, err := tg.RotateStart(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	s.add(r.NextSecret.Reveal())
	if len(r.NextSecret.Reveal()) < 8 || r.Client.NextSecretLast4 != r.NextSecret.Last4() || r.Client.SecretLast4 != c.Secret.Last4() {
		t.Fatalf("%+v", r.Client)
	}
	if strings.Contains(fmt.Sprint(r), r.NextSecret.Reveal()) {
		t.Fatal("a Rotation prints its secret")
	}
	for _, sec := range []client.Secret{c.Secret, r.NextSecret} {
		if _, err := tg.Token(ctx, c.ID, sec, nil); err != nil {
			t.Fatalf("both secrets are valid while rotating: %v", err)
		}
	}
	_, err = tg.RotateStart(ctx, c.ID)
	s.wantCode(t, "start twice", err, 400, "m2m_client_already_rotating_secret")
	done, err := tg.RotateComplete(ctx, c.ID)
	if err != nil || done.SecretLast4 != r.NextSecret.Last4() || done.NextSecretLast4 != "" {
		t.Fatalf("%+v %v", done, err)
	}
	_, err = tg.Token(ctx, c.ID, c.Secret, nil)
	s.wantCode(t, "old secret after completion", err, 400, client.CodeInvalidClient)

	r2, err := tg.RotateStart(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	cancelled, err := tg.RotateCancel(ctx, c.ID)
	if err != nil || cancelled.NextSecretLast4 != "" || cancelled.SecretLast4 != r.NextSecret.Last4() {
		t.Fatalf("%+v %v", cancelled, err)
	}
	_, err = tg.Token(ctx, c.ID, r2.NextSecret, nil)
	s.add(r2.NextSecret.Reveal())
	s.wantCode(t, "cancelled secret", err, 400, client.CodeInvalidClient)
}

// TestFaults: idempotent calls ride out 429s (with Retry-After from faults, without it from
// the rate limit), 500s, 503s and dropped connections; creates are sent exactly once, and
// one whose answer was lost says so.
func TestFaults(t *testing.T) {
	// Faults are drawn per request, not per moment, so the calls meet the same ones when
	// their waits cost no time.
	clk := testclock.New(time.Now())
	sb := sandboxtest.Start(t, sandbox.Options{Seed: "empty", RandomSeed: 11, Faults: "stytch:429=0.15,500=0.1,503=0.1,drop=0.1,commitdrop=0.1", Now: clk.Now})
	ctx, waits := sandboxtest.FaultWaits(t, context.Background())
	tg := newTarget(t, sb, func(c *stytch.Config) {
		c.MaxAttempts = 10
		// On a reused connection net/http itself replays a GET that met a drop, out of
		// m2mport's sight; fresh connections make every drop reach m2mport's retries.
		c.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	})
	stytch.SetClock(tg, clk)
	var s secrets
	s.add(sb.Stytch().Secret, goodSecret)

	// Eight at a time, as the engine runs them.
	const creates = 48
	var (
		imported            []string
		ambiguous, answered int
		lock                sync.Mutex
		wg                  sync.WaitGroup
		sem                 = make(chan struct{}, 8)
	)
	for i := range creates {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c := &client.Client{ID: fmt.Sprint("f-", i), Secret: client.NewSecret(goodSecret), Scopes: client.Scopes{"a"}}
			_, err := tg.Create(ctx, c)
			s.check(t, err)
			lock.Lock()
			defer lock.Unlock()
			switch {
			case err == nil:
				imported = append(imported, c.ID)
			case errors.Is(err, client.ErrNoAnswer):
				ambiguous++
			default:
				answered++
				if st := client.StatusOf(err); st != 429 && st != 500 && st != 503 {
					t.Errorf("create %d: %v", i, err)
				}
			}
		})
	}
	wg.Wait()
	st := sandboxtest.Stats(t, sb.Stytch().URL)
	sent := 0
	for _, n := range st.Routes["POST /v1/m2m/clients"] {
		sent += n
	}
	if sent != creates || ambiguous == 0 || answered == 0 {
		t.Fatalf("%d creates sent %d times (must be once each); %d ambiguous, %d refused", creates, sent, ambiguous, answered)
	}
	// Every idempotent call succeeds despite the faults.
	found, err := tg.Search(ctx, imported)
	if err != nil || len(found) < len(imported) {
		t.Fatalf("search: %d of %d, %v", len(found), len(imported), err)
	}
	for _, id := range imported {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if _, err := tg.Get(ctx, id); err != nil {
				t.Errorf("get %s: %v", id, err)
			}
			if _, err := tg.Token(ctx, id, client.NewSecret(goodSecret), nil); err != nil {
				t.Errorf("token %s: %v", id, err)
			}
		})
	}
	wg.Wait()
	reasons := waits.ByReason()
	if reasons[client.WaitRateLimited] == 0 || reasons[client.WaitServerError] == 0 || reasons[client.WaitNetwork] == 0 {
		t.Fatalf("waits %v", reasons)
	}
	t.Logf("faults %v, waits %v", sandboxtest.Stats(t, sb.Stytch().URL).Faults, reasons)

	// 429 without Retry-After: Stytch's own rate limit. The bucket and the waits run on one
	// clock that a wait moves on, so every backoff refills the bucket by exactly its length.
	clk2 := testclock.New(time.Now())
	sb2 := sandboxtest.Start(t, sandbox.Options{Seed: "empty", StytchRate: sandbox.Rate{PerSecond: 20, Burst: 2}, Now: clk2.Now})
	tg2 := newTarget(t, sb2, nil)
	stytch.SetClock(tg2, clk2)
	var backoffs []client.Wait
	ctx2 := client.WithWaitReporter(context.Background(), func(w client.Wait) { backoffs = append(backoffs, w) })
	for i := range 20 {
		if _, err := tg2.Connect(ctx2); err != nil {
			t.Fatalf("call %d, rate limited without Retry-After: %v", i, err)
		}
	}
	if n := sandboxtest.Stats(t, sb2.Stytch().URL).Statuses["429"]; n == 0 || len(backoffs) != n {
		t.Fatalf("%d 429s, %d waits: the rate limit never bit, or a 429 was retried without a wait", n, len(backoffs))
	}
	for _, w := range backoffs {
		if w.Reason != client.WaitRateLimited || w.Status != 429 || w.Delay <= 0 {
			t.Fatalf("wait %+v: a 429 without Retry-After is met with backoff", w)
		}
	}
}

func TestCommitDropIsAmbiguousAndTheClientExists(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Seed: "empty", Faults: "stytch:commitdrop=1"})
	tg := newTarget(t, sb, nil)
	c := &client.Client{ID: "maybe", Secret: client.NewSecret(goodSecret), Scopes: client.Scopes{"a"}}
	_, err := tg.Create(context.Background(), c)
	if !errors.Is(err, client.ErrNoAnswer) {
		t.Fatalf("err %v", err)
	}
	if _, ok := sandboxtest.Stored(t, sb)["maybe"]; !ok {
		t.Fatal("commitdrop should have stored the client")
	}
	got, err := tg.Get(context.Background(), "maybe")
	if err != nil || got.SecretLast4 != c.Secret.Last4() {
		t.Fatalf("the engine resolves it with a read: %+v %v", got, err)
	}
}

func TestSlowAnswersAndCancellation(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Seed: "empty", Faults: "stytch:slow:3s=1"})
	tg := newTarget(t, sb, func(c *stytch.Config) { c.Timeout = 100 * time.Millisecond; c.MaxAttempts = 2 })
	c := &client.Client{ID: "slow", Secret: client.NewSecret(goodSecret), Scopes: client.Scopes{"a"}}
	_, err := tg.Create(context.Background(), c)
	if !errors.Is(err, client.ErrNoAnswer) || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("a create that timed out: %v", err)
	}
	_, err = tg.Get(context.Background(), "slow")
	if !errors.Is(err, client.ErrNoAnswer) || sandboxtest.Stats(t, sb.Stytch().URL).Routes["GET /v1/m2m/clients/{client_id}"] == nil {
		t.Fatalf("a get that timed out twice: %v", err)
	}

	tg2 := newTarget(t, sb, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err = tg2.Search(ctx, []string{"a"})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(begin) > 2*time.Second {
		t.Fatalf("cancellation: %v after %s", err, time.Since(begin))
	}
}

// Without the project secret a target still does what `m2mport check` needs — a client's own
// token and the public keys — and refuses management calls before sending anything.
func TestWithoutProjectSecretOnlyTokensAndKeys(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	ctx := context.Background()
	c := &client.Client{ID: "svc-keys-only", Secret: client.NewSecret(goodSecret), Scopes: client.NewScopes("read:orders")}
	if _, err := newTarget(t, sb, nil).Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	before := sandboxtest.Stats(t, sb.Stytch().URL).Total
	keysOnly := newTarget(t, sb, func(cfg *stytch.Config) { cfg.Credentials.Secret = client.NewSecret("") })
	if _, err := keysOnly.Search(ctx, []string{c.ID}); !errors.Is(err, stytch.ErrNoProjectSecret) {
		t.Fatalf("search without a secret: %v", err)
	}
	if n := sandboxtest.Stats(t, sb.Stytch().URL).Total; n != before {
		t.Fatalf("a management call was sent without credentials (%d requests)", n-before)
	}
	tok, err := keysOnly.Token(ctx, c.ID, c.Secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	parsed, _, err := jwt.NewParser().ParseUnverified(tok.Value.Reveal(), jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keysOnly.Key(ctx, parsed.Header["kid"].(string)); err != nil {
		t.Fatalf("key without a secret: %v", err)
	}
}
