// Package client is m2mport's domain: the M2M client record, scope sets, the ports a source
// (Auth0, a file) and a target (Stytch) implement, typed API errors, and — with the engine
// issue — the plan, the import engine and the token checklist.
//
// client must not import client/auth0, client/stytch, client/sandbox, tui, keystore or themes:
// the API packages import client for the record type, never the other way round, and main
// wires concrete sources and targets in.
package client
