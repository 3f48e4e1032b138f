// Package sandbox runs local emulators of the two APIs m2mport talks to — the Auth0
// Management API (the source) and the Stytch M2M API (the target) — on loopback listeners,
// with seed data, token buckets, deterministic fault injection and inspection endpoints.
// Tests, `m2mport demo`, `m2mport sandbox` and the VHS tapes run against it.
//
// It is written from the wire specs in ../shared/specs (auth0.md, stytch.md), never from our
// API client packages, so a misunderstanding of an API shows up as a failing test instead of
// being copied to both sides. It must not import any package of ours: only the standard
// library and golang-jwt. Where a spec says "assumed", or leaves a choice open, the choice
// lives in auth0_spec.go or stytch_spec.go and nowhere else.
//
// The emulators are strict on purpose: they answer what the real API answers, including the
// errors. Never make them lenient to make a client test pass; fix the side that disagrees
// with the spec.
//
// # Seeds
//
// "demo" is tenant acme with the Management API, an Orders API (4 scopes) and a Billing API
// (3 scopes), the Management-API app m2mport connects with, and apps covering every case the
// importer meets (see demo in seed.go); its Stytch B2B test project already holds "Inventory
// Sync" imported identically and "Reporting Exporter" with fewer scopes (a conflict). Its ids
// and secrets are the same in every run, whatever the random seed. "generated:N" is N M2M
// apps with 1–3 grants each over five APIs, determined by the random seed, and an empty
// project. "empty" is only the Management-API app and the Management API.
//
// # Rate limits and faults
//
// Auth0 management routes share one token bucket (Options.Auth0Rate; by default 1000/s,
// burst 1000) and every answer on them carries x-ratelimit-limit, -remaining and -reset (UNIX
// seconds, rounded up). /oauth/token has its own bucket: Auth0's 30/s burst 30 when
// Auth0Rate is set, the generous default otherwise. Stytch has one bucket for every route
// when Options.StytchRate is set, and sends no rate headers.
//
// A 429 from a bucket has no Retry-After (Auth0 clients wait for x-ratelimit-reset). A 429
// injected as a fault always has Retry-After: 1 (and, on the Auth0 routes that carry rate
// headers, /oauth/token included, x-ratelimit-remaining 0 and a reset one second on). Both use the API's own 429 body: §5's too_many_requests on
// /api/v2, the OAuth too_many_requests on /oauth/token, Stytch's envelope with
// too_many_requests.
//
// Faults (Options.Faults, see ParseFaults) are decided per API from the request's sequence
// number on that API hashed with Options.RandomSeed: the same seed and the same order of
// requests give the same faults. The bucket is consulted first, so a faulted request still
// costs a token. /_sandbox/* is never faulted, limited or counted.
//
// # Inspection
//
// GET /_sandbox/stats on either listener answers StatsJSON; GET /_sandbox/clients on the
// Stytch listener answers every stored client as an InspectedClient (no secret, but its last
// four characters and its SHA-256). No auth; loopback callers only.
package sandbox
