package file

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/m2mport/m2mport/client"
)

// Source reads clients from a CSV or JSON file, for clients kept outside Auth0 or
// gathered by hand. Columns (CSV, with a header row, any order) or keys (JSON, an array of
// objects): client_id and client_secret (required), name, description, scopes (space
// separated; in JSON also an array) and metadata (a JSON object). A bad row is reported with
// its line number and left out whole; it is never half imported. Whatever is ambiguous is
// bad: a column named twice (names match in any case), two different rows for one
// client_id (all of them are left out), a metadata number Stytch would store as another.
type Source struct {
	Path string
}

// New returns the source for the file at path.
func New(path string) *Source { return &Source{Path: path} }

// Name is the file's name.
func (f *Source) Name() string { return filepath.Base(f.Path) }

// Connect reads the file and says how many clients it holds.
func (f *Source) Connect(ctx context.Context) (client.SourceInfo, error) {
	inv, err := f.Inventory(ctx)
	if err != nil {
		return client.SourceInfo{}, err
	}
	return client.SourceInfo{Name: f.Name(), Clients: len(inv.Clients)}, nil
}

// Inventory reads every good row; bad rows become warnings naming their line.
func (f *Source) Inventory(ctx context.Context) (*client.Inventory, error) {
	// The caller names the source (the file) in its own message: these errors don't again.
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, pathless(err)
	}
	clients, bad, err := ParseClientsFile(f.Path, b)
	if err != nil {
		return nil, err
	}
	inv := &client.Inventory{Source: f.Name(), Clients: clients}
	for _, e := range bad {
		inv.Warnings = append(inv.Warnings, fmt.Sprintf("%s %s: row skipped", f.Name(), e.Error()))
	}
	return inv, nil
}

// pathless is what went wrong with a file, without the path an *fs.PathError repeats
// ("open /x/clients.csv: no such file or directory"): the caller names the file, once.
// errors.Is(err, fs.ErrNotExist) still holds.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// RowError is a bad row of a clients file.
type RowError struct {
	Line    int
	Message string
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Message) }

// ParseClientsFile parses a clients file, CSV or JSON by its extension (or, for other
// names, by whether it starts with '['). It returns the good rows, the bad ones, and an
// error only when the file as a whole cannot be read.
func ParseClientsFile(name string, b []byte) ([]client.Client, []RowError, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a BOM from a spreadsheet
	ext := strings.ToLower(filepath.Ext(name))
	if ext == ".json" || (ext != ".csv" && bytes.HasPrefix(bytes.TrimSpace(b), []byte("["))) {
		return parseClientsJSON(b)
	}
	return parseClientsCSV(b)
}

var fileColumns = []string{"client_id", "client_secret", "name", "description", "scopes", "metadata"}

// fileRow is one row before it is checked.
type fileRow struct {
	ID, Secret, Name, Description string
	Scopes                        client.Scopes
	Metadata                      json.RawMessage
}

// rows collects a file's rows. Two rows with the same client_id are ambiguous unless they
// are identical: result keeps one of identical rows and leaves out every row of a client
// whose rows differ, or whose other row is bad, so the client is never imported from the
// wrong row.
type rows struct {
	good     []goodRow
	bad      []RowError
	badLines map[string][]int // client_id → lines of its bad rows, where the id could be read
}

type goodRow struct {
	line int
	c    client.Client
}

func newRows() *rows { return &rows{badLines: map[string][]int{}} }

// fail records a bad row; id is its client_id when it could be read, else "".
func (rs *rows) fail(line int, id, format string, args ...any) {
	rs.bad = append(rs.bad, RowError{line, fmt.Sprintf(format, args...)})
	if id != "" {
		rs.badLines[id] = append(rs.badLines[id], line)
	}
}

func (rs *rows) add(line int, r fileRow) {
	if r.ID == "" {
		rs.fail(line, "", "client_id is empty")
		return
	}
	if r.Secret == "" {
		rs.fail(line, r.ID, "client %s: client_secret is empty (only clients with a secret can be imported)", r.ID)
		return
	}
	var meta map[string]any
	if m := bytes.TrimSpace(r.Metadata); len(m) > 0 && !bytes.Equal(m, []byte("null")) {
		var err error
		if meta, err = decodeMetadata(m); err != nil {
			rs.fail(line, r.ID, "client %s: %v", r.ID, err)
			return
		}
	}
	rs.good = append(rs.good, goodRow{line, client.Client{ID: r.ID, Secret: client.NewSecret(r.Secret), Name: r.Name, Description: r.Description, Scopes: r.Scopes, Metadata: meta}})
}

