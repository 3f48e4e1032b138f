package client

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client/leaktest"
)

// Secrets with the characters encodings treat specially: '+', '/', '=', '&', '%', quotes,
// '<', a space, a backslash; and plain ones of each length modulo 3.
var scrubSecrets = []string{
	"MgmtSecret-q8Zr2LkP0vXw4YtN7uEa",
	"s3cret+with/slash=and&amp%41<tag> \"quoted\" 'single' back\\slash-DzJj",
	"ProjectSecret_0123456789abcdefA",
	"Only8chr",
	"nine-char",
	"ten-chars!",
}

func TestScrubMasksEveryFormOfAKnownSecret(t *testing.T) {
	for _, secret := range scrubSecrets {
		NewSecret(secret)
		for _, f := range leaktest.Forms(secret) {
			for _, shape := range []string{
				"%s",
				"invalid client: %s.",
				`{"error":"invalid_client","error_description":"bad secret %s","request_id":"r1"}`,
				"<html><title>Bad</title><body><p>echo: %s</p></body></html>",
				"malformed MIME header line: grant_type=client_credentials&client_secret=%s&x=1",
			} {
				in := fmt.Sprintf(shape, f.Text)
				if _, ok := leaktest.Shows(in, secret); !ok {
					t.Fatalf("%s: the test's own finder does not see the secret in %q", f.Name, in)
				}
				out := Scrub(in)
				if form, ok := leaktest.Shows(out, secret); ok {
					t.Errorf("%.12s… as %s: Scrub left it showing (%s):\n in: %s\nout: %s", secret, f.Name, form, in, out)
				}
				if !strings.Contains(out, Mask) {
					t.Errorf("%s: nothing masked in %q", f.Name, out)
				}
			}
		}
	}
}

func TestScrubMasksASecretCutShort(t *testing.T) {
	secret := "CutShortSecret-9f8e7d6c5b4a"
	NewSecret(secret)
	for _, n := range []int{8, 12, 20} {
		out := Scrub("the page ends here: " + secret[:n])
		if strings.Contains(out, secret[:8]) {
			t.Errorf("cut at %d: %q", n, out)
		}
	}
}

func TestScrubMasksTheValuesARequestCarries(t *testing.T) {
	out := Scrub("echo: pw=ab12cd and Basic cHJvamVjdDphYjEyY2Q= end", "ab12cd")
	if strings.Contains(out, "ab12cd") || strings.Contains(out, "cHJvamVjdDphYjEyY2Q") || !strings.HasSuffix(out, " end") {
		t.Errorf("%q", out)
	}
}

// Text that holds no secret comes out as it went in: a scrubber that masks too much hides
// what the operator needs to read.
func TestScrubLeavesOrdinaryTextAlone(t *testing.T) {
	NewSecret("ZXhhbXBsZS1zZWNyZXQ-known")
	for _, text := range []string{
		"stytch POST /v1/m2m/clients: 400 Bad Request: scopes must be a list (request-id-test-123)",
		"<html><title>502 Bad Gateway</title><body>nginx &amp; friends 100% ok</body></html>",
		`{"error":"access_denied","error_description":"Service not enabled within domain: https://api.example.com/"}`,
		"base64 of something else: aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ= and \\u0041 and %41",
		"",
	} {
		if got := Scrub(text); got != text {
			t.Errorf("Scrub changed %q\n into %q", text, got)
		}
	}
}

func BenchmarkScrub(b *testing.B) {
	for i := range 20000 {
		NewSecret(fmt.Sprintf("bench-secret-%06d-abcdefghij", i))
	}
	// What most error bodies are like: words, JSON, no credential.
	text := strings.Repeat(`{"error":"invalid_client","error_description":"the client is not allowed here, see the docs"} `, 4)
	for b.Loop() {
		Scrub(text)
	}
}

// A token Stytch minted is masked, in every form, for as long as it is held; once nothing
// holds it Scrub forgets it, so checking 100,000 clients does not keep 100,000 tokens.
func TestScrubKnowsATokenWhileItIsHeld(t *testing.T) {
	header := "eyJhbGciOiJSUzI1NiIsImtpZCI6Imp3ay10ZXN0LWhlbGQiLCJ0eXAiOiJKV1QifQ" // shared by every token
	tokens := make([]Secret, 40)
	for i := range tokens {
		tokens[i] = NewTokenSecret(fmt.Sprintf("%s.eyJzdWIiOiJjbGllbnQtJTAyZCJ9-%02d.c2lnbmF0dXJl%02d", header, i, i))
	}
	for i, tok := range tokens {
		plain := tok.Reveal()
		for _, f := range leaktest.Forms(plain) {
			out := Scrub("echo: " + f.Text + " end")
			if form, ok := leaktest.Shows(out, plain); ok {
				t.Fatalf("token %d as %s: Scrub left it showing (%s): %s", i, f.Name, form, out)
			}
		}
	}
	plain := make([]string, len(tokens))
	for i, tok := range tokens {
		plain[i] = tok.Reveal()
	}
	kept := plain[7]
	NewSecret(kept) // the same value wrapped for good: it stays
	tokens = nil
	forgotten := func() (n int) {
		for _, p := range plain {
			if !known.has(p) {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(10 * time.Second)
	for forgotten() < len(plain)-1 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := forgotten(); n != len(plain)-1 || !known.has(kept) {
		t.Fatalf("Scrub forgot %d of %d tokens once they were dropped, want all but the one also kept for good (kept: %v)", n, len(plain), known.has(kept))
	}
	if out := Scrub("echo: " + kept); strings.Contains(out, kept[len(kept)-20:]) {
		t.Errorf("the token wrapped for good too was forgotten: %s", out)
	}
	// A forgotten token's place is taken by the next: the registry does not grow.
	slots := len(known.secrets)
	for i := range 20 {
		NewTokenSecret(fmt.Sprintf("%s.bmV4dC10b2tlbg-%02d.c2lnbmF0dXJl", header, i))
	}
	if len(known.secrets) > slots {
		t.Errorf("%d slots after reusing forgotten ones, want at most %d", len(known.secrets), slots)
	}
}

// has reports whether the registry knows s.
func (r *registry) has(s string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for e := r.plain[foldKey(s)]; e != 0; e = r.plainNext[e-1] {
		if r.secrets[e-1] == s {
			return true
		}
	}
	return false
}

// size is how many secrets the registry knows.
func (r *registry) size() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.secrets) - len(r.free)
}

// The registry keeps a secret in about a hundred bytes besides the secret itself: it once
// took six times that (each secret's base64 forms made in advance, in maps of slices), and
// it holds every client secret of an import.
func TestScrubKeepsASecretInLittleMemory(t *testing.T) {
	const n = 20000
	secrets := make([]string, n)
	for i := range secrets {
		secrets[i] = fmt.Sprintf("registry-cost-%06d-Yz5ZWc_8uUjb-XkgbIIabcdefghijklmnopqrstuvwxyz0123", i)
	}
	r := newRegistry()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, s := range secrets {
		r.add(s, false)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("%.0f bytes a secret", per)
	if per > 200 {
		t.Errorf("the registry takes %.0f bytes a secret, want at most 200", per)
	}
	for _, s := range secrets[:100] {
		if e, held := r.add(s, false); held || r.secrets[e] != s {
			t.Fatalf("%q is not found as known", s)
		}
	}
	if r.size() != n {
		t.Fatalf("%d known, want %d", r.size(), n)
	}
	runtime.KeepAlive(secrets)
}
