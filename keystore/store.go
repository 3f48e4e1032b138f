package keystore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/m2mport/m2mport/client"
)

// backend is a flat map of account -> value: the OS keyring or memory. Its errors are
// *Error values of the kinds above.
type backend interface {
	get(ctx context.Context, account string) (string, error)
	set(ctx context.Context, account, value string) error
	delete(ctx context.Context, account string) error
	deleteAll(ctx context.Context) error
}

// store lays credential sets out on a backend:
//
//	auth0                       index: {"default":"acme.us.auth0.com","saved":["acme.us.auth0.com", …]}
//	auth0:acme.us.auth0.com     {"domain":…,"client_id":…,"client_secret":…}
//	stytch                      index: {"default":"project-test-…","saved":[…]}
//	stytch:project-test-…       {"project_id":…,"secret":…,"base_url":…,"vertical":"b2b"}
//
// One entry per set keeps a set consistent (its secret never pairs with another set's id),
// and the index lets Forget find every set of a side, which the keyring can't list.
type store struct {
	where string
	b     backend
	mu    sync.Mutex // serialises the index's read-modify-write within this process
}

// The JSON of a saved set. Secrets are plain strings here on purpose: client.Secret marshals
// masked, and the keyring is the one place the plain value must go.
type (
	sourceEntry struct {
		Domain   string `json:"domain"`
		ClientID string `json:"client_id"`
		Secret   string `json:"client_secret"`
	}
	targetEntry struct {
		ProjectID string `json:"project_id"`
		Secret    string `json:"secret"`
		BaseURL   string `json:"base_url,omitempty"`
		// Vertical is the project's vertical (consumer or b2b) as found or given when the
		// set was saved; absent in sets saved before m2mport knew it.
		Vertical string `json:"vertical,omitempty"`
	}
	index struct {
		Default string   `json:"default"`
		Saved   []string `json:"saved"`
	}
)

func (s *store) Where() string { return s.where }

func (s *store) Check(ctx context.Context) error {
	_, err := s.b.get(ctx, string(Auth0))
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	// The probe reads an entry, but what failed is reaching the keyring: naming the entry
	// would blame the Auth0 side of `login stytch`.
	var e *Error
	if errors.As(err, &e) {
		e.Op = ""
	}
	return err
}

func (s *store) SaveSource(ctx context.Context, c client.SourceCredentials) error {
	name := sourceName(c.Domain)
	switch {
	case name == "":
		return errors.New("save Auth0 credentials: the domain is empty")
	case c.ClientID == "":
		return errors.New("save Auth0 credentials: the client id is empty")
	case c.Secret.IsZero():
		return errors.New("save Auth0 credentials: the client secret is empty")
	}
	return s.save(ctx, Auth0, name, sourceEntry{Domain: strings.TrimSpace(c.Domain), ClientID: c.ClientID, Secret: c.Secret.Reveal()})
}

func (s *store) LoadSource(ctx context.Context, domain string) (client.SourceCredentials, error) {
	var e sourceEntry
	if err := s.load(ctx, Auth0, sourceName(domain), &e); err != nil {
		return client.SourceCredentials{}, err
	}
	return client.SourceCredentials{Domain: e.Domain, ClientID: e.ClientID, Secret: client.NewSecret(e.Secret)}, nil
}

func (s *store) SaveTarget(ctx context.Context, c client.TargetCredentials) error {
	name := strings.TrimSpace(c.ProjectID)
	switch {
	case name == "":
		return errors.New("save Stytch credentials: the project id is empty")
	case c.Secret.IsZero():
		return errors.New("save Stytch credentials: the secret is empty")
	}
	return s.save(ctx, Stytch, name, targetEntry{ProjectID: name, Secret: c.Secret.Reveal(), BaseURL: c.BaseURL, Vertical: string(c.Vertical)})
}

func (s *store) LoadTarget(ctx context.Context, projectID string) (client.TargetCredentials, error) {
	var e targetEntry
	if err := s.load(ctx, Stytch, strings.TrimSpace(projectID), &e); err != nil {
		return client.TargetCredentials{}, err
	}
	// A vertical m2mport does not know (a hand-edited entry) is dropped: it is found again.
	v, err := client.ParseVertical(e.Vertical)
	if err != nil {
		v = client.VerticalUnknown
	}
	return client.TargetCredentials{ProjectID: e.ProjectID, Secret: client.NewSecret(e.Secret), BaseURL: e.BaseURL, Vertical: v}, nil
}

// save writes the set first and the index second, so a failure in between leaves a set that
// is simply not the default yet (ForgetAll still removes it) rather than a dangling default.
func (s *store) save(ctx context.Context, side Side, name string, entry any) error {
	value, err := json.Marshal(entry)
	if err != nil {
		return fmt.Errorf("save %s credentials: %w", side, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.b.set(ctx, account(side, name), string(value)); err != nil {
		return err
	}
	ix, err := s.index(ctx, side)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	ix.Default = name
	if !slices.Contains(ix.Saved, name) {
		ix.Saved = append(ix.Saved, name)
	}
	return s.setIndex(ctx, side, ix)
}

func (s *store) load(ctx context.Context, side Side, name string, into any) error {
	if name == "" {
		ix, err := s.index(ctx, side)
		if err != nil {
			return err
		}
		if ix.Default == "" {
			return &Error{Op: "load the default " + string(side) + " credentials", Kind: ErrNotFound}
		}
		name = ix.Default
	}
	acct := account(side, name)
	value, err := s.b.get(ctx, acct)
	if err != nil {
		return err
	}
	// The JSON error is not wrapped: it may quote part of the value.
	if json.Unmarshal([]byte(value), into) != nil {
		return fmt.Errorf("keyring entry %s is not a credential set m2mport wrote; remove it with `m2mport logout %s`", acct, side)
	}
	return nil
}

func (s *store) Forget(ctx context.Context, side Side) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, err := s.index(ctx, side)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for _, name := range ix.Saved {
		if err := s.b.delete(ctx, account(side, name)); err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	if err := s.b.delete(ctx, string(side)); err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	return ix.Saved, nil
}

func (s *store) ForgetAll(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.deleteAll(ctx)
}

func (s *store) index(ctx context.Context, side Side) (index, error) {
	var ix index
	value, err := s.b.get(ctx, string(side))
	if err != nil {
		return ix, err
	}
	if json.Unmarshal([]byte(value), &ix) != nil {
		return ix, fmt.Errorf("keyring entry %s is not an index m2mport wrote; remove every m2mport entry with `m2mport logout --all`", side)
	}
	return ix, nil
}

func (s *store) setIndex(ctx context.Context, side Side, ix index) error {
	value, err := json.Marshal(ix)
	if err != nil {
		return fmt.Errorf("save the %s index: %w", side, err)
	}
	return s.b.set(ctx, string(side), string(value))
}

func account(side Side, name string) string { return string(side) + ":" + name }

// sourceName names an Auth0 set after its tenant's host, so "https://Acme.us.auth0.com/"
// and "acme.us.auth0.com" are the same set.
func sourceName(domain string) string {
	d := strings.TrimSpace(domain)
	if _, rest, ok := strings.Cut(d, "://"); ok {
		d = rest
	}
	if i := strings.IndexAny(d, "/?#"); i >= 0 {
		d = d[:i]
	}
	return strings.ToLower(d)
}
