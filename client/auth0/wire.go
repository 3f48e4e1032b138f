package auth0

import (
	"bytes"
	"encoding/json"
	"iter"
	"net/http"
	"reflect"
	"strings"

	"github.com/m2mport/m2mport/client"
)

// The Management API's limits and names m2mport relies on (spec §2–§4, §6).
const (
	perPage       = 100 // the Management API's maximum page size
	grantTypeCC   = "client_credentials"
	authNone      = "none"
	subjectClient = "client"
	managementV2  = "/api/v2/"
)

// Bounds of m2mport's own on paged reads (not Auth0's): they stop a server, or something
// between it and us, that would make a list endless (issue 15.4). maxListItems is far above
// any tenant m2mport was built for, and is also the most a list's announced total may be;
// pageMargin is how many pages past the first answer's total are tolerated (items created
// while reading).
const (
	maxListItems  = 200_000
	pageMargin    = 2
	maxScopeNotes = 5 // trimmed scopes named in the warning; the rest are counted
)

// subjectTypes are the subjects a client grant may have (spec §3).
var subjectTypes = []string{"client", "user", "anonymous_user"}

// Scopes the reader needs on the Management API grant, and what lacking each costs.
var requiredScopes = []client.MissingPermission{
	{Scope: "read:clients", Consequence: "applications cannot be listed, so there is nothing to import"},
	{Scope: "read:client_keys", Consequence: "client secrets are hidden, so no client can be imported"},
	{Scope: "read:client_grants", Consequence: "client grants are hidden, so no client's scopes are known"},
	{Scope: "read:resource_servers", Consequence: "API names, scope descriptions and allow-all grants are unknown"},
}

// standIns are scopes that give what a required scope gives: the client list answers any of
// read:clients, read:client_keys, read:client_summary (spec §5), and read:client_credentials
// reveals secrets as read:client_keys does (spec §2).
var standIns = map[string][]string{
	"read:clients":     {"read:client_keys", "read:client_summary"},
	"read:client_keys": {"read:client_credentials"},
}

// appFields are the client fields the reader asks for: everything it uses and nothing
// bulky (signing_keys carry certificates).
const appFields = "client_id,client_secret,name,description,app_type,client_metadata,grant_types," +
	"token_endpoint_auth_method,client_authentication_methods,tenant"

type tokenAnswer struct {
	AccessToken string  `json:"access_token"`
	ExpiresIn   int64   `json:"expires_in"`
	Scope       *string `json:"scope"` // nil when the answer has none (see tokenScopes)
	TokenType   string  `json:"token_type"`
}

type app struct {
	ClientID       string       `json:"client_id"`
	ClientSecret   string       `json:"client_secret"`
	Name           string       `json:"name"`
	Description    string       `json:"description"`
	AppType        string       `json:"app_type"`
	ClientMetadata metadataJSON `json:"client_metadata"`
	// GrantTypes is nil when absent: Auth0 then applies the app type's default, which for
	// non_interactive apps is client_credentials.
	GrantTypes                  *[]string                  `json:"grant_types"`
	TokenEndpointAuthMethod     *string                    `json:"token_endpoint_auth_method"`
	ClientAuthenticationMethods map[string]json.RawMessage `json:"client_authentication_methods"`
	Tenant                      string                     `json:"tenant"`
}

// metadataJSON is an app's client_metadata as it came, an object, decoded by the reader
// (once for every app whose metadata is the same). nil when absent or null. Anything but an
// object is refused as decoding it into a map would be, so a page of the wrong shape still
// fails where it is decoded.
type metadataJSON []byte

func (m *metadataJSON) UnmarshalJSON(b []byte) error {
	switch b[0] { // the decoder hands over one whole, valid value
	case 'n':
		*m = nil
	case '{':
		*m = bytes.Clone(b) // b is the decoder's, only for this call
	default:
		kind := map[byte]string{'[': "array", '"': "string", 't': "bool", 'f': "bool"}[b[0]]
		if kind == "" {
			kind = "number"
		}
		return &json.UnmarshalTypeError{Value: kind, Type: reflect.TypeFor[map[string]any]()}
	}
	return nil
}