// result returns the clients to import and every bad row, in line order.
func (rs *rows) result() ([]client.Client, []RowError) {
	lines := map[string][]int{} // client_id → lines of its good rows
	first := map[string]*client.Client{}
	differ := map[string][]string{} // client_id → the fields its good rows differ in
	for i, g := range rs.good {
		id := g.c.ID
		lines[id] = append(lines[id], g.line)
		if f, ok := first[id]; !ok {
			first[id] = &rs.good[i].c
		} else {
			for _, field := range rowDiff(f, &g.c) {
				if !slices.Contains(differ[id], field) {
					differ[id] = append(differ[id], field)
				}
			}
		}
	}
	var clients []client.Client
	bad := rs.bad
	for _, g := range rs.good {
		id := g.c.ID
		switch {
		case len(rs.badLines[id]) > 0:
			bad = append(bad, RowError{g.line, fmt.Sprintf("client %s is also on %s, which is bad: this row is left out too, so the client is not imported from the wrong row", id, lineList(rs.badLines[id]))})
		case len(differ[id]) > 0:
			bad = append(bad, RowError{g.line, fmt.Sprintf("client %s is on %s, which differ in %s: all are left out; keep one row for it", id, lineList(lines[id]), strings.Join(differ[id], ", "))})
		case g.line != lines[id][0]:
			bad = append(bad, RowError{g.line, fmt.Sprintf("client %s repeats line %d", id, lines[id][0])})
		default:
			clients = append(clients, g.c)
		}
	}
	slices.SortStableFunc(bad, func(a, b RowError) int { return a.Line - b.Line })
	return clients, bad
}

// rowDiff names the columns in which two rows for the same client differ.
func rowDiff(a, b *client.Client) []string {
	var out []string
	if !a.Secret.Equal(b.Secret) { // whole: two secrets may share their last four
		out = append(out, "client_secret")
	}
	for _, d := range client.Diff(a, client.Stored{Name: b.Name, Description: b.Description, Scopes: b.Scopes, Metadata: b.Metadata, SecretLast4: a.Secret.Last4()}) {
		out = append(out, d.Field) // name, description, scopes, metadata: the columns' names
	}
	return out
}

// lineList says "line 4" or "lines 2, 5 and 9".
func lineList(lines []int) string {
	if len(lines) == 1 {
		return fmt.Sprintf("line %d", lines[0])
	}
	s := make([]string, len(lines))
	for i, l := range lines {
		s[i] = fmt.Sprint(l)
	}
	return "lines " + client.List(s)
}

func parseClientsCSV(b []byte) ([]client.Client, []RowError, error) {
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, fmt.Errorf("the file is empty: the first line must name the columns (%s)", strings.Join(fileColumns, ","))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("not valid CSV: %v", err)
	}
	// Column names are matched without regard to case, so two that differ only in case
	// would leave every row ambiguous: that is the whole file's error. Errors name a column
	// by its position, never by what the line holds: in a file without a header, the first
	// line is a client, and its cells may be a secret.
	col := map[string]int{}
	known := slices.ContainsFunc(header, func(h string) bool { return slices.Contains(fileColumns, strings.ToLower(strings.TrimSpace(h))) })
	if !known {
		return nil, nil, fmt.Errorf("line 1 names none of the columns: the first line must name them (%s); is it a client instead?", strings.Join(fileColumns, ","))
	}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(fileColumns, name) {
			return nil, nil, fmt.Errorf("line 1: column %d is not one of the columns, which are %s", i+1, strings.Join(fileColumns, ","))
		}
		if j, dup := col[name]; dup {
			return nil, nil, fmt.Errorf("line 1: columns %d and %d both name %s: keep one", j+1, i+1, name)
		}
		col[name] = i
	}
	for _, need := range fileColumns[:2] {
		if _, ok := col[need]; !ok {
			return nil, nil, fmt.Errorf("line 1: the %s column is missing", need)
		}
	}
	rs := newRows()
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, nil, fmt.Errorf("line %d: not valid CSV (%v): fix the file and try again", pe.StartLine, pe.Err)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("not valid CSV: %v", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			id := ""
			if i := col["client_id"]; i < len(rec) {
				id = rec[i]
			}
			rs.fail(line, id, "%s, the header has %d", client.Plural(len(rec), "field"), len(header))
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return rec[i]
			}
			return ""
		}
		rs.add(line, fileRow{ID: get("client_id"), Secret: get("client_secret"), Name: get("name"), Description: get("description"),
			Scopes: client.SplitScopes(get("scopes")), Metadata: json.RawMessage(get("metadata"))})
	}
	clients, bad := rs.result()
	return clients, bad, nil
}

