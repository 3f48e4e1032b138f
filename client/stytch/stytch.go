package stytch

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/internal/httpx"
)

// Config is what New needs: the project's credentials and how to talk.
type Config struct {
	Credentials client.TargetCredentials
	client.HTTPConfig
	// Credentials.Vertical, when set, says where the project's signing keys are: the
	// consumer path (/v1/sessions/jwks/…) or the B2B one. Unset, the target finds it: the B2B
	// path first, then the consumer one when the first answers 4xx.
	// JWKSRefetchEvery is the least time between two fetches of the key set caused by an
	// unknown kid (default 5 s), so that tokens naming made-up keys cannot flood Stytch.
	JWKSRefetchEvery time.Duration
}

// Target writes to one Stytch project. It is safe for concurrent use.
type Target struct {
	api       *httpx.Client
	projectID string
	secret    client.Secret
	live      bool
	keys      keyCache
	vertical  verticalState
}

var _ client.Target = (*Target)(nil)

// New checks the configuration without any network call. The base URL is Stytch's live or
// test API by the project id's prefix, unless Credentials.BaseURL names another. Without a
// secret the target can still mint tokens with a client's own credentials and read the
// project's public keys (what `m2mport check` needs); management calls then fail with
// ErrNoProjectSecret before anything is sent.
func New(cfg Config) (*Target, error) {
	c := cfg.Credentials
	if strings.TrimSpace(c.ProjectID) == "" {
		return nil, errors.New("stytch: no project ID given (e.g. project-test-…)")
	}
	live := strings.HasPrefix(c.ProjectID, livePrefix)
	base := c.BaseURL
	if base == "" {
		base = testBaseURL
		if live {
			base = liveBaseURL
		}
	}
	api, err := httpx.New(httpx.Config{API: "stytch", BaseURL: base, DecodeError: decodeError, Hint: hint}.With(cfg.HTTPConfig))
	if err != nil {
		return nil, fmt.Errorf("stytch base URL: %w", err)
	}
	vertical, err := client.ParseVertical(string(c.Vertical))
	if err != nil {
		return nil, fmt.Errorf("stytch: %w", err)
	}
	t := &Target{
		api:       api,
		projectID: c.ProjectID,
		secret:    c.Secret,
		live:      live,
	}
	t.vertical.v, t.vertical.given = vertical, vertical != client.VerticalUnknown
	t.keys.every = cfg.JWKSRefetchEvery
	if t.keys.every <= 0 {
		t.keys.every = 5 * time.Second
	}
	t.keys.now, t.keys.sleep = time.Now, client.Sleep
	return t, nil
}

// ProjectID is the project's id.
func (t *Target) ProjectID() string { return t.projectID }

// IsLive reports whether the project is production (its id starts with project-live-).
func (t *Target) IsLive() bool { return t.live }

// BaseURL is the API's base URL without a trailing slash.
func (t *Target) BaseURL() string { return t.api.BaseURL() }

// Issuers are the `iss` values a token from this project may carry: stytch.com/{project_id}
// or, with a custom domain, its base URL.
func (t *Target) Issuers() []string {
	return []string{"stytch.com/" + t.projectID, t.api.BaseURL()}
}

// Connect checks the credentials with the cheapest authenticated call there is, a search for
// one client, which also says how many clients the project holds; then it finds the
// project's vertical by reading its signing keys (no credentials needed), so that it can be
// saved with the credentials. A vertical that cannot be found is left unknown here: the
// token checks, which need the keys, say why.
func (t *Target) Connect(ctx context.Context) (client.TargetInfo, error) {
	info := client.TargetInfo{ProjectID: t.projectID, Live: t.live, Clients: -1}
	page, err := t.SearchPage(ctx, SearchRequest{Limit: 1})
	if err != nil {
		return info, fmt.Errorf("connect to Stytch project %s: %w", t.projectID, err)
	}
	if page.Total >= 0 {
		info.Clients = page.Total
	}
	info.Vertical, _ = t.FindVertical(ctx)
	return info, nil
}

// ErrNoProjectSecret is returned by management calls of a target made without a secret.
var ErrNoProjectSecret = errors.New("stytch: the project secret is needed for this (set STYTCH_SECRET or run `m2mport login stytch`)")

