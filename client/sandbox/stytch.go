package sandbox

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// stytchSeedClient is a client a seed puts in the project before Start returns.
type stytchSeedClient struct {
	id, secret, name, description string
	scopes                        []string
	metadata                      map[string]any
}

type stytchConfig struct {
	projectID, secret string
	clients           []stytchSeedClient
	key               *rsaKey
	rate              Rate // zero = unlimited
	now               func() time.Time
	vertical          string // stytchVerticalB2B or stytchVerticalConsumer
}

// m2mClient is a stored client. Only hashes of its secrets are kept (§3).
type m2mClient struct {
	seq          uint64 // creation order: search order and cursors
	id           string
	name         string
	description  string
	status       string
	scopes       []string
	metadata     map[string]any
	secretHash   [32]byte
	lastFour     string
	nextHash     *[32]byte // set while rotating
	nextLastFour string
}

// m2mClientJSON is the m2m_client object (§3).
type m2mClientJSON struct {
	ClientID                 string         `json:"client_id"`
	ClientName               string         `json:"client_name"`
	ClientDescription        string         `json:"client_description"`
	Status                   string         `json:"status"`
	Scopes                   []string       `json:"scopes"`
	ClientSecretLastFour     string         `json:"client_secret_last_four"`
	NextClientSecretLastFour *string        `json:"next_client_secret_last_four"`
	TrustedMetadata          map[string]any `json:"trusted_metadata"`
	ClientSecret             string         `json:"client_secret,omitempty"`      // create only
	NextClientSecret         string         `json:"next_client_secret,omitempty"` // rotate/start only
}

// stytchAPI emulates the Stytch M2M endpoints of spec stytch.md.
type stytchAPI struct {
	server
	projectID, secret string
	env               string // "test" or "live", from the project id
	vertical          string
	issuer            string
	now               func() time.Time

	mu      sync.RWMutex
	clients map[string]*m2mClient
	lastSeq uint64

	keysMu   sync.RWMutex
	signers  []signer // served in the JWKS; the last one signs
	keyIndex int      // pool index of the signing key

	requestKey uint64
	requests   atomic.Uint64
}

func newStytchAPI(cfg stytchConfig) *stytchAPI {
	s := &stytchAPI{
		projectID: cfg.projectID,
		secret:    cfg.secret,
		env:       "test",
		vertical:  cfg.vertical,
		issuer:    "stytch.com/" + cfg.projectID,
		now:       cfg.now,
		clients:   map[string]*m2mClient{},
		keyIndex:  1,
	}
	if strings.HasPrefix(cfg.projectID, "project-live-") {
		s.env = "live"
	}
	var rk [8]byte
	rand.Read(rk[:])
	s.requestKey = binary.LittleEndian.Uint64(rk[:])
	s.signers = []signer{s.newSigner(cfg.key)}
	for _, c := range cfg.clients {
		mc := &m2mClient{id: c.id, name: c.name, description: c.description, status: "active",
			scopes: c.scopes, metadata: c.metadata}
		mc.setSecret(c.secret)
		if mc.metadata == nil {
			mc.metadata = map[string]any{}
		}
		s.lastSeq++
		mc.seq = s.lastSeq
		s.clients[c.id] = mc
	}

	var bucket *bucket
	if !cfg.rate.IsZero() {
		bucket = newBucket(cfg.rate, cfg.now)
	}
	limited := func(rt *route) *route { rt.bucket = bucket; return rt }
	// The management endpoints answer only the project's own credentials (§1).
	managed := func(method, pattern string, handle func(http.ResponseWriter, *http.Request, []string)) *route {
		return limited(newRoute(method, pattern, func(w http.ResponseWriter, r *http.Request, p []string) {
			if s.authorized(w, r) {
				handle(w, r, p)
			}
		}))
	}
	create := managed(http.MethodPost, "/v1/m2m/clients", s.create)
	create.create = true
	const client = "/v1/m2m/clients/{client_id}"
	s.routes = []*route{
		create,
		managed(http.MethodPost, "/v1/m2m/clients/search", s.search),
		managed(http.MethodGet, client, s.get),
		managed(http.MethodPut, client, s.update),
		managed(http.MethodDelete, client, s.delete),
		managed(http.MethodPost, client+"/secrets/rotate/start", s.rotateStart),
		managed(http.MethodPost, client+"/secrets/rotate", s.rotateComplete),
		managed(http.MethodPost, client+"/secrets/rotate/cancel", s.rotateCancel),
		limited(newRoute(http.MethodPost, "/v1/public/{project_id}/oauth2/token", s.token)),
		limited(newRoute(http.MethodGet, "/v1/b2b/sessions/jwks/{project_id}", s.jwksOf(stytchVerticalB2B))),
		limited(newRoute(http.MethodGet, "/v1/sessions/jwks/{project_id}", s.jwksOf(stytchVerticalConsumer))),
		inspectionRoute("/_sandbox/clients", s.inspectClients),
	}
	s.fail = func(w http.ResponseWriter, _ *http.Request, _ *route, status int) {
		e := map[int]*stytchError{
			404: stytchErrRouteNotFound, 405: stytchErrMethodNotAllowed, 429: stytchErrTooManyRequests,
			500: stytchErrInternal, 503: stytchErrUnavailable,
		}[status]
		s.replyError(w, e)
	}
	return s
}

