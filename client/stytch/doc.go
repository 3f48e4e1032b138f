// Package stytch writes to a Stytch project through its M2M API — the target side of a
// migration. It implements client.Target (connect, batched search, get, import with the
// client's own id and secret, update, delete, client-credentials tokens and the project's
// signing keys from a JWKS cache), plus secret rotation and the raw search endpoint.
//
// The wire contract is ../shared/specs/stytch.md; what the spec marks as assumed lives in
// wire.go. All HTTP goes through client/internal/httpx (retries, rate limits, body caps,
// redaction). Retried: GET, PUT, DELETE, search and token POSTs. Sent once: create and the
// three rotation calls, whose repetition would not be harmless.
//
// stytch imports client and client/internal/httpx only. It must not import client/auth0,
// client/sandbox, tui, keystore or themes.
package stytch