// call sends one management call with the project's credentials.
func (t *Target) call(ctx context.Context, method, path string, body any, idempotent bool, out any, secrets ...string) error {
	if t.secret.IsZero() {
		return ErrNoProjectSecret
	}
	req := &httpx.Request{Method: method, Path: path, Header: http.Header{"Authorization": {t.authorization()}},
		JSON: body, Idempotent: idempotent, Secrets: append(secrets, t.secret.Reveal())}
	err := t.api.Do(ctx, req, out)
	noteAnswer(ctx, out, err)
	return err
}

// noteAnswer tells the run (client.WithRequestIDs) the request id of the answer: the
// error's, or the one the answer's body carries.
func noteAnswer(ctx context.Context, out any, err error) {
	var ae *client.APIError
	switch a, ok := out.(interface{ requestID() string }); {
	case errors.As(err, &ae):
		client.NoteRequestID(ctx, ae.RequestID)
	case err == nil && ok:
		client.NoteRequestID(ctx, a.requestID())
	}
}

// authorization is the project's Basic credentials. It is built for each call rather than
// kept, so that the project secret is held in one place only, sealed.
func (t *Target) authorization() string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(t.projectID+":"+t.secret.Reveal()))
}

func clientPath(id string) string { return clientsPath + "/" + url.PathEscape(id) }

// clientCall is a call answered with {m2m_client}.
func (t *Target) clientCall(ctx context.Context, method, path string, body any, idempotent bool, secrets ...string) (*m2mClient, error) {
	var ans clientAnswer
	if err := t.call(ctx, method, path, body, idempotent, &ans, secrets...); err != nil {
		return nil, err
	}
	if ans.M2MClient == nil {
		err := &client.APIError{API: "stytch", Method: method, Path: path, Status: http.StatusOK,
			Message: "the answer has no m2m_client", Hint: "check the base URL: something other than Stytch answered"}
		if !idempotent {
			// Something took a write and said 2xx without saying what it stored: as
			// ambiguous as no answer at all, and the engine settles it the same way.
			return nil, fmt.Errorf("%w, so whether it was written is unknown (%w)", err, client.ErrNoAnswer)
		}
		return nil, err
	}
	return ans.M2MClient, nil
}

// Get reads one client; an unknown id is an APIError with code client.CodeClientNotFound.
func (t *Target) Get(ctx context.Context, id string) (client.Stored, error) {
	m, err := t.clientCall(ctx, http.MethodGet, clientPath(id), nil, true)
	if err != nil {
		return client.Stored{}, fmt.Errorf("get client %s: %w", id, err)
	}
	return m.stored(), nil
}

// Create imports c with its own id, secret, name, description, scopes and metadata. It is
// sent once: an error wrapping client.ErrNoAnswer means the outcome is unknown. A client
// without an id or a secret is refused before any call, since Stytch would make up new ones
// and the services holding the old credentials would stop working.
func (t *Target) Create(ctx context.Context, c *client.Client) (client.Stored, error) {
	if c.ID == "" || c.Secret.IsZero() {
		return client.Stored{}, fmt.Errorf("create client %q: refusing to import without the source's client ID and secret", c.ID)
	}
	body := createBody{
		ClientID:          c.ID,
		ClientSecret:      c.Secret.Reveal(),
		ClientName:        c.Name,
		ClientDescription: c.Description,
		Scopes:            nonNil(c.Scopes),
		TrustedMetadata:   c.Metadata,
	}
	m, err := t.clientCall(ctx, http.MethodPost, clientsPath, body, false, c.Secret.Reveal())
	if err != nil {
		return client.Stored{}, fmt.Errorf("create client %s: %w", c.ID, err)
	}
	return m.stored(), nil
}

// Update changes a stored client: nil fields are left alone, a pointer to an empty value
// clears the field, and metadata is merged key by key (a nil value removes the key).
func (t *Target) Update(ctx context.Context, id string, u client.Update) (client.Stored, error) {
	body := map[string]any{}
	if u.Name != nil {
		body["client_name"] = *u.Name
	}
	if u.Description != nil {
		body["client_description"] = *u.Description
	}
	if u.Scopes != nil {
		body["scopes"] = nonNil(*u.Scopes)
	}
	if len(u.Metadata) > 0 {
		body["trusted_metadata"] = u.Metadata
	}
	m, err := t.clientCall(ctx, http.MethodPut, clientPath(id), body, true)
	if err != nil {
		return client.Stored{}, fmt.Errorf("update client %s: %w", id, err)
	}
	return m.stored(), nil
}

