// Package client is m2mport's domain: the M2M client record, scope sets, the ports a source
// (Auth0, a file) and a target (Stytch) implement, typed API errors, the plan and its guard,
// the import engine, the token checklist and the cutover analysis.
//
// A migration reads an Inventory from a Source (client/auth0 or client/file), narrows
// scopes with ScopeChoice, compares the records with the Target in NewPlan (create, skip,
// conflict, blocked; LimitBlockers holds Stytch's assumed limits; WithGuard(NewGuard(inv))
// blocks a client whose Stytch token would be accepted more widely than its Auth0 tokens,
// until its widenings are dropped or accepted: DropWidenings, AcceptWidenings), lets the
// operator Resolve conflicts, and hands the Plan to Execute, which streams Events, keeps a Report and
// verifies each client with CheckToken. PlanUndo turns an import's Report into a plan that
// deletes what that run created. Analyze says, per API of the source, what its services
// must change to trust the target and what would widen access (cutover.go, no I/O; the
// facts it needs are read with SourceFactsOf and TargetFactsOf, and CompareClaims mints
// the optional Auth0 tokens through a TokenMinter).
//
// client must not import client/auth0, client/stytch, client/sandbox, tui, keystore or themes:
// the API packages import client for the record type, never the other way round, and main
// wires concrete sources and targets in.
package client
