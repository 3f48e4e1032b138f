package sandbox

// Facts and assumptions of the Stytch emulator, from ../shared/specs/stytch.md. Anything the
// spec marks "assumed", and every choice it leaves open (error types and messages it does not
// name, how search filters match), is here and nowhere else.

import "strconv"

// Limits (§3 "Assumed limits"). Lengths count characters (runes), not bytes.
const (
	stytchSecretMinLen        = 8
	stytchSecretMaxLen        = 256
	stytchSecretMinDistinct   = 6
	stytchScopeMaxLen         = 128
	stytchMaxScopes           = 100
	stytchNameMaxLen          = 256
	stytchDescriptionMaxLen   = 1024
	stytchMetadataMaxKeys     = 20
	stytchMetadataMaxBytes    = 4096
	stytchClientIDMaxLen      = 256
	stytchSearchDefaultLimit  = 100
	stytchSearchMaxLimit      = 1000
	stytchSearchMaxValues     = 1000 // per operand; the spec assumes 1000 values per call is fine
	stytchTokenLifetime       = 3600 // seconds
	stytchGeneratedSecretSize = 33   // random bytes: 44 characters of URL-safe base64
)

// Search (§3): filters match exactly; client_id and client_name match any of the values,
// scopes matches clients holding any of the given scopes (the spec). Operators are "AND" and
// "OR", upper case (assumed strict). Results come in creation order.
var stytchSearchFilters = []string{"client_id", "client_name", "scopes"}

// stytchError is an error answer in Stytch's envelope (§1).
type stytchError struct {
	status  int
	typ     string
	message string
}

func (e *stytchError) url() string {
	return "https://stytch.com/docs/api/errors/" + strconv.Itoa(e.status)
}

// Error types the spec names, with messages where it gives them (the rest are assumed).
var (
	stytchErrUnauthorized     = &stytchError{401, "unauthorized_credentials", "Unauthorized credentials."}
	stytchErrNotFound         = &stytchError{404, "m2m_client_not_found", "The m2m client requested could not be found."}
	stytchErrDuplicateID      = &stytchError{400, "duplicate_m2m_client_id", "An m2m client with this client_id already exists in this project."}
	stytchErrInsecureSecret   = &stytchError{400, "insecure_m2m_client_secret", "client_secret must be at least 8 characters long and contain at least 6 distinct characters."}
	stytchErrSecretTooLong    = &stytchError{400, "client_secret_too_long", "client_secret must be at most 256 characters long."}
	stytchErrInvalidClientID  = &stytchError{400, "m2m_client_invalid_client_id", "client_id must be 1 to 256 characters with no whitespace or control characters."}
	stytchErrInvalidScope     = &stytchError{400, "invalid_m2m_client_scope", "Each scope must be 1 to 128 printable ASCII characters without spaces."}
	stytchErrTooManyScopes    = &stytchError{400, "too_many_m2m_client_scopes", "An m2m client may have at most 100 scopes."}
	stytchErrMetadataKeys     = &stytchError{400, "metadata_too_many_keys", "trusted_metadata may have at most 20 top-level keys."}
	stytchErrMetadataSize     = &stytchError{400, "metadata_too_large", "trusted_metadata must be at most 4 KB when serialized."}
	stytchErrSearchFilter     = &stytchError{400, "m2m_search_filter_name_not_recognized", "filter_name must be one of client_id, client_name, scopes."}
	stytchErrAlreadyRotating  = &stytchError{400, "m2m_client_already_rotating_secret", "This m2m client is already rotating its secret."}
	stytchErrNotRotating      = &stytchError{400, "m2m_client_not_rotating_secret", "This m2m client is not rotating its secret."}
	stytchErrTooManyRequests  = &stytchError{429, "too_many_requests", "Too many requests have been made."}
	stytchErrInternal         = &stytchError{500, "internal_server_error", "Oops, something seems to have gone wrong, please reach out to support@stytch.com to let us know what went wrong."}
	stytchErrNameTooLong      = &stytchError{400, "m2m_client_name_too_long", "client_name must be at most 256 characters."}                // assumed type
	stytchErrDescTooLong      = &stytchError{400, "m2m_client_description_too_long", "client_description must be at most 1024 characters."} // assumed type
	stytchErrInvalidStatus    = &stytchError{400, "invalid_m2m_client_status", "status must be active or inactive."}                        // assumed type
	stytchErrSearchOperator   = &stytchError{400, "m2m_search_operator_not_recognized", "operator must be AND or OR."}                      // assumed sibling
	stytchErrSearchValue      = &stytchError{400, "m2m_search_filter_value_invalid", "filter_value must be a non-empty array of strings."}  // assumed sibling
	stytchErrSearchTooMany    = &stytchError{400, "m2m_search_too_many_filter_values", "filter_value may hold at most 1000 values."}        // assumed sibling
	stytchErrSearchLimit      = &stytchError{400, "m2m_search_limit_invalid", "limit must be between 1 and 1000."}                          // assumed sibling
	stytchErrSearchCursor     = &stytchError{400, "m2m_search_cursor_invalid", "cursor is not one this endpoint handed out."}               // assumed sibling
	stytchErrProjectNotFound  = &stytchError{404, "project_not_found", "The project in the path could not be found."}                       // assumed
	stytchErrRouteNotFound    = &stytchError{404, "route_not_found", "The requested route does not exist."}                                 // assumed
	stytchErrMethodNotAllowed = &stytchError{405, "method_not_allowed", "The requested method is not allowed on this route."}               // assumed
	stytchErrUnavailable      = &stytchError{503, "service_unavailable", "The service is temporarily unavailable, please retry."}           // assumed
)

// Project verticals (§2): a project serves its keys only at its own vertical's JWKS path.
// The other path's answer is assumed (the spec: 400 in the envelope, invalid_project_vertical).
const (
	stytchVerticalB2B      = "b2b"
	stytchVerticalConsumer = "consumer"
)

var stytchErrOtherVertical = map[string]*stytchError{
	stytchVerticalB2B:      {400, "invalid_project_vertical", "This project is a B2B project; its keys are served at /v1/b2b/sessions/jwks/{project_id}."},  // assumed
	stytchVerticalConsumer: {400, "invalid_project_vertical", "This project is a Consumer project; its keys are served at /v1/sessions/jwks/{project_id}."}, // assumed
}

func parseVertical(v string) (string, error) {
	switch v {
	case "":
		return stytchVerticalB2B, nil
	case stytchVerticalB2B, stytchVerticalConsumer:
		return v, nil
	}
	return "", badOption("stytch vertical %q: want b2b or consumer", v)
}

// stytchBadRequest is a body that is not the JSON the endpoint takes (assumed type).
func stytchBadRequest(message string) *stytchError {
	return &stytchError{400, "bad_request", message}
}

// stytchErrContentType answers a management body sent without Content-Type: application/json
// (§1 says management calls carry it; what Stytch answers without it is assumed).
var stytchErrContentType = stytchBadRequest("Content-Type must be application/json.")

// Token endpoint errors (§4): OAuth names in the envelope, status 400. Body credentials win
// over an HTTP Basic header; Basic is read only when the body carries neither client_id nor
// client_secret.
const stytchOAuthErrorURI = "https://stytch.com/docs/api/errors/400"

var (
	stytchTokenErrClient = &oauthError{400, "invalid_client", "Client authentication failed: unknown client, wrong secret or inactive client."}
)
