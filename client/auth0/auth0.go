package auth0

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/internal/httpx"
)

// Config is what New needs: the Management API app's credentials and how to talk.
type Config struct {
	Credentials client.SourceCredentials
	client.HTTPConfig
	// IncludeNonM2M makes Inventory list every application, the ones that are not
	// machine-to-machine blocked with client.BlockNotM2M, so the UI can show them greyed out.
	IncludeNonM2M bool
}

// Source reads one Auth0 tenant. It is safe for concurrent use.
type Source struct {
	api           *httpx.Client
	clientID      string
	secret        client.Secret
	host          string
	audience      string
	includeNonM2M bool

	mu  sync.Mutex
	tok *mgmtToken

	now func() time.Time
}

var _ client.Source = (*Source)(nil)

// mgmtToken is a cached Management API token.
type mgmtToken struct {
	value     client.Secret
	scopes    client.Scopes
	unknown   bool // the answer did not say which scopes the token carries
	refreshAt time.Time
}

// tenantBase accepts the tenant as a domain or a URL. Operators often paste the Management
// API's own address ("https://acme.auth0.com/api/v2/") or the issuer ("…/"): both mean the
// tenant. Any other path would only earn a 404 later, so it is refused now.
func tenantBase(domain string) (string, error) {
	base, err := httpx.ParseBaseURL(domain)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	switch u.Path {
	case "", strings.TrimSuffix(managementV2, "/"):
		u.Path = ""
		return u.String(), nil
	}
	return "", fmt.Errorf("%s: give the tenant's domain without a path (e.g. %s), not %q", u.Host, u.Host, u.Path)
}

// New checks the configuration (domain, credentials present) without any network call.
func New(cfg Config) (*Source, error) {
	if strings.TrimSpace(cfg.Credentials.Domain) == "" {
		return nil, errors.New("auth0: no domain given (e.g. acme.us.auth0.com)")
	}
	if cfg.Credentials.ClientID == "" || cfg.Credentials.Secret.IsZero() {
		return nil, errors.New("auth0: the Management API app's client ID and secret are both needed")
	}
	domain, err := tenantBase(cfg.Credentials.Domain)
	if err != nil {
		return nil, fmt.Errorf("auth0 domain: %w", err)
	}
	api, err := httpx.New(httpx.Config{API: "auth0", BaseURL: domain, DecodeError: decodeError, Hint: hint}.With(cfg.HTTPConfig))
	if err != nil {
		return nil, fmt.Errorf("auth0 domain: %w", err)
	}
	base := api.BaseURL()
	u, _ := url.Parse(base)
	return &Source{
		api:           api,
		clientID:      cfg.Credentials.ClientID,
		secret:        cfg.Credentials.Secret,
		host:          u.Host,
		audience:      base + managementV2,
		includeNonM2M: cfg.IncludeNonM2M,
		now:           time.Now,
	}, nil
}

// Name is the tenant's domain, e.g. "acme.us.auth0.com".
func (s *Source) Name() string { return s.host }

// BaseURL is the tenant's base URL without a trailing slash.
func (s *Source) BaseURL() string { return s.api.BaseURL() }

// ManagementAudience is the Management API's identifier, "https://{domain}/api/v2/".
func (s *Source) ManagementAudience() string { return s.audience }

// Token mints an access token for audience with a client's own credentials (client
// credentials grant), e.g. to compare an Auth0 token with the Stytch one after an import.
func (s *Source) Token(ctx context.Context, clientID string, secret client.Secret, audience string) (client.Secret, error) {
	ans, err := s.token(ctx, clientID, secret, audience)
	if err != nil {
		var ae *client.APIError
		if errors.As(err, &ae) {
			ae.Hint = clientTokenHint(ae, clientID, audience)
		}
		return client.Secret{}, fmt.Errorf("auth0 token for client %s: %w", clientID, err)
	}
	return client.NewSecret(ans.AccessToken), nil
}

// token runs the client credentials grant. Auth0 apps authenticate either in the body
// (client_secret_post, the default) or with HTTP Basic (client_secret_basic) and refuse the
// other style, so when the body is refused as bad credentials, Basic is tried once.
func (s *Source) token(ctx context.Context, clientID string, secret client.Secret, audience string) (*tokenAnswer, error) {
	form := url.Values{"grant_type": {grantTypeCC}, "audience": {audience}}
	post := url.Values{"client_id": {clientID}, "client_secret": {secret.Reveal()}}
	for k, v := range form {
		post[k] = v
	}
	// The token endpoint has its own rate-limit bucket (spec §6).
	req := &httpx.Request{Method: http.MethodPost, Path: "/oauth/token", Form: post, Idempotent: true,
		RateBucket: "token", Secrets: []string{secret.Reveal()}}
	var ans tokenAnswer
	err := s.api.Do(ctx, req, &ans)
	var ae *client.APIError
	if errors.As(err, &ae) && isBadCredentials(ae) {
		basic := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID) + ":" + url.QueryEscape(secret.Reveal())))
		req.Form = form
		req.Header = http.Header{"Authorization": {"Basic " + basic}}
		if err2 := s.api.Do(ctx, req, &ans); err2 == nil {
			err = nil
		}
	}
	if err != nil {
		return nil, err
	}
	if ans.AccessToken == "" {
		return nil, &client.APIError{API: "auth0", Method: http.MethodPost, Path: "/oauth/token", Status: http.StatusOK,
			Message: "the token answer has no access_token", Hint: "check the domain: something other than Auth0 answered"}
	}
	return &ans, nil
}

