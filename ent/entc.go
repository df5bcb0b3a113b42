//go:build ignore

// entc.go generates the ent client and, through entgql, the GraphQL schema
// (ent.graphqls) from the schemas in ./schema. Run it with `go generate ./...`.
// The templates in ./template override some of ent's and entgql's (NULL-safe
// cursors, many-to-many pages in row order, per-parent pages); each file
// says what it changes and why.
package main

import (
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"

	enttemplate "github.com/bri-tracker/bri-tracker/ent/template"
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
			gen.FeatureVersionedMigration,
		},
	}
	overrides, err := enttemplate.NewExtension()
	if err != nil {
		log.Fatalf("loading the template overrides: %v", err)
	}
	// The overrides come after entgql's extension, so that their defines
	// replace the stock ones of entgql as well as of ent.
	if err := entc.Generate("./schema", cfg, entc.Extensions(ex, overrides)); err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}
