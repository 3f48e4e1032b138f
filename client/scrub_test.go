package client

import (
	"fmt"
	"strings"
	"testing"

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
