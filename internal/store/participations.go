package store

import (
	"context"
	"database/sql"
	"fmt"

	"entgo.io/ent/dialect"
)

// Earlier versions kept one participation per project and partner, unique
// on the pair, and no project_partners links. A partner now holds several
// roles in a project, one participation each, and the links list each pair
// once; migrateParticipations brings such a database along: it links every
// pair that takes part and drops the pair's unique index, in one
// transaction, once (the old index marks a database not yet migrated).
const oldParticipationIndex = "projectparticipant_project_id_partner_id"

var participationMigration = []string{
	`INSERT INTO project_partners (project_id, partner_id)
	 SELECT DISTINCT pp.project_id, pp.partner_id FROM project_participants pp
	 WHERE NOT EXISTS (SELECT 1 FROM project_partners l WHERE l.project_id = pp.project_id AND l.partner_id = pp.partner_id)`,
	`DROP INDEX IF EXISTS ` + oldParticipationIndex,
	// covered by (partner_id, id)
	`DROP INDEX IF EXISTS projectparticipant_partner_id`,
}

func migrateParticipations(ctx context.Context, db *DB) error {
	exists := `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`
	if db.Dialect == dialect.Postgres {
		exists = `SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = $1`
	}
	var n int
	if err := db.SQL.QueryRowContext(ctx, exists, oldParticipationIndex).Scan(&n); err != nil {
		return fmt.Errorf("participations: look for the old index: %w", err)
	}
	if n == 0 {
		return nil
	}
	tx, err := db.SQL.BeginTx(ctx, &sql.TxOptions{})
	if err != nil {
		return fmt.Errorf("participations: %w", err)
	}
	defer tx.Rollback()
	for _, q := range participationMigration {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("participations: migrate: %w", err)
		}
	}
	return tx.Commit()
}