func (s *stytchAPI) info() StytchInfo {
	return StytchInfo{URL: s.url(), ProjectID: s.projectID, Secret: s.secret, Vertical: s.vertical}
}

func (s *stytchAPI) newSigner(k *rsaKey) signer {
	thumb := k.thumbprint()
	return signer{kid: "jwk-" + s.env + "-" + uuidFrom(thumb[:]), key: k}
}

func (s *stytchAPI) rotateKey() {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	s.keyIndex++
	k, err := poolKey(s.keyIndex)
	if err != nil {
		panic(fmt.Sprintf("sandbox: rotate the Stytch signing key: %v", err))
	}
	s.signers = append(s.signers, s.newSigner(k))
	if len(s.signers) > 2 {
		s.signers = s.signers[len(s.signers)-2:]
	}
}

// ---- envelope (§1)

func (s *stytchAPI) requestID() string {
	var b [16]byte
	n := s.requests.Add(1)
	binary.BigEndian.PutUint64(b[:8], splitmix(s.requestKey))
	binary.BigEndian.PutUint64(b[8:], splitmix(s.requestKey^n))
	return "request-id-" + s.env + "-" + uuidFrom(b[:])
}

// reply answers status with body plus the envelope every Stytch answer carries.
func (s *stytchAPI) reply(w http.ResponseWriter, status int, body map[string]any) {
	body["request_id"] = s.requestID()
	body["status_code"] = status
	writeJSON(w, status, body)
}

func (s *stytchAPI) replyError(w http.ResponseWriter, e *stytchError) {
	s.reply(w, e.status, map[string]any{"error_type": e.typ, "error_message": e.message, "error_url": e.url()})
}

func (s *stytchAPI) replyOAuthError(w http.ResponseWriter, e *oauthError) {
	s.reply(w, e.status, map[string]any{"error": e.code, "error_description": e.description, "error_uri": stytchOAuthErrorURI})
}

// authorized checks the project's Basic credentials and answers 401 itself when they fail.
func (s *stytchAPI) authorized(w http.ResponseWriter, r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	// Both comparisons always run: how long a refusal takes says nothing about which half was wrong.
	if idOK, secretOK := constantTimeEqual(id, s.projectID), constantTimeEqual(secret, s.secret); ok && idOK && secretOK {
		return true
	}
	s.replyError(w, stytchErrUnauthorized)
	return false
}

// decodeBody reads a JSON request body into v; an empty body is an empty object. A body
// must say it is JSON (§1: management calls carry Content-Type: application/json).
func decodeBody(r *http.Request, v any) *stytchError {
	b, err := readBody(r)
	if err != nil {
		return stytchBadRequest("The request body could not be read.")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("{}")
	} else if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return stytchErrContentType
	}
	if err := json.Unmarshal(b, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return stytchBadRequest(fmt.Sprintf("%s has the wrong type: want %s.", te.Field, jsonKind(te.Type.Kind().String())))
		}
		return stytchBadRequest("The request body is not a valid JSON object.")
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "slice":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	case "int", "int64", "float64":
		return "a number"
	default:
		return "a " + goKind
	}
}

