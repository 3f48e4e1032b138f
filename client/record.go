package client

import (
	"bytes"
	"encoding/json"
	"slices"
)

// Client is one M2M client as m2mport moves it: what the source holds, what will be written
// to the target, and where it came from.
type Client struct {
	ID          string
	Secret      Secret
	Name        string
	Description string
	// Scopes are the scopes the client will hold in the target. A source fills them with the
	// union of every grant's scopes; the operator may change them before the import.
	Scopes Scopes
	// Metadata is Auth0's client_metadata, written to Stytch as trusted_metadata. Values are
	// JSON values as encoding/json decodes them (string, float64, bool, nil, []any, map[string]any).
	Metadata map[string]any

	// Provenance: what the source said, kept for the UI and the report.

	// Grants are the source's grants to this client, one per API audience, sorted by audience.
	Grants []Grant
	// AppType is the source's application type ("non_interactive" for Auth0 M2M apps,
	// AppTypeNone for an Auth0 app without one; empty for a client from a file). A source
	// offers an app of any type that may use the client credentials grant (Auth0: "regular_web"
	// apps services use like M2M apps); TypeNote says so where the type is not M2M's.
	AppType string
	// Blocked lists why the client cannot be imported as it stands; empty when it can.
	Blocked []Blocker
	// LeftOut says why "all" (the --all flag, the select-all key) leaves this importable
	// client out, e.g. because it is the app m2mport reads the source with; "" = it is
	// included. Naming the client explicitly still imports it.
	LeftOut string
	// Accepted are the keys (Widening.Key) of the widenings of access the operator accepted
	// knowingly for this client; see Guard.
	Accepted []string
}

// Grant is the set of scopes a client was granted on one API.
type Grant struct {
	Audience string // the API's identifier, e.g. "https://api.example.com/"
	API      string // the API's display name, when known
	Scopes   Scopes
	// AllowAll records that the source granted every scope of the API (Auth0's
	// allow_all_scopes); Scopes then holds the API's scopes at the time of reading.
	AllowAll bool
	// System marks a grant to the source's own management API (Auth0's Management API).
	// Its scopes mean nothing to the target, so they are carried over only when asked for.
	System bool
	// OrgUsage is Auth0's organization_usage: whether tokens for this API may (OrgAllow) or
	// must (OrgRequire) be requested for an organization, and then carry its org_id. ""
	// and OrgDeny: never. Stytch's tokens carry no organization.
	OrgUsage OrgUsage
	// AnyOrg is Auth0's allow_any_organization: the client may ask for a token for any
	// organization, not only those it was added to.
	AnyOrg bool
}

// OrgUsage is how a grant's tokens relate to organizations (Auth0's organization_usage).
type OrgUsage string

const (
	OrgDeny    OrgUsage = "deny"    // tokens are never for an organization (also when absent)
	OrgAllow   OrgUsage = "allow"   // with or without an organization
	OrgRequire OrgUsage = "require" // only for an organization: every token carries org_id
)

// Stricter reports whether u binds tokens to organizations more than o does: require, then
// allow, then deny or absent. A client's grants on one API merge to the strictest.
func (u OrgUsage) Stricter(o OrgUsage) bool { return u.rank() > o.rank() }

// Required reports whether every token for the API carries an organization. A value m2mport
// does not know counts as require: guessing it looser could widen access.
func (u OrgUsage) Required() bool { return u.rank() == 2 }

func (u OrgUsage) rank() int {
	switch u {
	case "", OrgDeny:
		return 0
	case OrgAllow:
		return 1
	}
	return 2
}

// ScopesOf returns the union of the scopes of the grants whose audience is in audiences, or
// of every grant but the System ones when audiences is nil.
func ScopesOf(grants []Grant, audiences []string) Scopes {
	var out Scopes
	for _, g := range grants {
		if (audiences == nil && !g.System) || slices.Contains(audiences, g.Audience) {
			out = out.Union(g.Scopes)
		}
	}
	return out
}

// Importable reports whether nothing blocks the client.
func (c *Client) Importable() bool { return len(c.Blocked) == 0 }

