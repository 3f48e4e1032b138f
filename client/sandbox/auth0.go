package sandbox

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// auth0Data is a tenant's content. It is never modified after Start: the Management API
// endpoints m2mport uses only read.
type auth0Data struct {
	clients []*auth0Client
	grants  []*auth0Grant
	apis    []*resourceServer
	// The Management-API app m2mport connects with.
	mgmtClientID, mgmtSecret string
}

type auth0Client struct {
	ID          string
	Secret      string // "" for key-based and public apps
	Name        string
	Description string
	AppType     string // "non_interactive", "spa", "regular_web", … or "" (the global client)
	Global      bool
	FirstParty  bool
	GrantTypes  []string
	AuthMethod  string // token_endpoint_auth_method; "" = absent (key-based apps)
	// PrivateKeyCredential is set for private_key_jwt apps (no secret).
	PrivateKeyCredential string
	// ActionClaims are custom claims an Auth0 Action adds to this client's access tokens
	// (none in the Management API's answers: Actions are code, not client settings).
	ActionClaims map[string]string
	Metadata     map[string]string
	Callbacks    []string
}

type auth0Grant struct {
	ID             string
	ClientID       string // "" for a default grant (DefaultFor)
	Audience       string
	Scope          []string
	AllowAllScopes bool   // scope is omitted and means all of the API's scopes
	SubjectType    string // "client", "user" or "anonymous_user"; "" is served as "client" (real grants always carry it)
	IsSystem       bool   // a grant to one of Auth0's own APIs
	// Organizations (§3): organization_usage deny|allow|require ("" = omitted) and
	// allow_any_organization (omitted when false).
	OrganizationUsage    string
	AllowAnyOrganization bool
	DefaultFor           string // "third_party_clients": a default grant with no client_id
}

type resourceServer struct {
	ID         string
	Name       string
	Identifier string
	Scopes     []scopeDef
	IsSystem   bool
}

type scopeDef struct {
	Value       string `json:"value"`
	Description string `json:"description"`
}

type auth0Config struct {
	url             string
	data            auth0Data
	key             *rsaKey
	rate, tokenRate Rate
	now             func() time.Time
}

// auth0API emulates the Auth0 authentication and Management API endpoints of spec auth0.md.
type auth0API struct {
	server
	url, audience, issuer string
	data                  auth0Data
	clientJSON            map[string]map[string]any // client_id -> full object, secrets included
	clientByID            map[string]*auth0Client
	apiByIdentifier       map[string]*resourceServer
	signer                signer
	jwks                  map[string]any
	now                   func() time.Time
}

func newAuth0API(cfg auth0Config) *auth0API {
	a := &auth0API{
		url:             cfg.url,
		audience:        cfg.url + "/api/v2/",
		issuer:          cfg.url + "/",
		data:            cfg.data,
		clientJSON:      map[string]map[string]any{},
		clientByID:      map[string]*auth0Client{},
		apiByIdentifier: map[string]*resourceServer{},
		now:             cfg.now,
	}
	thumb := cfg.key.thumbprint()
	a.signer = signer{kid: b64url(thumb[:16]), key: cfg.key}
	jwk := cfg.key.jwkMembers(a.signer.kid)
	jwk["x5t"] = sha1Thumb(cfg.key.certDER)
	a.jwks = map[string]any{"keys": []any{jwk}}
	signingKeys := []any{map[string]any{"cert": cfg.key.certPEM(), "subject": "deprecated"}}
	for _, c := range cfg.data.clients {
		a.clientByID[c.ID] = c
		a.clientJSON[c.ID] = c.json(signingKeys)
	}
	for _, rs := range cfg.data.apis {
		a.apiByIdentifier[rs.Identifier] = rs
	}

	mgmt := newBucket(cfg.rate, cfg.now)
	withBucket := func(rt *route, b *bucket) *route { rt.bucket = b; return rt }
	a.routes = []*route{
		withBucket(newRoute(http.MethodPost, "/oauth/token", a.token), newBucket(cfg.tokenRate, cfg.now)),
		newRoute(http.MethodGet, "/.well-known/jwks.json", func(w http.ResponseWriter, _ *http.Request, _ []string) {
			writeJSON(w, http.StatusOK, a.jwks)
		}),
		withBucket(newRoute(http.MethodGet, "/api/v2/clients", a.listClients), mgmt),
		withBucket(newRoute(http.MethodGet, "/api/v2/clients/{id}", a.getClient), mgmt),
		withBucket(newRoute(http.MethodGet, "/api/v2/client-grants", a.listGrants), mgmt),
		withBucket(newRoute(http.MethodGet, "/api/v2/client-grants/{id}", a.getGrant), mgmt),
		withBucket(newRoute(http.MethodGet, "/api/v2/resource-servers", a.listResourceServers), mgmt),
	}
	a.fail = a.failStatus
	a.rateHeaders = true
	return a
}