// jsonScopes takes scopes as a space-separated string or an array of strings.
type jsonScopes client.Scopes

func (s *jsonScopes) UnmarshalJSON(b []byte) error {
	var text string
	if err := json.Unmarshal(b, &text); err == nil {
		*s = jsonScopes(client.SplitScopes(text))
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("scopes must be a string or an array of strings")
	}
	*s = jsonScopes(client.NewScopes(list...))
	return nil
}

func parseClientsJSON(b []byte) ([]client.Client, []RowError, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, nil, fmt.Errorf("not a JSON array of clients: the file must start with [")
	}
	rs := newRows()
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			// Not the decoder's words: they quote the character they stopped at.
			return nil, nil, fmt.Errorf("line %d: not valid JSON", lineAt(b, int(dec.InputOffset())))
		}
		// InputOffset is now past the element: find where it started.
		end := int(dec.InputOffset())
		line := lineAt(b, bytes.LastIndex(b[:end], raw))
		id, problem := checkRowKeys(raw)
		if problem != "" {
			rs.fail(line, id, "%s", problem)
			continue
		}
		var row struct {
			ClientID     string          `json:"client_id"`
			ClientSecret string          `json:"client_secret"`
			Name         string          `json:"name"`
			Description  string          `json:"description"`
			Scopes       jsonScopes      `json:"scopes"`
			Metadata     json.RawMessage `json:"metadata"`
		}
		if err := json.Unmarshal(raw, &row); err != nil {
			rs.fail(line, id, "%s", jsonRowError(err))
			continue
		}
		rs.add(line, fileRow{ID: row.ClientID, Secret: row.ClientSecret, Name: row.Name, Description: row.Description,
			Scopes: client.Scopes(row.Scopes), Metadata: row.Metadata})
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, fmt.Errorf("line %d: the array of clients is not closed", lineAt(b, int(dec.InputOffset())))
	}
	clients, bad := rs.result()
	return clients, bad, nil
}

// checkRowKeys says what is wrong with a JSON row's keys, or "", and returns its client_id
// when it is a string. encoding/json matches keys without regard to case and keeps the last
// of two, so {"client_secret":"A","Client_Secret":"B"} would import B without a word: every
// key must name a column, and no column may be named twice.
func checkRowKeys(raw json.RawMessage) (id, problem string) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", "not a client object"
	}
	named := map[string]int{} // column → the position of the key that named it
	for n := 1; dec.More(); n++ {
		tok, err := dec.Token()
		key, ok := tok.(string)
		if err != nil || !ok {
			return id, "not a client object"
		}
		// Keys are named by their position, never quoted: a key that is not a column may
		// be anything, a secret pasted in the wrong place included.
		i := slices.IndexFunc(fileColumns, func(c string) bool { return strings.EqualFold(c, key) })
		if i < 0 {
			return id, fmt.Sprintf("key %d of the object is not one of the keys, which are %s", n, strings.Join(fileColumns, ", "))
		}
		column := fileColumns[i]
		if prev, dup := named[column]; dup {
			return id, fmt.Sprintf("keys %d and %d of the object both name %s: keep one", prev, n, column)
		}
		named[column] = n
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return id, "not a client object"
		}
		if column == "client_id" {
			_ = json.Unmarshal(value, &id)
		}
	}
	return id, ""
}

// jsonRowError turns a decoding error into a sentence that names the field, never a value.
func jsonRowError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Sprintf("%s must be a %s", te.Field, te.Type)
	}
	if strings.Contains(err.Error(), "scopes must be") {
		return "scopes must be a string or an array of strings"
	}
	return "not a client object"
}

