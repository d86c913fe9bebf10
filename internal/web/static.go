package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"

	"practica/internal/web/view"
)

//go:embed static
var staticFS embed.FS

// Static serves the embedded stylesheet, scripts and icons. URLs carry a
// content hash (/static/HASH/app.css) so browsers may cache them forever.
type Static struct {
	files  fs.FS
	hashes map[string]string
	// gz holds each file gzipped once at start, served to clients that accept it.
	gz  map[string][]byte
	dev bool
}

// NewStatic hashes the embedded files; in dev mode files come from disk.
func NewStatic(dev bool) *Static {
	sub, _ := fs.Sub(staticFS, "static")
	s := &Static{files: sub, hashes: map[string]string{}, gz: map[string][]byte{}, dev: dev}
	if dev {
		s.files = os.DirFS("internal/web/static")
	}
	_ = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		s.hashes[p] = hex.EncodeToString(sum[:])[:12]
		s.gz[p] = gzipped(b)
		return nil
	})
	return s
}

// URL returns the cache-busting address of a static file.
func (s *Static) URL(name string) string { return "/static/" + s.hashes[name] + "/" + name }

// Assets returns the addresses the layout links.
func (s *Static) Assets() view.Assets {
	return view.Assets{CSS: s.URL("app.css"), More: s.URL("more.css"), JS: s.URL("app.js"), Icons: "/static/icons.svg"}
}

// ServeHTTP serves /static/HASH/NAME (immutable) and /static/NAME (short cache).
func (s *Static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/static/")
	name, cache := rest, "public, max-age=3600"
	if hash, file, ok := strings.Cut(rest, "/"); ok {
		name = file
		if hash == s.hashes[file] && !s.dev {
			cache = "public, max-age=31536000, immutable"
		}
	}
	if _, known := s.hashes[name]; !known || strings.Contains(name, "..") {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(s.files, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", cache)
	h.Set("Content-Type", contentType(path.Ext(name)))
	h.Set("Vary", "Accept-Encoding")
	if gz := s.gz[name]; gz != nil && !s.dev && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		b = gz
	}
	_, _ = w.Write(b)
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

func contentType(ext string) string {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	return "application/octet-stream"
}
