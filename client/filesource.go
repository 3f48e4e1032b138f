package client

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
	"strings"
)

// FileSource reads clients from a CSV or JSON file, for clients kept outside Auth0 or
// gathered by hand. Columns (CSV, with a header row, any order) or keys (JSON, an array of
// objects): client_id and client_secret (required), name, description, scopes (space
// separated; in JSON also an array) and metadata (a JSON object). A bad row is reported with
// its line number and left out whole; it is never half imported.
type FileSource struct {
	Path string
}

// NewFileSource returns the source for the file at path.
func NewFileSource(path string) *FileSource { return &FileSource{Path: path} }

// Name is the file's name.
func (f *FileSource) Name() string { return filepath.Base(f.Path) }

// Connect reads the file and says how many clients it holds.
func (f *FileSource) Connect(ctx context.Context) (SourceInfo, error) {
	inv, err := f.Inventory(ctx)
	if err != nil {
		return SourceInfo{}, err
	}
	return SourceInfo{Name: f.Name(), Clients: len(inv.Clients)}, nil
}

// Inventory reads every good row; bad rows become warnings naming their line.
func (f *FileSource) Inventory(ctx context.Context) (*Inventory, error) {
	// The caller names the source (the file) in its own message: these errors don't again.
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, pathless(err)
	}
	clients, bad, err := ParseClientsFile(f.Path, b)
	if err != nil {
		return nil, err
	}
	inv := &Inventory{Source: f.Name(), Clients: clients}
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
func ParseClientsFile(name string, b []byte) ([]Client, []RowError, error) {
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
	Scopes                        Scopes
	Metadata                      json.RawMessage
}

// rows collects rows into clients, keeping the first of two rows with the same id.
type rows struct {
	clients []Client
	bad     []RowError
	lines   map[string]int
}

func (rs *rows) add(line int, r fileRow) {
	fail := func(format string, args ...any) {
		rs.bad = append(rs.bad, RowError{line, fmt.Sprintf(format, args...)})
	}
	if r.ID == "" {
		fail("client_id is empty")
		return
	}
	if r.Secret == "" {
		fail("client %s: client_secret is empty (only clients with a secret can be imported)", r.ID)
		return
	}
	var meta map[string]any
	if m := bytes.TrimSpace(r.Metadata); len(m) > 0 && !bytes.Equal(m, []byte("null")) {
		if err := json.Unmarshal(m, &meta); err != nil || meta == nil {
			fail("client %s: metadata is not a JSON object", r.ID)
			return
		}
	}
	if first, ok := rs.lines[r.ID]; ok {
		fail("client %s is already on line %d", r.ID, first)
		return
	}
	rs.lines[r.ID] = line
	rs.clients = append(rs.clients, Client{ID: r.ID, Secret: NewSecret(r.Secret), Name: r.Name, Description: r.Description, Scopes: r.Scopes, Metadata: meta})
}

func parseClientsCSV(b []byte) ([]Client, []RowError, error) {
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, fmt.Errorf("the file is empty: the first line must name the columns (%s)", strings.Join(fileColumns, ","))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("not valid CSV: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(fileColumns, h) {
			return nil, nil, fmt.Errorf("line 1: unknown column %q: the columns are %s", h, strings.Join(fileColumns, ","))
		}
		if _, dup := col[h]; dup {
			return nil, nil, fmt.Errorf("line 1: column %q appears twice", h)
		}
		col[h] = i
	}
	for _, need := range fileColumns[:2] {
		if _, ok := col[need]; !ok {
			return nil, nil, fmt.Errorf("line 1: the %s column is missing", need)
		}
	}
	rs := &rows{lines: map[string]int{}}
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
			rs.bad = append(rs.bad, RowError{line, fmt.Sprintf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return rec[i]
			}
			return ""
		}
		rs.add(line, fileRow{ID: get("client_id"), Secret: get("client_secret"), Name: get("name"), Description: get("description"),
			Scopes: SplitScopes(get("scopes")), Metadata: json.RawMessage(get("metadata"))})
	}
	return rs.clients, rs.bad, nil
}

// jsonScopes takes scopes as a space-separated string or an array of strings.
type jsonScopes Scopes

func (s *jsonScopes) UnmarshalJSON(b []byte) error {
	var text string
	if err := json.Unmarshal(b, &text); err == nil {
		*s = jsonScopes(SplitScopes(text))
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("scopes must be a string or an array of strings")
	}
	*s = jsonScopes(NewScopes(list...))
	return nil
}

func parseClientsJSON(b []byte) ([]Client, []RowError, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, nil, fmt.Errorf("not a JSON array of clients: the file must start with [")
	}
	rs := &rows{lines: map[string]int{}}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, fmt.Errorf("line %d: not valid JSON: %v", lineAt(b, int(dec.InputOffset())), err)
		}
		// InputOffset is now past the element: find where it started.
		end := int(dec.InputOffset())
		line := lineAt(b, bytes.LastIndex(b[:end], raw))
		var row struct {
			ClientID     string          `json:"client_id"`
			ClientSecret string          `json:"client_secret"`
			Name         string          `json:"name"`
			Description  string          `json:"description"`
			Scopes       jsonScopes      `json:"scopes"`
			Metadata     json.RawMessage `json:"metadata"`
		}
		rd := json.NewDecoder(bytes.NewReader(raw))
		rd.DisallowUnknownFields()
		if err := rd.Decode(&row); err != nil {
			rs.bad = append(rs.bad, RowError{line, jsonRowError(err)})
			continue
		}
		rs.add(line, fileRow{ID: row.ClientID, Secret: row.ClientSecret, Name: row.Name, Description: row.Description,
			Scopes: Scopes(row.Scopes), Metadata: row.Metadata})
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, fmt.Errorf("line %d: the array of clients is not closed", lineAt(b, int(dec.InputOffset())))
	}
	return rs.clients, rs.bad, nil
}

// jsonRowError turns a decoding error into a sentence that names the field, never a value.
func jsonRowError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Sprintf("%s must be a %s", te.Field, te.Type)
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return fmt.Sprintf("unknown key %s: the keys are %s", f, strings.Join(fileColumns, ", "))
	}
	if strings.Contains(msg, "scopes must be") {
		return "scopes must be a string or an array of strings"
	}
	return "not a client object"
}

// lineAt returns the 1-based line of byte offset off in b.
func lineAt(b []byte, off int) int {
	off = max(0, min(off, len(b)))
	return bytes.Count(b[:off], []byte("\n")) + 1
}
