package client

import "testing"

func TestScopesAreSortedSets(t *testing.T) {
	s := NewScopes("write:orders", "read:orders", "", "read:orders")
	if s.String() != "read:orders write:orders" {
		t.Fatalf("got %q", s)
	}
	if !s.Equal(SplitScopes("  write:orders\tread:orders ")) {
		t.Fatal("SplitScopes should give the same set")
	}
	u := s.Union(NewScopes("admin", "read:orders"))
	if u.String() != "admin read:orders write:orders" {
		t.Fatalf("union %q", u)
	}
	if got := u.Minus(s).String(); got != "admin" {
		t.Fatalf("minus %q", got)
	}
	if !u.Has("admin") || u.Has("nope") {
		t.Fatal("Has")
	}
	if got := u.Without("admin").With("x").String(); got != "read:orders write:orders x" {
		t.Fatalf("with/without %q", got)
	}
	var empty Scopes
	if !empty.Equal(NewScopes()) {
		t.Fatal("nil and empty sets should be equal")
	}
}

func TestScopesOfUnionsChosenAudiences(t *testing.T) {
	grants := []Grant{
		{Audience: "a", Scopes: NewScopes("x", "y")},
		{Audience: "b", Scopes: NewScopes("y", "z")},
	}
	if got := ScopesOf(grants, nil).String(); got != "x y z" {
		t.Fatalf("all audiences: %q", got)
	}
	if got := ScopesOf(grants, []string{"b"}).String(); got != "y z" {
		t.Fatalf("audience b: %q", got)
	}
	if got := ScopesOf(grants, []string{}); len(got) != 0 {
		t.Fatalf("no audience: %q", got)
	}
	// The source's own management API is carried over only when named.
	grants = append(grants, Grant{Audience: "mgmt", Scopes: NewScopes("read:clients"), System: true})
	if got := ScopesOf(grants, nil).String(); got != "x y z" {
		t.Fatalf("default takes a system grant: %q", got)
	}
	if got := ScopesOf(grants, []string{"mgmt"}).String(); got != "read:clients" {
		t.Fatalf("named system audience: %q", got)
	}
}