func (a *auth0API) info() Auth0Info {
	return Auth0Info{
		URL: a.url, Domain: a.url, Tenant: auth0Tenant, Audience: a.audience,
		ClientID: a.data.mgmtClientID, ClientSecret: a.data.mgmtSecret,
	}
}

// json renders the full client object; unset fields are omitted, never null (§2).
func (c *auth0Client) json(signingKeys []any) map[string]any {
	m := map[string]any{
		"tenant":          auth0Tenant,
		"client_id":       c.ID,
		"name":            c.Name,
		"global":          c.Global,
		"is_first_party":  c.FirstParty,
		"oidc_conformant": true,
		"grant_types":     c.GrantTypes,
		"jwt_configuration": map[string]any{
			"secret_encoded": false, "alg": "RS256", "lifetime_in_seconds": 36000,
		},
		"signing_keys":         signingKeys,
		"sso_disabled":         false,
		"custom_login_page_on": true,
	}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("description", c.Description)
	set("client_secret", c.Secret)
	set("app_type", c.AppType)
	set("token_endpoint_auth_method", c.AuthMethod)
	if c.PrivateKeyCredential != "" {
		m["client_authentication_methods"] = map[string]any{
			"private_key_jwt": map[string]any{"credentials": []any{map[string]any{"id": c.PrivateKeyCredential}}},
		}
	}
	if len(c.Metadata) > 0 {
		m["client_metadata"] = c.Metadata
	}
	if len(c.Callbacks) > 0 {
		m["callbacks"] = c.Callbacks
	}
	return m
}

// json renders a grant as the recordings show one: subject_type always, is_system,
// organization_usage and allow_any_organization only when set, scope omitted under
// allow_all_scopes, and a default grant without client_id.
func (g *auth0Grant) json() map[string]any {
	m := map[string]any{"id": g.ID, "audience": g.Audience, "subject_type": g.subjectType()}
	if g.ClientID != "" {
		m["client_id"] = g.ClientID
	}
	if g.AllowAllScopes {
		m["allow_all_scopes"] = true
	} else {
		m["scope"] = g.Scope
	}
	if g.IsSystem {
		m["is_system"] = true
	}
	if g.OrganizationUsage != "" {
		m["organization_usage"] = g.OrganizationUsage
	}
	if g.AllowAnyOrganization {
		m["allow_any_organization"] = true
	}
	if g.DefaultFor != "" {
		m["default_for"] = g.DefaultFor
	}
	return m
}

func (g *auth0Grant) subjectType() string {
	if g.SubjectType == "" {
		return auth0SubjectClient
	}
	return g.SubjectType
}

// json renders a resource server as recorded: is_system only on Auth0's own APIs, scopes
// only when it defines some.
func (rs *resourceServer) json() map[string]any {
	m := map[string]any{
		"id": rs.ID, "name": rs.Name, "identifier": rs.Identifier, "signing_alg": "RS256", "token_lifetime": auth0TokenLifetime,
		"allow_offline_access": false, "skip_consent_for_verifiable_first_party_clients": true,
	}
	if len(rs.Scopes) > 0 {
		m["scopes"] = rs.Scopes
	}
	if rs.IsSystem {
		m["is_system"] = true
	}
	return m
}

