//go:build ignore

// entc.go generates the ent client and, through entgql, the GraphQL schema
// (ent.graphqls) from the schemas in ./schema. Run it with `go generate ./...`.
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"

	"github.com/bri-tracker/bri-tracker/internal/schemadoc"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithSchemaGenerator(),
		entgql.WithWhereInputs(true),
		entgql.WithConfigPath("../gqlgen.yml"),
		entgql.WithSchemaPath("../ent.graphqls"),
		entgql.WithSchemaHook(schemadoc.Hook),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	cfg := &gen.Config{
		Features: []gen.Feature{
			gen.FeaturePrivacy,
			gen.FeatureIntercept,
			gen.FeatureUpsert,
			gen.FeatureLock,
			gen.FeatureModifier,
			gen.FeatureExecQuery,
		},
	}
	genErr := entc.Generate("./schema", cfg, entc.Extensions(ex))
	// Even when a later step failed, ent.go may have been rewritten: keep it
	// compiling, since the schema package (through its hooks) imports ent.
	if err := dropPolicyAlias("ent.go"); err != nil && genErr == nil {
		log.Fatalf("post-processing ent.go: %v", err)
	}
	if err := nullSafePagination("gql_pagination.go"); err != nil && genErr == nil {
		log.Fatalf("post-processing gql_pagination.go: %v", err)
	}
	if err := perParentPages("gql_collection.go", "*_query.go"); err != nil && genErr == nil {
		log.Fatalf("post-processing edge loaders: %v", err)
	}
	if err := skipProbeEdges("gql_pagination.go", "*_query.go"); err != nil && genErr == nil {
		log.Fatalf("post-processing page probes: %v", err)
	}
	if err := linksInRowOrder("*_query.go"); err != nil && genErr == nil {
		log.Fatalf("post-processing many-to-many loaders: %v", err)
	}
	if err := probeEachParent("*_query.go"); err != nil && genErr == nil {
		log.Fatalf("post-processing one-to-many loaders: %v", err)
	}
	if genErr != nil {
		log.Fatalf("running ent codegen: %v", genErr)
	}
}

// importPagination adds internal/pagination to a generated file's imports.
const importPagination = "import (\n\t\"github.com/bri-tracker/bri-tracker/internal/pagination\"\n"

// nullSafePagination points entgql's generated pagination at
// internal/pagination, whose cursors and orders handle nullable order
// fields (entgql's drop the rows whose field is NULL).
func nullSafePagination(path string) error {
	return replaceIn(path, []struct{ old, new string }{
		{"entgql.CursorsPredicate(", "pagination.CursorsPredicate("},
		{"toTerm(direction.OrderTermOption())", "toTerm(direction.OrderTermOption(), pagination.NullsLargest(direction))"},
		{"b.Ident(p.order.Field.column).Pad().WriteString(string(direction))", "b.Ident(p.order.Field.column).Pad().WriteString(string(direction) + pagination.NullsSQL(direction))"},
		{"import (\n", importPagination},
	})
}

// perParentPages points the pages of edges under lists at
// internal/pagination.LimitPerRow, which on PostgreSQL reads each parent's
// first rows through a LATERAL subquery rather than numbering all of them,
// and makes ent's edge loaders record the parents' keys it needs
// (pagination.ParentKeys). A page under a single parent (a plain LIMIT)
// records its limit for pagination.ProbeEach.
func perParentPages(collection, loaders string) error {
	if err := replaceIn(collection, []struct{ old, new string }{
		{"entgql.LimitPerRow(", "pagination.LimitPerRow("},
		// a single parent's page: its probe row is known too
		{"pager.applyOrder(query.Limit(limit))\n", "pager.applyOrder(query.Limit(limit))\n\t\t\t\t\tquery.modifiers = append(query.modifiers, pagination.ProbeLimit(limit))\n"},
		{"import (\n", importPagination},
	}); err != nil {
		return err
	}
	in := regexp.MustCompile(`s\.Where\(sql\.InValues\(([^\n]+?), (fks|edgeIDs)\.\.\.\)\)`)
	return patchEach(loaders, "an edge loader restricting by sql.InValues", func(s string) (string, bool) {
		if !in.MatchString(s) {
			return s, false
		}
		return in.ReplaceAllString(s, "pagination.ParentKeys(s, $1, $2...)"), true
	})
}

// skipProbeEdges spares the extra row a page fetches (to tell whether
// another page follows) the edges loaded with it: Paginate marks the query
// (pagination.Probe) and each query's sqlAll loads edges for its rows but
// that one (pagination.Probed).
func skipProbeEdges(paginate, queries string) error {
	if err := replaceIn(paginate, []struct{ old, new string }{
		{"nodes, err := _m.All(ctx)", "nodes, err := _m.All(pagination.Probe(ctx, _m.ctx, limit))"},
	}); err != nil {
		return err
	}
	scanned := "if err := sqlgraph.QueryNodes(ctx, _q.driver, _spec); err != nil {\n\t\treturn nil, err\n\t}\n\tif len(nodes) == 0 {\n\t\treturn nodes, nil\n\t}\n"
	load := regexp.MustCompile(`(_q\.load\w+\(ctx, query, )nodes,`)
	return patchEach(queries, "an sqlAll loading edges after sqlgraph.QueryNodes", func(s string) (string, bool) {
		if strings.Count(s, scanned) != 1 {
			return s, false
		}
		s = strings.Replace(s, scanned, scanned+"\tedgeNodes := pagination.Probed(ctx, _q.ctx, nodes)\n", 1)
		s = load.ReplaceAllString(s, "${1}edgeNodes,")
		return strings.ReplaceAll(s, "_q.loadTotal[i](ctx, nodes)", "_q.loadTotal[i](ctx, edgeNodes)"), true
	})
}

