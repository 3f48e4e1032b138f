package stytch

import (
	"encoding/json"

	"github.com/m2mport/m2mport/client"
)

// Stytch's environments and limits (spec §1–§3). searchBatch is assumed: the spec gives
// 1000 as search's maximum limit and assumes as many client_id values per filter are fine.
const (
	liveBaseURL = "https://api.stytch.com"
	testBaseURL = "https://test.stytch.com"
	livePrefix  = "project-live-"
	searchBatch = 1000
	searchLimit = 1000
	// The search's default page size (spec §3), and m2mport's own bounds on one search:
	// pages past what its first total makes, and pages when it gives none (-1).
	searchDefaultLimit = 100
	searchPageMargin   = 2
	searchMaxPages     = 1000
	clientsPath        = "/v1/m2m/clients"
	b2bJWKSPath        = "/v1/b2b/sessions/jwks/"
	userJWKSPath       = "/v1/sessions/jwks/"
)

// Error types the API answers with beyond the ones package client names.
const (
	codeInvalidClientID   = "m2m_client_invalid_client_id"
	codeMetadataKeys      = "metadata_too_many_keys"
	codeMetadataSize      = "metadata_too_large"
	codeAlreadyRotating   = "m2m_client_already_rotating_secret"
	codeNotRotating       = "m2m_client_not_rotating_secret"
	codeSearchFilterName  = "m2m_search_filter_name_not_recognized"
	codeInvalidRequest    = "invalid_request"
	codeUnsupportedGrant  = "unsupported_grant_type"
	codeInternalServerErr = "internal_server_error"
)

// hints says what to do about each error type.
var hints = map[string]string{
	client.CodeUnauthorized:      "check the project ID and secret (Stytch dashboard > API keys); test and live projects have different secrets",
	client.CodeDuplicateClientID: "the project already has a client with this ID",
	client.CodeInsecureSecret:    "Stytch finds this secret too weak: rotate it in Auth0 to a long random one, then import again",
	client.CodeSecretTooLong:     "Stytch finds this secret too long: rotate it in Auth0 to a shorter one, then import again",
	client.CodeInvalidScope:      "scopes must be 1–128 printable characters without spaces: fix it in the scope editor",
	client.CodeTooManyScopes:     "Stytch allows at most 100 scopes per client: drop some in the scope editor",
	client.CodeClientNotFound:    "the client is not in this project: check the project ID and the client ID",
	codeInvalidClientID:          "Stytch refuses this client ID (empty, too long, or with spaces or control characters)",
	codeMetadataKeys:             "Stytch allows at most 20 metadata keys: trim the client's metadata",
	codeMetadataSize:             "Stytch allows at most 4 KB of metadata: trim the client's metadata",
	codeAlreadyRotating:          "a secret rotation is already under way: complete or cancel it first",
	codeNotRotating:              "no secret rotation is under way: start one first",
	codeSearchFilterName:         "this is a bug in m2mport; please report it with this message",
	client.CodeInvalidClient:     "Stytch did not accept the client's ID and secret: is it imported, active, and holding this secret?",
	client.CodeInvalidOAuthScp:   "ask only for scopes the client holds",
	codeInvalidRequest:           "this is a bug in m2mport; please report it with this message",
	codeUnsupportedGrant:         "this is a bug in m2mport; please report it with this message",
	codeInternalServerErr:        "Stytch had a problem; try again in a few minutes",
}

func hint(e *client.APIError) string { return hints[e.Code] }

// decodeError reads both error shapes: the envelope's error_type/error_message and the
// token endpoint's OAuth error/error_description. Both carry request_id.
func decodeError(body []byte, e *client.APIError) {
	var b struct {
		RequestID        string `json:"request_id"`
		ErrorType        string `json:"error_type"`
		ErrorMessage     string `json:"error_message"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	if json.Unmarshal(body, &b) != nil {
		return
	}
	e.RequestID = b.RequestID
	e.Code, e.Message = b.ErrorType, b.ErrorMessage
	if e.Code == "" {
		e.Code, e.Message = b.Error, b.ErrorDescription
	}
}

type m2mClient struct {
	ClientID                 string         `json:"client_id"`
	ClientName               string         `json:"client_name"`
	ClientDescription        string         `json:"client_description"`
	Status                   string         `json:"status"`
	Scopes                   []string       `json:"scopes"`
	ClientSecretLastFour     string         `json:"client_secret_last_four"`
	NextClientSecretLastFour *string        `json:"next_client_secret_last_four"`
	TrustedMetadata          map[string]any `json:"trusted_metadata"`
	NextClientSecret         string         `json:"next_client_secret"` // rotate/start only
}

func (m *m2mClient) stored() client.Stored {
	s := client.Stored{
		ID:          m.ClientID,
		Name:        m.ClientName,
		Description: m.ClientDescription,
		Status:      m.Status,
		Scopes:      client.NewScopes(m.Scopes...),
		Metadata:    m.TrustedMetadata,
		SecretLast4: m.ClientSecretLastFour,
	}
	if m.NextClientSecretLastFour != nil {
		s.NextSecretLast4 = *m.NextClientSecretLastFour
	}
	return s
}

// answered is the request id every answer carries, kept in the run report.
type answered struct {
	RequestID string `json:"request_id"`
}

func (a *answered) requestID() string { return a.RequestID }

type clientAnswer struct {
	answered
	M2MClient *m2mClient `json:"m2m_client"`
}

type deleteAnswer struct {
	answered
	ClientID string `json:"client_id"`
}

type searchAnswer struct {
	M2MClients      []m2mClient `json:"m2m_clients"`
	ResultsMetadata struct {
		NextCursor *string `json:"next_cursor"`
		Total      *int    `json:"total"`
	} `json:"results_metadata"`
}

type createBody struct {
	ClientID          string         `json:"client_id"`
	ClientSecret      string         `json:"client_secret"`
	ClientName        string         `json:"client_name,omitempty"`
	ClientDescription string         `json:"client_description,omitempty"`
	Scopes            []string       `json:"scopes"`
	TrustedMetadata   map[string]any `json:"trusted_metadata,omitempty"`
}

type tokenAnswer struct {
	answered
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

type jwk struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}
