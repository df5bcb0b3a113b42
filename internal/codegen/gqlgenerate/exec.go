package main

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing/fstest"

	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
	"github.com/99designs/gqlgen/codegen/templates"
)

// overrides are executor templates of our own that replace gqlgen's of the
// same name; each file's header says what differs and why.
//
//go:embed templates/*.gotpl
var overrides embed.FS

// gqlgenModule is the module whose executor templates are read.
const gqlgenModule = "github.com/99designs/gqlgen"

// execTemplates are the templates gqlgen renders a single-file executor
// from (codegen's singleFileTemplateFS), in its codegen directory.
var execTemplates = []string{
	"api!.gotpl", "internal!.gotpl", "args.gotpl", "field.gotpl", "input.gotpl",
	"interface.gotpl", "object.gotpl", "type.gotpl", "generated!.gotpl", "directives_.gotpl",
}

// renderExec writes the executor as gqlgen's codegen.GenerateCode does for
// the single-file layout, from gqlgen's own templates with ours in place of
// those of the same name. It returns the names overridden.
func renderExec(data *codegen.Data) ([]string, error) {
	if data.Config.Exec.Layout != config.ExecLayoutSingleFile {
		return nil, fmt.Errorf("exec.layout is %s: the executor's template overrides are written for %s", data.Config.Exec.Layout, config.ExecLayoutSingleFile)
	}
	set, overridden, err := execTemplateFS()
	if err != nil {
		return nil, err
	}
	return overridden, templates.Render(templates.Options{
		PackageName:     data.Config.Exec.Package,
		Filename:        data.Config.Exec.Filename,
		Data:            data,
		RegionTags:      true,
		GeneratedHeader: true,
		Packages:        data.Config.Packages,
		TemplateFS:      set,
		PruneOptions:    data.Config.GetPruneOptions(),
	})
}

// execTemplateFS is gqlgen's executor template set with our overrides.
func execTemplateFS() (fs.FS, []string, error) {
	dir, err := moduleDir(gqlgenModule)
	if err != nil {
		return nil, nil, err
	}
	set := fstest.MapFS{}
	var overridden []string
	for _, name := range execTemplates {
		text, err := fs.ReadFile(overrides, "templates/"+name)
		if err == nil {
			overridden = append(overridden, name)
		} else if text, err = os.ReadFile(filepath.Join(dir, "codegen", name)); err != nil {
			return nil, nil, fmt.Errorf("gqlgen's executor template: %w", err)
		}
		set[name] = &fstest.MapFile{Data: text}
	}
	names, err := fs.Glob(overrides, "templates/*.gotpl")
	if err != nil {
		return nil, nil, err
	}
	if len(names) != len(overridden) {
		return nil, nil, fmt.Errorf("overrides %v, of which only %v are gqlgen executor templates", names, overridden)
	}
	return set, overridden, nil
}

// moduleDir is the directory of a module of the build list.
func moduleDir(path string) (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %v: %s", path, err, stderr.Bytes())
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("go list -m %s: no directory (run go mod download)", path)
	}
	return dir, nil
}