// linksInRowOrder makes the many-to-many edge loaders hand each parent its
// children in the order of the query's rows (pagination.Links), not in the
// order the children were first met, which breaks each parent's order when
// parents share children.
func linksInRowOrder(loaders string) error {
	set := regexp.MustCompile(`nids := make\(map\[int\]map\[\*\w+\]struct\{\}\)`)
	add := regexp.MustCompile(`if nids\[inValue\] == nil \{\n(\t+)\tnids\[inValue\] = map\[\*\w+\]struct\{\}\{byID\[outValue\]: \{\}\}\n(\t+return assign\(columns\[1:\], values\[1:\]\)\n\t+\})\n\t+nids\[inValue\]\[byID\[outValue\]\] = struct\{\}\{\}\n`)
	assign := regexp.MustCompile("(neighbors, err := withInterceptors\\[\\[\\]\\*(\\w+)\\]\\(ctx, query, qr, query.inters\\)\n\tif err != nil \\{\n\t\treturn err\n\t\\}\n)" +
		"\tfor _, n := range neighbors \\{\n\t\tnodes, ok := nids\\[n.ID\\]\n\t\tif !ok \\{\n\t\t\treturn fmt.Errorf\\(`unexpected \"(\\w+)\" node returned %v`, n.ID\\)\n\t\t\\}\n\t\tfor kn := range nodes \\{\n\t\t\tassign\\(kn, n\\)\n\t\t\\}\n\t\\}\n\treturn nil\n")
	return patchEach(loaders, "a many-to-many edge loader", func(s string) (string, bool) {
		n := len(set.FindAllString(s, -1))
		if n == 0 {
			return s, false
		}
		if len(add.FindAllString(s, -1)) != n || len(assign.FindAllString(s, -1)) != n {
			log.Fatalf("a many-to-many edge loader is not as expected (%d loaders): update linksInRowOrder", n)
		}
		s = set.ReplaceAllString(s, "var links pagination.Links")
		s = add.ReplaceAllString(s, "if links.Add(outValue, inValue) {\n$2\n")
		return assign.ReplaceAllString(s, "${1}\treturn pagination.AssignLinks(&links, byID, neighbors, func(n *$2) int { return n.ID }, assign, \"$3\")\n"), true
	})
}

// probeEachParent makes the one-to-many edge loaders tell their query which
// parent each row belongs to (pagination.ProbeEach), so that the probe row
// of each parent's page is spared the edges loaded with the rows.
func probeEachParent(loaders string) error {
	header := regexp.MustCompile(`^\(_q \*\w+Query\) load\w+\(ctx context\.Context, query \*(\w+)Query, `)
	load := regexp.MustCompile(`neighbors, err := query\.All\(ctx\)(\n\tif err != nil \{\n\t\treturn err\n\t\}\n\tfor _, n := range neighbors \{\n\t\tfk := n\.(\w+)\n)`)
	return patchEach(loaders, "a one-to-many edge loader", func(s string) (string, bool) {
		funcs := strings.Split(s, "\nfunc ")
		changed := false
		for i, f := range funcs {
			h := header.FindStringSubmatch(f)
			m := load.FindStringSubmatch(f)
			if h == nil || m == nil {
				continue
			}
			key := "return n." + m[2]
			if strings.Contains(f, "\t\tif fk == nil {") {
				key = "if n." + m[2] + " == nil {\n\t\t\treturn 0\n\t\t}\n\t\treturn *n." + m[2]
			}
			funcs[i] = load.ReplaceAllString(f, "neighbors, err := query.All(pagination.ProbeEach(ctx, query.ctx, func(n *"+h[1]+") int {\n\t\t"+key+"\n\t}))$1")
			changed = true
		}
		return strings.Join(funcs, "\nfunc "), changed
	})
}

// patchEach applies patch to each generated file matching glob, adding the
// pagination import to those it changes; at least one must change (what
// says what it looks for).
func patchEach(glob, what string, patch func(string) (string, bool)) error {
	files, err := filepath.Glob(glob)
	if err != nil {
		return err
	}
	patched := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		s, ok := patch(string(src))
		if !ok {
			continue
		}
		if !strings.Contains(s, "\"github.com/bri-tracker/bri-tracker/internal/pagination\"") {
			s = strings.Replace(s, "import (\n", importPagination, 1)
		}
		if err := os.WriteFile(f, []byte(s), 0o644); err != nil {
			return err
		}
		patched++
	}
	if patched == 0 {
		return fmt.Errorf("no file %s has %s", glob, what)
	}
	return nil
}

// replaceIn makes replacements in a file, each of which must apply.
func replaceIn(path string, rs []struct{ old, new string }) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(src)
	for _, r := range rs {
		if !strings.Contains(s, r.old) {
			return fmt.Errorf("%q not found in %s", r.old, path)
		}
		s = strings.ReplaceAll(s, r.old, r.new)
	}
	return os.WriteFile(path, []byte(s), 0o644)
}

// dropPolicyAlias removes ent's alias `Policy = ent.Policy` (for privacy
// policies, which we do not use through it) from the generated ent.go: entgql
// names the GraphQL type Policy after the OpeningPolicy schema with an alias
// of the same name, and the two would collide.
func dropPolicyAlias(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	re := regexp.MustCompile(`(?m)^\s*Policy\s+= ent\.Policy\n`)
	if !re.Match(src) {
		return fmt.Errorf("alias Policy = ent.Policy not found in %s", path)
	}
	return os.WriteFile(path, re.ReplaceAll(src, nil), 0o644)
}
