package testenv

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
)

// Unzip returns the files of a zip archive by name.
func Unzip(t testing.TB, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("open zip of %d bytes: %v", len(data), err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatalf("open %s in zip: %v", f.Name, err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("read %s in zip: %v", f.Name, err)
		}
		out[f.Name] = string(b)
	}
	return out
}