// ---- POST /oauth/token (§1)

func (a *auth0API) token(w http.ResponseWriter, r *http.Request, _ []string) {
	w.Header().Set("Cache-Control", "no-store")
	body, err := a.mint(r)
	if err != nil {
		writeOAuthError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func invalidRequest(format string, args ...any) *oauthError {
	return auth0OAuthErr(http.StatusBadRequest, "invalid_request", format, args...)
}

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.description})
}

func (a *auth0API) mint(r *http.Request) (map[string]any, *oauthError) {
	p, err := tokenParams(r)
	if err != nil {
		return nil, invalidRequest("%v", err)
	}
	switch gt := p.Get("grant_type"); {
	case gt == "":
		return nil, invalidRequest("Missing required parameter: grant_type")
	case gt != auth0GrantTypeClient:
		return nil, auth0OAuthErr(http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type: %s", gt)
	}
	id, secret := p.Get("client_id"), p.Get("client_secret")
	if id == "" {
		id, secret = basicCredentials(r)
	}
	audience := p.Get("audience")
	for _, need := range [][2]string{{"client_id", id}, {"client_secret", secret}, {"audience", audience}} {
		if need[1] == "" {
			return nil, invalidRequest("Missing required parameter: %s", need[0])
		}
	}
	c := a.clientByID[id]
	switch {
	case c == nil:
		return nil, auth0ErrUnknownClient
	case c.Secret == "" || !constantTimeEqual(c.Secret, secret):
		return nil, auth0ErrWrongSecret
	case !slices.Contains(c.GrantTypes, auth0GrantTypeClient):
		return nil, auth0ErrNoClientCreds
	}
	api := a.apiByIdentifier[audience]
	if api == nil {
		return nil, auth0ErrUnknownAudience(audience)
	}
	g, granted := a.grantOn(id, api)
	if g == nil {
		return nil, auth0ErrNoGrant(audience)
	}
	org := p.Get("organization")
	switch usage := g.OrganizationUsage; {
	case org == "" && usage == auth0OrgRequire:
		return nil, auth0ErrOrgRequired(audience)
	case org != "" && usage != auth0OrgRequire && usage != auth0OrgAllow:
		return nil, auth0ErrOrgDenied(audience)
	case org != "" && !strings.HasPrefix(org, auth0OrgPrefix):
		return nil, auth0ErrUnknownOrg(org)
	}
	scopes := granted
	if requested := strings.Fields(p.Get("scope")); len(requested) > 0 {
		var missing []string
		for _, s := range requested {
			if !slices.Contains(granted, s) && !slices.Contains(missing, s) {
				missing = append(missing, s)
			}
		}
		if len(missing) > 0 {
			return nil, auth0ErrScopesNotGranted(missing)
		}
		scopes = dedupe(requested)
	}
	now := a.now()
	claims := jwt.MapClaims{
		"iss": a.issuer, "sub": id + "@clients", "aud": audience, "azp": id,
		"gty": "client-credentials", "iat": now.Unix(), "exp": now.Unix() + auth0TokenLifetime,
	}
	if org != "" {
		claims["org_id"] = org
	}
	for k, v := range c.ActionClaims {
		if _, taken := claims[k]; !taken {
			claims[k] = v
		}
	}
	resp := map[string]any{"expires_in": auth0TokenLifetime, "token_type": "Bearer"}
	if len(scopes) > 0 {
		claims["scope"] = strings.Join(scopes, " ")
		resp["scope"] = claims["scope"]
	}
	tok, signErr := a.signer.sign(claims)
	if signErr != nil {
		return nil, &oauthError{500, "server_error", "Cannot sign the token."}
	}
	resp["access_token"] = tok
	return resp, nil
}

// grantOn is the client's client-credentials grant on api and the scopes it grants; nil when
// there is none.
func (a *auth0API) grantOn(clientID string, api *resourceServer) (*auth0Grant, []string) {
	for _, g := range a.data.grants {
		if g.ClientID != clientID || g.Audience != api.Identifier || g.subjectType() != auth0SubjectClient {
			continue
		}
		if !g.AllowAllScopes {
			return g, g.Scope
		}
		all := make([]string, len(api.Scopes))
		for i, s := range api.Scopes {
			all[i] = s.Value
		}
		return g, all
	}
	return nil, nil
}

// ---- /api/v2/* (§2–5)

// authorize checks the bearer token and that it holds one of anyOf; it answers the error
// itself and returns ok=false when the request must stop.
func (a *auth0API) authorize(w http.ResponseWriter, r *http.Request, anyOf []string) (scopes []string, ok bool) {
	raw, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found || strings.TrimSpace(raw) == "" {
		a.mgmtError(w, http.StatusUnauthorized, "", auth0MsgMissingAuth)
		return nil, false
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(strings.TrimSpace(raw), claims, func(t *jwt.Token) (any, error) {
		if t.Header["kid"] != a.signer.kid {
			return nil, errors.New("unknown kid")
		}
		return &a.signer.key.priv.PublicKey, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(a.now), jwt.WithExpirationRequired(), jwt.WithIssuer(a.issuer))
	switch {
	case errors.Is(err, jwt.ErrTokenExpired) && !errors.Is(err, jwt.ErrTokenInvalidIssuer):
		a.mgmtError(w, http.StatusUnauthorized, "", auth0MsgExpiredToken)
		return nil, false
	case err != nil:
		a.mgmtError(w, http.StatusUnauthorized, "", auth0MsgInvalidToken)
		return nil, false
	}
	if aud, _ := claims.GetAudience(); !slices.Contains(aud, a.audience) {
		a.mgmtError(w, http.StatusUnauthorized, "", auth0MsgBadAudience+strings.Join(aud, ","))
		return nil, false
	}
	scope, _ := claims["scope"].(string)
	scopes = strings.Fields(scope)
	for _, s := range anyOf {
		if slices.Contains(scopes, s) {
			return scopes, true
		}
	}
	a.mgmtError(w, http.StatusForbidden, "insufficient_scope", "Insufficient scope, expected any of: "+strings.Join(anyOf, ","))
	return nil, false
}

func (a *auth0API) mgmtError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, mgmtError{StatusCode: status, Error: http.StatusText(status), Message: message, ErrorCode: code})
}

// badQuery answers §5's 400 invalid_query_string; problem is one sentence without its period.
func (a *auth0API) badQuery(w http.ResponseWriter, problem any) {
	a.mgmtError(w, http.StatusBadRequest, "invalid_query_string", fmt.Sprintf("Invalid request query string. %v.", problem))
}

func (a *auth0API) failStatus(w http.ResponseWriter, _ *http.Request, rt *route, status int) {
	if rt != nil && rt.pattern == "/oauth/token" {
		e := auth0ErrTokenRate
		if status != http.StatusTooManyRequests {
			e = auth0OAuthServerErrors[status]
		}
		writeOAuthError(w, e)
		return
	}
	writeJSON(w, status, auth0MgmtStatusMessages[status])
}

// listQuery is the paging part of a list request: page/per_page/include_totals, or
// checkpoint take/from.
type listQuery struct {
	page, perPage int
	totals        bool
	checkpoint    bool
	from, take    int
}

// parseQuery refuses parameters outside allowed (Auth0 answers "Additional properties not
// allowed") and reads paging; it answers the error itself and returns ok=false.
func (a *auth0API) parseQuery(w http.ResponseWriter, q url.Values, checkpoint bool, allowed ...string) (listQuery, bool) {
	paging := []string{"page", "per_page", "include_totals"}
	if checkpoint {
		paging = append(paging, "take", "from")
	}
	for k := range q {
		if !slices.Contains(allowed, k) && !slices.Contains(paging, k) {
			a.badQuery(w, "Additional properties not allowed: "+k)
			return listQuery{}, false
		}
	}
	lq := listQuery{perPage: auth0DefaultPerPage}
	var err error
	if lq.page, err = intParam(q, "page", 0, 0, 1<<30); err == nil {
		if lq.perPage, err = intParam(q, "per_page", auth0DefaultPerPage, 1, auth0MaxPerPage); err == nil {
			lq.totals, err = boolParam(q, "include_totals")
		}
	}
	if err == nil && checkpoint && (q.Has("take") || q.Has("from")) {
		lq.checkpoint = true
		if lq.take, err = intParam(q, "take", auth0DefaultTake, 1, auth0MaxPerPage); err == nil && q.Get("from") != "" {
			lq.from, err = decodeCheckpoint(q.Get("from"))
		}
	}
	if err != nil {
		a.badQuery(w, err)
		return listQuery{}, false
	}
	return lq, true
}

func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	if !q.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be an integer between %d and %d", name, lo, hi)
	}
	return n, nil
}

