package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

// The published samples the importer's tests keep, with their licence.
var aiddataSamples = []string{"internal/importer/testdata/malaysia.csv", "internal/importer/testdata/latin_america_ports.csv"}

// eachStore runs fn on a fresh SQLite file and a fresh PostgreSQL schema,
// giving the environment that points the commands at it and a client the
// test can check the database with.
func eachStore(t *testing.T, fn func(t *testing.T, env func(string) string, db *apitest.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bri.db")
		db := apitest.OpenSQLiteFile(t, path)
		fn(t, func(k string) string {
			if k == "SQLITE_PATH" {
				return path
			}
			return ""
		}, db)
	})
	t.Run("postgres", func(t *testing.T) {
		url := apitest.PostgresURL(t)
		db := apitest.OpenPostgresURL(t, url)
		fn(t, func(k string) string {
			if k == "DATABASE_URL" {
				return url
			}
			return ""
		}, db)
	})
}

func importCmd(env func(string) string, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = runImport(context.Background(), append([]string{"aiddata"}, args...), env, &out, &errOut)
	return out.String(), errOut.String(), err
}

// TestImportCommand: the command imports the samples into the configured
// database, says what it did, and a second run changes nothing.
func TestImportCommand(t *testing.T) {
	eachStore(t, func(t *testing.T, env func(string) string, db *apitest.DB) {
		out, errOut, err := importCmd(env, aiddataSamples[0])
		if err != nil || errOut != "" {
			t.Fatalf("import: %v\n%s", err, errOut)
		}
		if !regexp.MustCompile(`^imported \S+malaysia.csv: 176 rows: 176 created, 0 updated, 0 unchanged, 0 skipped \(partners: \d+ created`).MatchString(out) {
			t.Fatalf("summary: %q", out)
		}
		out, _, err = importCmd(env, aiddataSamples[0], "--batch-size", "50")
		if err != nil || !strings.Contains(out, "176 rows: 0 created, 0 updated, 176 unchanged, 0 skipped (partners: 0 created, 0 updated") {
			t.Fatalf("again: %v %q", err, out)
		}
		ctx := auth.SystemContext(context.Background(), "test")
		if n := db.Client.Project.Query().CountX(ctx); n != 176 {
			t.Fatalf("%d projects", n)
		}
	})
}

// TestImportCommandSkips: bad rows are listed with their line, column and
// reason; the command fails unless --allow-skips, and imports the rest.
func TestImportCommandSkips(t *testing.T) {
	raw, err := os.ReadFile(aiddataSamples[1])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	lines[3] = strings.Replace(lines[3], ",Completion,", ",Done,", 1)       // line 4: unknown status
	lines[6] = strings.Replace(lines[6], ",2015-10-21,", ",2015-13-21,", 1) // line 7: no 13th month
	broken := filepath.Join(t.TempDir(), "broken.csv")
	if err := os.WriteFile(broken, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	eachStore(t, func(t *testing.T, env func(string) string, db *apitest.DB) {
		out, errOut, err := importCmd(env, broken)
		if err == nil || !strings.Contains(err.Error(), "2 rows skipped") {
			t.Fatalf("without --allow-skips: %v", err)
		}
		want := "row 4, column \"Status\": unknown status \"Done\"; want one of Pipeline: Pledge, Pipeline: Commitment, Implementation, Completion, Suspended, Cancelled\n" +
			"row 7, column \"Commitment Date (MM/DD/YYYY)\": \"2015-13-21\" is not a day of the calendar\n"
		if errOut != want || !strings.Contains(out, "20 rows: 18 created, 0 updated, 0 unchanged, 2 skipped") {
			t.Fatalf("stderr %q\nstdout %q", errOut, out)
		}
		out, _, err = importCmd(env, "--allow-skips", broken)
		if err != nil || !strings.Contains(out, "20 rows: 0 created, 0 updated, 18 unchanged, 2 skipped") {
			t.Fatalf("with --allow-skips: %v %q", err, out)
		}
	})
}

// TestImportCommandProgress: a progress bar on a terminal, none otherwise.
func TestImportCommandProgress(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bri.db")
	env := func(k string) string {
		if k == "SQLITE_PATH" {
			return path
		}
		return ""
	}
	defer func(f func(io.Writer) bool) { isTerminal = f }(isTerminal)
	for _, tty := range []bool{true, false} {
		isTerminal = func(io.Writer) bool { return tty }
		_, errOut, err := importCmd(env, aiddataSamples[1])
		if err != nil {
			t.Fatal(err)
		}
		if bar := strings.Contains(errOut, "\rprojects  [#####"); bar != tty {
			t.Fatalf("terminal %v: stderr %q", tty, errOut)
		}
	}
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) || isTerminal(&bytes.Buffer{}) {
		t.Fatal("a file or a buffer taken for a terminal")
	}
}

func TestImportCommandUsage(t *testing.T) {
	env := func(k string) string {
		if k == "SQLITE_PATH" {
			return filepath.Join(t.TempDir(), "bri.db")
		}
		return ""
	}
	for _, args := range [][]string{{}, {"cgit", "x.csv"}, {"aiddata"}, {"aiddata", "a.csv", "b.csv"}, {"aiddata", "--nope", "a.csv"}, {"aiddata", "/no/such/file.csv"}} {
		if err := runImport(context.Background(), args, env, io.Discard, io.Discard); err == nil {
			t.Errorf("import %q accepted", args)
		}
	}
	for _, args := range [][]string{{}, {"partners"}, {"projects", "--format", "xml"}, {"projects", "--where", "{"}, {"projects", "extra"},
		{"projects", "--where", `{"nosuchfield": 1}`}} {
		if err := runExport(context.Background(), args, env, io.Discard); err == nil {
			t.Errorf("export %q accepted", args)
		}
	}
}

