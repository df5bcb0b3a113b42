package store

import (
	"context"
	"database/sql"
	"fmt"
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
	old, err := indexExists(ctx, db, oldParticipationIndex)
	if err != nil {
		return fmt.Errorf("participations: look for the old index: %w", err)
	}
	if !old {
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
