package graph_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
	"github.com/bri-tracker/bri-tracker/internal/importer"
)

// exportSamples are the published AidData samples the importer's tests keep.
var exportSamples = []string{"../internal/importer/testdata/malaysia.csv", "../internal/importer/testdata/latin_america_ports.csv"}

// sampleAmounts reads each record's Amount (Constant USD 2021) and
// recipient with encoding/csv alone.
func sampleAmounts(t *testing.T) (usd, host map[string]string) {
	t.Helper()
	usd, host = map[string]string{}, map[string]string{}
	for _, p := range exportSamples {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range all[0] {
			col[h] = i
		}
		for _, r := range all[1:] {
			ref := importer.ProjectRefPrefix + r[col[importer.ColID]]
			usd[ref], host[ref] = r[col[importer.ColAmountUSD]], r[col[importer.ColRecipientISO3]]
		}
	}
	return usd, host
}

func exactlyEqual(t *testing.T, a, b string) bool {
	t.Helper()
	if a == "" || b == "" {
		return a == b
	}
	x, ok1 := new(big.Rat).SetString(a)
	y, ok2 := new(big.Rat).SetString(b)
	if !ok1 || !ok2 {
		t.Fatalf("amounts %q %q", a, b)
	}
	return x.Cmp(y) == 0
}

func getExport(t *testing.T, s *apitest.Server, path, key string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, body
}

// TestExportProjects: after an import, /export/projects.csv and .json hold
// every project once with the file's exact amounts; `where` filters as the
// projects query does; a bad filter gets 400; without public read, a key is
// needed.
func TestExportProjects(t *testing.T) {
	usd, host := sampleAmounts(t)
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		for _, p := range exportSamples {
			if _, err := importer.ImportFile(context.Background(), db.Client, p, importer.Options{}); err != nil {
				t.Fatal(err)
			}
		}
		s := apitest.NewServer(t, db)

		status, h, body := getExport(t, s, "/export/projects.csv", "")
		if status != http.StatusOK || h.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("csv: %d %v %s", status, h, body)
		}
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, c := range rows[0] {
			col[c] = i
		}
		if len(rows[0]) != len(httpapi.ExportColumns) {
			t.Fatalf("header %q", rows[0])
		}
		seen := map[string]bool{}
		for _, r := range rows[1:] {
			ref := r[col["externalRef"]]
			if seen[ref] || !exactlyEqual(t, r[col["amountUsd"]], usd[ref]) || r[col["hostCountryCode"]] != host[ref] {
				t.Fatalf("csv %s: amountUsd %q host %q (file: %q %q), repeated %v", ref, r[col["amountUsd"]], r[col["hostCountryCode"]], usd[ref], host[ref], seen[ref])
			}
			seen[ref] = true
		}
		if len(seen) != len(usd) {
			t.Fatalf("csv: %d projects, the files have %d", len(seen), len(usd))
		}

		status, h, body = getExport(t, s, "/export/projects.json", "")
		var objs []map[string]any
		if status != http.StatusOK || h.Get("Content-Type") != "application/json" || json.Unmarshal(body, &objs) != nil {
			t.Fatalf("json: %d %v %.200s", status, h, body)
		}
		seen = map[string]bool{}
		for _, o := range objs {
			ref, _ := o["externalRef"].(string)
			amount, _ := o["amountUsd"].(string)
			if seen[ref] || !exactlyEqual(t, amount, usd[ref]) {
				t.Fatalf("json %s: %q (file %q)", ref, amount, usd[ref])
			}
			seen[ref] = true
		}
		if len(seen) != len(usd) {
			t.Fatalf("json: %d projects, the files have %d", len(seen), len(usd))
		}

		jamaica := 0
		for _, c := range host {
			if c == "JAM" {
				jamaica++
			}
		}
		where := url.QueryEscape(`{"hasHostCountryWith": [{"countryCode": "JAM"}]}`)
		status, _, body = getExport(t, s, "/export/projects.csv?where="+where, "")
		rows, err = csv.NewReader(bytes.NewReader(body)).ReadAll()
		if status != http.StatusOK || err != nil || len(rows)-1 != jamaica {
			t.Fatalf("where: %d, %d rows, want %d", status, len(rows)-1, jamaica)
		}
		for _, bad := range []string{`{"nosuchfield": 1}`, `{"sector": "SPACE"}`, `{not json`} {
			if status, _, body := getExport(t, s, "/export/projects.json?where="+url.QueryEscape(bad), ""); status != http.StatusBadRequest {
				t.Fatalf("where %s: %d %s", bad, status, body)
			}
		}

		private := apitest.NewServer(t, db, func(o *httpapi.Options) { o.PublicRead = false })
		if status, _, _ := getExport(t, private, "/export/projects.csv", ""); status != http.StatusUnauthorized {
			t.Fatalf("without a key: %d", status)
		}
		if status, _, body := getExport(t, private, "/export/projects.csv", private.AdminKey); status != http.StatusOK || bytes.Count(body, []byte("\n")) < len(usd)+1 {
			t.Fatalf("with a key: %d", status)
		}
	})
}
