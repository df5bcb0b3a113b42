// Package template holds the templates (*.tmpl in this folder) that
// override named templates of ent's and entgql's code generation, and the
// entc extension that hands them to entc. Each file's header says which
// stock define it replaces, what differs and why.
//
// The overrides are derived from the stock templates of the module versions
// in go.mod; template_test.go records the SHA-256 of each stock file they
// were derived from and fails when an upgrade changes one.
package template

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template/parse"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

//go:embed *.tmpl
var files embed.FS

// Parse parses the override templates, with ent's and entgql's template
// functions.
func Parse() (*gen.Template, error) {
	return gen.NewTemplate("overrides").
		Funcs(entgql.TemplateFuncs).
		ParseFS(files, "*.tmpl")
}

// Defines are the names of the templates defined in the *.tmpl files of
// this folder, sorted.
func Defines(t *gen.Template) []string {
	var names []string
	for _, d := range t.Templates() {
		if d.Tree == nil || isFile(d.Name()) {
			continue
		}
		names = append(names, d.Name())
	}
	sort.Strings(names)
	return names
}

func isFile(name string) bool { return strings.HasSuffix(name, ".tmpl") }

// Extension passes the override templates to entc. List it after entgql's
// extension in entc.Extensions: of the defines with the same name, the one
// given last is used.
type Extension struct {
	entc.DefaultExtension
	templates []*gen.Template
}

// NewExtension parses the override templates and checks that each define
// replaces a define of the same name in the stock templates of ent and
// entgql (read from the module cache). One that does not, after an upgrade
// renamed the stock define say, would silently be unused or be generated as
// a file of its own, so NewExtension fails instead.
func NewExtension() (*Extension, error) {
	t, err := Parse()
	if err != nil {
		return nil, fmt.Errorf("parsing ent/template: %w", err)
	}
	stock, err := ReadStock()
	if err != nil {
		return nil, err
	}
	if err := Check(t, stock); err != nil {
		return nil, err
	}
	return &Extension{templates: []*gen.Template{t}}, nil
}

// Templates of the extension.
func (e *Extension) Templates() []*gen.Template { return e.templates }

// Module is a module whose templates are overridden, as the go command
// resolves it for this module.
type Module struct {
	Path    string // entgo.io/ent
	Version string // v0.14.5
	Dir     string // its directory in the module cache
}

// StockFile is a stock template file of ent or entgql.
type StockFile struct {
	Module  Module
	Path    string   // in the module: entc/gen/template/base.tmpl
	Defines []string // the names it defines
	Text    []byte
}

// stockDirs are the template directories of the modules, searched with
// their subdirectories.
var stockDirs = []struct{ module, dir string }{
	{"entgo.io/ent", "entc/gen/template"},
	{"entgo.io/contrib", "entgql/template"},
}

// Modules resolves the modules of ent and entgql with `go list -m`.
func Modules() (map[string]Module, error) {
	args := []string{"list", "-m", "-json"}
	for _, s := range stockDirs {
		args = append(args, s.module)
	}
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -m: %v: %s", err, stderr.Bytes())
	}
	mods := make(map[string]Module)
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var m struct {
			Path, Version, Dir string
			Replace            *struct{ Path, Version, Dir string }
		}
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list -m: %w", err)
		}
		mod := Module{Path: m.Path, Version: m.Version, Dir: m.Dir}
		if m.Replace != nil {
			mod.Version, mod.Dir = m.Replace.Version, m.Replace.Dir
		}
		if mod.Dir == "" {
			return nil, fmt.Errorf("module %s@%s is not in the module cache (go mod download %[1]s)", m.Path, m.Version)
		}
		mods[m.Path] = mod
	}
	return mods, nil
}

// ReadStock reads and parses the stock template files of ent and entgql.
func ReadStock() ([]StockFile, error) {
	mods, err := Modules()
	if err != nil {
		return nil, err
	}
	var stock []StockFile
	for _, s := range stockDirs {
		mod, ok := mods[s.module]
		if !ok {
			return nil, fmt.Errorf("go list -m: no module %s", s.module)
		}
		root := os.DirFS(mod.Dir)
		err := fs.WalkDir(root, s.dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || path.Ext(p) != ".tmpl" {
				return err
			}
			text, err := fs.ReadFile(root, p)
			if err != nil {
				return err
			}
			t, err := gen.NewTemplate(p).Funcs(entgql.TemplateFuncs).Parse(string(text))
			if err != nil {
				return fmt.Errorf("parsing %s: %w", filepath.Join(mod.Dir, p), err)
			}
			f := StockFile{Module: mod, Path: p, Text: text}
			for _, d := range t.Templates() {
				if d.Name() != p && d.Tree != nil {
					f.Defines = append(f.Defines, d.Name())
				}
			}
			sort.Strings(f.Defines)
			stock = append(stock, f)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading the templates of %s@%s: %w", mod.Path, mod.Version, err)
		}
	}
	return stock, nil
}

// Check reports an error for each define of t that replaces no define of
// the stock templates, and for text outside the defines (entc would
// generate a file of it).
func Check(t *gen.Template, stock []StockFile) error {
	defined := make(map[string]bool)
	for _, f := range stock {
		for _, d := range f.Defines {
			defined[d] = true
		}
	}
	var errs []string
	for _, f := range t.Templates() {
		if isFile(f.Name()) && f.Tree != nil && !parse.IsEmptyTree(f.Root) {
			errs = append(errs, fmt.Sprintf("%s has text outside its defines, which entc would generate as a file of its own", f.Name()))
		}
	}
	for _, name := range Defines(t) {
		if !defined[name] {
			errs = append(errs, fmt.Sprintf("%q overrides no define of the stock templates of %s (renamed or removed upstream?): "+
				"re-derive it from the stock define that now generates that code (see the header of its file)", name, versions(stock)))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("ent/template: %s", strings.Join(errs, "; "))
	}
	return nil
}

// versions names the modules of the stock files.
func versions(stock []StockFile) string {
	seen := make(map[string]bool)
	var vs []string
	for _, f := range stock {
		v := f.Module.Path + "@" + f.Module.Version
		if !seen[v] {
			seen[v] = true
			vs = append(vs, v)
		}
	}
	return strings.Join(vs, ", ")
}
