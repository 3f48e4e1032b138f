package client

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// fakeTarget is an in-memory Stytch project for engine tests: it stores clients with their
// secrets, mints RS256 tokens, and injects faults into creates as a test scripts them.
type fakeTarget struct {
	mu      sync.Mutex
	project string
	clients map[string]*fakeClient
	key     *rsa.PrivateKey
	kid     string

	// createFault, when set, decides the fate of each create attempt of a client (attempt
	// counts from 1): "" (works), "429", "500", "drop" (not stored, no answer), "commitdrop"
	// (stored, no answer), "400" (insecure secret).
	createFault func(id string, attempt int) string
	// onCreate runs before each create is handled (to cancel a run part way, say).
	onCreate func(id string)

	// minted holds tokens signed ahead of time (benchmarks), so signing stays out of the
	// measured cost; Token still checks the client's credentials.
	minted map[string]string

	creates    map[string]int
	searches   int
	searchIDs  int
	gets       int
	tokens     int
	keyLookups int
	deletes    int
}

type fakeClient struct {
	Stored
	secret string
}

var testKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

func newFake(project string) *fakeTarget {
	return &fakeTarget{project: project, clients: map[string]*fakeClient{}, key: testKey, kid: "jwk-test-1", creates: map[string]int{}}
}

func apiErr(status int, code string) error {
	return &APIError{API: "stytch", Method: "POST", Path: "/v1/m2m/clients", Status: status, Code: code, Message: code, RequestID: "request-id-test-1"}
}

func (f *fakeTarget) Connect(context.Context) (TargetInfo, error) {
	return TargetInfo{ProjectID: f.project, Clients: len(f.clients)}, nil
}
func (f *fakeTarget) ProjectID() string { return f.project }
func (f *fakeTarget) IsLive() bool      { return false }
func (f *fakeTarget) Issuers() []string { return []string{"stytch.com/" + f.project} }

// pace plays the HTTP layer's part: ask the pacer, tell it the answer.
func pace(ctx context.Context, status int) error {
	if p := PacerFrom(ctx); p != nil {
		if err := p.Wait(ctx); err != nil {
			return err
		}
		p.Observe(status)
	}
	return nil
}

func (f *fakeTarget) Search(ctx context.Context, ids []string) (map[string]Stored, error) {
	_ = pace(ctx, 200)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.searches++
	f.searchIDs += len(ids)
	out := map[string]Stored{}
	for _, id := range ids {
		if c, ok := f.clients[id]; ok {
			out[id] = c.copy()
		}
	}
	return out, nil
}

func (c *fakeClient) copy() Stored {
	s := c.Stored
	s.Scopes = slices.Clone(c.Scopes)
	return s
}

func (f *fakeTarget) Get(ctx context.Context, id string) (Stored, error) {
	_ = pace(ctx, 200)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	if c, ok := f.clients[id]; ok {
		return c.copy(), nil
	}
	return Stored{}, apiErr(404, CodeClientNotFound)
}

