package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestSecretNeverPrintsInFull(t *testing.T) {
	const plain = "sup3r-s3cret-value-DzJj"
	s := NewSecret(plain)
	type holder struct {
		Secret Secret
		Ptr    *Secret
		hidden Secret // fmt prints unexported fields by reflection, without String
		inner  struct{ creds SourceCredentials }
	}
	h := holder{Secret: s, Ptr: &s, hidden: s}
	h.inner.creds.Secret = s
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v":   fmt.Sprintf("%v", s),
		"%s":   fmt.Sprintf("%s", s),
		"%q":   fmt.Sprintf("%q", s),
		"%x":   fmt.Sprintf("%x", s),
		"%#v":  fmt.Sprintf("%#v", s),
		"%+v":  fmt.Sprintf("%+v", h),
		"%#vh": fmt.Sprintf("%#v", h),
		"json": string(js),
		"err":  fmt.Errorf("create: %v", s).Error(),
		"wrap": fmt.Errorf("x: %w", errors.New(s.String())).Error(),
	}
	for name, out := range outputs {
		if strings.Contains(out, plain[:8]) {
			t.Errorf("%s leaks the secret: %s", name, out)
		}
		if name != "%x" && !strings.Contains(out, "DzJj") {
			t.Errorf("%s should show the last four: %s", name, out)
		}
	}
	if s.Reveal() != plain {
		t.Fatalf("Reveal = %q", s.Reveal())
	}
}

func TestSecretMasksShortSecretsEntirely(t *testing.T) {
	if got := NewSecret("abcd").String(); got != Mask {
		t.Fatalf("a 4-character secret shows %q", got)
	}
	if got := NewSecret("abcd").Last4(); got != "" {
		t.Fatalf("a 4-character secret's last four are all of it: %q", got)
	}
	if got := NewSecret("").String(); got != "" {
		t.Fatalf("empty secret shows %q", got)
	}
}

func TestLastFourCountsRunes(t *testing.T) {
	for in, want := range map[string]string{"abcdef": "cdef", "ab": "ab", "xxé€ü😀": "é€ü😀", "": ""} {
		if got := LastFour(in); got != want {
			t.Errorf("LastFour(%q) = %q, want %q", in, got, want)
		}
	}
}
