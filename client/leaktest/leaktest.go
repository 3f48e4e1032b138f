// Package leaktest finds secrets in what m2mport printed or wrote, in every form a server
// might have echoed them in: as they are, in another case, URL-encoded, JSON- or Go-escaped,
// as HTML character references, in base64 (either alphabet, padded or not, at any alignment,
// wrapped or not), and any nesting of these. It also makes those forms, for tests whose fake
// servers echo a secret back, and serves such servers on a raw socket (RawServer, Answer).
//
// It is written apart from client.Scrub, from the standard library's decoders, so that a
// form the scrubber misses is a failing test rather than a blind spot shared by both.
//
// leaktest imports the standard library only. Only tests import it.
package leaktest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Form is a secret written one way.
type Form struct{ Name, Text string }

// Forms returns secret in every form a server might echo it in, each inside a little text
// of its own so that base64 runs start at each of their three alignments.
func Forms(secret string) []Form {
	var hexUpper, dec, decBare, hexLower, uEsc strings.Builder
	for _, r := range secret {
		fmt.Fprintf(&dec, "&#%d;", r)
		fmt.Fprintf(&decBare, "&#%d", r)
		fmt.Fprintf(&hexLower, "&#x%x;", r)
		fmt.Fprintf(&hexUpper, "&#X%04X;", r)
		fmt.Fprintf(&uEsc, `\u%04x`, r)
	}
	jsonText, _ := json.Marshal(secret)
	forms := []Form{
		{"raw", secret},
		{"upper case", strings.ToUpper(secret)},
		{"lower case", strings.ToLower(secret)},
		{"URL-encoded (form)", url.QueryEscape(secret)},
		{"URL-encoded (path)", url.PathEscape(secret)},
		{"URL-encoded, every byte", percentAll(secret)},
		{"JSON string", string(jsonText)},
		{"JSON \\u escapes", uEsc.String()},
		{"Go quoted", strconv.QuoteToASCII(secret)},
		{"HTML decimal references", dec.String()},
		{"HTML decimal references without ;", decBare.String()},
		{"HTML hex references", hexLower.String()},
		{"HTML hex references, upper case", hexUpper.String()},
		{"HTML-escaped", html.EscapeString(secret)},
		{"JSON string of the URL-encoded", jsonQuote(url.QueryEscape(secret))},
		{"URL-encoded HTML references", url.QueryEscape(dec.String())},
		{"HTML references of the upper case", htmlAll(strings.ToUpper(secret))},
	}
	encodings := []struct {
		name string
		enc  *base64.Encoding
	}{
		{"base64", base64.StdEncoding}, {"base64 without padding", base64.RawStdEncoding},
		{"base64url", base64.URLEncoding}, {"base64url without padding", base64.RawURLEncoding},
	}
	for _, e := range encodings {
		for align, before := range []string{"", "u:", "id:"} {
			text := e.enc.EncodeToString([]byte(before + secret))
			forms = append(forms, Form{fmt.Sprintf("%s at alignment %d", e.name, align), text})
		}
	}
	wrapped := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("pad:", 20) + secret))
	var lines []string
	for len(wrapped) > 76 {
		lines, wrapped = append(lines, wrapped[:76]), wrapped[76:]
	}
	forms = append(forms, Form{"base64 wrapped at 76 (MIME)", strings.Join(append(lines, wrapped), "\r\n")})
	forms = append(forms, Form{"JSON string of the base64", jsonQuote(base64.StdEncoding.EncodeToString([]byte("x" + secret)))})
	return forms
}

func percentAll(s string) string {
	var b strings.Builder
	for i := range len(s) {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func htmlAll(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, "&#%d;", r)
	}
	return b.String()
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Finder looks for many secrets at once, in many texts.
type Finder struct {
	plain map[string]string // window of a secret, lower case → what the secret is
	b64   map[string]string // window of a base64 core, standard alphabet → what
	n     int
}

// window and step: a text shows a secret when it holds 8 characters of it that start at a
// multiple of 4, which every run of 11 characters does. The last four ("••••DzJj") are
// fine.
const window, step = 8, 4

// Add looks for secret from now on; what names it in Find's answer. Secrets under 8
// characters are not looked for: too short to search for without false alarms.
func (f *Finder) Add(what, secret string) {
	if len(secret) < window {
		return
	}
	if f.plain == nil {
		f.plain, f.b64 = map[string]string{}, map[string]string{}
	}
	f.n++
	low := strings.ToLower(secret)
	for i := 0; i+window <= len(low); i += step {
		f.plain[low[i:i+window]] = what
	}
	for align := range 3 {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, align), secret...))
		// The characters that hold bits of the secret only: the same whatever surrounds it.
		core := enc[(8*align+5)/6 : 8*(align+len(secret))/6]
		for i := 0; i+window <= len(core); i += step {
			f.b64[core[i:i+window]] = what
		}
	}
}

// Len is how many secrets f looks for.
func (f *Finder) Len() int { return f.n }

// Find returns the first secret text shows and the form it shows it in.
func (f *Finder) Find(text string) (what, form string, found bool) {
	if f.n == 0 {
		return "", "", false
	}
	for _, v := range decodings(text) {
		low := strings.ToLower(v.text)
		for i := 0; i+window <= len(low); i++ {
			if w, ok := f.plain[low[i:i+window]]; ok {
				return w, v.how, true
			}
		}
		b := b64Alphabet.Replace(v.text)
		for i := 0; i+window <= len(b); i++ {
			if w, ok := f.b64[b[i:i+window]]; ok {
				return w, v.how + ", in base64", true
			}
		}
	}
	return "", "", false
}

// Shows reports whether text shows secret in any form, and which.
func Shows(text, secret string) (form string, found bool) {
	var f Finder
	f.Add("the secret", secret)
	_, form, found = f.Find(text)
	return form, found
}

// b64Alphabet reads the URL alphabet as the standard one and leaves out line breaks.
var b64Alphabet = strings.NewReplacer("-", "+", "_", "/", "\r", "", "\n", "")

type decoded struct{ how, text string }

// decodings is text as it is and with up to three layers of escapes undone.
func decodings(text string) []decoded {
	out := []decoded{{"as it is", text}}
	seen := map[string]bool{text: true}
	frontier := out
	for range 3 {
		var next []decoded
		for _, d := range frontier {
			for _, dec := range decoders {
				t := dec.fn(d.text)
				if !seen[t] {
					seen[t] = true
					how := dec.name
					if d.how != "as it is" {
						how = dec.name + " of " + d.how
					}
					next = append(next, decoded{how, t})
				}
			}
		}
		out, frontier = append(out, next...), next
	}
	return out
}

var (
	percent   = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)
	backslash = regexp.MustCompile(`\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|.)`)
)

var decoders = []struct {
	name string
	fn   func(string) string
}{
	{"HTML references", html.UnescapeString},
	{"URL-decoded", func(s string) string {
		return percent.ReplaceAllStringFunc(s, func(m string) string {
			b, _ := strconv.ParseUint(m[1:], 16, 8)
			return string([]byte{byte(b)})
		})
	}},
	{"form-decoded", func(s string) string { return strings.ReplaceAll(s, "+", " ") }},
	{"unescaped (JSON, Go)", func(s string) string {
		return backslash.ReplaceAllStringFunc(s, func(m string) string {
			if u, err := strconv.Unquote(`"` + m + `"`); err == nil {
				return u
			}
			return m[1:]
		})
	}},
}