func (f *fakeTarget) Create(ctx context.Context, c *Client) (Stored, error) {
	if f.onCreate != nil {
		f.onCreate(c.ID)
	}
	f.mu.Lock()
	f.creates[c.ID]++
	attempt := f.creates[c.ID]
	fault := ""
	if f.createFault != nil {
		fault = f.createFault(c.ID, attempt)
	}
	f.mu.Unlock()
	status := 200
	switch fault {
	case "429":
		status = 429
	case "500":
		status = 500
	case "drop", "commitdrop":
		status = 0
	case "400":
		status = 400
	}
	if err := pace(ctx, status); err != nil {
		return Stored{}, err
	}
	switch fault {
	case "429":
		return Stored{}, apiErr(429, CodeTooManyRequests)
	case "500":
		return Stored{}, apiErr(500, "internal_server_error")
	case "drop":
		return Stored{}, fmt.Errorf("POST /v1/m2m/clients: %w", ErrNoAnswer)
	case "400":
		return Stored{}, apiErr(400, CodeInsecureSecret)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.clients[c.ID]; ok {
		return Stored{}, apiErr(400, CodeDuplicateClientID)
	}
	fc := &fakeClient{Stored: Stored{ID: c.ID, Name: c.Name, Description: c.Description, Status: "active",
		Scopes: slices.Clone(c.Scopes), Metadata: c.Metadata, SecretLast4: c.Secret.Last4()}, secret: c.Secret.Reveal()}
	f.clients[c.ID] = fc
	if fault == "commitdrop" {
		return Stored{}, fmt.Errorf("POST /v1/m2m/clients: %w", ErrNoAnswer)
	}
	return fc.copy(), nil
}

func (f *fakeTarget) Update(ctx context.Context, id string, u Update) (Stored, error) {
	_ = pace(ctx, 200)
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.clients[id]
	if !ok {
		return Stored{}, apiErr(404, CodeClientNotFound)
	}
	if u.Name != nil {
		c.Name = *u.Name
	}
	if u.Description != nil {
		c.Description = *u.Description
	}
	if u.Scopes != nil {
		c.Scopes = slices.Clone(*u.Scopes)
	}
	if u.Metadata != nil {
		m := map[string]any{}
		for k, v := range c.Metadata {
			m[k] = v
		}
		for k, v := range u.Metadata {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		c.Metadata = m
	}
	return c.copy(), nil
}

func (f *fakeTarget) Delete(ctx context.Context, id string) error {
	_ = pace(ctx, 200)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deletes++
	if _, ok := f.clients[id]; !ok {
		return apiErr(404, CodeClientNotFound)
	}
	delete(f.clients, id)
	return nil
}

func (f *fakeTarget) Token(ctx context.Context, id string, secret Secret, scopes Scopes) (Token, error) {
	_ = pace(ctx, 200)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens++
	c, ok := f.clients[id]
	if !ok || c.secret != secret.Reveal() || c.Status != "active" {
		return Token{}, &APIError{API: "stytch", Status: 400, Code: CodeInvalidClient, Message: "invalid client"}
	}
	if tok, ok := f.minted[id]; ok {
		return Token{Value: NewSecret(tok), ExpiresIn: time.Hour}, nil
	}
	return Token{Value: NewSecret(sign(f.key, f.kid, f.claims(id, c.Scopes))), ExpiresIn: time.Hour}, nil
}

func (f *fakeTarget) claims(id string, scopes Scopes) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"aud": []string{f.project}, "iss": "stytch.com/" + f.project, "sub": id,
		"scope": scopes.String(), "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

// premint signs a token for each client ahead of time.
func (f *fakeTarget) premint(clients []Client) {
	f.minted = map[string]string{}
	for _, c := range clients {
		f.minted[c.ID] = sign(f.key, f.kid, f.claims(c.ID, c.Scopes))
	}
}

func (f *fakeTarget) Key(ctx context.Context, kid string) (crypto.PublicKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keyLookups++
	if kid != f.kid {
		return nil, fmt.Errorf("no key %q in the project's JWKS", kid)
	}
	return &f.key.PublicKey, nil
}

func (f *fakeTarget) put(c Client, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clients[c.ID] = &fakeClient{Stored: Stored{ID: c.ID, Name: c.Name, Description: c.Description, Status: status,
		Scopes: slices.Clone(c.Scopes), Metadata: c.Metadata, SecretLast4: c.Secret.Last4()}, secret: c.Secret.Reveal()}
}

func sign(key *rsa.PrivateKey, kid string, claims jwt.MapClaims) string {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = kid
	s, err := t.SignedString(key)
	if err != nil {
		panic(err)
	}
	return s
}

// testClient returns a valid record with a secret unique to id.
func testClient(id string, scopes ...string) Client {
	return Client{ID: id, Secret: NewSecret("s3cret-" + id + "-Xy9Q"), Name: "Client " + id, Description: "test client",
		Scopes: NewScopes(scopes...), Metadata: map[string]any{"team": "core"}}
}

// collect runs a plan and returns its events, failing the test if it takes too long.
func collect(t *testing.T, ctx context.Context, target Target, p *Plan, opt Options) []Event {
	t.Helper()
	var evs []Event
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range Execute(ctx, target, p, opt) {
			evs = append(evs, ev)
		}
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the run did not finish")
	}
	return evs
}

var _ Target = (*fakeTarget)(nil)
