package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseScopesTakesAnyWhitespaceAsAFileDoes(t *testing.T) {
	for _, text := range []string{
		"write:orders read:orders read:orders",
		"  write:orders  read:orders ",             // double, leading and trailing spaces
		"write:orders\tread:orders\r\nread:orders", // pasted from a spreadsheet or a list
	} {
		s, err := ParseScopes(text)
		if err != nil || s.String() != "read:orders write:orders" {
			t.Errorf("%q: got %q, %v", text, s, err)
		}
		// The same text in a CSV source's scopes column gives the same set.
		if !s.Equal(SplitScopes(text)) {
			t.Errorf("%q: %q, a file would read %q", text, s, SplitScopes(text))
		}
	}
	for _, text := range []string{"", "   ", "\t\n"} {
		if s, err := ParseScopes(text); err != nil || len(s) != 0 {
			t.Fatalf("%q: %q, %v", text, s, err)
		}
	}
}

func TestParseScopesPointsAtTheProblem(t *testing.T) {
	cases := []struct {
		text       string
		start, col int
		says       string
	}{
		{"read:é write", 5, 6, "printable ASCII"},
		{"read  x\x01", 7, 8, "printable ASCII"},
		{"ü x\x01", 0, 1, "printable ASCII"},
		{"x \x01y", 2, 3, "printable ASCII"},
		{"a " + strings.Repeat("x", 129), 2, 3, "at most 128"},
	}
	for _, tc := range cases {
		_, err := ParseScopes(tc.text)
		var se *ScopeSyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: err %v, want a ScopeSyntaxError", tc.text, err)
			continue
		}
		if se.Start != tc.start || se.Column != tc.col || !strings.Contains(se.Message, tc.says) {
			t.Errorf("%q: start %d column %d %q, want start %d column %d mentioning %q", tc.text, se.Start, se.Column, se.Message, tc.start, tc.col, tc.says)
		}
		if se.End <= se.Start || se.End > len(tc.text) {
			t.Errorf("%q: span [%d,%d) out of the text", tc.text, se.Start, se.End)
		}
	}
	var many []string
	for i := range MaxScopes + 1 {
		many = append(many, fmt.Sprintf("s%d", i))
	}
	if _, err := ParseScopes(strings.Join(many, " ")); err == nil || !strings.Contains(err.Error(), "at most 100") {
		t.Errorf("101 scopes: %v", err)
	}
}

func TestLimitBlockersNameEachProblem(t *testing.T) {
	ok := testClient("ok", "read:a")
	if b := LimitBlockers(&ok); len(b) != 0 {
		t.Fatalf("a valid client is blocked: %v", b)
	}
	cases := map[string]struct {
		edit   func(*Client)
		reason BlockReason
		says   string
	}{
		"short secret": {func(c *Client) { c.Secret = NewSecret("Ab1!x") }, BlockWeakSecret, "at least 8"},
		"low entropy":  {func(c *Client) { c.Secret = NewSecret("abababababab") }, BlockWeakSecret, "distinct"},
		"long secret":  {func(c *Client) { c.Secret = NewSecret(strings.Repeat("abcdefgh", 33)) }, BlockWeakSecret, "at most 256"},
		"no secret":    {func(c *Client) { c.Secret = NewSecret("") }, BlockNoSecret, "no secret"},
		"bad scope":    {func(c *Client) { c.Scopes = Scopes{"read users"} }, BlockInvalidScope, "a space"},
		"too many scopes": {func(c *Client) {
			c.Scopes = make(Scopes, 101)
			for i := range c.Scopes {
				c.Scopes[i] = fmt.Sprintf("s%03d", i)
			}
		}, BlockInvalidScope, "at most 100"},
		"id with space": {func(c *Client) { c.ID = "my client" }, BlockInvalidField, "whitespace"},
		"id ..":         {func(c *Client) { c.ID = ".." }, BlockInvalidField, "URL path segment"},
		"id .":          {func(c *Client) { c.ID = "." }, BlockInvalidField, "URL path segment"},
		"id with /":     {func(c *Client) { c.ID = "tenant/../admin" }, BlockInvalidField, "URL path segment"},
		"long name":     {func(c *Client) { c.Name = strings.Repeat("é", 257) }, BlockInvalidField, "257 characters"},
		"long desc":     {func(c *Client) { c.Description = strings.Repeat("x", 1025) }, BlockInvalidField, "description"},
		"many keys": {func(c *Client) {
			c.Metadata = map[string]any{}
			for i := range 21 {
				c.Metadata[fmt.Sprint(i)] = i
			}
		}, BlockInvalidField, "21 keys"},
		"big metadata": {func(c *Client) { c.Metadata = map[string]any{"k": strings.Repeat("x", 5000)} }, BlockInvalidField, "bytes"},
	}
	for name, tc := range cases {
		c := testClient("c", "read:a")
		tc.edit(&c)
		bs := LimitBlockers(&c)
		if len(bs) != 1 || bs[0].Reason != tc.reason || !strings.Contains(bs[0].Message, tc.says) {
			t.Errorf("%s: %+v, want one %s blocker mentioning %q", name, bs, tc.reason, tc.says)
		}
		for _, b := range bs {
			if strings.Contains(b.Error(), "abababab") {
				t.Errorf("%s: a blocker shows the secret: %s", name, b.Error())
			}
		}
	}
	// A source that already said why there's no secret isn't contradicted.
	hidden := testClient("h", "a")
	hidden.Secret = NewSecret("")
	hidden.Blocked = []Blocker{{Reason: BlockSecretHidden, Message: "hidden"}}
	if b := LimitBlockers(&hidden); len(b) != 0 {
		t.Errorf("secret hidden: extra blockers %v", b)
	}
}