// ---- the stored client

func (c *m2mClient) setSecret(secret string) {
	c.secretHash = sha256.Sum256([]byte(secret))
	c.lastFour = lastFour(secret)
}

func lastFour(secret string) string {
	r := []rune(secret)
	return string(r[max(0, len(r)-4):])
}

func (c *m2mClient) json() m2mClientJSON {
	j := m2mClientJSON{
		ClientID: c.id, ClientName: c.name, ClientDescription: c.description, Status: c.status,
		Scopes: slices.Clone(c.scopes), ClientSecretLastFour: c.lastFour,
		TrustedMetadata: cloneMap(c.metadata),
	}
	if j.Scopes == nil {
		j.Scopes = []string{}
	}
	if c.nextHash != nil {
		next := c.nextLastFour // a copy: the answer is encoded after the lock is released
		j.NextClientSecretLastFour = &next
	}
	return j
}

func bySeq(a, b *m2mClient) int { return cmp.Compare(a.seq, b.seq) }

func readBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// secretMatches reports whether secret is the client's secret, or its next one while rotating.
func (c *m2mClient) secretMatches(secret string) bool {
	h := sha256.Sum256([]byte(secret))
	ok := constantTimeEqual(string(h[:]), string(c.secretHash[:]))
	if c.nextHash != nil {
		ok = constantTimeEqual(string(h[:]), string(c.nextHash[:])) || ok
	}
	return ok
}

// ---- validation (§3 assumed limits)

func validateClientID(id string) *stytchError {
	n := utf8.RuneCountInString(id)
	if n == 0 || n > stytchClientIDMaxLen || !utf8.ValidString(id) {
		return stytchErrInvalidClientID
	}
	for _, r := range id {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return stytchErrInvalidClientID
		}
	}
	return nil
}

func validateSecret(secret string) *stytchError {
	n := utf8.RuneCountInString(secret)
	if n > stytchSecretMaxLen {
		return stytchErrSecretTooLong
	}
	distinct := map[rune]bool{}
	for _, r := range secret {
		distinct[r] = true
	}
	if n < stytchSecretMinLen || len(distinct) < stytchSecretMinDistinct {
		return stytchErrInsecureSecret
	}
	return nil
}

func validateScopes(scopes []string) *stytchError {
	if len(scopes) > stytchMaxScopes {
		return stytchErrTooManyScopes
	}
	for _, sc := range scopes {
		if len(sc) == 0 || len(sc) > stytchScopeMaxLen {
			return stytchErrInvalidScope
		}
		for i := 0; i < len(sc); i++ {
			if sc[i] < 0x21 || sc[i] > 0x7e {
				return stytchErrInvalidScope
			}
		}
	}
	return nil
}

func validateMetadata(m map[string]any) *stytchError {
	if len(m) > stytchMetadataMaxKeys {
		return stytchErrMetadataKeys
	}
	if b, _ := json.Marshal(m); len(b) > stytchMetadataMaxBytes {
		return stytchErrMetadataSize
	}
	return nil
}

func validateNameDescription(name, description string) *stytchError {
	if utf8.RuneCountInString(name) > stytchNameMaxLen {
		return stytchErrNameTooLong
	}
	if utf8.RuneCountInString(description) > stytchDescriptionMaxLen {
		return stytchErrDescTooLong
	}
	return nil
}

func firstError(errs ...*stytchError) *stytchError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// ---- endpoints (§2)

