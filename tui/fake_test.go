package tui

import (
	"context"
	"crypto"
	"fmt"
	"sync"

	"github.com/m2mport/m2mport/client"
)

// fakeSource is a client.Source answering from memory. gate, when set, holds every call
// until it is closed, to observe the screens while work is in flight; waits are reported
// by every call first, as the HTTP layer reports its retries.
type fakeSource struct {
	name       string
	info       client.SourceInfo
	inv        *client.Inventory
	connectErr error
	invErr     error
	gate       chan struct{}
	waits      []client.Wait
}

func (f *fakeSource) Name() string { return f.name }

// BaseURL is the tenant's, for what its tokens say today (the cutover pages).
func (f *fakeSource) BaseURL() string { return "https://" + f.name }

func (f *fakeSource) wait(ctx context.Context) error {
	for _, w := range f.waits {
		client.ReportWait(ctx, w)
	}
	if f.gate == nil {
		return nil
	}
	select {
	case <-f.gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fakeSource) Connect(ctx context.Context) (client.SourceInfo, error) {
	if err := f.wait(ctx); err != nil {
		return client.SourceInfo{}, err
	}
	return f.info, f.connectErr
}

func (f *fakeSource) Inventory(ctx context.Context) (*client.Inventory, error) {
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	return f.inv, f.invErr
}

// fakeTarget is a client.Target holding clients in memory.
type fakeTarget struct {
	mu         sync.Mutex
	projectID  string
	live       bool
	connectErr error
	stored     map[string]client.Stored
}

func (f *fakeTarget) Connect(context.Context) (client.TargetInfo, error) {
	if f.connectErr != nil {
		return client.TargetInfo{}, f.connectErr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return client.TargetInfo{ProjectID: f.projectID, Live: f.live, Clients: len(f.stored)}, nil
}
func (f *fakeTarget) ProjectID() string { return f.projectID }
func (f *fakeTarget) IsLive() bool      { return f.live }
func (f *fakeTarget) Issuers() []string { return []string{"stytch.com/" + f.projectID} }
func (f *fakeTarget) KeySetURL() string {
	return "https://test.stytch.com/v1/b2b/sessions/jwks/" + f.projectID
}
func (f *fakeTarget) Search(_ context.Context, ids []string) (map[string]client.Stored, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]client.Stored{}
	for _, id := range ids {
		if s, ok := f.stored[id]; ok {
			out[id] = s
		}
	}
	return out, nil
}
func (f *fakeTarget) Get(_ context.Context, id string) (client.Stored, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.stored[id]; ok {
		return s, nil
	}
	return client.Stored{}, &client.APIError{API: "stytch", Status: 404, Code: client.CodeClientNotFound}
}
func (f *fakeTarget) Create(_ context.Context, c *client.Client) (client.Stored, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stored == nil {
		f.stored = map[string]client.Stored{}
	}
	s := client.Stored{ID: c.ID, Name: c.Name, Description: c.Description, Scopes: c.Scopes, Metadata: c.Metadata, SecretLast4: c.Secret.Last4(), Status: "active"}
	f.stored[c.ID] = s
	return s, nil
}
func (f *fakeTarget) Update(context.Context, string, client.Update) (client.Stored, error) {
	return client.Stored{}, fmt.Errorf("not used")
}
func (f *fakeTarget) Delete(context.Context, string) error { return fmt.Errorf("not used") }
func (f *fakeTarget) Token(context.Context, string, client.Secret, client.Scopes) (client.Token, error) {
	return client.Token{}, fmt.Errorf("not used")
}
func (f *fakeTarget) Key(context.Context, string) (crypto.PublicKey, error) {
	return nil, fmt.Errorf("not used")
}

// demoInventory is a small tenant with one client of each kind the Pick screen tells apart.
func demoInventory() *client.Inventory {
	orders := client.API{Identifier: "https://orders.acme.test/", Name: "Orders API", Scopes: []client.ScopeInfo{
		{Value: "read:orders", Description: "Read orders"},
		{Value: "write:orders", Description: "Create and change orders"},
		{Value: "delete:orders", Description: "Delete orders"},
		{Value: "admin:orders", Description: "Everything about orders"},
	}}
	billing := client.API{Identifier: "https://billing.acme.test/", Name: "Billing API", Scopes: []client.ScopeInfo{
		{Value: "read:invoices", Description: "Read invoices"},
		{Value: "write:invoices", Description: "Issue invoices"},
		{Value: "refund:payments", Description: "Refund payments"},
	}}
	grant := func(api client.API, scopes ...string) client.Grant {
		return client.Grant{Audience: api.Identifier, API: api.Name, Scopes: client.NewScopes(scopes...)}
	}
	return &client.Inventory{
		Source: "acme.us.auth0.com",
		APIs:   []client.API{orders, billing},
		Clients: []client.Client{
			{ID: "Xw7kQ2rL9mN4pB6vT1yH8cJ3dF5gK0aZ", Secret: client.NewSecret("s3cr3t-Orders-Sync-7Hq2"), Name: "Orders sync", AppType: client.AppTypeM2M,
				Grants: []client.Grant{grant(orders, "read:orders", "write:orders")}, Scopes: client.NewScopes("read:orders", "write:orders")},
			{ID: "Bq4nR8sT2uV6wX0yZ3aB7cD1eF5gH9iJ", Secret: client.NewSecret("s3cr3t-Billing-Recon-Jk4L"), Name: "Billing reconciler", AppType: client.AppTypeM2M,
				Description: "Reconciles invoices with orders every night",
				Metadata:    map[string]any{"team": "billing", "tier": float64(2)},
				Grants:      []client.Grant{grant(billing, "read:invoices", "write:invoices"), grant(orders, "read:orders")},
				Scopes:      client.NewScopes("read:invoices", "write:invoices", "read:orders")},
			{ID: "Kp1Lm2No3Pq4Rs5Tu6Vw7Xy8Za9Bc0De", Name: "Key-based reporter", AppType: client.AppTypeM2M,
				Grants:  []client.Grant{grant(orders, "read:orders")},
				Scopes:  client.NewScopes("read:orders"),
				Blocked: []client.Blocker{{Reason: client.BlockKeyBased, Message: "authenticates with private_key_jwt: there is no secret to carry over", Hint: "create a new client in Stytch instead"}}},
			{ID: "Lonely0000000000000000000000000A", Secret: client.NewSecret("s3cr3t-Lonely-Worker-Qw9E"), Name: "Lonely worker", AppType: client.AppTypeM2M},
			{ID: "Spa00000000000000000000000000001", Name: "Storefront", AppType: "spa",
				Blocked: []client.Blocker{{Reason: client.BlockNotM2M, Message: "a single-page app, not a machine-to-machine client"}}},
		},
	}
}
