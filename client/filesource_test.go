package client

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		"\"multi\nline\",s3cret-multiline,Multi,a,,\n" +
		"billing,s3cret-other,Billing again,,,\n" +
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
		6: "2 fields", 9: "already on line 2"}
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
	if !strings.Contains(err.Error(), `unknown column "scope"`) || !strings.Contains(err.Error(), "scopes") {
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
	want := map[int]string{4: "unknown key \"scope\"", 5: "client_secret must be a string", 6: "metadata is not a JSON object", 7: "scopes must be", 8: "not a client object"}
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
	var src Source = NewFileSource(path)
	info, err := src.Connect(context.Background())
	if err != nil || info.Clients != 1 || info.Name != "clients.csv" {
		t.Fatalf("connect %+v %v", info, err)
	}
	inv, err := src.Inventory(context.Background())
	if err != nil || len(inv.Clients) != 1 || len(inv.Warnings) != 1 || !strings.Contains(inv.Warnings[0], "clients.csv line 3") {
		t.Fatalf("inventory %+v %v", inv, err)
	}
	// The caller names the source ("read missing.csv: …"): its errors don't name it again.
	_, err = NewFileSource(filepath.Join(dir, "missing.csv")).Inventory(context.Background())
	if !errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), "missing.csv") || strings.Contains(err.Error(), "open ") {
		t.Fatalf("a missing file: %v, want ErrNotExist without the path", err)
	}
	obj := filepath.Join(dir, "obj.json")
	if err := os.WriteFile(obj, []byte(`{"client_id":"x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = NewFileSource(obj).Inventory(context.Background())
	if err == nil || strings.Contains(err.Error(), "obj.json") || !strings.Contains(err.Error(), "not a JSON array") {
		t.Fatalf("a JSON object, not an array: %v", err)
	}
}