// IsM2M reports whether the client is machine-to-machine as m2mport counts it: an app that
// may use the client credentials grant, whatever its type. A source that lists other apps
// too (for the UI to grey out) blocks them with BlockNotM2M. Clients from a file count as M2M.
func (c *Client) IsM2M() bool {
	return !slices.ContainsFunc(c.Blocked, func(b Blocker) bool { return b.Reason == BlockNotM2M })
}

// AppTypeM2M is Auth0's app_type for machine-to-machine applications; AppTypeNone stands for
// an Auth0 app that has no app_type (apps created through the Management API without one).
const (
	AppTypeM2M  = "non_interactive"
	AppTypeNone = "untyped"
)

// TypeNote names the client's application type when it is not a machine-to-machine app's,
// e.g. "regular web app": such an app is imported because it may use the client credentials
// grant, and the operator should know it also signs people in. "" for M2M apps and for
// clients from a file.
func (c *Client) TypeNote() string {
	switch c.AppType {
	case "", AppTypeM2M:
		return ""
	case AppTypeNone:
		return "typeless app"
	case "regular_web":
		return "regular web app"
	case "spa":
		return "single-page app"
	case "native":
		return "native app"
	}
	return c.AppType + " app"
}

// BlockReason says, in one word, why a client cannot be imported.
type BlockReason string

const (
	BlockNotM2M        BlockReason = "not_m2m"               // a SPA, native or web app
	BlockKeyBased      BlockReason = "key_based"             // private_key_jwt / mTLS: there is no secret to carry over
	BlockSecretHidden  BlockReason = "secret_hidden"         // the source did not return the secret (missing read:client_keys)
	BlockScopesHidden  BlockReason = "scopes_hidden"         // the source did not return the grants, or an allow-all grant's API
	BlockNoSecret      BlockReason = "no_secret"             // a public client or an empty secret
	BlockNoClientCreds BlockReason = "no_client_credentials" // client_credentials is not an allowed grant type
	BlockWeakSecret    BlockReason = "weak_secret"           // the secret fails the target's rules
	BlockInvalidScope  BlockReason = "invalid_scope"         // a scope the target would refuse
	BlockInvalidField  BlockReason = "invalid_field"         // id, name, description or metadata over the target's limits
	// The plan guard's (see Guard): resolved by dropping the scopes or accepting them.
	BlockWidens   BlockReason = "widens_access" // an API the client is not granted a scope on defines it too
	BlockOrgBound BlockReason = "org_bound"     // an API grants the client scopes only for an organization
)

// Resolvable reports whether the operator can resolve the blocker on the client itself, by
// dropping scopes or accepting a widening, rather than in the source.
func (b Blocker) Resolvable() bool { return b.Reason == BlockWidens || b.Reason == BlockOrgBound }

// Blocker is one reason a client cannot be imported, with a sentence for the operator and,
// where there is one, what to do about it.
type Blocker struct {
	Reason  BlockReason `json:"reason"`
	Message string      `json:"message"`
	Hint    string      `json:"hint,omitempty"`
}

func (b Blocker) Error() string {
	if b.Hint == "" {
		return b.Message
	}
	return b.Message + " (" + b.Hint + ")"
}

// API is an API (an Auth0 resource server) that grants refer to by audience.
type API struct {
	Identifier string // the audience
	Name       string
	Scopes     []ScopeInfo
	System     bool // the source's own management API
	// TokenLifetime is the lifetime, in seconds, of the access tokens the source issues for
	// it (Auth0's token_lifetime); 0 when unknown.
	TokenLifetime int
}

// ScopeInfo is a scope an API defines, with its description.
type ScopeInfo struct {
	Value       string
	Description string
}

// Stored is a client as the target holds it. The target keeps only a hash of the secret, so
// SecretLast4 is all there is to tell whether it has the secret we expect.
type Stored struct {
	ID              string
	Name            string
	Description     string
	Status          string // "active" | "inactive"
	Scopes          Scopes
	Metadata        map[string]any
	SecretLast4     string
	NextSecretLast4 string // set while a secret rotation is under way
}

// MetadataEqual compares two metadata objects as JSON values, so that a nil map equals an
// empty one and numbers compare by value whatever their Go type.
func MetadataEqual(a, b map[string]any) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}
