package sandbox

// Facts and assumptions of the Auth0 emulator, from ../shared/specs/auth0.md. Anything the
// spec marks "assumed", and every choice the spec leaves open, is here and nowhere else.

import (
	"fmt"
	"strings"
)

const (
	auth0Tenant          = "acme"
	auth0TokenLifetime   = 86400 // seconds, /oauth/token expires_in and exp - iat
	auth0MaxPerPage      = 100
	auth0DefaultPerPage  = 50
	auth0DefaultTake     = 50 // assumed: checkpoint paging with from but no take
	auth0ManagementAPI   = "Auth0 Management API"
	auth0GrantTypeClient = "client_credentials"
	auth0SubjectClient   = "client"
	auth0MsgNoClient     = "The client does not exist" // §5, as recorded (older docs: "Client not found.")
)

// Grant subject types (§3): only "client" grants are a client's own permissions.
var auth0SubjectTypes = []string{"client", "user", "anonymous_user"}

// The Management API scopes m2mport needs, the default grant of the Management-API app.
var auth0NeededScopes = []string{"read:clients", "read:client_keys", "read:client_grants", "read:resource_servers"}

// Rate limits (§6). The default is generous but still a bucket, so the headers are real.
// /oauth/token has its own bucket: Auth0's published 30/s burst 30 when a management rate is
// set explicitly (a realistic tenant), the generous default otherwise.
var (
	defaultAuth0Rate = Rate{PerSecond: 1000, Burst: 1000}
	auth0TokenRate   = Rate{PerSecond: 30, Burst: 30}
)

func tokenRate(management Rate) Rate {
	if management.IsZero() {
		return defaultAuth0Rate
	}
	return auth0TokenRate
}

// Scopes each management endpoint accepts (any one of them), §5's insufficient_scope row.
var (
	auth0ClientsScopes         = []string{"read:clients", "read:client_keys", "read:client_summary"}
	auth0ClientGrantsScopes    = []string{"read:client_grants"}
	auth0ResourceServersScopes = []string{"read:resource_servers"}
)

// auth0SecretScopes reveal client_secret, client_authentication_methods and signing_keys
// (§2: the secret is present only with read:client_keys or read:client_credentials; §7).
var auth0SecretScopes = []string{"read:client_keys", "read:client_credentials"}

// auth0SecretFields are the fields hidden from a token without auth0SecretScopes.
var auth0SecretFields = []string{"client_secret", "client_authentication_methods", "signing_keys"}

// The system API's scopes (a realistic subset of the real Management API's).
var auth0ManagementScopes = []scopeDef{
	{"read:clients", "Read Clients"},
	{"create:clients", "Create Clients"},
	{"update:clients", "Update Clients"},
	{"delete:clients", "Delete Clients"},
	{"read:client_keys", "Read Client Keys"},
	{"update:client_keys", "Update Client Keys"},
	{"read:client_credentials", "Read Client Credentials"},
	{"read:client_summary", "Read Client Summary"},
	{"read:client_grants", "Read Client Grants"},
	{"create:client_grants", "Create Client Grants"},
	{"update:client_grants", "Update Client Grants"},
	{"delete:client_grants", "Delete Client Grants"},
	{"read:resource_servers", "Read Resource Servers"},
	{"create:resource_servers", "Create Resource Servers"},
	{"update:resource_servers", "Update Resource Servers"},
	{"read:users", "Read Users"},
	{"read:logs", "Read Logs"},
	{"read:tenant_settings", "Read Tenant Settings"},
}

// OAuth errors of POST /oauth/token (§1). Choices the spec leaves open:
//   - unknown client_id answers the older tenants' access_denied/Unauthorized, a wrong secret
//     the spec's invalid_client/Client authentication failed: readers must treat both alike,
//     and the sandbox makes them meet both;
//   - credentials come from the body when it carries client_id, else from HTTP Basic;
//   - a missing audience is invalid_request (the sandbox tenant has no default audience);
//   - a missing client_credentials grant type is 403 unauthorized_client (assumed in the spec).
func auth0OAuthErr(status int, code, format string, args ...any) *oauthError {
	return &oauthError{status: status, code: code, description: fmt.Sprintf(format, args...)}
}

