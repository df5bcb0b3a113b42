// Package migrations holds the versioned migrations of the PostgreSQL
// schema: SQL files in Atlas's format, and atlas.sum, their checksums.
// `go run ./internal/codegen/migrations -name NAME` writes a new file from
// the difference between these files and the ent schema; store.Migrate
// applies them. See docs/deploy.md.
package migrations

import "embed"

// FS holds the migration files and atlas.sum.
//
//go:embed *.sql atlas.sum
var FS embed.FS
