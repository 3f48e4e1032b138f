package client

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Scrub is m2mport's one scrubber: every error built from a server's bytes passes through it
// before it is shown, printed, or written to a report. It masks every secret in play — each
// value ever wrapped by NewSecret (the management client's secret, the project secret, every
// client secret read from Auth0 or a file, every token minted), and the values in also (what
// one request carries) — in every form a server might echo it:
//
//   - as it is, in upper or lower case;
//   - URL-encoded (a form body: %XX, '+' for a space);
//   - JSON- or Go-escaped (\uXXXX, \xXX, \", \/ …);
//   - as HTML character references, decimal or hex (&#77;, &#x4d;, &amp; …), with or
//     without the ';';
//   - any mixture and nesting of the above (a JSON string quoting a form body);
//   - base64, standard or URL alphabet, with or without padding, at any of the three
//     alignments it can have inside a longer encoded text (a Basic header, a debug dump),
//     also wrapped over several lines: the whole base64 run is masked;
//   - cut short at the end of the text, from its first 8 characters on (a body a server
//     truncated).
//
// After that, text shaped like a credential (`"client_secret":"…"`, `access_token=…`,
// `Bearer …`, a JWT) is masked whoever it belongs to. Masks are Mask.
func Scrub(text string, also ...string) string {
	if text == "" {
		return text
	}
	extra := make([]*scrubPattern, 0, len(also))
	for _, v := range also {
		if len(v) >= minAlsoLen {
			extra = append(extra, newScrubPattern(v))
		}
	}
	// Each layer of encoding is undone one kind at a time, every kind tried on every layer:
	// undoing two kinds at once would also undo what is part of the secret itself (a
	// secret holding "%41" quoted as a JSON string).
	var spans []span
	frontier := []*view{newView(text)}
	for depth := 0; len(frontier) > 0; depth++ {
		var next []*view
		for _, v := range frontier {
			spans = known.find(v, extra, spans)
			if depth == maxDecodePasses {
				continue
			}
			for kind := range escapeKinds {
				if d, changed := v.decode(escapeKind(kind)); changed {
					next = append(next, d)
				}
			}
		}
		frontier = next
	}
	text = mask(text, spans)
	lower := strings.ToLower(text)
	for _, c := range credentialShapes {
		if slices.ContainsFunc(c.hints, func(h string) bool { return strings.Contains(lower, h) }) {
			text = c.re.ReplaceAllString(text, c.repl)
		}
	}
	return text
}

// ScrubWriter returns a writer that scrubs each write before passing it on to w, for the
// standard logger: net/http logs what a server sent on an idle connection ("Unsolicited
// response received …"), quoted.
func ScrubWriter(w io.Writer) io.Writer { return scrubWriter{w} }

type scrubWriter struct{ w io.Writer }