// managementToken returns the cached Management API token, fetching one when there is none
// or it expires within five minutes.
func (s *Source) managementToken(ctx context.Context) (*mgmtToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && s.now().Before(s.tok.refreshAt) {
		return s.tok, nil
	}
	ans, err := s.token(ctx, s.clientID, s.secret, s.audience)
	if err != nil {
		var ae *client.APIError
		if errors.As(err, &ae) {
			ae.Hint = managementTokenHint(ae, s.host)
		}
		return nil, fmt.Errorf("auth0 Management API token: %w", err)
	}
	life := time.Duration(ans.ExpiresIn) * time.Second
	if life <= 0 {
		life = time.Hour
	}
	scopes, known := tokenScopes(ans)
	s.tok = &mgmtToken{value: client.NewSecret(ans.AccessToken), scopes: scopes, unknown: !known,
		refreshAt: s.now().Add(life - min(5*time.Minute, life/2))}
	return s.tok, nil
}

// tokenScopes says which scopes a Management API token carries. Auth0's answer lists them in
// "scope"; an answer without that field (Auth0's own recorded token answers have none) leaves
// the token's scope claim (none: no scopes), and a token that is not a readable JWT leaves
// them unknown: the
// reader then tries each list and learns from a 403 what it may not read.
func tokenScopes(ans *tokenAnswer) (client.Scopes, bool) {
	if ans.Scope != nil {
		return client.SplitScopes(*ans.Scope), true
	}
	parts := strings.Split(ans.AccessToken, ".")
	if len(parts) != 3 {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, false
	}
	var claims struct {
		Scope string `json:"scope"`
	}
	if json.Unmarshal(b, &claims) != nil {
		return nil, false
	}
	// A token granted nothing has no scope claim at all.
	return client.SplitScopes(claims.Scope), true
}

// dropToken forgets tok so that the next call fetches a new one.
func (s *Source) dropToken(tok *mgmtToken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == tok {
		s.tok = nil
	}
}

// get calls the Management API. A 401 (an expired or revoked token) is met once with a
// fresh token.
func (s *Source) get(ctx context.Context, path string, q url.Values, out any) error {
	for try := 0; ; try++ {
		tok, err := s.managementToken(ctx)
		if err != nil {
			return err
		}
		req := &httpx.Request{Method: http.MethodGet, Path: path, Query: q, Idempotent: true,
			Header: http.Header{"Authorization": {"Bearer " + tok.value.Reveal()}}}
		err = s.api.Do(ctx, req, out)
		if client.StatusOf(err) == http.StatusUnauthorized && try == 0 {
			s.dropToken(tok)
			continue
		}
		return err
	}
}

func managementTokenHint(e *client.APIError, host string) string {
	switch {
	case isBadCredentials(e):
		return "check the client ID and secret of the app m2mport uses (Auth0 dashboard > Applications > the app > Settings)"
	case isUnknownAudience(e):
		return fmt.Sprintf("use the tenant's Auth0 domain (e.g. acme.us.auth0.com) rather than %s: the Management API lives there", host)
	case isNotAuthorizedForAPI(e):
		return "authorize the app for the Auth0 Management API: Applications > APIs > Auth0 Management API > Machine to Machine Applications"
	case isGrantTypeRefused(e):
		return "enable the Client Credentials grant for the app (Settings > Advanced Settings > Grant Types)"
	case isScopeNotGranted(e):
		return "grant the listed scopes to the app on the Auth0 Management API"
	}
	return e.Hint
}

func clientTokenHint(e *client.APIError, clientID, audience string) string {
	switch {
	case isBadCredentials(e):
		return fmt.Sprintf("Auth0 did not accept the ID and secret of client %s", clientID)
	case isUnknownAudience(e):
		return fmt.Sprintf("no API with identifier %s exists in this tenant", audience)
	case isNotAuthorizedForAPI(e):
		return fmt.Sprintf("client %s has no grant for %s", clientID, audience)
	case isGrantTypeRefused(e):
		return "enable the Client Credentials grant for the client (Settings > Advanced Settings > Grant Types)"
	}
	return e.Hint
}