func (s *stytchAPI) create(w http.ResponseWriter, r *http.Request, _ []string) {
	var req struct {
		ClientID          *string        `json:"client_id"`
		ClientSecret      *string        `json:"client_secret"`
		ClientName        string         `json:"client_name"`
		ClientDescription string         `json:"client_description"`
		Scopes            []string       `json:"scopes"`
		TrustedMetadata   map[string]any `json:"trusted_metadata"`
	}
	if e := decodeBody(r, &req); e != nil {
		s.replyError(w, e)
		return
	}
	if req.Scopes == nil {
		s.replyError(w, stytchBadRequest("scopes is required: an array of strings, possibly empty."))
		return
	}
	// An explicitly empty client_id or client_secret is refused, not generated: a writer that
	// sends "" by mistake would otherwise import the client under a new identity.
	id, secret := "", ""
	var idErr, secretErr *stytchError
	if req.ClientID != nil {
		id, idErr = *req.ClientID, validateClientID(*req.ClientID)
	} else {
		id = s.generateClientID()
	}
	if req.ClientSecret != nil {
		secret, secretErr = *req.ClientSecret, validateSecret(*req.ClientSecret)
	} else {
		secret = generateSecret()
	}
	if e := firstError(idErr, secretErr, validateScopes(req.Scopes), validateMetadata(req.TrustedMetadata),
		validateNameDescription(req.ClientName, req.ClientDescription)); e != nil {
		s.replyError(w, e)
		return
	}
	c := &m2mClient{id: id, name: req.ClientName, description: req.ClientDescription, status: "active",
		scopes: dedupe(req.Scopes), metadata: req.TrustedMetadata}
	if c.metadata == nil {
		c.metadata = map[string]any{}
	}
	c.setSecret(secret)

	s.mu.Lock()
	if _, dup := s.clients[id]; dup {
		s.mu.Unlock()
		s.replyError(w, stytchErrDuplicateID)
		return
	}
	s.lastSeq++
	c.seq = s.lastSeq
	s.clients[id] = c
	body := c.json()
	s.mu.Unlock()

	body.ClientSecret = secret
	s.reply(w, http.StatusOK, map[string]any{"m2m_client": body})
}

func (s *stytchAPI) generateClientID() string {
	var b [16]byte
	rand.Read(b[:])
	return "m2m-client-" + s.env + "-" + uuidFrom(b[:])
}

func generateSecret() string {
	b := make([]byte, stytchGeneratedSecretSize)
	rand.Read(b)
	return base64.URLEncoding.EncodeToString(b)
}

// withClient runs fn on the stored client named by id under the store's write lock, and
// answers fn's result (an m2m_client) or error. The caller has checked the credentials.
func (s *stytchAPI) withClient(w http.ResponseWriter, id string, fn func(c *m2mClient) (m2mClientJSON, *stytchError)) {
	s.mu.Lock()
	c := s.clients[id]
	var body m2mClientJSON
	e := stytchErrNotFound
	if c != nil {
		body, e = fn(c)
	}
	s.mu.Unlock()
	if e != nil {
		s.replyError(w, e)
		return
	}
	s.reply(w, http.StatusOK, map[string]any{"m2m_client": body})
}

func (s *stytchAPI) get(w http.ResponseWriter, r *http.Request, p []string) {
	s.withClient(w, p[0], func(c *m2mClient) (m2mClientJSON, *stytchError) { return c.json(), nil })
}

func (s *stytchAPI) update(w http.ResponseWriter, r *http.Request, p []string) {
	var req map[string]json.RawMessage
	if e := decodeBody(r, &req); e != nil {
		s.replyError(w, e)
		return
	}
	s.withClient(w, p[0], func(c *m2mClient) (m2mClientJSON, *stytchError) {
		next := *c
		if e := applyUpdate(&next, req); e != nil {
			return m2mClientJSON{}, e
		}
		*c = next
		return c.json(), nil
	})
}

