package httpx

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/m2mport/m2mport/client"
)

// snippetRunes is how much of an unexpected body an error shows: enough to recognise a
// proxy's "502 Bad Gateway" page, too little to dump a document into a terminal.
const snippetRunes = 120

// scrubber removes credentials from text that came from an answer before it reaches an
// error. It knows the exact values the request sent (secrets, the Authorization header) and,
// as a second line of defence, the shapes credentials take in JSON, forms and headers, so
// that a truncated body holding half a secret is caught too.
type scrubber struct{ values []string }

var credentialShapes = []struct {
	re   *regexp.Regexp
	repl string
}{
	// "client_secret":"…", "access_token": "…", "next_client_secret":"… (cut short)
	{regexp.MustCompile(`(?i)("[a-z_]*(?:secret|token|password|authorization)[a-z_]*"\s*:\s*")[^"]*`), "${1}" + client.Mask},
	// client_secret=…&, access_token=…
	{regexp.MustCompile(`(?i)\b([a-z_]*(?:secret|token|password)[a-z_]*=)[^&\s"'<]*`), "${1}" + client.Mask},
	// Authorization: Bearer …, Basic …
	{regexp.MustCompile(`(?i)\b((?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]+`), "${1}" + client.Mask},
	// anything shaped like a JWT
	{regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\.?[A-Za-z0-9_-]*`), client.Mask},
}

func newScrubber(secrets []string, h http.Header) scrubber {
	var s scrubber
	add := func(v string) {
		if len(v) >= 4 {
			s.values = append(s.values, v)
		}
	}
	for _, v := range secrets {
		add(v)
	}
	for _, auth := range h.Values("Authorization") {
		add(auth)
		scheme, cred, ok := strings.Cut(auth, " ")
		if !ok {
			continue
		}
		add(cred)
		if strings.EqualFold(scheme, "basic") {
			if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
				if _, secret, ok := strings.Cut(string(raw), ":"); ok {
					add(secret)
				}
			}
		}
	}
	return s
}

func (s scrubber) clean(text string) string {
	for _, v := range s.values {
		text = strings.ReplaceAll(text, v, client.Mask)
	}
	for _, c := range credentialShapes {
		text = c.re.ReplaceAllString(text, c.repl)
	}
	return text
}

// snippet returns the start of an unexpected body as one short line of plain text: tags of
// an HTML page dropped, control characters and runs of whitespace collapsed to one space,
// credentials scrubbed, cut to snippetRunes.
func (s scrubber) snippet(body []byte) string {
	if len(body) > 8<<10 {
		body = body[:8<<10]
	}
	text := strings.ToValidUTF8(string(body), "")
	if looksLikeHTML(text) {
		text = htmlText(text)
	}
	text = s.clean(text)
	var b strings.Builder
	space := false
	for _, r := range text {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return truncateRunes(b.String(), snippetRunes)
}

func looksLikeHTML(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	return strings.HasPrefix(t, "<!doctype html") || strings.HasPrefix(t, "<html") ||
		strings.Contains(t, "<body") || strings.Contains(t, "<title")
}

var (
	htmlDrop = regexp.MustCompile(`(?is)<(script|style|head)\b.*?</(script|style|head)\s*>`)
	htmlTag  = regexp.MustCompile(`(?s)<[^>]*>`)
	htmlTitl = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title\s*>`)
)

// htmlText keeps what a person would read on an error page: its title and its visible text.
func htmlText(page string) string {
	title := ""
	if m := htmlTitl.FindStringSubmatch(page); m != nil {
		title = strings.TrimSpace(m[1])
	}
	text := htmlTag.ReplaceAllString(htmlDrop.ReplaceAllString(page, " "), " ")
	text = strings.NewReplacer("&nbsp;", " ", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'").Replace(text)
	if title != "" && !strings.HasPrefix(strings.TrimSpace(text), title) {
		text = title + " " + text
	}
	return text
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos] + "…"
		}
		i++
	}
	return s
}
