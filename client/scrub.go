package client

import (
	"bytes"
	"cmp"
	"encoding/base64"
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

// known is every secret NewSecret has wrapped, and every one NewTokenSecret wrapped that is
// still held, indexed for Scrub.
var known = newRegistry()

func newRegistry() *registry {
	return &registry{seed: maphash.MakeSeed(), seen: map[uint64]uint32{}, plain: map[[keyLen]byte]uint32{},
		b64: map[[keyLen]byte]uint32{}, held: map[uint32]int{}}
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

// registry keeps the secrets Scrub knows, indexed by the first bytes of each form it looks
// for. An import of a large tenant wraps hundreds of thousands (every client's secret, every
// token minted to check one), so a secret costs little besides itself: no copy, no forms
// made in advance, a few numbers in three tables. Its base64 forms are made again when a
// text holds their first characters.
type registry struct {
	mu      sync.RWMutex
	secrets []string // by entry; "" for an entry forgotten
	free    []uint32 // entries forgotten, for reuse
	// held counts, for each entry known only while held (NewTokenSecret), the Secrets
	// holding it.
	held map[uint32]int
	// seen finds a secret already known, by a hash of it: the last entry with that hash.
	seed maphash.Seed
	seen map[uint64]uint32
	// plain and b64 map the first keyLen bytes of a form (the secret folded; its base64
	// cores, see b64Core) to the newest entry starting with them, plus one; plainNext and
	// b64Next link each to the one before it with the same first bytes, plus one (0 ends a
	// chain). An item of plain is an entry; of b64, the entry × 3 plus the core's alignment.
	plain     map[[keyLen]byte]uint32
	plainNext []uint32
	b64       map[[keyLen]byte]uint32
	b64Next   []uint32
}

// scrubPattern is a value Scrub is given to mask in one text (also), in the forms it looks for.
type scrubPattern struct {
	secret string
	cores  []string // its base64 cores (b64Core) at each alignment that has one
}

func newScrubPattern(secret string) *scrubPattern {
	p := &scrubPattern{secret: secret}
	for align := range 3 {
		if c := b64Core(secret, align); c != "" {
			p.cores = append(p.cores, c)
		}
	}
	return p
}

// b64Core is the base64 of the secret's start when it is encoded after align other bytes,
// cut to the characters only the secret's bytes decide (character j holds bits 6j..6j+5 of
// the stream), which are the same whatever surrounds it. "" when that is too short to look for.
func b64Core(secret string, align int) string {
	start := secret[:min(len(secret), b64Prefix)]
	from, to := (8*align+5)/6, 8*(align+len(start))/6
	if to-from < minAlsoLen {
		return ""
	}
	b := make([]byte, align+len(start))
	copy(b[align:], start)
	return base64.StdEncoding.EncodeToString(b)[from:to]
}

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
		r.plainNext = append(r.plainNext, 0)
		r.b64Next = append(r.b64Next, 0, 0, 0)
	}
	if held {
		r.held[e] = 1
	}
	r.seen[h] = e
	k := foldKey(secret)
	r.plainNext[e], r.plain[k] = r.plain[k], e+1
	// Secrets that start alike (a project's tokens share their header) have the same cores:
	// one known for good stands for all, or each lookup would walk them all.
	var cores [3]string
	for align := range 3 {
		cores[align] = b64Core(secret, align)
	}
	if c := cores[0]; len(c) >= keyLen {
		start := secret[:min(len(secret), b64Prefix)]
		for i := r.b64[[keyLen]byte([]byte(c[:keyLen]))]; i != 0; i = r.b64Next[i-1] {
			other := r.secrets[(i-1)/3]
			if _, ok := r.held[(i-1)/3]; !ok && (i-1)%3 == 0 && other[:min(len(other), b64Prefix)] == start {
				cores = [3]string{}
				break
			}
		}
	}
	for align, c := range cores {
		item := 3*e + uint32(align)
		r.b64Next[item] = 0
		if len(c) >= keyLen {
			k := [keyLen]byte([]byte(c[:keyLen]))
			r.b64Next[item], r.b64[k] = r.b64[k], item+1
		}
	}
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
	secret := r.secrets[e]
	if h := maphash.String(r.seed, secret); r.seen[h] == e {
		delete(r.seen, h)
	}
	unlink(r.plain, r.plainNext, foldKey(secret), e+1)
	for align := range 3 {
		if c := b64Core(secret, align); len(c) >= keyLen {
			unlink(r.b64, r.b64Next, [keyLen]byte([]byte(c[:keyLen])), 3*e+uint32(align)+1)
		}
	}
	r.secrets[e] = ""
	r.free = append(r.free, e)
}

// unlink takes item (plus one) out of the chain of key.
func unlink(heads map[[keyLen]byte]uint32, next []uint32, key [keyLen]byte, item uint32) {
	i, ok := heads[key]
	switch {
	case !ok:
		return
	case i == item:
		if next[i-1] == 0 {
			delete(heads, key)
		} else {
			heads[key] = next[i-1]
		}
		next[i-1] = 0
		return
	}
	for ; next[i-1] != 0; i = next[i-1] {
		if next[i-1] == item {
			next[i-1], next[item-1] = next[item-1], 0
			return
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
			for e := r.plain[k]; e != 0; e = r.plainNext[e-1] {
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
	w := v.b64()
	for i := range w.b {
		if i+keyLen <= len(w.b) {
			copy(k[:], w.b[i:i+keyLen])
			for e := r.b64[k]; e != 0; e = r.b64Next[e-1] {
				spans = w.find(i, b64Core(r.secrets[(e-1)/3], int((e-1)%3)), spans)
			}
		}
		for _, p := range extra {
			for _, core := range p.cores {
				spans = w.find(i, core, spans)
			}
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

// find adds the base64 run holding core at i, if one does.
func (w *b64View) find(i int, core string, spans []span) []span {
	if core == "" || i+len(core) > len(w.b) || string(w.b[i:i+len(core)]) != core {
		return spans
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
