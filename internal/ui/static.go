package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var staticFiles embed.FS

// staticVersion changes whenever a static file does; asset URLs carry it so
// that browsers may cache them for good.
var staticVersion = hashFiles(staticFiles)

// staticHandler serves the embedded CSS, JavaScript and icon under prefix.
func staticHandler(prefix string) http.Handler {
	files := http.StripPrefix(prefix, http.FileServerFS(staticFiles))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") { // no folder listings
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("v") == staticVersion {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}

// hashFiles returns a short hash of every file of fsys.
func hashFiles(fsys fs.FS) string {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if err != nil {
		panic(err) // the embedded files are readable
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
