// Package client is m2mport's domain: the M2M client record, scope sets, the ports a source
// (Auth0, a file) and a target (Stytch) implement, typed API errors, the plan, the import
// engine and the token checklist.
//
// A migration reads an Inventory from a Source (client/auth0 or client/file), narrows
// scopes with ScopeChoice, compares the records with the Target in NewPlan (create, skip,
// conflict, blocked; LimitBlockers holds Stytch's assumed limits), lets the operator
// Resolve conflicts, and hands the Plan to Execute, which streams Events, keeps a Report and
// verifies each client with CheckToken. PlanUndo turns an import's Report into a plan that
// deletes what that run created.
//
// client must not import client/auth0, client/stytch, client/sandbox, tui, keystore or themes:
// the API packages import client for the record type, never the other way round, and main
// wires concrete sources and targets in.
package client