// applyUpdate applies an update body to c (a copy): the given fields replace, null leaves a
// field alone, trusted_metadata merges top-level keys and a null value removes its key.
// Unknown fields are ignored (the Go SDK sends client_id too).
func applyUpdate(c *m2mClient, req map[string]json.RawMessage) *stytchError {
	field := func(name string, dst any) *stytchError {
		raw, ok := req[name]
		if !ok || string(raw) == "null" {
			return nil
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return stytchBadRequest(name + " has the wrong type.")
		}
		return nil
	}
	var scopes []string
	var metadata map[string]json.RawMessage
	if e := firstError(field("client_name", &c.name), field("client_description", &c.description),
		field("status", &c.status), field("scopes", &scopes), field("trusted_metadata", &metadata)); e != nil {
		return e
	}
	if c.status != "active" && c.status != "inactive" {
		return stytchErrInvalidStatus
	}
	if scopes != nil {
		if e := validateScopes(scopes); e != nil {
			return e
		}
		c.scopes = dedupe(scopes)
		if c.scopes == nil {
			c.scopes = []string{}
		}
	}
	if metadata != nil {
		merged := cloneMap(c.metadata)
		for k, raw := range metadata {
			if string(raw) == "null" {
				delete(merged, k)
				continue
			}
			var v any
			json.Unmarshal(raw, &v) //nolint:errcheck // raw came out of a valid JSON document
			merged[k] = v
		}
		c.metadata = merged
	}
	return firstError(validateMetadata(c.metadata), validateNameDescription(c.name, c.description))
}

func (s *stytchAPI) delete(w http.ResponseWriter, r *http.Request, p []string) {
	s.mu.Lock()
	_, found := s.clients[p[0]]
	delete(s.clients, p[0])
	s.mu.Unlock()
	if !found {
		s.replyError(w, stytchErrNotFound)
		return
	}
	s.reply(w, http.StatusOK, map[string]any{"client_id": p[0]})
}

func (s *stytchAPI) rotateStart(w http.ResponseWriter, r *http.Request, p []string) {
	secret := generateSecret()
	s.withClient(w, p[0], func(c *m2mClient) (m2mClientJSON, *stytchError) {
		if c.nextHash != nil {
			return m2mClientJSON{}, stytchErrAlreadyRotating
		}
		h := sha256.Sum256([]byte(secret))
		c.nextHash, c.nextLastFour = &h, lastFour(secret)
		body := c.json()
		body.NextClientSecret = secret
		return body, nil
	})
}

func (s *stytchAPI) rotateComplete(w http.ResponseWriter, r *http.Request, p []string) {
	s.withClient(w, p[0], func(c *m2mClient) (m2mClientJSON, *stytchError) {
		if c.nextHash == nil {
			return m2mClientJSON{}, stytchErrNotRotating
		}
		c.secretHash, c.lastFour = *c.nextHash, c.nextLastFour
		c.nextHash, c.nextLastFour = nil, ""
		return c.json(), nil
	})
}

func (s *stytchAPI) rotateCancel(w http.ResponseWriter, r *http.Request, p []string) {
	s.withClient(w, p[0], func(c *m2mClient) (m2mClientJSON, *stytchError) {
		if c.nextHash == nil {
			return m2mClientJSON{}, stytchErrNotRotating
		}
		c.nextHash, c.nextLastFour = nil, ""
		return c.json(), nil
	})
}

// ---- search (§3)

type searchOperand struct {
	FilterName  string          `json:"filter_name"`
	FilterValue json.RawMessage `json:"filter_value"`
}

type searchFilter struct {
	name   string
	values map[string]bool
}

func (f searchFilter) matches(c *m2mClient) bool {
	switch f.name {
	case "client_id":
		return f.values[c.id]
	case "client_name":
		return f.values[c.name]
	default: // scopes: holds any of the values
		for _, sc := range c.scopes {
			if f.values[sc] {
				return true
			}
		}
		return false
	}
}

