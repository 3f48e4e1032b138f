package leaktest

import (
	"strings"
	"testing"
)

// Every form Forms makes is found, inside other text too; a text without the secret, or
// with only its last four characters, is not.
func TestFindsEveryFormAndNothingElse(t *testing.T) {
	for _, secret := range []string{"Plain-Secret-1234abcd", "s+/=&%41<x> \"q\" back\\slash-9876", "eight888"} {
		for _, f := range Forms(secret) {
			for _, text := range []string{f.Text, "error: " + f.Text + " (request r1)"} {
				if _, ok := Shows(text, secret); !ok {
					t.Errorf("%q as %s is not found in %q", secret, f.Name, text)
				}
			}
		}
		last4 := secret[len(secret)-4:]
		for _, text := range []string{"", "create client billing: 400 invalid_request (request r1)", "secret ••••" + last4} {
			if form, ok := Shows(text, secret); ok {
				t.Errorf("%q found (%s) in %q", secret, form, text)
			}
		}
	}
	var f Finder
	f.Add("short", "short")
	if f.Len() != 0 {
		t.Error("a value under 8 characters is looked for")
	}
	if _, _, ok := f.Find(strings.Repeat("short", 10)); ok {
		t.Error("an empty finder found something")
	}
}
