package client

import (
	"context"
	"crypto"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// HTTPConfig is how an API package (client/auth0, client/stytch) talks to its API: the
// settings of the HTTP policy they share, the same in both packages' Config. The zero value
// means the defaults.
type HTTPConfig struct {
	// UserAgent is "m2mport/<version>".
	UserAgent string
	// HTTPClient, if set, is used for every call (its redirect policy is replaced; one that
	// skips TLS verification is refused).
	HTTPClient *http.Client
	// Timeout bounds each attempt of a call (default 30 s).
	Timeout time.Duration
	// MaxAttempts and MaxWait bound the retries of one call (defaults 5 and 2 min).
	MaxAttempts int
	MaxWait     time.Duration
	// OnWait is told about every wait (rate limit, retry), in addition to the context's
	// reporter. It must not block.
	OnWait func(Wait)
}

// Source is where clients come from: an Auth0 tenant or a file.
type Source interface {
	// Name identifies the source in reports and the UI ("acme.us.auth0.com", "clients.csv").
	Name() string
	// Connect checks the credentials and says what the source holds and what m2mport will
	// not be able to read, before the (longer) Inventory.
	Connect(ctx context.Context) (SourceInfo, error)
	// Inventory reads every client with its grants and the APIs they refer to.
	Inventory(ctx context.Context) (*Inventory, error)
}

// SourceInfo is what Source.Connect learns.
type SourceInfo struct {
	Name string // the tenant's name, or the file's
	// Clients is the number of clients the source's Inventory will offer, -1 when unknown;
	// ClientsAtLeast says it is a lower bound (a large tenant, counted without reading it all).
	Clients        int
	ClientsAtLeast bool
	// Missing lists the permissions the source's credentials lack, each with what it costs.
	Missing []MissingPermission
}

// MissingPermission is a permission the source's credentials lack and what that costs, e.g.
// {"read:client_keys", "client secrets are hidden, so no client can be imported"}.
type MissingPermission struct {
	Scope       string
	Consequence string
}

// Inventory is everything a source holds that m2mport can move.
type Inventory struct {
	Source  string
	Clients []Client // M2M clients first; others (when the source was asked for them) are Blocked with BlockNotM2M
	APIs    []API
	// Warnings are things the operator should know that block no single client, e.g.
	// "secrets hidden: add read:client_keys to the Management API grant of app X".
	Warnings []string
	// GrantsHidden and APIsHidden say that the source could not list its client grants or
	// its APIs (the permission is missing), so what each API defines is not known in full.
	GrantsHidden, APIsHidden bool
}

// Target is where clients go: a Stytch project. The engine depends on this and nothing else
// of the target's API.
type Target interface {
	// Connect checks the project credentials.
	Connect(ctx context.Context) (TargetInfo, error)
	ProjectID() string
	// IsLive reports whether the target is production (a project-live- project).
	IsLive() bool
	// Issuers are the `iss` values a token from this target may carry.
	Issuers() []string

	// Search returns the stored clients among ids, keyed by id, using batched searches.
	Search(ctx context.Context, ids []string) (map[string]Stored, error)
	Get(ctx context.Context, id string) (Stored, error)
	// Create imports c with its own id, secret, scopes, name, description and metadata. It
	// is never retried by the HTTP layer; an error wrapping ErrNoAnswer means the outcome is
	// unknown.
	Create(ctx context.Context, c *Client) (Stored, error)
	Update(ctx context.Context, id string, u Update) (Stored, error)
	Delete(ctx context.Context, id string) error

	// Token mints an access token with a client's own credentials (client credentials
	// grant). Empty scopes asks for all of the client's scopes.
	Token(ctx context.Context, id string, secret Secret, scopes Scopes) (Token, error)
	// Key returns the public key with the given kid from the target's JWKS, fetching the set
	// once and again (rate-limited) only for an unknown kid.
	Key(ctx context.Context, kid string) (crypto.PublicKey, error)
}

// Update changes a stored client. Nil fields are left alone; a non-nil pointer to an empty
// value clears the field. Metadata is merged key by key; a key set to nil is removed.
type Update struct {
	Name        *string
	Description *string
	Scopes      *Scopes
	Metadata    map[string]any
}

// Token is an access token a target minted, with the lifetime its answer gave: a token's
// exp - iat should equal it.
type Token struct {
	Value     Secret
	ExpiresIn time.Duration // the answer's expires_in; 0 when it gave none
}

// TargetInfo is what Target.Connect learns.
type TargetInfo struct {
	ProjectID string
	Live      bool
	Clients   int // number of M2M clients already in the project, -1 when unknown
	// Vertical is the project's vertical, found by reading its signing keys (or as given).
	Vertical Vertical
}

// Vertical is a Stytch project's kind, Consumer or B2B. A project serves its signing keys only
// at its own vertical's JWKS path, and its id does not say which (specs/stytch.md §2).
type Vertical string

const (
	VerticalUnknown  Vertical = "" // not known yet: the target finds it
	VerticalConsumer Vertical = "consumer"
	VerticalB2B      Vertical = "b2b"
)

// ParseVertical reads "consumer" or "b2b" (any case; "" is VerticalUnknown).
func ParseVertical(s string) (Vertical, error) {
	switch v := Vertical(strings.ToLower(strings.TrimSpace(s))); v {
	case VerticalUnknown, VerticalConsumer, VerticalB2B:
		return v, nil
	}
	return "", fmt.Errorf("%q is not a Stytch project vertical: use consumer or b2b (or leave it out to have m2mport find it)", s)
}

// Title is the vertical as Stytch's dashboard names it: "Consumer", "B2B", or "unknown".
func (v Vertical) Title() string {
	switch v {
	case VerticalConsumer:
		return "Consumer"
	case VerticalB2B:
		return "B2B"
	}
	return "unknown"
}

// SourceCredentials are what it takes to read an Auth0 tenant: the Management API app's
// credentials. Domain is a bare domain ("acme.us.auth0.com") or a URL.
type SourceCredentials struct {
	Domain   string
	ClientID string
	Secret   Secret
}

// TargetCredentials are what it takes to write to a Stytch project. BaseURL is empty for
// Stytch's own test/live URLs. Vertical is empty until known: the target then finds it.
type TargetCredentials struct {
	ProjectID string
	Secret    Secret
	BaseURL   string
	Vertical  Vertical
}

// Equal reports whether both name the same tenant with the same credentials.
func (c SourceCredentials) Equal(o SourceCredentials) bool {
	return c.Domain == o.Domain && c.ClientID == o.ClientID && c.Secret.Equal(o.Secret)
}

// Equal reports whether both name the same project with the same credentials.
func (c TargetCredentials) Equal(o TargetCredentials) bool {
	return c.ProjectID == o.ProjectID && c.BaseURL == o.BaseURL && c.Vertical == o.Vertical && c.Secret.Equal(o.Secret)
}