// sampleUSD reads each record's Amount (Constant USD 2021) and recipient
// from the sample files with encoding/csv alone.
func sampleUSD(t *testing.T) (usd map[string]string, recipient map[string]string) {
	usd, recipient = map[string]string{}, map[string]string{}
	for _, p := range aiddataSamples {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		all, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range all[0] {
			col[h] = i
		}
		for _, rec := range all[1:] {
			ref := "aiddata:" + rec[col["AidData Record ID"]]
			usd[ref] = rec[col["Amount (Constant USD 2021)"]]
			recipient[ref] = rec[col["Recipient ISO-3"]]
		}
	}
	return usd, recipient
}

// sampleAggregates reads the samples' Recommended For Aggregates by
// project, as the export writes countsInAggregates: "true" or "false".
func sampleAggregates(t *testing.T) map[string]string {
	out := map[string]string{}
	for _, p := range aiddataSamples {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		all, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range all[0] {
			col[h] = i
		}
		for _, rec := range all[1:] {
			out["aiddata:"+rec[col["AidData Record ID"]]] = map[string]string{"Yes": "true", "No": "false"}[rec[col["Recommended For Aggregates"]]]
		}
	}
	return out
}

func sameAmount(t *testing.T, got, want string) bool {
	if got == "" || want == "" {
		return got == want
	}
	g, ok1 := new(big.Rat).SetString(got)
	w, ok2 := new(big.Rat).SetString(want)
	if !ok1 || !ok2 {
		t.Fatalf("amounts %q %q", got, want)
	}
	return g.Cmp(w) == 0
}

// TestExportCommand: after an import, CSV and JSON exports hold every
// project once, with the file's exact amounts, its aggregation flag and the
// country's location; --where filters as the projects query does.
func TestExportCommand(t *testing.T) {
	usd, recipient := sampleUSD(t)
	aggregates := sampleAggregates(t)
	eachStore(t, func(t *testing.T, env func(string) string, db *apitest.DB) {
		for _, s := range aiddataSamples {
			if _, _, err := importCmd(env, s); err != nil {
				t.Fatal(err)
			}
		}
		export := func(args ...string) []byte {
			var out bytes.Buffer
			if err := runExport(context.Background(), append([]string{"projects"}, args...), env, &out); err != nil {
				t.Fatalf("export %q: %v", args, err)
			}
			return out.Bytes()
		}

		rows, err := csv.NewReader(bytes.NewReader(export("--format", "csv"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], ",") != "id,externalRef,title,sector,status,greenCategory,amount,currency,amountUsd,commitmentYear,signedOn,startedOn,completedOn,city,latitude,longitude,locationPrecision,hostCountryCode,participants,"+
			"countsInAggregates,umbrella,parentRef,groupRef,flowType,flowClass,interestRate,maturityYears,gracePeriodYears,grantElement" {
			t.Fatalf("header %q", rows[0])
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		seen := map[string]bool{}
		for _, r := range rows[1:] {
			ref := r[col["externalRef"]]
			if seen[ref] {
				t.Fatalf("%s exported twice", ref)
			}
			seen[ref] = true
			amount, host, parts := r[col["amountUsd"]], r[col["hostCountryCode"]], r[col["participants"]]
			if !sameAmount(t, amount, usd[ref]) || host != recipient[ref] || !strings.Contains(parts, ":HOST_GOVERNMENT") {
				t.Fatalf("%s: amountUsd %q host %q participants %q; the file says %q %q", ref, amount, host, parts, usd[ref], recipient[ref])
			}
			if r[col["locationPrecision"]] != "COUNTRY" || r[col["countsInAggregates"]] != aggregates[ref] {
				t.Fatalf("%s: locationPrecision %q countsInAggregates %q; the file says %s", ref, r[col["locationPrecision"]], r[col["countsInAggregates"]], aggregates[ref])
			}
		}
		if len(seen) != len(usd) {
			t.Fatalf("CSV: %d projects, the files have %d", len(seen), len(usd))
		}

		var objs []struct {
			ExternalRef     string  `json:"externalRef"`
			AmountUsd       *string `json:"amountUsd"`
			HostCountryCode string  `json:"hostCountryCode"`
			Participants    []struct{ Name, Role string }
		}
		if err := json.Unmarshal(export("--format", "json"), &objs); err != nil {
			t.Fatal(err)
		}
		seen = map[string]bool{}
		for _, o := range objs {
			got := ""
			if o.AmountUsd != nil {
				got = *o.AmountUsd
			}
			if seen[o.ExternalRef] || !sameAmount(t, got, usd[o.ExternalRef]) || len(o.Participants) == 0 {
				t.Fatalf("JSON %s: %q (file %q), %d participants, twice: %v", o.ExternalRef, got, usd[o.ExternalRef], len(o.Participants), seen[o.ExternalRef])
			}
			seen[o.ExternalRef] = true
		}
		if len(seen) != len(usd) {
			t.Fatalf("JSON: %d projects, the files have %d", len(seen), len(usd))
		}

		jamaica := 0
		for _, c := range recipient {
			if c == "JAM" {
				jamaica++
			}
		}
		rows, err = csv.NewReader(bytes.NewReader(export("--where", `{"hasHostCountryWith": [{"countryCode": "JAM"}]}`))).ReadAll()
		if err != nil || len(rows)-1 != jamaica {
			t.Fatalf("where: %d rows, want %d (%v)", len(rows)-1, jamaica, err)
		}
	})
}