func boolParam(q url.Values, name string) (bool, error) {
	switch v := q.Get(name); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, fmt.Errorf("%s must be true or false", name)
	}
}

// Checkpoints are opaque to callers; here they are the offset of the next item.
func encodeCheckpoint(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("cp:" + strconv.Itoa(offset)))
}

func decodeCheckpoint(s string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		if rest, ok := strings.CutPrefix(string(b), "cp:"); ok {
			if n, err := strconv.Atoi(rest); err == nil && n >= 0 {
				return n, nil
			}
		}
	}
	return 0, errors.New("from is not a checkpoint this endpoint handed out")
}

// writeList answers one page of the matching items in the shape the query asked for (§2–4).
// Only the page's items are rendered, so reading N items page by page costs O(N), not O(N²).
func writeList[T, R any](w http.ResponseWriter, key string, matches []T, render func(T) R, lq listQuery) {
	total := len(matches)
	page := func(start, end int) []R {
		out := make([]R, 0, end-start)
		for _, m := range matches[start:end] {
			out = append(out, render(m))
		}
		return out
	}
	if lq.checkpoint {
		start := min(lq.from, total)
		end := min(start+lq.take, total)
		body := map[string]any{key: page(start, end)}
		if end < total {
			body["next"] = encodeCheckpoint(end)
		}
		writeJSON(w, http.StatusOK, body)
		return
	}
	start := min(lq.page*lq.perPage, total)
	items := page(start, min(start+lq.perPage, total))
	if !lq.totals {
		writeJSON(w, http.StatusOK, items)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "start": lq.page * lq.perPage, "limit": lq.perPage, key: items})
}