var (
	auth0ErrUnknownClient = &oauthError{401, "access_denied", "Unauthorized"}
	auth0ErrWrongSecret   = &oauthError{401, "invalid_client", "Client authentication failed"}
	auth0ErrNoClientCreds = &oauthError{403, "unauthorized_client", "Grant type 'client_credentials' not allowed for the client."}
	auth0ErrTokenRate     = &oauthError{429, "too_many_requests", "Rate limit exceeded. Please retry after some time."}
)

func auth0ErrNoGrant(audience string) *oauthError {
	return auth0OAuthErr(403, "access_denied", "Client is not authorized to access %q. You might probably want to create a \"client-grant\" associated to this API.", audience)
}

func auth0ErrUnknownAudience(audience string) *oauthError {
	return auth0OAuthErr(403, "access_denied", "Service not enabled within domain: %s", audience)
}

// Organizations (§3): a grant's organization_usage says whether a token for its API may
// (allow) or must (require) be asked for an organization, with the token request's
// organization parameter; such a token carries org_id. The sandbox keeps no organizations:
// any id with Auth0's "org_" prefix is one the client belongs to (assumed, as are the three
// answers below; the spec gives none of them).
const (
	auth0OrgRequire = "require"
	auth0OrgAllow   = "allow"
	auth0OrgPrefix  = "org_"
)

func auth0ErrOrgRequired(audience string) *oauthError {
	return auth0OAuthErr(403, "access_denied", "An organization is required to access %q.", audience)
}

func auth0ErrOrgDenied(audience string) *oauthError {
	return auth0OAuthErr(403, "access_denied", "Organizations are not allowed for this client on %q.", audience)
}

func auth0ErrUnknownOrg(org string) *oauthError {
	return auth0OAuthErr(400, "invalid_request", "Invalid organization: %s", org)
}

func auth0ErrScopesNotGranted(scopes []string) *oauthError {
	return auth0OAuthErr(403, "access_denied", "Client has not been granted scopes: %s", strings.Join(scopes, ", "))
}

// Management API error bodies (§5): {"statusCode","error","message","errorCode"}.
type mgmtError struct {
	StatusCode int    `json:"statusCode"`
	Error      string `json:"error"`
	Message    string `json:"message"`
	ErrorCode  string `json:"errorCode,omitempty"`
}

// 401 messages (§5). A missing Authorization header is "Missing authentication" (assumed:
// what Auth0 answers, not listed in the spec).
const (
	auth0MsgMissingAuth  = "Missing authentication"
	auth0MsgInvalidToken = "Invalid token"
	auth0MsgExpiredToken = "Expired token received for JSON Web Token validation"
	auth0MsgBadAudience  = "Bad audience: "
	auth0MsgRateLimited  = "Global limit has been reached"
)

// Fault bodies of the OAuth endpoint for 500/503 (assumed).
var auth0OAuthServerErrors = map[int]*oauthError{
	500: {500, "server_error", "Internal server error."},
	503: {503, "temporarily_unavailable", "The service is temporarily unavailable."},
}

// Messages of the Management API for statuses the pipeline decides (assumed besides 429).
var auth0MgmtStatusMessages = map[int]mgmtError{
	404: {404, "Not Found", "Not Found", ""},
	405: {405, "Method Not Allowed", "Method Not Allowed", ""},
	429: {429, "Too Many Requests", auth0MsgRateLimited, "too_many_requests"},
	500: {500, "Internal Server Error", "Internal Server Error", ""},
	503: {503, "Service Unavailable", "Service Unavailable", ""},
}
