package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/importer/aiddatagen"
)

// The published samples, kept with their licence in testdata/.
var samples = []string{"testdata/malaysia.csv", "testdata/latin_america_ports.csv"}

// roughAll is every rough edge at once.
var roughAll = aiddatagen.Rough{BOM: true, CRLF: true, ShuffleColumns: true, Thousands: true, MixedDates: true, MultiLine: true}

// roughCopy writes a copy of a sample with rough edges into a temporary
// file and returns its path.
func roughCopy(t testing.TB, sample string, rough aiddatagen.Rough) string {
	t.Helper()
	in, err := os.Open(sample)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var b bytes.Buffer
	if err := aiddatagen.Rewrite(&b, in, rough, 42); err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, filepath.Base(sample), b.Bytes())
}

// generated writes a generated file and returns its path.
func generated(t testing.TB, o aiddatagen.Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := aiddatagen.Write(&b, o); err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, "generated.csv", b.Bytes())
}

func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// fileFacts are what a test expects of a file, read with encoding/csv and
// math/big alone (not with the importer's code): rows, distinct record ids
// and the exact sum of Amount (Constant USD 2021) by Recipient ISO-3.
type fileFacts struct {
	rows   int
	ids    map[string]bool
	usdSum map[string]*big.Rat
}

func readFacts(t testing.TB, paths ...string) fileFacts {
	t.Helper()
	f := fileFacts{ids: map[string]bool{}, usdSum: map[string]*big.Rat{}}
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))))
		all, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range all[0] {
			col[h] = i
		}
		for _, rec := range all[1:] {
			f.rows++
			f.ids[rec[col["AidData Record ID"]]] = true
			usd := strings.ReplaceAll(rec[col["Amount (Constant USD 2021)"]], ",", "")
			if usd == "" {
				continue
			}
			v, ok := new(big.Rat).SetString(usd)
			if !ok {
				t.Fatalf("%s: amount %q", path, usd)
			}
			code := rec[col["Recipient ISO-3"]]
			if f.usdSum[code] == nil {
				f.usdSum[code] = new(big.Rat)
			}
			f.usdSum[code].Add(f.usdSum[code], v)
		}
	}
	return f
}

// storedUSDSums sums the stored amountUsd by host country code, exactly.
func storedUSDSums(t testing.TB, c *ent.Client) map[string]*big.Rat {
	t.Helper()
	ctx := auth.SystemContext(context.Background(), "test")
	ps, err := c.Project.Query().WithHostCountry().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*big.Rat{}
	for _, p := range ps {
		if p.AmountUsd == nil || p.Edges.HostCountry == nil {
			continue
		}
		code := *p.Edges.HostCountry.CountryCode
		if out[code] == nil {
			out[code] = new(big.Rat)
		}
		out[code].Add(out[code], p.AmountUsd.Rat())
	}
	return out
}

func ratsEqual(a, b map[string]*big.Rat) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v.Cmp(w) != 0 {
			return false
		}
	}
	return true
}

func ratString(m map[string]*big.Rat) string {
	var b strings.Builder
	for k, v := range m {
		b.WriteString(k + "=" + v.FloatString(10) + " ")
	}
	return b.String()
}