func (a *auth0API) listClients(w http.ResponseWriter, r *http.Request, _ []string) {
	scopes, ok := a.authorize(w, r, auth0ClientsScopes)
	if !ok {
		return
	}
	q := r.URL.Query()
	lq, ok := a.parseQuery(w, q, true, "fields", "include_fields", "app_type", "is_global", "is_first_party")
	if !ok {
		return
	}
	view, err := newClientView(q, scopes)
	var global, firstParty *bool
	if err == nil {
		if global, err = optionalBool(q, "is_global"); err == nil {
			firstParty, err = optionalBool(q, "is_first_party")
		}
	}
	if err != nil {
		a.badQuery(w, err)
		return
	}
	var appTypes []string
	if v := q.Get("app_type"); v != "" {
		appTypes = strings.Split(v, ",")
	}
	var matches []*auth0Client
	for _, c := range a.data.clients {
		if (appTypes != nil && !slices.Contains(appTypes, c.AppType)) ||
			(global != nil && c.Global != *global) ||
			(firstParty != nil && c.FirstParty != *firstParty) {
			continue
		}
		matches = append(matches, c)
	}
	writeList(w, "clients", matches, func(c *auth0Client) any { return view.render(a.clientJSON[c.ID]) }, lq)
}

func (a *auth0API) getClient(w http.ResponseWriter, r *http.Request, p []string) {
	scopes, ok := a.authorize(w, r, auth0ClientsScopes)
	if !ok {
		return
	}
	q := r.URL.Query()
	for k := range q {
		if k != "fields" && k != "include_fields" {
			a.badQuery(w, "Additional properties not allowed: "+k)
			return
		}
	}
	view, err := newClientView(q, scopes)
	if err != nil {
		a.badQuery(w, err)
		return
	}
	c, found := a.clientJSON[p[0]]
	if !found {
		a.mgmtError(w, http.StatusNotFound, "inexistent_client", auth0MsgNoClient)
		return
	}
	writeJSON(w, http.StatusOK, view.render(c))
}

