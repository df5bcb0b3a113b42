package template

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc/gen"
)

// derivedFrom records the stock template file each override file of this
// folder was derived from: the module version it was copied from and the
// SHA-256 of the stock file in that version.
var derivedFrom = []stockRecord{
	{"ent_base.tmpl", "entgo.io/ent", "v0.14.5", "entc/gen/template/base.tmpl",
		"0473268862ab57203107718a95c3fa9cfee2834009c987210917e746603ea946"},
	{"ent_import.tmpl", "entgo.io/ent", "v0.14.5", "entc/gen/template/import.tmpl",
		"3547c5cdb67510dde7de34c758559e507f6089b6e7a25666fc5c1cf10369096e"},
	{"ent_query.tmpl", "entgo.io/ent", "v0.14.5", "entc/gen/template/dialect/sql/query.tmpl",
		"d74acf79a600021c71828a0153ae87fc718ec48ce2fcc121183a48fd3ce1dc0d"},
	{"ent_namedges.tmpl", "entgo.io/ent", "v0.14.5", "entc/gen/template/dialect/sql/feature/namedges.tmpl",
		"ce515d5158ab1627825a26a2f44fbce62da7a8521019a1a35373b88f5a6716f8"},
	{"entgql_pagination.tmpl", "entgo.io/contrib", "v0.7.0", "entgql/template/pagination.tmpl",
		"912a2eb790de8290f27872f203c9fd6243546f25774c574cba0115878ea96ffa"},
	{"entgql_collection.tmpl", "entgo.io/contrib", "v0.7.0", "entgql/template/collection.tmpl",
		"8067e6577b20a3b51d5fcaf833bc258a45c46047ac7f8bbc7778d6c18ffe9770"},
}

type stockRecord struct {
	override string // in this folder
	module   string
	version  string
	path     string // in the module
	sha256   string
}

func readStock(t *testing.T) map[string]StockFile {
	t.Helper()
	stock, err := ReadStock()
	if err != nil {
		t.Fatal(err)
	}
	byPath := make(map[string]StockFile)
	for _, f := range stock {
		byPath[f.Module.Path+"/"+f.Path] = f
	}
	return byPath
}

// TestStockTemplatesUnchanged fails when an upgrade of ent or entgql
// changed a stock template file an override was derived from.
func TestStockTemplatesUnchanged(t *testing.T) {
	stock := readStock(t)
	for _, d := range derivedFrom {
		f, ok := stock[d.module+"/"+d.path]
		if !ok {
			t.Errorf("%s: the stock template %s, from which it was derived in %s@%s, is gone from the module; re-derive ent/template/%[1]s from the stock template that now generates that code",
				d.override, d.path, d.module, d.version)
			continue
		}
		sum := sha256.Sum256(f.Text)
		if got := hex.EncodeToString(sum[:]); got != d.sha256 {
			t.Errorf("%[1]s: the stock template %[2]s of %[3]s@%[5]s differs from the one of %[3]s@%[4]s the override was derived from (sha256 %[6]s, recorded %[7]s).\n"+
				"Diff the two versions of %[2]s (now in %[8]s), re-derive ent/template/%[1]s from the new one (copy the defines it overrides and re-apply the changes its header describes), "+
				"record the new version and sha256 in derivedFrom (ent/template/template_test.go), then run the entc step (cd ent && go run -mod=mod ./entc.go) and the tests",
				d.override, d.path, d.module, d.version, f.Module.Version, got, d.sha256, f.Module.Dir)
			continue
		}
		if f.Module.Version != d.version {
			t.Logf("%s: %s is unchanged in %s@%s; record the version in derivedFrom", d.override, d.path, d.module, f.Module.Version)
		}
	}
}

// TestOverridesMatchRecord: every override file is recorded in derivedFrom,
// names its stock file and module version in its header, and replaces
// defines of that stock file only.
func TestOverridesMatchRecord(t *testing.T) {
	stock := readStock(t)
	names, err := fs.Glob(files, "*.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		i := slices.IndexFunc(derivedFrom, func(d stockRecord) bool { return d.override == name })
		if i < 0 {
			t.Errorf("%s is not recorded in derivedFrom", name)
			continue
		}
		d := derivedFrom[i]
		text, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		header, _, _ := strings.Cut(string(text), "*/}}")
		header = strings.Join(strings.Fields(header), " ")
		if !strings.Contains(header, d.module+" "+d.version+", "+d.path) {
			t.Errorf("%s: the header does not name the stock template %q", name, d.module+" "+d.version+", "+d.path)
		}
		tmpl, err := gen.NewTemplate(name).Funcs(entgql.TemplateFuncs).Parse(string(text))
		if err != nil {
			t.Fatal(err)
		}
		for _, def := range Defines(tmpl) {
			if !slices.Contains(stock[d.module+"/"+d.path].Defines, def) {
				t.Errorf("%s overrides %q, which %s does not define", name, def, d.path)
			}
			if !strings.Contains(header, `"`+def+`"`) {
				t.Errorf("%s: the header does not name the define %q it overrides", name, def)
			}
		}
	}
}

// TestCheck: the overrides pass the check entc.go makes, and a define that
// replaces no stock one, or text outside the defines, fails it.
func TestCheck(t *testing.T) {
	stock, err := ReadStock()
	if err != nil {
		t.Fatal(err)
	}
	overrides, err := Parse()
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(overrides, stock); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"renamed define": `{{ define "gql_paginaton" }}{{ end }}`,
		"text outside":   `{{ define "base" }}{{ end }} package ent`,
	} {
		bad := gen.MustParse(gen.NewTemplate("x.tmpl").Parse(text))
		if err := Check(bad, stock); err == nil {
			t.Errorf("%s: Check accepts %s", name, text)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
