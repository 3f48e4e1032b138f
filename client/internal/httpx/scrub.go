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
// error, through client.Scrub, the one scrubber: it knows every secret m2mport holds, and
// this one adds the values this request carries (its secrets and its Authorization header,
// down to four characters).
type scrubber struct{ values []string }

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

func (s scrubber) clean(text string) string { return client.Scrub(text, s.values...) }

// scrubbedError is an error from below (the transport) whose text may quote what the server
// sent — "malformed MIME header line: …" — shown scrubbed. errors.Is and errors.As still
// see the error it stands for.
type scrubbedError struct {
	text string
	err  error
}

func (e *scrubbedError) Error() string { return e.text }
func (e *scrubbedError) Unwrap() error { return e.err }

func (s scrubber) err(err error) error {
	if err == nil {
		return nil
	}
	return &scrubbedError{text: s.clean(err.Error()), err: err}
}

// snippet returns the start of an unexpected body as one short line of plain text: tags of
// an HTML page dropped, control characters and runs of whitespace collapsed to one space,
// credentials scrubbed, cut to snippetRunes.
func (s scrubber) snippet(body []byte) string {
	if len(body) > 8<<10 {
		body = body[:8<<10]
	}
	// Scrubbed before the page is turned into text too: taking the tags out could break up
	// an encoded secret the scrubber would have recognised whole.
	text := s.clean(strings.ToValidUTF8(string(body), ""))
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