func (s *stytchAPI) search(w http.ResponseWriter, r *http.Request, _ []string) {
	var req struct {
		Limit  *int   `json:"limit"`
		Cursor string `json:"cursor"`
		Query  *struct {
			Operator string          `json:"operator"`
			Operands []searchOperand `json:"operands"`
		} `json:"query"`
	}
	if e := decodeBody(r, &req); e != nil {
		s.replyError(w, e)
		return
	}
	limit := stytchSearchDefaultLimit
	if req.Limit != nil && *req.Limit != 0 {
		limit = *req.Limit
	}
	if limit < 1 || limit > stytchSearchMaxLimit {
		s.replyError(w, stytchErrSearchLimit)
		return
	}
	var after uint64
	if req.Cursor != "" {
		var err error
		if after, err = decodeCursor(req.Cursor); err != nil {
			s.replyError(w, stytchErrSearchCursor)
			return
		}
	}
	var filters []searchFilter
	or := false
	if req.Query != nil && len(req.Query.Operands) > 0 {
		switch req.Query.Operator {
		case "AND":
		case "OR":
			or = true
		default:
			s.replyError(w, stytchErrSearchOperator)
			return
		}
		for _, op := range req.Query.Operands {
			if !slices.Contains(stytchSearchFilters, op.FilterName) {
				s.replyError(w, stytchErrSearchFilter)
				return
			}
			var values []string
			if json.Unmarshal(op.FilterValue, &values) != nil || len(values) == 0 {
				s.replyError(w, stytchErrSearchValue)
				return
			}
			if len(values) > stytchSearchMaxValues {
				s.replyError(w, stytchErrSearchTooMany)
				return
			}
			f := searchFilter{name: op.FilterName, values: make(map[string]bool, len(values))}
			for _, v := range values {
				f.values[v] = true
			}
			filters = append(filters, f)
		}
	}
	match := func(c *m2mClient) bool {
		if len(filters) == 0 {
			return true
		}
		for _, f := range filters {
			if f.matches(c) == or {
				return or
			}
		}
		return !or
	}

	s.mu.RLock()
	var matched []*m2mClient
	for _, c := range s.clients {
		if match(c) {
			matched = append(matched, c)
		}
	}
	slices.SortFunc(matched, bySeq)
	start, _ := slices.BinarySearchFunc(matched, after+1, func(c *m2mClient, seq uint64) int { return cmp.Compare(c.seq, seq) })
	page := matched[start:min(start+limit, len(matched))]
	out := make([]m2mClientJSON, len(page))
	for i, c := range page {
		out[i] = c.json()
	}
	var next any // null on the last page
	if start+limit < len(matched) {
		next = encodeCursor(page[len(page)-1].seq)
	}
	total := len(matched)
	s.mu.RUnlock()

	s.reply(w, http.StatusOK, map[string]any{
		"m2m_clients":      out,
		"results_metadata": map[string]any{"next_cursor": next, "total": total},
	})
}

// Cursors are opaque to callers; here they are the creation number of the last client served,
// so clients created while paging never shift a page.
func encodeCursor(seq uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("m2m:" + strconv.FormatUint(seq, 10)))
}

func decodeCursor(s string) (uint64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		if rest, ok := strings.CutPrefix(string(b), "m2m:"); ok {
			return strconv.ParseUint(rest, 10, 64)
		}
	}
	return 0, errors.New("bad cursor")
}

// ---- token endpoint and JWKS (§4, §5)

