package importer

import (
	"context"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/store"
)

// importPrepared is how many statements an import's PostgreSQL connections
// keep prepared; an import uses well under a hundred shapes.
const importPrepared = 512

// Open opens the configured database for an import, as store.Open does
// (the schema applied, the search columns prepared), with PostgreSQL
// connections that reuse prepared statements (see store.Config): an import
// sends hundreds of thousands of short statements of a few dozen shapes, and
// preparing them halves PostgreSQL's CPU per statement. cfg.StatementTimeout
// is not applied: an import's statements are short, and the command sets
// none.
func Open(ctx context.Context, cfg store.Config) (*ent.Client, *store.DB, error) {
	cfg.StatementTimeout = 0
	if cfg.PreparedStatements == 0 {
		cfg.PreparedStatements = importPrepared
	}
	return store.Open(ctx, cfg)
}