func TestPlanFindsExistenceInOneSearchAndDiffs(t *testing.T) {
	ctx := context.Background()
	ft := newFake("project-test-1")
	rotated := testClient("rotated", "a")
	other := rotated
	other.Secret = NewSecret("another-secret-WXYZ")
	ft.put(other, "active")
	scoped := testClient("scoped", "a", "b")
	was := scoped
	was.Scopes = NewScopes("b", "c")
	ft.put(was, "active")
	off := testClient("off", "a")
	ft.put(off, "inactive")
	var clients []Client
	for i := range 1500 {
		clients = append(clients, testClient(fmt.Sprintf("n%d", i), "a"))
	}
	clients = append(clients, rotated, scoped, off, testClient("n1", "a"))
	p, err := NewPlan(ctx, ft, "src", clients, ResolveUpdate)
	if err != nil {
		t.Fatal(err)
	}
	if ft.gets != 0 || ft.searches != 1 {
		t.Fatalf("%d gets, %d searches: existence must come from the target's batched Search", ft.gets, ft.searches)
	}
	n := p.Counts()
	if n.Create != 1500 || n.Update != 1 || n.Conflict != 2 || n.Blocked != 1 {
		t.Fatalf("counts %+v", n)
	}
	byID := map[string]*Item{}
	for i := range p.Items {
		byID[p.Items[i].Client.ID] = &p.Items[i]
	}
	sc := byID["scoped"]
	if len(sc.Diff) != 1 || sc.Diff[0].Field != "scopes" || sc.Diff[0].Added.String() != "a" || sc.Diff[0].Removed.String() != "c" {
		t.Fatalf("scoped diff %+v", sc.Diff)
	}
	rot := byID["rotated"]
	if rot.CanUpdate() || rot.Resolution != ResolveSkip || !strings.Contains(rot.Reason(), "can't be replaced in place") {
		t.Fatalf("secret mismatch: can update %v, resolution %s, reason %q", rot.CanUpdate(), rot.Resolution, rot.Reason())
	}
	if strings.Contains(fmt.Sprint(rot.Diff), "another-s") {
		t.Fatal("the diff shows a secret")
	}
	idx := func(id string) int {
		for i := range p.Items {
			if p.Items[i].Client.ID == id {
				return i
			}
		}
		return -1
	}
	if err := p.Resolve(idx("rotated"), ResolveUpdate); !errors.Is(err, ErrCannotUpdate) {
		t.Fatalf("resolving a secret mismatch as update: %v", err)
	}
	if err := p.Resolve(idx("off"), ResolveUpdate); !errors.Is(err, ErrCannotUpdate) {
		t.Fatalf("resolving an inactive client as update: %v", err)
	}
	if err := p.Resolve(idx("scoped"), ResolveSkip); err != nil || p.Counts().Conflict != 3 {
		t.Fatalf("resolve skip: %v %+v", err, p.Counts())
	}
	if err := p.Resolve(idx("n5"), ResolveUpdate); err == nil {
		t.Fatal("resolved a create")
	}
	dup := p.Items[len(p.Items)-1]
	if dup.Action != ActionBlocked || !strings.Contains(dup.Reason(), "twice") {
		t.Fatalf("a client listed twice: %s %q", dup.Action, dup.Reason())
	}
}

func TestChosenScopes(t *testing.T) {
	c := Client{Grants: []Grant{{Audience: "orders", Scopes: NewScopes("read:orders", "write:orders")}, {Audience: "billing", Scopes: NewScopes("read:invoices")}}}
	c.Scopes = ScopesOf(c.Grants, nil)
	if got := c.ChosenScopes(ScopeChoice{}); got.String() != "read:invoices read:orders write:orders" {
		t.Errorf("default: %q", got)
	}
	if got := c.ChosenScopes(ScopeChoice{Audiences: []string{"orders"}, Drop: NewScopes("write:orders"), Add: NewScopes("custom")}); got.String() != "custom read:orders" {
		t.Errorf("narrowed: %q", got)
	}
	file := Client{Scopes: NewScopes("a", "b")}
	if got := file.ChosenScopes(ScopeChoice{Audiences: []string{"orders"}}); got.String() != "a b" {
		t.Errorf("a client without grants lost its scopes: %q", got)
	}
}

// Only whole dot segments and slashes change a URL path: ids that merely hold dots are fine.
func TestCheckClientIDTakesDotsInsideAnID(t *testing.T) {
	for _, id := range []string{"...", "a.b", ".hidden", "v1..2"} {
		if err := CheckClientID(id); err != nil {
			t.Errorf("%q: %v", id, err)
		}
	}
}
