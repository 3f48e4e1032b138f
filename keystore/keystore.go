// Package keystore keeps m2mport's credentials in the OS keyring (macOS Keychain, Windows
// Credential Manager, the Secret Service on Linux) through zalando/go-keyring, or in memory
// for one session when there is no keyring. It never writes a credential to a file.
//
// Every Auth0 credential set is one keyring entry named after its domain, every Stytch set
// one entry named after its project id, and each side has an index entry that lists its sets
// and says which one is the default. Entries live under the service "m2mport".
//
// keystore imports client (for the credential and Secret types) and nothing else of ours.
package keystore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/m2mport/m2mport/client"
)

// Service is the keyring service every m2mport entry is saved under.
const Service = "m2mport"

// Side is which end of a migration a credential set opens.
type Side string

const (
	Auth0  Side = "auth0"  // the source: an Auth0 tenant's Management API app
	Stytch Side = "stytch" // the target: a Stytch project
)

// Store saves and loads credential sets. Save makes the set the default of its side; Load
// with an empty name loads the default.
type Store interface {
	// Where says where saved credentials go, for messages: "the OS keyring (Secret Service)".
	Where() string
	// Check returns nil when the store can be used now, or why it can't.
	Check(ctx context.Context) error

	SaveSource(ctx context.Context, c client.SourceCredentials) error
	// LoadSource loads the set saved for domain (a bare domain or a URL), or the default set
	// when domain is "".
	LoadSource(ctx context.Context, domain string) (client.SourceCredentials, error)
	SaveTarget(ctx context.Context, c client.TargetCredentials) error
	// LoadTarget loads the set saved for projectID, or the default set when projectID is "".
	LoadTarget(ctx context.Context, projectID string) (client.TargetCredentials, error)

	// Forget deletes every set saved for side and returns their names (domains or project
	// ids); none saved is not an error.
	Forget(ctx context.Context, side Side) ([]string, error)
	// ForgetAll deletes every m2mport entry, including any that a failed save left behind.
	ForgetAll(ctx context.Context) error
}

// The kinds of failure a Store reports; test with errors.Is. Every error also carries what
// was being done and, through Hint, what the operator can do about it.
var (
	ErrNotFound    = errors.New("no credentials saved")
	ErrUnavailable = errors.New("the OS keyring is unavailable")
	ErrTimedOut    = errors.New("the OS keyring did not answer in time")
	ErrTooBig      = errors.New("too big for the OS keyring")
)

// Error is a failed Store call.
type Error struct {
	Op   string // what was being done: "load auth0:acme.us.auth0.com"; "" for Check
	Kind error  // ErrNotFound, ErrUnavailable, ErrTimedOut or ErrTooBig
	Err  error  // the keyring's own error, when it gave one; never holds a secret
	Hint string // what to do next, in one sentence
}

func (e *Error) Error() string {
	switch {
	case e.Op == "" && e.Err != nil:
		return fmt.Sprintf("%v: %v", e.Kind, e.Err)
	case e.Op == "":
		return e.Kind.Error()
	case e.Err != nil:
		return fmt.Sprintf("%v (%s: %v)", e.Kind, e.Op, e.Err)
	}
	return fmt.Sprintf("%v (%s)", e.Kind, e.Op)
}

func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

// Hint returns what the operator can do about err, or "" when err carries no advice.
func Hint(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Hint
	}
	return ""
}

// NewMemory returns a Store that keeps credentials in this process's memory only: for
// `m2mport demo`, and for a session on a machine without a usable keyring.
func NewMemory() Store {
	return &store{where: "memory (this session only; nothing is written to disk)", b: &memory{entries: map[string]string{}}}
}

// Open returns the Store backed by the OS keyring. getenv supplies M2MPORT_KEYRING_TIMEOUT (a
// Go duration, default 5s: how long one keyring call may take before it counts as hung) and
// M2MPORT_KEYRING_SERVICE (the service name, default "m2mport"; tests set their own so they
// never touch an operator's saved credentials). Open does not touch the keyring; Check does.
func Open(getenv func(string) string) (Store, error) {
	timeout, err := timeoutFrom(getenv)
	if err != nil {
		return nil, err
	}
	service := Service
	if s := getenv("M2MPORT_KEYRING_SERVICE"); s != "" {
		service = s
	}
	return &store{where: "the OS keyring (" + platformKeyring + ")", b: &osKeyring{kr: goKeyring{}, service: service, timeout: timeout}}, nil
}

// OpenSession returns the OS keyring when it can be used now, and otherwise an in-memory
// store together with the reason the keyring can't be used, for the UI to say that what the
// operator saves lasts only this session. s is never nil.
func OpenSession(ctx context.Context, getenv func(string) string) (s Store, unavailable error) {
	s, err := Open(getenv)
	if err == nil {
		err = s.Check(ctx)
	}
	if err != nil {
		return NewMemory(), err
	}
	return s, nil
}

// memory is the backend of NewMemory.
type memory struct {
	mu      sync.Mutex
	entries map[string]string
}

func (m *memory) get(_ context.Context, account string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.entries[account]
	if !ok {
		return "", &Error{Op: "load " + account, Kind: ErrNotFound}
	}
	return v, nil
}

func (m *memory) set(_ context.Context, account, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries[account] = value
	return nil
}

func (m *memory) delete(_ context.Context, account string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[account]; !ok {
		return &Error{Op: "delete " + account, Kind: ErrNotFound}
	}
	delete(m.entries, account)
	return nil
}

func (m *memory) deleteAll(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.entries)
	return nil
}