// SetStatus makes a client active or inactive; an inactive client cannot get tokens.
func (t *Target) SetStatus(ctx context.Context, id string, active bool) (client.Stored, error) {
	status := "inactive"
	if active {
		status = "active"
	}
	m, err := t.clientCall(ctx, http.MethodPut, clientPath(id), map[string]string{"status": status}, true)
	if err != nil {
		return client.Stored{}, fmt.Errorf("set client %s %s: %w", id, status, err)
	}
	return m.stored(), nil
}

// Delete removes a client. It is retried like any idempotent call, so after a lost answer
// the retry may meet client.CodeClientNotFound for a client that the first try deleted.
func (t *Target) Delete(ctx context.Context, id string) error {
	var ans deleteAnswer
	if err := t.call(ctx, http.MethodDelete, clientPath(id), nil, true, &ans); err != nil {
		return fmt.Errorf("delete client %s: %w", id, err)
	}
	return nil
}

// Rotation is a client with a secret rotation under way.
type Rotation struct {
	Client client.Stored
	// NextSecret is the new secret, valid alongside the old one until the rotation is
	// completed or cancelled. Stytch shows it once.
	NextSecret client.Secret
}

// RotateStart makes a second secret valid alongside the first. Like the other two rotation
// calls it is sent once.
func (t *Target) RotateStart(ctx context.Context, id string) (Rotation, error) {
	m, err := t.clientCall(ctx, http.MethodPost, clientPath(id)+"/secrets/rotate/start", struct{}{}, false)
	if err != nil {
		return Rotation{}, fmt.Errorf("start secret rotation of client %s: %w", id, err)
	}
	return Rotation{Client: m.stored(), NextSecret: client.NewSecret(m.NextClientSecret)}, nil
}

// RotateComplete makes the next secret the only one.
func (t *Target) RotateComplete(ctx context.Context, id string) (client.Stored, error) {
	m, err := t.clientCall(ctx, http.MethodPost, clientPath(id)+"/secrets/rotate", struct{}{}, false)
	if err != nil {
		return client.Stored{}, fmt.Errorf("complete secret rotation of client %s: %w", id, err)
	}
	return m.stored(), nil
}

// RotateCancel drops the next secret.
func (t *Target) RotateCancel(ctx context.Context, id string) (client.Stored, error) {
	m, err := t.clientCall(ctx, http.MethodPost, clientPath(id)+"/secrets/rotate/cancel", struct{}{}, false)
	if err != nil {
		return client.Stored{}, fmt.Errorf("cancel secret rotation of client %s: %w", id, err)
	}
	return m.stored(), nil
}

// Filter is one operand of a search: clients whose field matches any of Values. Name is
// "client_id", "client_name" or "scopes".
type Filter struct {
	Name   string   `json:"filter_name"`
	Values []string `json:"filter_value"`
}

// Query combines filters with "AND" or "OR".
type Query struct {
	Operator string   `json:"operator"`
	Operands []Filter `json:"operands"`
}

// SearchRequest is one call of the search endpoint. Limit 0 means Stytch's default (100);
// the maximum is 1000. A nil Query matches every client.
type SearchRequest struct {
	Limit  int    `json:"limit,omitempty"`
	Cursor string `json:"cursor,omitempty"`
	Query  *Query `json:"query,omitempty"`
}

// SearchPage is one page of search results. NextCursor is empty on the last page; Total is
// -1 when Stytch does not say.
type SearchPage struct {
	Clients    []client.Stored
	NextCursor string
	Total      int
}

// SearchPage runs one search call.
func (t *Target) SearchPage(ctx context.Context, r SearchRequest) (SearchPage, error) {
	var ans searchAnswer
	if err := t.call(ctx, http.MethodPost, clientsPath+"/search", r, true, &ans); err != nil {
		return SearchPage{}, err
	}
	page := SearchPage{Total: -1, Clients: make([]client.Stored, 0, len(ans.M2MClients))}
	for i := range ans.M2MClients {
		page.Clients = append(page.Clients, ans.M2MClients[i].stored())
	}
	if c := ans.ResultsMetadata.NextCursor; c != nil {
		page.NextCursor = *c
	}
	if n := ans.ResultsMetadata.Total; n != nil {
		page.Total = *n
	}
	return page, nil
}