// lineAt returns the 1-based line of byte offset off in b.
func lineAt(b []byte, off int) int {
	off = max(0, min(off, len(b)))
	return bytes.Count(b[:off], []byte("\n")) + 1
}

// maxMetadataDepth bounds the nesting of metadata, far beyond what fits in Stytch's 4 KB.
const maxMetadataDepth = 1000

var errMetadataNotObject = errors.New("metadata is not a JSON object")

// decodeMetadata decodes a metadata object as Stytch would store it, refusing what it could
// not store as written: a key twice in one object (which value was meant?) and a number
// that a float64, which JSON numbers become in Stytch and here, would change. Numbers
// become float64, as encoding/json gives them for every other source, so a rerun compares
// them equal to what Stytch sends back.
func decodeMetadata(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := metadataValue(dec, "", 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errMetadataNotObject
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errMetadataNotObject
	}
	return m, nil
}

// metadataValue decodes the next value of dec; path names it within the metadata.
func metadataValue(dec *json.Decoder, path string, depth int) (any, error) {
	if depth > maxMetadataDepth {
		return nil, fmt.Errorf("metadata is nested more than %d deep", maxMetadataDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, errMetadataNotObject
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := map[string]any{}
			for dec.More() {
				tok, err := dec.Token()
				key, ok := tok.(string)
				if err != nil || !ok {
					return nil, errMetadataNotObject
				}
				at := key
				if path != "" {
					at = path + "." + key
				}
				if _, dup := m[key]; dup {
					return nil, fmt.Errorf("metadata key %s appears twice: keep one", quoteStart(at))
				}
				if m[key], err = metadataValue(dec, at, depth+1); err != nil {
					return nil, err
				}
			}
			_, err := dec.Token() // }
			return m, err
		case '[':
			l := []any{}
			for dec.More() {
				v, err := metadataValue(dec, fmt.Sprintf("%s[%d]", path, len(l)), depth+1)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			_, err := dec.Token() // ]
			return l, err
		}
		return nil, errMetadataNotObject
	case json.Number:
		if path == "" {
			return nil, errMetadataNotObject
		}
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil || !sameDecimal(string(t), strconv.FormatFloat(f, 'e', -1, 64)) {
			return nil, fmt.Errorf("metadata %s is a number Stytch would not store exactly (it keeps about 15 significant digits): quote it as a string", quoteStart(path))
		}
		if f == 0 {
			f = 0 // not -0, which JSON would write as "-0" and compare unequal to 0
		}
		return f, nil
	}
	return tok, nil // a string, a bool or nil
}

// sameDecimal reports whether two JSON numbers are the same decimal value, however written
// (1.50, 1.5 and 15e-1 are).
func sameDecimal(a, b string) bool {
	na, da, ea, okA := decimalParts(a)
	nb, db, eb, okB := decimalParts(b)
	return okA && okB && na == nb && da == db && ea == eb
}

// decimalParts writes the JSON number s as ±digits×10^exp, digits without leading or
// trailing zeros (and zero as "", unsigned).
func decimalParts(s string) (neg bool, digits string, exp int, ok bool) {
	neg = strings.HasPrefix(s, "-")
	mantissa, e, hasExp := strings.Cut(strings.TrimPrefix(s, "-"), "e")
	if !hasExp {
		mantissa, e, hasExp = strings.Cut(mantissa, "E")
	}
	whole, frac, _ := strings.Cut(mantissa, ".")
	all := whole + frac
	digits = strings.TrimLeft(strings.TrimRight(all, "0"), "0")
	if digits == "" {
		return false, "", 0, true
	}
	if hasExp {
		var err error
		if exp, err = strconv.Atoi(e); err != nil {
			return false, "", 0, false
		}
	}
	// Trailing zeros dropped from the digits go into the exponent.
	exp += len(strings.TrimLeft(all, "0")) - len(digits) - len(frac)
	return neg, digits, exp, true
}

// quoteStart quotes the first 20 characters of s, with an ellipsis when there are more.
func quoteStart(s string) string {
	if utf8.RuneCountInString(s) <= 20 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%.20q…", s)
}