func (s *stytchAPI) token(w http.ResponseWriter, r *http.Request, p []string) {
	if p[0] != s.projectID {
		s.replyError(w, stytchErrProjectNotFound)
		return
	}
	tok, e := s.mint(r)
	if e != nil {
		s.replyOAuthError(w, e)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.reply(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": stytchTokenLifetime})
}

func (s *stytchAPI) mint(r *http.Request) (string, *oauthError) {
	form, err := tokenParams(r)
	if err != nil {
		return "", &oauthError{400, "invalid_request", "The request body could not be read: " + err.Error() + "."}
	}
	switch gt := form.Get("grant_type"); {
	case gt == "":
		return "", &oauthError{400, "invalid_request", "grant_type is required."}
	case gt != "client_credentials":
		return "", &oauthError{400, "unsupported_grant_type", "Only the client_credentials grant type is supported."}
	}
	id, secret := form.Get("client_id"), form.Get("client_secret")
	if !form.Has("client_id") && !form.Has("client_secret") {
		id, secret = basicCredentials(r)
	}
	if id == "" || secret == "" {
		return "", &oauthError{400, "invalid_request", "client_id and client_secret are required."}
	}
	s.mu.RLock()
	c := s.clients[id]
	var scopes []string
	ok := c != nil && c.secretMatches(secret) && c.status == "active"
	if ok {
		scopes = slices.Clone(c.scopes)
	}
	s.mu.RUnlock()
	if !ok {
		return "", stytchTokenErrClient
	}
	if requested := strings.Fields(form.Get("scope")); len(requested) > 0 {
		for _, sc := range requested {
			if !slices.Contains(scopes, sc) {
				return "", &oauthError{400, "invalid_scope", fmt.Sprintf("The client does not hold the scope %q.", sc)}
			}
		}
		scopes = dedupe(requested)
	}
	now := s.now().Unix()
	s.keysMu.RLock()
	sg := s.signers[len(s.signers)-1]
	s.keysMu.RUnlock()
	tok, err := sg.sign(jwt.MapClaims{
		"aud": []string{s.projectID}, "iss": s.issuer, "sub": id, "scope": strings.Join(scopes, " "),
		"iat": now, "nbf": now, "exp": now + stytchTokenLifetime,
	})
	if err != nil {
		return "", &oauthError{500, "server_error", "The token could not be signed."}
	}
	return tok, nil
}

// jwksOf serves the JWKS at the path of vertical: the project's keys at its own vertical's
// path, the spec's error at the other one.
func (s *stytchAPI) jwksOf(vertical string) func(http.ResponseWriter, *http.Request, []string) {
	return func(w http.ResponseWriter, r *http.Request, p []string) {
		if p[0] == s.projectID && vertical != s.vertical {
			s.replyError(w, stytchErrOtherVertical[s.vertical])
			return
		}
		s.jwks(w, r, p)
	}
}

func (s *stytchAPI) jwks(w http.ResponseWriter, _ *http.Request, p []string) {
	if p[0] != s.projectID {
		s.replyError(w, stytchErrProjectNotFound)
		return
	}
	s.keysMu.RLock()
	keys := make([]any, len(s.signers))
	for i, sg := range s.signers {
		jwk := sg.key.jwkMembers(sg.kid)
		jwk["key_ops"] = []string{"verify"}
		jwk["x5tS256"] = sha256Thumb(sg.key.certDER)
		keys[i] = jwk
	}
	s.keysMu.RUnlock()
	s.reply(w, http.StatusOK, map[string]any{"keys": keys})
}

// ---- inspection

// InspectedClient is one entry of GET /_sandbox/clients on the Stytch listener: a stored
// client without its secret, but with what proves which secret it holds.
type InspectedClient struct {
	ClientID                 string         `json:"client_id"`
	ClientName               string         `json:"client_name"`
	ClientDescription        string         `json:"client_description"`
	Status                   string         `json:"status"`
	Scopes                   []string       `json:"scopes"`
	TrustedMetadata          map[string]any `json:"trusted_metadata"`
	ClientSecretLastFour     string         `json:"client_secret_last_four"`
	ClientSecretSHA256       string         `json:"client_secret_sha256"` // hex
	NextClientSecretLastFour string         `json:"next_client_secret_last_four,omitempty"`
	NextClientSecretSHA256   string         `json:"next_client_secret_sha256,omitempty"`
}

func (s *stytchAPI) inspectClients(w http.ResponseWriter, _ *http.Request, _ []string) {
	s.mu.RLock()
	all := make([]*m2mClient, 0, len(s.clients))
	for _, c := range s.clients {
		all = append(all, c)
	}
	slices.SortFunc(all, bySeq)
	out := make([]InspectedClient, len(all))
	for i, c := range all {
		j := c.json()
		out[i] = InspectedClient{
			ClientID: j.ClientID, ClientName: j.ClientName, ClientDescription: j.ClientDescription,
			Status: j.Status, Scopes: j.Scopes, TrustedMetadata: j.TrustedMetadata,
			ClientSecretLastFour: c.lastFour, ClientSecretSHA256: hex.EncodeToString(c.secretHash[:]),
		}
		if c.nextHash != nil {
			out[i].NextClientSecretLastFour = c.nextLastFour
			out[i].NextClientSecretSHA256 = hex.EncodeToString(c.nextHash[:])
		}
	}
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, map[string]any{"clients": out})
}
