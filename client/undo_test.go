package client

import (
	"strings"
	"testing"
)

// An undo's diff says what changed since the run: a scope added in Stytch since is "added
// since", not "remove" (which is what an import's update would do about it).
func TestUndoDiffSaysWhatChangedSince(t *testing.T) {
	was := Stored{Name: "Billing", Scopes: SplitScopes("read:invoices"), SecretLast4: "DzJj"}
	now := was
	now.Scopes = SplitScopes("read:invoices read:orders")
	now.Name = "Billing (ops)"
	diff := changedSince(was, now)
	var lines []string
	for _, d := range diff {
		if d.Updatable || !d.Since {
			t.Errorf("%s: an undo's diff is never an update, and is marked as a change since: %+v", d.Field, d)
		}
		lines = append(lines, d.String())
	}
	got := strings.Join(lines, "\n")
	want := "name: \"Billing\" at that run, \"Billing (ops)\" now\nscopes: read:orders added since"
	if got != want {
		t.Errorf("undo diff:\n%s\nwant:\n%s", got, want)
	}
	now.Scopes = nil
	if d := changedSince(was, now); d[1].String() != "scopes: read:invoices removed since" {
		t.Errorf("a scope removed since: %q", d[1].String())
	}
	// The import's wording is unchanged: what an update would do.
	if d := diffStored(was, Stored{Name: "Billing", Scopes: SplitScopes("read:invoices read:orders"), SecretLast4: "DzJj"}); d[0].String() != "scopes: remove read:orders" {
		t.Errorf("import diff: %q", d[0].String())
	}
}

// A secret rotation started since the run means the client is in use: undo keeps it.
func TestUndoKeepsAClientMidRotation(t *testing.T) {
	was := Stored{Name: "Billing", Scopes: SplitScopes("read:invoices"), SecretLast4: "DzJj"}
	now := was
	now.NextSecretLast4 = "Q9x2"
	diff := changedSince(was, now)
	if len(diff) != 1 || diff[0].Field != "rotation" || diff[0].String() != "secret rotation started since (the next secret is ••••Q9x2)" {
		t.Fatalf("a rotation under way: %+v", diff)
	}
	if d := changedSince(was, was); len(d) != 0 {
		t.Fatalf("an unchanged client: %+v", d)
	}
	it := Item{Action: ActionConflict, Diff: diff, undo: true}
	if r := it.Reason(); !strings.Contains(r, "rotation") || !strings.Contains(r, "kept") {
		t.Errorf("reason %q", r)
	}
}