func (s scrubWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(s.w, Scrub(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

const (
	// minSecretLen is the shortest value NewSecret makes known to Scrub: anything shorter
	// would mask ordinary words ("pass"), and no API takes a secret that short.
	minSecretLen = 8
	// minAlsoLen is the shortest value Scrub takes in also: a request's own credentials are
	// masked down to this length.
	minAlsoLen = 4
	// keyLen is how many leading bytes of a form index it: a match is looked up once per
	// position of the text, whatever the number of secrets.
	keyLen = 8
	// b64Prefix bounds how much of a secret its base64 forms are made from: the first 48
	// bytes encode to 64 characters, enough to find the run they start, which is masked whole.
	b64Prefix = 48
	// maxDecodePasses bounds the layers of encoding undone (a JSON string quoting a form
	// body quoting an HTML reference takes three).
	maxDecodePasses = 3
)

var credentialShapes = []struct {
	re   *regexp.Regexp
	repl string
	// The expression can match only a text that holds one of these, in lower case: a
	// quick look spares most texts the expression.
	hints []string
}{
	// "client_secret":"…", "access_token": "…", "next_client_secret":"… (cut short)
	{regexp.MustCompile(`(?i)("[a-z_]*(?:secret|token|password|authorization)[a-z_]*"\s*:\s*")[^"]*`), "${1}" + Mask, []string{"secret", "token", "password", "authorization"}},
	// client_secret=…&, access_token=…
	{regexp.MustCompile(`(?i)\b([a-z_]*(?:secret|token|password)[a-z_]*=)[^&\s"'<]*`), "${1}" + Mask, []string{"secret", "token", "password"}},
	// Authorization: Bearer …, Basic …
	{regexp.MustCompile(`(?i)\b((?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]+`), "${1}" + Mask, []string{"bearer", "basic"}},
	// anything shaped like a JWT
	{regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\.?[A-Za-z0-9_-]*`), Mask, []string{"eyj"}},
}

// known is every secret NewSecret has wrapped, indexed for Scrub.
var known = &registry{seen: map[string]struct{}{}, plain: map[[keyLen]byte][]*scrubPattern{}, b64: map[[keyLen]byte][]*scrubPattern{}}

// remember makes a secret known to Scrub.
func remember(secret string) {
	if utf8.RuneCountInString(secret) < minSecretLen {
		return
	}
	known.add(secret)
}

type registry struct {
	mu    sync.RWMutex
	seen  map[string]struct{}
	plain map[[keyLen]byte][]*scrubPattern // by the first bytes of the secret, folded
	b64   map[[keyLen]byte][]*scrubPattern // by the first bytes of each base64 core
}

// scrubPattern is one secret in the forms Scrub looks for.
type scrubPattern struct {
	secret string
	cores  []string // base64 of its start at each alignment, the characters it alone decides
}

func newScrubPattern(secret string) *scrubPattern {
	p := &scrubPattern{secret: secret}
	start := []byte(secret[:min(len(secret), b64Prefix)])
	for align := range 3 {
		// Encoded after align other bytes, character j holds bits 6j..6j+5 of the stream;
		// those that hold only bits of the secret are the same whatever surrounds it.
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, align), start...))
		from, to := (8*align+5)/6, 8*(align+len(start))/6
		if to-from >= minAlsoLen {
			p.cores = append(p.cores, enc[from:to])
		}
	}
	return p
}

func (r *registry) add(secret string) {
	r.mu.RLock()
	_, ok := r.seen[secret]
	r.mu.RUnlock()
	if ok {
		return
	}
	p := newScrubPattern(secret)
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.seen[secret]; ok {
		return
	}
	r.seen[secret] = struct{}{}
	r.plain[foldKey(secret)] = append(r.plain[foldKey(secret)], p)
	for _, c := range p.cores {
		if len(c) >= keyLen {
			k := [keyLen]byte([]byte(c[:keyLen]))
			r.b64[k] = append(r.b64[k], p)
		}
	}
}

// span is a part of the original text to mask, [lo, hi).
type span struct{ lo, hi int }

// find adds to spans every secret found in v, as it is and in base64.
func (r *registry) find(v *view, extra []*scrubPattern, spans []span) []span {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var k [keyLen]byte
	for i := range v.b {
		if i+keyLen <= len(v.b) {
			for j := range keyLen {
				k[j] = foldByte(v.b[i+j])
			}
			for _, p := range r.plain[k] {
				if end, ok := matchPlain(v.b, i, p.secret); ok {
					spans = append(spans, v.span(i, end))
				}
			}
		}
		for _, p := range extra {
			if end, ok := matchPlain(v.b, i, p.secret); ok {
				spans = append(spans, v.span(i, end))
			}
		}
	}
	w := v.b64()
	for i := range w.b {
		if i+keyLen <= len(w.b) {
			copy(k[:], w.b[i:i+keyLen])
			for _, p := range r.b64[k] {
				spans = w.find(i, p, spans)
			}
		}
		for _, p := range extra {
			spans = w.find(i, p, spans)
		}
	}
	return spans
}

// matchPlain reports whether secret starts at b[i] (folded), or b ends inside it after at
// least keyLen bytes of it (a text cut short). end is where the match ends.
func matchPlain(b []byte, i int, secret string) (end int, ok bool) {
	j := 0
	for ; j < len(secret); j++ {
		if i+j == len(b) {
			return i + j, j >= keyLen
		}
		if foldByte(b[i+j]) != foldByte(secret[j]) {
			return 0, false
		}
	}
	return i + j, true
}

// foldByte folds what a server may change without changing the secret: ASCII case, and a
// space, which a form body writes as '+'.
func foldByte(c byte) byte {
	switch {
	case 'A' <= c && c <= 'Z':
		return c + 'a' - 'A'
	case c == ' ':
		return '+'
	}
	return c
}

func foldKey(s string) [keyLen]byte {
	var k [keyLen]byte
	for j := range min(keyLen, len(s)) {
		k[j] = foldByte(s[j])
	}
	return k
}

// view is a text with some encoding undone: b are its bytes, and b[i] came from the
// original text's bytes [lo[i], hi[i]).
type view struct {
	b      []byte
	lo, hi []int
}

func newView(text string) *view {
	v := &view{b: []byte(text), lo: make([]int, len(text)), hi: make([]int, len(text))}
	for i := range len(text) {
		v.lo[i], v.hi[i] = i, i+1
	}
	return v
}

func (v *view) span(from, to int) span { return span{v.lo[from], v.hi[to-1]} }

// escapeKind is a kind of escape a server may write a secret with.
type escapeKind int

const (
	escapeURL       escapeKind = iota // %XX
	escapeBackslash                   // JSON and Go: \uXXXX, \xXX, \" …
	escapeHTML                        // &#DD; &#xHH; &amp; …
	escapeKinds
)

// decode undoes one layer of escapes of one kind.
func (v *view) decode(kind escapeKind) (*view, bool) {
	if bytes.IndexByte(v.b, "%\\&"[kind]) < 0 {
		return nil, false
	}
	out := &view{b: make([]byte, 0, len(v.b)), lo: make([]int, 0, len(v.b)), hi: make([]int, 0, len(v.b))}
	changed := false
	for i := 0; i < len(v.b); {
		dec, n := unescape(v.b[i:], kind)
		if n == 0 {
			out.b, out.lo, out.hi = append(out.b, v.b[i]), append(out.lo, v.lo[i]), append(out.hi, v.hi[i])
			i++
			continue
		}
		changed = true
		for _, c := range dec {
			out.b, out.lo, out.hi = append(out.b, c), append(out.lo, v.lo[i]), append(out.hi, v.hi[i+n-1])
		}
		i += n
	}
	return out, changed
}

var htmlNames = map[string]string{"amp": "&", "lt": "<", "gt": ">", "quot": `"`, "apos": "'", "nbsp": " "}

// unescape decodes the escape b starts with: its bytes and how many of b it took (0: none).
func unescape(b []byte, kind escapeKind) ([]byte, int) {
	if len(b) < 2 || b[0] != "%\\&"[kind] {
		return nil, 0
	}
	hexRune := func(s []byte, width int) (rune, bool) {
		if len(s) < width {
			return 0, false
		}
		r, err := strconv.ParseUint(string(s[:width]), 16, 32)
		return rune(r), err == nil
	}
	switch b[0] {
	case '%':
		if r, ok := hexRune(b[1:], 2); ok {
			return []byte{byte(r)}, 3
		}
	case '\\':
		switch c := b[1]; c {
		case '"', '\\', '/', '\'':
			return []byte{c}, 2
		case 'n':
			return []byte{'\n'}, 2
		case 't':
			return []byte{'\t'}, 2
		case 'r':
			return []byte{'\r'}, 2
		case 'b':
			return []byte{'\b'}, 2
		case 'f':
			return []byte{'\f'}, 2
		case 'x':
			if r, ok := hexRune(b[2:], 2); ok {
				return []byte{byte(r)}, 4
			}
		case 'u', 'U':
			width := 4
			if c == 'U' {
				width = 8
			}
			r, ok := hexRune(b[2:], width)
			if !ok {
				break
			}
			n := 2 + width
			if 0xd800 <= r && r < 0xdc00 && len(b) >= n+6 && b[n] == '\\' && b[n+1] == 'u' {
				if lo, ok := hexRune(b[n+2:], 4); ok && 0xdc00 <= lo && lo < 0xe000 {
					r, n = (r-0xd800)<<10+(lo-0xdc00)+0x10000, n+6
				}
			}
			return utf8.AppendRune(nil, r), n
		}
	case '&':
		if b[1] == '#' {
			i, base := 2, 10
			if i < len(b) && (b[i] == 'x' || b[i] == 'X') {
				i, base = 3, 16
			}
			j := i
			for j < len(b) && j-i < 8 && isDigit(b[j], base) {
				j++
			}
			if j == i {
				break
			}
			r, err := strconv.ParseUint(string(b[i:j]), base, 32)
			if err != nil || r > utf8.MaxRune {
				break
			}
			if j < len(b) && b[j] == ';' {
				j++
			}
			return utf8.AppendRune(nil, rune(r)), j
		}
		end := 1
		for end < len(b) && end < 6 && ('a' <= b[end] && b[end] <= 'z') {
			end++
		}
		if s, ok := htmlNames[string(b[1:end])]; ok {
			if end < len(b) && b[end] == ';' {
				end++
			}
			return []byte(s), end
		}
	}
	return nil, 0
}

func isDigit(c byte, base int) bool {
	switch {
	case '0' <= c && c <= '9':
		return true
	case base == 16:
		return 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
	}
	return false
}

// b64View is a view's bytes as base64 is read: both alphabets as the standard one, a space
// as the '+' a form body made of it, line breaks left out; at[i] is the view byte of b[i].
type b64View struct {
	v   *view
	b   []byte
	raw []byte // the bytes before mapping, to tell where a run ends
	at  []int
}

func (v *view) b64() *b64View {
	out := &b64View{v: v, b: make([]byte, 0, len(v.b)), raw: make([]byte, 0, len(v.b)), at: make([]int, 0, len(v.b))}
	for i, c := range v.b {
		mapped := c
		switch c {
		case '\r', '\n':
			continue
		case '-', ' ':
			mapped = '+'
		case '_':
			mapped = '/'
		}
		out.b, out.raw, out.at = append(out.b, mapped), append(out.raw, c), append(out.at, i)
	}
	return out
}

// isB64 reports whether c belongs to a base64 run, in either alphabet. A space does not:
// the run a secret is found in ends at the words around it.
func isB64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("+/=-_", c) >= 0
}

// find adds the base64 run holding one of p's cores at i, if one does.
func (w *b64View) find(i int, p *scrubPattern, spans []span) []span {
	for _, core := range p.cores {
		if i+len(core) > len(w.b) || string(w.b[i:i+len(core)]) != core {
			continue
		}
		from, to := i, i+len(core)
		for from > 0 && isB64(w.raw[from-1]) {
			from--
		}
		for to < len(w.raw) && isB64(w.raw[to]) {
			to++
		}
		return append(spans, span{w.v.lo[w.at[from]], w.v.hi[w.at[to-1]]})
	}
	return spans
}

// mask replaces the spans of text with Mask, overlapping spans as one.
func mask(text string, spans []span) string {
	if len(spans) == 0 {
		return text
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Or(a.lo-b.lo, b.hi-a.hi) })
	var b strings.Builder
	at := 0
	for i := 0; i < len(spans); {
		lo, hi := spans[i].lo, spans[i].hi
		for i++; i < len(spans) && spans[i].lo <= hi; i++ {
			hi = max(hi, spans[i].hi)
		}
		b.WriteString(text[at:lo])
		b.WriteString(Mask)
		at = hi
	}
	b.WriteString(text[at:])
	return b.String()
}
