package dashboard_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/dashboard"
	"github.com/bri-tracker/bri-tracker/internal/gqlext"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
)

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

var (
	// what the page loads or links to: src and href attributes
	reference = regexp.MustCompile(`(?:src|href)="([^"]*)"`)
	// an absolute URL; only XML namespace names (not loaded) are allowed
	absolute  = regexp.MustCompile(`(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	namespace = regexp.MustCompile(`^(?:https?:)?//www\.w3\.org$`)
)

// TestServed: /dashboard and every file it references are served through
// the server's real handler, with their content types, the CSP and cache
// headers, and none of them refers to another host.
func TestServed(t *testing.T) {
	s := apitest.NewServer(t, apitest.OpenSQLite(t))
	res, page := get(t, s.URL+"/dashboard")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /dashboard: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res.Header.Get("Content-Security-Policy") != dashboard.CSP || !strings.Contains(dashboard.CSP, "default-src 'self'") {
		t.Fatalf("CSP: %q", res.Header.Get("Content-Security-Policy"))
	}
	if res.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("the page's Cache-Control: %q", res.Header.Get("Cache-Control"))
	}
	want := map[string]string{"/dashboard/app.js": "text/javascript; charset=utf-8", "/dashboard/app.css": "text/css; charset=utf-8"}
	seen := map[string]bool{}
	for _, m := range reference.FindAllStringSubmatch(page, -1) {
		ref := m[1]
		if strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, "data:") {
			continue // a place on the page itself, or inline data (the empty icon)
		}
		if !strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "//") {
			t.Errorf("the page refers to %q, not a path on this server", ref)
			continue
		}
		if !strings.HasPrefix(ref, dashboard.Path+"/") {
			continue // a link elsewhere on this server (the playground)
		}
		seen[ref] = true
		res, body := get(t, s.URL+ref)
		if res.StatusCode != 200 {
			t.Errorf("GET %s: %d", ref, res.StatusCode)
			continue
		}
		if ct := want[ref]; ct != "" && res.Header.Get("Content-Type") != ct {
			t.Errorf("GET %s: Content-Type %q, want %q", ref, res.Header.Get("Content-Type"), ct)
		}
		if res.Header.Get("Cache-Control") != "public, max-age=86400" || res.Header.Get("ETag") == "" {
			t.Errorf("GET %s: Cache-Control %q, ETag %q", ref, res.Header.Get("Cache-Control"), res.Header.Get("ETag"))
		}
		for _, u := range absolute.FindAllString(body, -1) {
			if !namespace.MatchString(u) {
				t.Errorf("%s refers to another host: %s", ref, u)
			}
		}
		if len(body) < 100 {
			t.Errorf("GET %s: only %d bytes", ref, len(body))
		}
	}
	for ref := range want {
		if !seen[ref] {
			t.Errorf("the page does not load %s", ref)
		}
	}
	for _, u := range absolute.FindAllString(page, -1) {
		t.Errorf("the page refers to another host: %s", u)
	}

	// a second load revalidates by ETag
	res, _ = get(t, s.URL+"/dashboard/app.js")
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/dashboard/app.js", nil)
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	again, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", again.StatusCode)
	}
	for _, path := range []string{"/dashboard/", "/dashboard/index.html"} {
		if res, body := get(t, s.URL+path); res.StatusCode != 200 || body != page {
			t.Errorf("GET %s: %d, the page: %v", path, res.StatusCode, body == page)
		}
	}
	for _, path := range []string{"/dashboard/nothing.js", "/dashboard/assets/app.js", "/dashboard/../go.mod"} {
		if res, _ := get(t, s.URL+path); res.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", path, res.StatusCode)
		}
	}
	res, _ = get(t, s.URL+"/dashboard/LICENSE.world-atlas.txt")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("the basemap's licence: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// TestPlaygroundLink: the playground's page links to the dashboard.
func TestPlaygroundLink(t *testing.T) {
	s := apitest.NewServer(t, apitest.OpenSQLite(t))
	res, page := get(t, s.URL+"/")
	if res.StatusCode != 200 || !strings.Contains(page, `href: "/dashboard"`) {
		t.Fatalf("GET /: %d, a link to the dashboard: %v", res.StatusCode, strings.Contains(page, "/dashboard"))
	}
}

// TestDefaultPage: without the playground, / leads to the dashboard.
func TestDefaultPage(t *testing.T) {
	s := apitest.NewServer(t, apitest.OpenSQLite(t), func(o *httpapi.Options) { o.Playground = false })
	res, page := get(t, s.URL+"/")
	if res.StatusCode != 200 || res.Request.URL.Path != dashboard.Path || !strings.Contains(page, "/dashboard/app.js") {
		t.Fatalf("GET /: %d at %s", res.StatusCode, res.Request.URL.Path)
	}
}

// TestTrustedDocuments: a server that runs only the dashboard's manifest
// runs every operation the dashboard sends, without an error, on SQLite and
// on PostgreSQL, and refuses any other.
func TestTrustedDocuments(t *testing.T) {
	apitest.Each(t, trustedDocuments)
}

func trustedDocuments(t *testing.T, db *apitest.DB) {
	var docs map[string]string
	if err := json.Unmarshal(dashboard.TrustedDocuments, &docs); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "manifest.json")
	if err := os.WriteFile(path, dashboard.TrustedDocuments, 0o600); err != nil {
		t.Fatal(err)
	}
	trusted, err := gqlext.LoadManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	// a project to show, made through a server that runs any document
	made := apitest.NewServer(t, db).Do(`mutation { createProject(input: {title: "Qilu solar", sector: ENERGY, status: PIPELINE, greenCategory: RENEWABLE_ENERGY, latitude: 41.3, longitude: 69.2}) { id } }`, nil)
	var created struct {
		CreateProject struct{ ID string } `json:"createProject"`
	}
	if err := json.Unmarshal(made.Data, &created); err != nil || created.CreateProject.ID == "" {
		t.Fatalf("createProject: %v %+v", err, made.Errors)
	}
	s := apitest.NewServer(t, db, func(o *httpapi.Options) { o.TrustedDocuments = trusted })
	queries := 0
	for _, doc := range docs {
		if strings.Contains(doc, "subscription ") {
			continue // it needs an event stream; the manifest check is the same
		}
		queries++
		res := s.Do(doc, map[string]any{"id": created.CreateProject.ID, "where": map[string]any{"countsInAggregates": true}})
		for _, e := range res.Errors {
			t.Errorf("%.40q: %s (%s)", doc, e.Message, e.Code())
		}
	}
	if queries < 8 {
		t.Fatalf("the manifest holds %d queries", queries)
	}
	if res := s.Do(`{ projects { totalCount } }`, nil); len(res.Errors) == 0 || res.Errors[0].Code() != gqlext.CodePersistedQueryNotAllowed {
		t.Fatalf("a document outside the manifest: %+v", res.Errors)
	}
}

// TestGzip: browsers that accept gzip get the files gzipped, and the first
// load (the page, its script and stylesheet) transfers less than 500 kB.
func TestGzip(t *testing.T) {
	s := apitest.NewServer(t, apitest.OpenSQLite(t))
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	total := 0
	for _, path := range []string{"/dashboard", "/dashboard/app.js", "/dashboard/app.css"} {
		req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" {
			t.Fatalf("GET %s: Content-Encoding %q, Vary %q", path, res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		_, want := get(t, s.URL+path+"?plain")
		if string(plain) != want {
			t.Fatalf("GET %s: the gzipped body is not the file", path)
		}
		total += len(body)
	}
	t.Logf("first load: %d bytes gzipped", total)
	if total >= 500_000 {
		t.Fatalf("the first load transfers %d bytes gzipped, not under 500 kB", total)
	}
	// a client that refuses gzip gets the file as it is
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/dashboard/app.css", nil)
	req.Header.Set("Accept-Encoding", "gzip;q=0")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Content-Encoding") != "" {
		t.Fatalf("gzip;q=0: Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
}