// Search returns the stored clients among ids, keyed by id: one search per 1000 ids, each
// followed through its pages.
func (t *Target) Search(ctx context.Context, ids []string) (map[string]client.Stored, error) {
	// Sorted, without duplicates or the empty id (which no client has, and Stytch refuses).
	ids = slices.DeleteFunc(slices.Compact(slices.Sorted(slices.Values(ids))), func(id string) bool { return id == "" })
	found := make(map[string]client.Stored, len(ids))
	for batch := range slices.Chunk(ids, searchBatch) {
		req := SearchRequest{Limit: searchLimit, Query: &Query{Operator: "AND", Operands: []Filter{{Name: "client_id", Values: batch}}}}
		// A search by n ids finds at most n clients.
		err := t.SearchAll(ctx, req, len(batch), func(s client.Stored) { found[s.ID] = s })
		if err != nil {
			return nil, fmt.Errorf("search %d clients by id: %w", len(batch), err)
		}
	}
	return found, nil
}

// SearchAll runs a search through all its pages, handing each client to each. It stops with
// an error when the answers would make it endless: a cursor or a client served twice, more
// clients than most (when the caller knows a bound; 0 = none), or more pages than the first
// answer's total makes (plus searchPageMargin), or than searchMaxPages.
func (t *Target) SearchAll(ctx context.Context, req SearchRequest, most int, each func(client.Stored)) error {
	limit := cmp.Or(req.Limit, searchDefaultLimit)
	fail := func(format string, args ...any) error {
		return &client.APIError{API: "stytch", Method: http.MethodPost, Path: clientsPath + "/search", Status: http.StatusOK,
			Message: fmt.Sprintf(format, args...), Hint: "check the base URL: the answers are not Stytch's, or something between m2mport and Stytch replays them"}
	}
	cursors, seen := map[string]bool{}, map[string]bool{}
	maxPages := searchMaxPages
	for page := 1; ; page++ {
		p, err := t.SearchPage(ctx, req)
		if err != nil {
			return err
		}
		if page == 1 && p.Total >= 0 {
			maxPages = min(maxPages, (p.Total+limit-1)/limit+searchPageMargin)
		}
		for _, s := range p.Clients {
			if seen[s.ID] {
				return fail("page %d of the search holds client %.40q again: the cursor is not advancing", page, s.ID)
			}
			seen[s.ID] = true
			each(s)
		}
		if most > 0 && len(seen) > most {
			return fail("the search found %d clients where at most %d can match", len(seen), most)
		}
		if p.NextCursor == "" {
			return nil
		}
		if cursors[p.NextCursor] {
			return fail("Stytch returned the same cursor twice (page %d): the search would never end", page)
		}
		if page >= maxPages {
			return fail("the search is still going after %d pages, more than its total announced: the answers cannot be right", page)
		}
		cursors[p.NextCursor] = true
		req.Cursor = p.NextCursor
	}
}

// Token mints an access token with a client's own credentials (client credentials grant,
// credentials in the body). Empty scopes asks for all of the client's scopes.
func (t *Target) Token(ctx context.Context, id string, secret client.Secret, scopes client.Scopes) (client.Token, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret.Reveal()}}
	if len(scopes) > 0 {
		form.Set("scope", scopes.String())
	}
	path := "/v1/public/" + url.PathEscape(t.projectID) + "/oauth2/token"
	var ans tokenAnswer
	err := t.api.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: path, Form: form, Idempotent: true,
		Secrets: []string{secret.Reveal(), t.secret.Reveal()}}, &ans)
	noteAnswer(ctx, &ans, err)
	if err != nil {
		return client.Token{}, fmt.Errorf("token for client %s: %w", id, err)
	}
	if ans.AccessToken == "" {
		return client.Token{}, fmt.Errorf("token for client %s: %w", id, &client.APIError{API: "stytch", Method: http.MethodPost, Path: path,
			Status: http.StatusOK, Message: "the token answer has no access_token", Hint: "check the base URL: something other than Stytch answered"})
	}
	return client.Token{Value: client.NewTokenSecret(ans.AccessToken), ExpiresIn: time.Duration(max(ans.ExpiresIn, 0)) * time.Second}, nil
}

func nonNil(s client.Scopes) []string {
	if s == nil {
		return []string{}
	}
	return s
}