// clientView is what a caller may see of a client: secret-bearing fields only with a scope
// that reveals them (§7), and the fields/include_fields selection (§2).
type clientView struct {
	secrets bool
	fields  []string
	include bool
}

func newClientView(q url.Values, scopes []string) (clientView, error) {
	v := clientView{include: true}
	for _, s := range auth0SecretScopes {
		v.secrets = v.secrets || slices.Contains(scopes, s)
	}
	if f := q.Get("fields"); f != "" {
		v.fields = strings.Split(f, ",")
	}
	inc, err := optionalBool(q, "include_fields")
	if inc != nil {
		v.include = *inc
	}
	return v, err
}

func (v clientView) render(full map[string]any) map[string]any {
	out := make(map[string]any, len(full))
	for k, val := range full {
		if !v.secrets && slices.Contains(auth0SecretFields, k) {
			continue
		}
		if v.fields != nil && slices.Contains(v.fields, k) != v.include && k != "tenant" {
			continue
		}
		out[k] = val
	}
	return out
}

func optionalBool(q url.Values, name string) (*bool, error) {
	if !q.Has(name) {
		return nil, nil
	}
	b, err := boolParam(q, name)
	if err != nil || q.Get(name) == "" {
		return nil, fmt.Errorf("%s must be true or false", name)
	}
	return &b, nil
}

func (a *auth0API) listGrants(w http.ResponseWriter, r *http.Request, _ []string) {
	if _, ok := a.authorize(w, r, auth0ClientGrantsScopes); !ok {
		return
	}
	q := r.URL.Query()
	lq, ok := a.parseQuery(w, q, true, "client_id", "audience", "subject_type")
	if !ok {
		return
	}
	subject := q.Get("subject_type")
	if subject != "" && !slices.Contains(auth0SubjectTypes, subject) {
		a.badQuery(w, "subject_type must be one of "+strings.Join(auth0SubjectTypes, ", "))
		return
	}
	var matches []*auth0Grant
	for _, g := range a.data.grants {
		if (q.Has("client_id") && g.ClientID != q.Get("client_id")) ||
			(q.Has("audience") && g.Audience != q.Get("audience")) ||
			(subject != "" && g.subjectType() != subject) {
			continue
		}
		matches = append(matches, g)
	}
	writeList(w, "client_grants", matches, (*auth0Grant).json, lq)
}

func (a *auth0API) getGrant(w http.ResponseWriter, r *http.Request, p []string) {
	if _, ok := a.authorize(w, r, auth0ClientGrantsScopes); !ok {
		return
	}
	for _, g := range a.data.grants {
		if g.ID == p[0] {
			writeJSON(w, http.StatusOK, g.json())
			return
		}
	}
	a.mgmtError(w, http.StatusNotFound, "inexistent_client_grant", "The grant does not exist.")
}

func (a *auth0API) listResourceServers(w http.ResponseWriter, r *http.Request, _ []string) {
	if _, ok := a.authorize(w, r, auth0ResourceServersScopes); !ok {
		return
	}
	lq, ok := a.parseQuery(w, r.URL.Query(), false)
	if !ok {
		return
	}
	writeList(w, "resource_servers", a.data.apis, (*resourceServer).json, lq)
}

func dedupe(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
