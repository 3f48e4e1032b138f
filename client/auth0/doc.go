// Package auth0 reads an Auth0 tenant through its Management API v2 — the source side of a
// migration. It implements client.Source: Connect checks the Management API app's
// credentials and its scopes, Inventory reads every M2M app with its secret, its client
// grants (joined in memory) and the resource servers they point at, and turns them into
// client.Client records that say why an app cannot be imported when it cannot. Token mints
// an access token with any client's own credentials, to compare an Auth0 token with the
// Stytch one after an import.
//
// The wire contract is ../shared/specs/auth0.md; what the spec marks as assumed lives in
// wire.go. All HTTP goes through client/internal/httpx (retries, rate limits, body caps,
// redaction).
//
// auth0 imports client and client/internal/httpx only. It must not import client/stytch,
// client/sandbox, tui, keystore or themes.
package auth0