type grant struct {
	ID             string   `json:"id"`
	ClientID       string   `json:"client_id"`
	Audience       string   `json:"audience"`
	Scope          []string `json:"scope"`
	SubjectType    string   `json:"subject_type"`
	AllowAllScopes bool     `json:"allow_all_scopes"`
	IsSystem       bool     `json:"is_system"`
	// OrganizationUsage and AllowAnyOrganization say whether tokens for the API are bound to
	// an organization (spec §3).
	OrganizationUsage    string `json:"organization_usage"`
	AllowAnyOrganization bool   `json:"allow_any_organization"`
}

type resourceServer struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Identifier    string `json:"identifier"`
	IsSystem      bool   `json:"is_system"`
	TokenLifetime int    `json:"token_lifetime"`
	Scopes        []struct {
		Value       string `json:"value"`
		Description string `json:"description"`
	} `json:"scopes"`
}

// listPage is a page of any of the three lists, as sent with include_totals=true, or with
// take/from (no total; next names the following page, absent on the last).
type listPage struct {
	Total           int              `json:"total"`
	Next            string           `json:"next,omitempty"`
	Clients         []app            `json:"clients"`
	ClientGrants    []grant          `json:"client_grants"`
	ResourceServers []resourceServer `json:"resource_servers"`
}

func (p *listPage) len() int { return len(p.Clients) + len(p.ClientGrants) + len(p.ResourceServers) }

// ids are the page's items by kind (client, grant, API) and id, "" where absent.
func (p *listPage) ids() iter.Seq2[string, string] {
	return func(yield func(kind, id string) bool) {
		for i := range p.Clients {
			if !yield("client", p.Clients[i].ClientID) {
				return
			}
		}
		for i := range p.ClientGrants {
			if !yield("grant", p.ClientGrants[i].ID) {
				return
			}
		}
		for i := range p.ResourceServers {
			if !yield("API", p.ResourceServers[i].ID) {
				return
			}
		}
	}
}

// decodeError reads both error shapes: the Management API's
// {"statusCode","error","message","errorCode"} and OAuth's {"error","error_description"}.
func decodeError(body []byte, e *client.APIError) {
	var b struct {
		StatusCode       int    `json:"statusCode"`
		Error            string `json:"error"`
		Message          string `json:"message"`
		ErrorCode        string `json:"errorCode"`
		ErrorDescription string `json:"error_description"`
	}
	if json.Unmarshal(body, &b) != nil {
		return
	}
	if b.StatusCode != 0 || b.Message != "" || b.ErrorCode != "" {
		// Management API: "error" is only the HTTP reason phrase.
		e.Code, e.Message = b.ErrorCode, b.Message
		if e.Message == "" {
			e.Message = b.Error
		}
		return
	}
	e.Code, e.Message = b.Error, b.ErrorDescription
}

// Token endpoint answers (spec §1). "unauthorized_client" for a missing grant type is
// assumed.
func isBadCredentials(e *client.APIError) bool {
	return e.Status == http.StatusUnauthorized ||
		e.Code == client.CodeInvalidClient ||
		(e.Code == client.CodeAccessDenied && strings.EqualFold(e.Message, "Unauthorized"))
}

func isUnknownAudience(e *client.APIError) bool {
	return strings.Contains(e.Message, "Service not enabled within domain")
}

func isNotAuthorizedForAPI(e *client.APIError) bool {
	return strings.Contains(e.Message, "is not authorized to access")
}

func isGrantTypeRefused(e *client.APIError) bool { return e.Code == "unauthorized_client" }

func isScopeNotGranted(e *client.APIError) bool {
	return strings.Contains(e.Message, "has not been granted scopes")
}

func isInsufficientScope(e *client.APIError) bool {
	return e.Status == http.StatusForbidden && e.Code == "insufficient_scope"
}

// hint says what to do about an answer of the Management API. Token errors get their own
// hints where the token is fetched, since whose credentials they were matters.
func hint(e *client.APIError) string {
	switch {
	case strings.HasPrefix(e.Path, managementV2) && e.Status == http.StatusUnauthorized:
		return "Auth0 refused the Management API token; check the domain and the app's credentials"
	case isInsufficientScope(e):
		return "add the missing scope to the Management API grant of the app m2mport uses (Applications > APIs > Auth0 Management API > Machine to Machine Applications)"
	case e.Code == "invalid_query_string" || e.Code == "invalid_request" || e.Code == "unsupported_grant_type":
		return "this is a bug in m2mport; please report it with this message"
	}
	return ""
}
