// Package dashboard serves the reference dashboard from the binary: the page,
// its script and stylesheet and their licences, built from web/dashboard by
// web/dashboard/build.sh and embedded here. It uses the public GraphQL API
// at /graphql only, and loads nothing from another host.
package dashboard

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed assets
var assets embed.FS

// TrustedDocuments is the manifest of every operation the dashboard sends
// (a JSON object from SHA-256 to document, as --persisted-only reads it),
// written by build.sh: a server that runs only trusted documents runs the
// dashboard when its manifest includes these.
//
//go:embed trusted-documents.json
var TrustedDocuments []byte

// Path is where the dashboard is served; its files are below it.
const Path = "/dashboard"

// CSP is the page's Content-Security-Policy: everything from the server
// itself, no inline script or style, data: images (Leaflet's icons are
// inlined into the stylesheet), and no framing.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Files returns the embedded built files (index.html, app.js, app.css and
// the licences).
func Files() fs.FS {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embedded directory exists: go:embed checked it
	}
	return sub
}

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".txt":  "text/plain; charset=utf-8",
}

// Handler serves the page at Path (and Path + "/") and the files below it.
// The page is revalidated on every load, so that a new server version's
// page, naming the same files, is seen at once; the files may be cached for a
// day, and are revalidated by their ETag after.
func Handler() http.Handler {
	files := Files()
	plain := map[string][]byte{}
	etags := map[string]string{}
	// each file gzipped once, sent to the browsers that accept it
	gzipped := map[string][]byte{}
	_ = fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		plain[name] = b
		etags[name] = etag(b)
		gzipped[name] = gzipBytes(b)
		return nil
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, Path), "/")
		cache := "public, max-age=86400"
		if name == "" || name == "index.html" {
			name, cache = "index.html", "no-cache"
		}
		b, ok := plain[name]
		if !ok || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		tag := etags[name]
		h := w.Header()
		h.Set("Content-Type", contentTypes[path.Ext(name)])
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", CSP)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", cache)
		h.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			b = gzipped[name]
			h.Set("Content-Encoding", "gzip")
			tag = tag[:len(tag)-1] + `-gzip"`
		}
		h.Set("ETag", tag)
		if match := r.Header.Get("If-None-Match"); match != "" && match == tag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(b)))
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(b)
	})
}
