package file

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/leaktest"
)

func rowLines(bad []RowError) map[int]string {
	out := map[int]string{}
	for _, e := range bad {
		out[e.Line] = e.Message
	}
	return out
}

func TestFileSourceCSV(t *testing.T) {
	csv := "\xef\xbb\xbfclient_id,client_secret,name,scopes,metadata,description\n" +
		"billing,s3cret-billing-DzJj,Billing worker,read:invoices  write:invoices,\"{\"\"team\"\":\"\"billing\"\"}\",Nightly run\n" +
		",s3cret-x,No id,,,\n" +
		"nosecret,,No secret,,,\n" +
		"badmeta,s3cret-badmeta,Bad metadata,a,[1],\n" +
		"short,row\n" +
		"lonely\n" +
		"\"multi\nline\",s3cret-multiline,Multi,a,,\n" +
		"billing,s3cret-billing-DzJj,Billing worker,write:invoices read:invoices,\"{ \"\"team\"\": \"\"billing\"\" }\",Nightly run\n" +
		"plain,s3cret-plain-1234,,,,\n"
	clients, bad, err := ParseClientsFile("clients.csv", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, c := range clients {
		ids = append(ids, c.ID)
	}
	if strings.Join(ids, ",") != "billing,multi\nline,plain" {
		t.Fatalf("good rows %q", ids)
	}
	b := clients[0]
	if b.Secret.Reveal() != "s3cret-billing-DzJj" || b.Name != "Billing worker" || b.Description != "Nightly run" ||
		b.Scopes.String() != "read:invoices write:invoices" || b.Metadata["team"] != "billing" {
		t.Fatalf("billing row %+v", b)
	}
	want := map[int]string{3: "client_id is empty", 4: "client_secret is empty", 5: "metadata is not a JSON object",
		6: "2 fields", 7: "1 field, the header has 6", 10: "repeats line 2"}
	got := rowLines(bad)
	if len(got) != len(want) {
		t.Fatalf("bad rows %v, want lines %v", got, want)
	}
	for line, says := range want {
		if !strings.Contains(got[line], says) {
			t.Errorf("line %d: %q, want it to say %q", line, got[line], says)
		}
	}
	for _, e := range bad {
		if strings.Contains(e.Error(), "s3cret") {
			t.Errorf("a row error shows a secret: %s", e.Error())
		}
	}
}

func TestFileSourceCSVWholeFileErrors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"unknown column": "client_id,client_secret,scope\n",
		"no secret col":  "client_id,name\n",
		"bad quoting":    "client_id,client_secret\na,\"b\n",
	} {
		if _, _, err := ParseClientsFile("x.csv", []byte(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	_, _, err := ParseClientsFile("x.csv", []byte("client_id,client_secret,scope\n"))
	if !strings.Contains(err.Error(), "column 3 is not one of the columns") || !strings.Contains(err.Error(), "scopes") || strings.Contains(err.Error(), `"scope"`) {
		t.Errorf("a misspelt column should be named with the right ones: %v", err)
	}
}

func TestFileSourceJSON(t *testing.T) {
	js := `[
  {"client_id": "a", "client_secret": "s3cret-a-secret", "scopes": "read:a write:a", "metadata": {"k": 1}},
  {"client_id": "b", "client_secret": "s3cret-b-secret", "scopes": ["x", "y", "x"]},
  {"client_id": "c", "client_secret": "s3cret-c", "scope": "typo"},
  {"client_id": "d", "client_secret": 42},
  {"client_id": "e", "client_secret": "s3cret-e", "metadata": "no"},
  {"client_id": "f", "client_secret": "s3cret-f", "scopes": 7},
  "not an object"
]`
	clients, bad, err := ParseClientsFile("clients.json", []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	if len(clients) != 2 || clients[0].Scopes.String() != "read:a write:a" || clients[1].Scopes.String() != "x y" || clients[0].Metadata["k"] != 1.0 {
		t.Fatalf("good rows %+v", clients)
	}
	want := map[int]string{4: "key 3 of the object is not one of the keys", 5: "client_secret must be a string", 6: "metadata is not a JSON object", 7: "scopes must be", 8: "not a client object"}
	got := rowLines(bad)
	for line, says := range want {
		if !strings.Contains(got[line], says) {
			t.Errorf("line %d: %q, want it to say %q", line, got[line], says)
		}
	}
	if len(got) != len(want) {
		t.Errorf("bad rows %v", got)
	}
	for _, in := range []string{`{"client_id":"a"}`, `[{"client_id":"a","client_secret":"b"}`, `[{"client_id":`} {
		if _, _, err := ParseClientsFile("x.json", []byte(in)); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}

func TestFileSourceIsASource(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "clients.csv")
	if err := os.WriteFile(path, []byte("client_id,client_secret,scopes\nok,s3cret-ok-1234,a\n,x,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var src client.Source = New(path)
	info, err := src.Connect(context.Background())
	if err != nil || info.Clients != 1 || info.Name != "clients.csv" {
		t.Fatalf("connect %+v %v", info, err)
	}
	inv, err := src.Inventory(context.Background())
	if err != nil || len(inv.Clients) != 1 || len(inv.Warnings) != 1 || !strings.Contains(inv.Warnings[0], "clients.csv line 3") {
		t.Fatalf("inventory %+v %v", inv, err)
	}
	// The caller names the source ("read missing.csv: …"): its errors don't name it again.
	_, err = New(filepath.Join(dir, "missing.csv")).Inventory(context.Background())
	if !errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), "missing.csv") || strings.Contains(err.Error(), "open ") {
		t.Fatalf("a missing file: %v, want ErrNotExist without the path", err)
	}
	obj := filepath.Join(dir, "obj.json")
	if err := os.WriteFile(obj, []byte(`{"client_id":"x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = New(obj).Inventory(context.Background())
	if err == nil || strings.Contains(err.Error(), "obj.json") || !strings.Contains(err.Error(), "not a JSON array") {
		t.Fatalf("a JSON object, not an array: %v", err)
	}
}

// expectRows checks that exactly the clients named in good were read, and that each line in
// bad was reported saying what its value says.
func expectRows(t *testing.T, clients []client.Client, rowErrs []RowError, good []string, bad map[int]string) {
	t.Helper()
	var ids []string
	for _, c := range clients {
		ids = append(ids, c.ID)
	}
	if strings.Join(ids, ",") != strings.Join(good, ",") {
		t.Errorf("imported %q, want %q", ids, good)
	}
	got := rowLines(rowErrs)
	for line, says := range bad {
		if !strings.Contains(got[line], says) {
			t.Errorf("line %d: %q, want it to say %q", line, got[line], says)
		}
	}
	if len(got) != len(bad) {
		t.Errorf("bad rows %v, want lines %v", got, bad)
	}
	for _, e := range rowErrs {
		if strings.Contains(e.Message, "s3cret") {
			t.Errorf("a row error shows a secret: %s", e.Error())
		}
	}
}

// encoding/json matches keys without regard to case and keeps the last of two: a row that
// names a column twice must be left out, not imported with whichever value came last.
func TestFileSourceJSONRowNamesEachColumnOnce(t *testing.T) {
	js := `[
  {"client_id": "h1", "client_secret": "s3cret-A-abcdef", "Client_Secret": "s3cret-B-abcdef"},
  {"client_id": "h2", "client_secret": "s3cret-h2-abcdef", "metadata": {"team": "a"}, "METADATA": null},
  {"client_id": "h3", "client_secret": "s3cret-h3-abcdef", "scopes": "a", "scopes": "a b"},
  {"client_id": "h4", "client_secret": "s3cret-h4-abcdef", "client_ſecret": "s3cret-K-abcdef"},
  {"client_id": "h5", "client_secret": "s3cret-h5-abcdef", "scope": "a"},
  {"CLIENT_ID": "h6", "Client_Secret": "s3cret-h6-abcdef", "Scopes": "a"},
  {"client_id": "h7", "client_secret": "s3cret-h7-abcdef", "metadata": {"team": "a", "team": "b"}},
  {"client_id": "h8", "client_secret": "s3cret-h8-abcdef", "metadata": {"a": {"x": 1, "x": 1}}}
]`
	clients, bad, err := ParseClientsFile("clients.json", []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	expectRows(t, clients, bad, []string{"h6"}, map[int]string{
		2: `keys 2 and 3 of the object both name client_secret`,
		3: `keys 3 and 4 of the object both name metadata`,
		4: `keys 3 and 4 of the object both name scopes`,
		5: `both name client_secret`,
		6: `key 3 of the object is not one of the keys`,
		8: `metadata key "team" appears twice`,
		9: `metadata key "a.x" appears twice`,
	})
	if len(clients) == 1 && (clients[0].Secret.Reveal() != "s3cret-h6-abcdef" || clients[0].Scopes.String() != "a") {
		t.Errorf("keys spelt in another case, once each, should still be read: %+v", clients[0])
	}
}

func TestFileSourceCSVColumnsDifferingOnlyInCase(t *testing.T) {
	for in, says := range map[string]string{
		"client_id,client_secret,Client_Secret\n":     `columns 2 and 3 both name client_secret`,
		"client_id,client_secret, client_secret\n":    `columns 2 and 3 both name client_secret`,
		"client_id,client_secret,scopes,scopes\n":     `columns 3 and 4 both name scopes`,
		"client_id,metadata,client_secret,METADATA\n": `columns 2 and 4 both name metadata`,
	} {
		_, _, err := ParseClientsFile("x.csv", []byte(in+"a,s3cret-a-abcdef,x,y\n"))
		if err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%q: %v, want it to say %q", in, err, says)
		}
	}
}

// Two rows for one client_id are ambiguous unless identical: which secret, which scopes?
func TestFileSourceDuplicateIDs(t *testing.T) {
	csv := "client_id,client_secret,scopes,metadata\n" +
		"same,s3cret-same-abcdef,a b,\"{\"\"n\"\":1}\"\n" + // 2
		"secret,s3cret-one-abcdef,a,\n" + // 3
		"same,s3cret-same-abcdef,b a,\"{\"\"n\"\":1.0}\"\n" + // 4: identical
		"secret,s3cret-two-abcdef,a b,\n" + // 5: another secret and scopes
		"ok,s3cret-ok-abcdef,a,\n" + // 6
		"broken,s3cret-broken-abcdef,a,\n" + // 7
		"broken,s3cret-broken-abcdef,a,[1]\n" + // 8: bad, so line 7 is in doubt too
		"three,s3cret-three-abcdef,a,\n" + // 9
		"three,s3cret-three-abcdef,a,\n" + // 10
		"three,s3cret-three-abcdef,a,\"{\"\"k\"\":\"\"v\"\"}\"\n" // 11
	clients, bad, err := ParseClientsFile("clients.csv", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	expectRows(t, clients, bad, []string{"same", "ok"}, map[int]string{
		3:  "client secret is on lines 3 and 5, which differ in client_secret, scopes",
		4:  "client same repeats line 2",
		5:  "client secret is on lines 3 and 5",
		7:  "client broken is also on line 8, which is bad",
		8:  "metadata is not a JSON object",
		9:  "client three is on lines 9, 10 and 11, which differ in metadata",
		10: "lines 9, 10 and 11",
		11: "lines 9, 10 and 11",
	})
}

// Stytch holds JSON numbers as float64s: a number that would come back as another one must
// be quoted, not silently changed; numbers that come back the same are read as float64s,
// as from any other source.
func TestFileSourceMetadataNumbers(t *testing.T) {
	js := `[
  {"client_id": "big", "client_secret": "s3cret-big-abcdef", "metadata": {"acct": 12345678901234567891}},
  {"client_id": "deep", "client_secret": "s3cret-deep-abcdef", "metadata": {"ids": [1, 2, 9007199254740993]}},
  {"client_id": "fine", "client_secret": "s3cret-fine-abcdef", "metadata": {"tenth": 0.1, "half": 1.50, "k": 1e3, "zero": -0.0, "max": 9007199254740992, "tiny": 5e-324, "list": [], "obj": {}}},
  {"client_id": "huge", "client_secret": "s3cret-huge-abcdef", "metadata": {"x": 1e400}},
  {"client_id": "fraction", "client_secret": "s3cret-fraction-abcdef", "metadata": {"x": 0.10000000000000000001}}
]`
	clients, bad, err := ParseClientsFile("clients.json", []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	expectRows(t, clients, bad, []string{"fine"}, map[int]string{
		2: `metadata "acct" is a number Stytch would not store exactly`,
		3: `metadata "ids[2]" is a number`,
		5: `"x" is a number`,
		6: `"x" is a number`,
	})
	for _, e := range bad {
		if !strings.Contains(e.Message, "quote it as a string") {
			t.Errorf("line %d does not say what to do: %s", e.Line, e.Message)
		}
	}
	if len(clients) != 1 {
		return
	}
	m := clients[0].Metadata
	if m["tenth"] != 0.1 || m["half"] != 1.5 || m["k"] != 1000.0 || m["max"] != 9007199254740992.0 || m["tiny"] != 5e-324 {
		t.Errorf("metadata %v", m)
	}
	if l, ok := m["list"].([]any); !ok || l == nil {
		t.Errorf("an empty list became %#v", m["list"])
	}
	want := map[string]any{"tenth": 0.1, "half": 1.5, "k": 1000.0, "zero": 0.0, "max": 9007199254740992.0, "tiny": 5e-324, "list": []any{}, "obj": map[string]any{}}
	if !client.MetadataEqual(m, want) {
		t.Errorf("metadata %v, want %v", m, want)
	}
	// The CSV metadata column is read the same way.
	_, bad, _ = ParseClientsFile("x.csv", []byte("client_id,client_secret,metadata\nbig,s3cret-big-abcdef,\"{\"\"acct\"\":12345678901234567891}\"\n"))
	expectRows(t, nil, bad, nil, map[int]string{2: "quote it as a string"})
}

func TestSameDecimal(t *testing.T) {
	for _, pair := range [][2]string{{"1.50", "1.5"}, {"15e-1", "1.5"}, {"1000", "1e3"}, {"1E+3", "1e3"}, {"0", "-0.0e5"}, {"0.001", "1e-3"}, {"-12", "-1.2e1"}, {"100", "100"}} {
		if !sameDecimal(pair[0], pair[1]) {
			t.Errorf("%s and %s are the same number", pair[0], pair[1])
		}
	}
	for _, pair := range [][2]string{{"1", "-1"}, {"1", "10"}, {"0.1", "0.01"}, {"12345678901234567891", "1.2345678901234567e+19"}, {"1e99999999999999999999", "1"}} {
		if sameDecimal(pair[0], pair[1]) {
			t.Errorf("%s and %s are different numbers", pair[0], pair[1])
		}
	}
}

// A file whose header row is missing starts with a client: its cells, a secret among them,
// must not come back in the error. Nor may a JSON key that is not a column, which may be a
// secret pasted in the wrong place.
func TestFileErrorsNeverQuoteTheFile(t *testing.T) {
	const secret = "s3cret-FirstCell-Zq8Lk2Pw9Xv4"
	for name, in := range map[string]string{
		"headerless.csv":           secret + ",billing,read:a\nother,s3cret-other-abcdef,read:b\n",
		"headerless, id first.csv": "billing," + secret + ",read:a\n",
		"one known column.csv":     "client_id," + secret + ",scopes\n",
		"bad JSON.json":            `[{"client_id": "a", "client_secret": "` + secret + `" "scopes": "a"}]`,
	} {
		_, _, err := ParseClientsFile(name, []byte(in))
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if form, ok := leaktest.Shows(err.Error(), secret); ok || strings.Contains(err.Error(), "billing") {
			t.Errorf("%s: the error shows the file's content (%s): %v", name, form, err)
		}
	}
	_, _, err := ParseClientsFile("x.csv", []byte(secret+",billing\n"))
	if err == nil || !strings.Contains(err.Error(), "first line must name them") {
		t.Errorf("a headerless file should be told it lacks a header: %v", err)
	}
	_, _, err = ParseClientsFile("x.csv", []byte("client_id,"+secret+"\n"))
	if err == nil || !strings.Contains(err.Error(), "column 2 is not one of the columns") {
		t.Errorf("an unknown column should be named by its position: %v", err)
	}

	js := `[{"client_id": "a", "client_secret": "s3cret-a-abcdef", "` + secret + `": "x"},
  {"client_id": "b", "client_secret": "s3cret-b-abcdef", "` + strings.ToUpper(secret) + `x": 1, "scopes": "a"}]`
	_, bad, err := ParseClientsFile("clients.json", []byte(js))
	if err != nil || len(bad) != 2 {
		t.Fatalf("bad rows %v, %v", bad, err)
	}
	for _, e := range bad {
		if form, ok := leaktest.Shows(e.Error(), secret); ok {
			t.Errorf("line %d shows the key (%s): %s", e.Line, form, e.Error())
		}
		if !strings.Contains(e.Error(), "key 3 of the object is not one of the keys") {
			t.Errorf("line %d: %s, want the key named by its position", e.Line, e.Error())
		}
	}
}
