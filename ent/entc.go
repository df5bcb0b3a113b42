//go:build ignore

// entc.go generates the ent client and, through entgql, the GraphQL schema
// (ent.graphqls) from the schemas in ./schema. Run it with `go generate ./...`.
package main

import (
	"fmt"
	"log"
	"os"
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
	if genErr != nil {
		log.Fatalf("running ent codegen: %v", genErr)
	}
}

// nullSafePagination points entgql's generated pagination at
// internal/pagination, whose cursors and orders handle nullable order
// fields (entgql's drop the rows whose field is NULL).
func nullSafePagination(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(src)
	for _, r := range []struct{ old, new string }{
		{"entgql.CursorsPredicate(", "pagination.CursorsPredicate("},
		{"toTerm(direction.OrderTermOption())", "toTerm(direction.OrderTermOption(), pagination.NullsLargest(direction))"},
		{"b.Ident(p.order.Field.column).Pad().WriteString(string(direction))", "b.Ident(p.order.Field.column).Pad().WriteString(string(direction) + pagination.NullsSQL(direction))"},
		{"import (\n", "import (\n\t\"github.com/bri-tracker/bri-tracker/internal/pagination\"\n"},
	} {
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
