// Package sandbox runs local emulators of the two APIs m2mport talks to — the Auth0
// Management API (the source) and the Stytch M2M API (the target) — on loopback listeners,
// with seed data, token buckets, deterministic fault injection and an inspection endpoint.
// Tests, `m2mport demo`, `m2mport sandbox` and the VHS tapes run against it.
//
// It is written from the wire specs in ../shared/specs (auth0.md, stytch.md), never from our
// API client packages, so a misunderstanding of an API shows up as a failing test instead of
// being copied to both sides. It must not import any package of ours: only the standard
// library and golang-jwt. Where the specs say "assumed", the assumption lives in
// auth0_spec.go or stytch_spec.go, nowhere else.
//
// The emulators are strict on purpose: they answer what the real API answers, including the
// errors. Never make them lenient to make a client test pass; fix the side that disagrees
// with the spec.
package sandbox
