package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func collectRows(t *testing.T, read func(r *bytes.Reader, fn func(Row) error) error, data []byte) ([]Row, error) {
	t.Helper()
	var rows []Row
	err := read(bytes.NewReader(data), func(r Row) error {
		rows = append(rows, r)
		return nil
	})
	return rows, err
}

// FuzzFastRows holds the line reader to the general XML decoder: whenever
// both read a file, they read the same rows.
func FuzzFastRows(f *testing.F) {
	for _, name := range []string{"Posts.xml", "Users.xml", "Comments.xml", "PostHistory.xml", "Badges.xml"} {
		if data, err := os.ReadFile(filepath.Join("testdata/mini.example.com", name)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("<posts>\n  <row Id=\"1\" Body=\"a &amp; b &#xA; &#65;\" />\n</posts>\n"))
	f.Add([]byte("<posts><row Id='1'/><row Id='2'/></posts>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ferr := collectRows(t, func(r *bytes.Reader, fn func(Row) error) error { return readLines(r, fn, "f") }, data)
		slow, serr := collectRows(t, func(r *bytes.Reader, fn func(Row) error) error { return readRows(r, fn, "f") }, data)
		if ferr != nil || serr != nil {
			return
		}
		if len(fast) != len(slow) || (len(fast) > 0 && !reflect.DeepEqual(fast, slow)) {
			t.Fatalf("line reader: %v\nXML decoder: %v", fast, slow)
		}
	})
}

func TestFastRowsMatchTheSample(t *testing.T) {
	dir := "../../../shared/data/quantumcomputing.stackexchange.com"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("Stack Exchange sample not found at %s: %v", dir, err)
	}
	for _, name := range []string{"Posts.xml", "Users.xml", "Comments.xml", "Badges.xml", "Tags.xml", "PostLinks.xml", "Votes.xml"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		fast, ferr := collectRows(t, func(r *bytes.Reader, fn func(Row) error) error { return readLines(r, fn, name) }, data)
		slow, serr := collectRows(t, func(r *bytes.Reader, fn func(Row) error) error { return readRows(r, fn, name) }, data)
		if ferr != nil || serr != nil || !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: line reader %d rows (%v), XML decoder %d rows (%v), equal %v", name, len(fast), ferr, len(slow), serr, reflect.DeepEqual(fast, slow))
		}
	}
}
