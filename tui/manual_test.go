package tui

import (
	"testing"

	"github.com/m2mport/m2mport/client"
)

func openManual(t *testing.T) *harness {
	t.Helper()
	src, tgt := fakes()
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	h.press("enter", "m")
	if _, ok := h.top().(*manualScreen); !ok {
		t.Fatalf("got %T", h.top())
	}
	return h
}

func TestManualEntryChecksFieldsAsTheyAreTyped(t *testing.T) {
	h := openManual(t)
	m := h.top().(*manualScreen)
	h.typeText("svc orders")
	h.mustSee("holds whitespace or a control character")
	h.press("ctrl+u")
	h.typeText("svc-orders-01")
	h.mustNotSee("✗")
	h.press("tab")
	h.typeText("aaaaaaaa")
	h.mustSee("the secret has only 1 distinct character;")
	h.press("ctrl+u")
	h.paste("Zx8-kP2q-Lm4r-Vb7n")
	h.mustSee("••••Vb7n")
	h.mustNotSee("Zx8-kP2q")
	h.press("tab")
	h.typeText("read:orders  write:café")
	h.mustSee("column 23: 'é' is not allowed in a scope")
	h.press("enter")
	if h.top() != screen(m) || m.form.focus != mScopes {
		t.Fatal("submit stays and focuses the field in error")
	}
}

func TestManualEntrySubmitsOneClient(t *testing.T) {
	h := openManual(t)
	h.typeText("svc-orders-01")
	h.press("tab")
	h.paste("Zx8-kP2q-Lm4r-Vb7n")
	h.press("tab")
	h.typeText("write:orders \t read:orders  ") // any whitespace separates, as in a file
	var got []client.Client
	m := h.top().(*manualScreen)
	cmd := m.submit()
	done, ok := cmd().(scopesDoneMsg)
	if !ok {
		t.Fatalf("submit gives %T", cmd())
	}
	got = done.clients
	if len(got) != 1 || got[0].ID != "svc-orders-01" || got[0].Secret.Reveal() != "Zx8-kP2q-Lm4r-Vb7n" || got[0].Scopes.String() != "read:orders write:orders" {
		t.Fatalf("client %+v", got)
	}
}
