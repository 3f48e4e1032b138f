package client

import (
	"bytes"
	"cmp"
	"hash/maphash"
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
// client secret read from Auth0 or a file), every token Stytch minted while the program holds
// it (NewTokenSecret), and the values in also (what one request carries) — in every form a
// server might echo it:
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
	// b64Prefix bounds how much of a secret a base64 run must decode to for the run to be
	// masked: the first 48 bytes (64 characters) are enough to tell, and the run is masked
	// whole.
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

// known is every secret NewSecret has wrapped, and every one NewTokenSecret wrapped that is
// still held, indexed for Scrub.
var known = newRegistry()

func newRegistry() *registry {
	return &registry{seed: maphash.MakeSeed(), seen: map[uint64]uint32{}, plain: map[[keyLen]byte]uint32{}, held: map[uint32]int{}}
}

// remember makes a secret known to Scrub. A held one is known until forget is called as
// many times as it was remembered held, unless it is also remembered for good; ok says
// whether it was remembered held (a value too short to look for is not remembered at all).
func remember(secret string, held bool) (entry uint32, ok bool) {
	if utf8.RuneCountInString(secret) < minSecretLen {
		return 0, false
	}
	return known.add(secret, held)
}

// registry keeps the secrets Scrub knows, indexed by their first bytes. An import of a large
// tenant wraps hundreds of thousands (every client's secret, every token minted to check
// one), so a secret costs little besides itself: no copy, no forms made in advance, an entry
// in a hash chain over flat arrays. Base64 runs are decoded and their bytes looked up in the
// same index.
type registry struct {
	mu      sync.RWMutex
	secrets []string // by entry; "" for an entry forgotten
	free    []uint32 // entries forgotten, for reuse
	// held counts, for each entry known only while held (NewTokenSecret), the Secrets
	// holding it.
	held map[uint32]int
	// seen finds a secret already known, by a hash of it: the last entry with that hash.
	// (Secrets may share their first bytes by the thousand, "sk_live_…", and are wrapped
	// again whenever a tenant is read again.)
	seed maphash.Seed
	seen map[uint64]uint32
	// plain maps the first keyLen bytes of a secret, folded, to the newest entry starting
	// with them, plus one; next links each entry to the one before it with the same first
	// bytes, plus one (0 ends a chain).
	plain map[[keyLen]byte]uint32
	next  []uint32
}

// scrubPattern is a value Scrub is given to mask in one text (also).
type scrubPattern struct{ secret string }

func newScrubPattern(secret string) *scrubPattern { return &scrubPattern{secret: secret} }

func (r *registry) add(secret string, held bool) (uint32, bool) {
	h := maphash.String(r.seed, secret)
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.seen[h]; ok && r.secrets[e] == secret {
		switch n := r.held[e]; {
		case n > 0 && held:
			r.held[e] = n + 1
			return e, true
		case n > 0:
			delete(r.held, e) // known for good from now on
		}
		return e, false
	}
	var e uint32
	if n := len(r.free); n > 0 {
		e, r.free = r.free[n-1], r.free[:n-1]
		r.secrets[e] = secret
	} else {
		e = uint32(len(r.secrets))
		r.secrets = append(r.secrets, secret)
		r.next = append(r.next, 0)
	}
	if held {
		r.held[e] = 1
	}
	r.seen[h] = e
	k := foldKey(secret)
	r.next[e], r.plain[k] = r.plain[k], e+1
	return e, held
}

// forget lets go of a held entry once nothing holds it.
func (r *registry) forget(e uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, ok := r.held[e]
	if !ok {
		return // known for good since
	}
	if n > 1 {
		r.held[e] = n - 1
		return
	}
	delete(r.held, e)
	if h := maphash.String(r.seed, r.secrets[e]); r.seen[h] == e {
		delete(r.seen, h)
	}
	k, item := foldKey(r.secrets[e]), e+1
	if i := r.plain[k]; i == item {
		if r.next[e] == 0 {
			delete(r.plain, k)
		} else {
			r.plain[k] = r.next[e]
		}
	} else {
		for ; i != 0 && r.next[i-1] != item; i = r.next[i-1] {
		}
		if i != 0 {
			r.next[i-1] = r.next[e]
		}
	}
	r.next[e] = 0
	r.secrets[e] = ""
	r.free = append(r.free, e)
}

// span is a part of the original text to mask, [lo, hi).
type span struct{ lo, hi int }

// find adds to spans every secret found in v, as it is and in base64.
func (r *registry) find(v *view, extra []*scrubPattern, spans []span) []span {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for i := range v.b {
		if i+keyLen <= len(v.b) {
			for e := r.plain[foldKey(v.b[i:i+keyLen])]; e != 0; e = r.next[e-1] {
				if end, ok := matchPlain(v.b, i, r.secrets[e-1]); ok {
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
	// Base64: each run is decoded from each of the four characters an encoding may start
	// at, which gives the bytes encoded at whatever alignment; where the bytes hold a
	// secret, the run around it is masked.
	w := v.b64()
	var d b64Decoded
	for from := 0; from < len(w.b); {
		if !isStdB64(w.b[from]) {
			from++
			continue
		}
		to := from
		for to < len(w.b) && isStdB64(w.b[to]) {
			to++
		}
		if to-from < 6 { // too short to encode the shortest value looked for (4 bytes)
			from = to
			continue
		}
		for start := from; start < min(from+4, to); start++ {
			d.decode(w.b, start, to)
			for j := range d.b {
				if j+keyLen <= len(d.b) {
					for e := r.plain[foldKey(d.b[j:j+keyLen])]; e != 0; e = r.next[e-1] {
						if n, ok := d.match(w, j, r.secrets[e-1]); ok {
							spans = w.run(d.at[j], d.last[j+n-1]+1, spans)
						}
					}
				}
				for _, p := range extra {
					if n, ok := d.match(w, j, p.secret); ok {
						spans = w.run(d.at[j], d.last[j+n-1]+1, spans)
					}
				}
			}
		}
		from = to
	}
	return spans
}

// match reports whether the decoded bytes at i hold secret (exactly, as base64 carries it):
// all of it, its first b64Prefix bytes, or at least keyLen of it up to where its run of
// base64 ends in the text (cut short: the run's next character is not base64, or there is
// none). n is how many bytes matched.
func (d *b64Decoded) match(w *b64View, i int, secret string) (n int, ok bool) {
	b := d.b
	for n < len(secret) && i+n < len(b) && b[i+n] == secret[n] {
		n++
	}
	if n == len(secret) || n >= b64Prefix {
		return n, true
	}
	if n < min(keyLen, len(secret)) {
		return n, false
	}
	end := d.last[i+n-1] + 1 // the character after the last byte matched
	cut := i+n == len(b) || end >= len(w.raw) || !isB64(w.raw[end]) || !isB64(w.raw[d.last[i+n]])
	return n, cut
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

func foldKey[T string | []byte](s T) [keyLen]byte {
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

// isStdB64 reports whether c is a character of the standard base64 alphabet or padding,
// as b64View maps the URL alphabet and spaces to it.
func isStdB64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '='
}

// b64Decoded is a run of base64 decoded: b are its bytes, at[i] the character of the
// b64View that starts b[i].
type b64Decoded struct {
	b        []byte
	at, last []int // the first and last characters holding b[i]
}

// decode decodes w[from:to]; what follows padding is decoded as a new encoding.
func (d *b64Decoded) decode(w []byte, from, to int) {
	d.b, d.at, d.last = d.b[:0], d.at[:0], d.last[:0]
	var acc uint32
	bits, start, m := 0, from, 0 // bits held in acc; where the encoding started; its bytes so far
	for i := from; i < to; i++ {
		c := w[i]
		if c == '=' {
			acc, bits, start, m = 0, 0, i+1, 0
			continue
		}
		acc = acc<<6 | uint32(b64Value(c))
		bits += 6
		if bits >= 8 {
			bits -= 8
			d.b = append(d.b, byte(acc>>bits))
			d.at, d.last = append(d.at, start+8*m/6), append(d.last, start+(8*m+7)/6)
			m++
			acc &= 1<<bits - 1
		}
	}
}

func b64Value(c byte) byte {
	switch {
	case 'A' <= c && c <= 'Z':
		return c - 'A'
	case 'a' <= c && c <= 'z':
		return c - 'a' + 26
	case '0' <= c && c <= '9':
		return c - '0' + 52
	case c == '+':
		return 62
	}
	return 63 // '/'
}

// run adds the base64 run holding characters [from, to) of the b64View.
func (w *b64View) run(from, to int, spans []span) []span {
	to = min(to, len(w.raw))
	for from > 0 && isB64(w.raw[from-1]) {
		from--
	}
	for to < len(w.raw) && isB64(w.raw[to]) {
		to++
	}
	return append(spans, span{w.v.lo[w.at[from]], w.v.hi[w.at[to-1]]})
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
