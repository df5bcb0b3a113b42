package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	atlasschema "ariga.io/atlas/sql/schema"
	entschema "entgo.io/ent/dialect/sql/schema"

	"github.com/bri-tracker/bri-tracker/ent/migrate/migrations"
)

// Versioned migrations (PostgreSQL). The schema is the files of
// ent/migrate/migrations, applied in order by Atlas's executor, each in a
// transaction, and recorded in the table atlas_schema_revisions of the
// database's schema. A database that ent's auto-migration made before the
// files existed (it has tables but no revisions) is adopted: the baseline
// files, which hold what it already has, are recorded as applied, and the
// later ones run.

// revisionsTable records the applied migrations.
const revisionsTable = "atlas_schema_revisions"

// BaselineVersion is the last migration file whose schema an auto-migrated
// database already has: the tables, and the indexes and extension start-up
// used to add.
const BaselineVersion = "20261206060000"

// MigrationDir returns the migration files.
func MigrationDir() (migrate.Dir, error) {
	dir := migrate.OpenMemDir("bri-tracker")
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := migrations.FS.ReadFile(path)
		if err != nil {
			return err
		}
		return dir.WriteFile(path, b)
	})
	return dir, err
}

// ExtraIndexes are indexes the migration files create that the ent schema
// does not declare (trigram search indexes, the link tables' reverse
// indexes). When a new migration file is planned from the ent schema, they
// must not be dropped: KeepExtraIndexes filters those drops out.
var ExtraIndexes = map[string]bool{
	"partners_search_text_trgm":                 true,
	"projects_search_text_trgm":                 true,
	"policies_search_text_trgm":                 true,
	"opening_policy_projects_project_id_policy": true,
	"opening_policy_partners_partner_id_policy": true,
}

// KeepExtraIndexes is a diff hook for planning migrations: it leaves
// ExtraIndexes out of the changes.
func KeepExtraIndexes(next entschema.Differ) entschema.Differ {
	return entschema.DiffFunc(func(current, desired *atlasschema.Schema) ([]atlasschema.Change, error) {
		changes, err := next.Diff(current, desired)
		if err != nil {
			return nil, err
		}
		out := changes[:0]
		for _, c := range changes {
			if m, ok := c.(*atlasschema.ModifyTable); ok {
				kept := m.Changes[:0]
				for _, tc := range m.Changes {
					if d, ok := tc.(*atlasschema.DropIndex); ok && ExtraIndexes[d.I.Name] {
						continue
					}
					kept = append(kept, tc)
				}
				m.Changes = kept
				if len(m.Changes) == 0 {
					continue
				}
			}
			out = append(out, c)
		}
		return out, nil
	})
}

// MigrationStatus lists the migration files applied to the database and
// those pending.
type MigrationStatus struct {
	Applied, Pending []string
	// Adopt says the database was made by auto-migration and will be
	// adopted (its baseline recorded) by the next Migrate.
	Adopt bool
}

// executor returns Atlas's executor over conn, and whether the database
// has tables but no revisions (made by auto-migration, to adopt).
func executor(ctx context.Context, conn *sql.Conn) (*migrate.Executor, bool, error) {
	dir, err := MigrationDir()
	if err != nil {
		return nil, false, err
	}
	pg, err := postgres.Open(conn)
	if err != nil {
		return nil, false, err
	}
	drv := schemaDriver{Driver: pg, conn: conn}
	rrw := &revisions{conn: conn}
	if err := rrw.init(ctx); err != nil {
		return nil, false, err
	}
	var tables, revs int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> $1`, revisionsTable).Scan(&tables); err != nil {
		return nil, false, err
	}
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM `+revisionsTable).Scan(&revs); err != nil {
		return nil, false, err
	}
	var opts []migrate.ExecutorOption
	adopt := tables > 0 && revs == 0
	if adopt {
		opts = append(opts, migrate.WithBaselineVersion(BaselineVersion))
	}
	ex, err := migrate.NewExecutor(drv, dir, rrw, opts...)
	return ex, adopt, err
}

// Status reports the migrations applied and pending, without changing
// anything but creating the revisions table if it is missing.
func Status(ctx context.Context, db *DB) (*MigrationStatus, error) {
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	dir, err := MigrationDir()
	if err != nil {
		return nil, err
	}
	files, err := dir.Files()
	if err != nil {
		return nil, err
	}
	rrw := &revisions{conn: conn}
	if err := rrw.init(ctx); err != nil {
		return nil, err
	}
	revs, err := rrw.ReadRevisions(ctx)
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	for _, r := range revs {
		if r.Applied == r.Total {
			done[r.Version] = true
		}
	}
	var tables int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> $1`, revisionsTable).Scan(&tables); err != nil {
		return nil, err
	}
	st := &MigrationStatus{Adopt: tables > 0 && len(revs) == 0}
	for _, f := range files {
		switch {
		case done[f.Version()], st.Adopt && f.Version() <= BaselineVersion:
			st.Applied = append(st.Applied, f.Name())
		default:
			st.Pending = append(st.Pending, f.Name())
		}
	}
	return st, nil
}

// migrateUp applies the pending migrations on conn, each file in a
// transaction, and returns the names of the files applied (none when the
// schema is up to date).
func migrateUp(ctx context.Context, conn *sql.Conn) ([]string, error) {
	ex, adopt, err := executor(ctx, conn)
	if err != nil {
		return nil, err
	}
	pending, err := ex.Pending(ctx)
	if errors.Is(err, migrate.ErrNoPendingFiles) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var applied []string
	if adopt {
		applied = append(applied, "baseline "+BaselineVersion+" (adopted)")
	}
	for _, f := range pending {
		if err := inTx(ctx, conn, func() error { return ex.Execute(ctx, f) }); err != nil {
			return applied, fmt.Errorf("migration %s: %w", f.Name(), err)
		}
		applied = append(applied, f.Name())
	}
	return applied, nil
}

// schemaDriver is Atlas's PostgreSQL driver over the connection's current
// schema: its clean check looks at that schema alone (Atlas's, over a
// connection rather than a URL, looks at every schema of the database).
type schemaDriver struct {
	migrate.Driver
	conn *sql.Conn
}

// CheckClean reports a schema holding tables other than the revisions.
func (d schemaDriver) CheckClean(ctx context.Context, _ *migrate.TableIdent) error {
	var table string
	err := d.conn.QueryRowContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> $1 LIMIT 1`, revisionsTable).Scan(&table)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return &migrate.NotCleanError{Reason: fmt.Sprintf("found table %q", table)}
}

// inTx runs fn in a transaction on conn.
func inTx(ctx context.Context, conn *sql.Conn, fn func() error) error {
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return err
	}
	_, err := conn.ExecContext(ctx, "COMMIT")
	return err
}

// revisions stores Atlas's revisions in a table of the database's schema.
type revisions struct{ conn *sql.Conn }

var _ migrate.RevisionReadWriter = (*revisions)(nil)

func (r *revisions) init(ctx context.Context) error {
	_, err := r.conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+revisionsTable+` (
	version text PRIMARY KEY,
	description text NOT NULL,
	type integer NOT NULL,
	applied integer NOT NULL,
	total integer NOT NULL,
	executed_at timestamptz NOT NULL,
	execution_time bigint NOT NULL,
	error text NOT NULL DEFAULT '',
	error_stmt text NOT NULL DEFAULT '',
	hash text NOT NULL,
	partial_hashes text NOT NULL DEFAULT '',
	operator_version text NOT NULL DEFAULT ''
)`)
	return err
}

// Ident names the table, so that Atlas's clean check ignores it.
func (r *revisions) Ident() *migrate.TableIdent {
	return &migrate.TableIdent{Name: revisionsTable}
}

const revisionColumns = `version, description, type, applied, total, executed_at, execution_time, error, error_stmt, hash, partial_hashes, operator_version`

func scanRevision(row interface{ Scan(...any) error }) (*migrate.Revision, error) {
	var (
		rev     migrate.Revision
		elapsed int64
		partial string
	)
	if err := row.Scan(&rev.Version, &rev.Description, &rev.Type, &rev.Applied, &rev.Total, &rev.ExecutedAt, &elapsed, &rev.Error, &rev.ErrorStmt, &rev.Hash, &partial, &rev.OperatorVersion); err != nil {
		return nil, err
	}
	rev.ExecutionTime = time.Duration(elapsed)
	if partial != "" {
		rev.PartialHashes = strings.Split(partial, ",")
	}
	return &rev, nil
}

// ReadRevisions returns the revisions in version order.
func (r *revisions) ReadRevisions(ctx context.Context) ([]*migrate.Revision, error) {
	rows, err := r.conn.QueryContext(ctx, `SELECT `+revisionColumns+` FROM `+revisionsTable+` ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*migrate.Revision
	for rows.Next() {
		rev, err := scanRevision(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rev)
	}
	return out, rows.Err()
}

// ReadRevision returns one revision, or migrate.ErrRevisionNotExist.
func (r *revisions) ReadRevision(ctx context.Context, version string) (*migrate.Revision, error) {
	rev, err := scanRevision(r.conn.QueryRowContext(ctx, `SELECT `+revisionColumns+` FROM `+revisionsTable+` WHERE version = $1`, version))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, migrate.ErrRevisionNotExist
	}
	return rev, err
}

// WriteRevision inserts or updates a revision.
func (r *revisions) WriteRevision(ctx context.Context, rev *migrate.Revision) error {
	_, err := r.conn.ExecContext(ctx, `INSERT INTO `+revisionsTable+` (`+revisionColumns+`)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (version) DO UPDATE SET description = EXCLUDED.description, type = EXCLUDED.type,
	applied = EXCLUDED.applied, total = EXCLUDED.total, executed_at = EXCLUDED.executed_at,
	execution_time = EXCLUDED.execution_time, error = EXCLUDED.error, error_stmt = EXCLUDED.error_stmt,
	hash = EXCLUDED.hash, partial_hashes = EXCLUDED.partial_hashes, operator_version = EXCLUDED.operator_version`,
		rev.Version, rev.Description, rev.Type, rev.Applied, rev.Total, rev.ExecutedAt, int64(rev.ExecutionTime),
		rev.Error, rev.ErrorStmt, rev.Hash, strings.Join(rev.PartialHashes, ","), rev.OperatorVersion)
	return err
}

// DeleteRevision deletes a revision.
func (r *revisions) DeleteRevision(ctx context.Context, version string) error {
	_, err := r.conn.ExecContext(ctx, `DELETE FROM `+revisionsTable+` WHERE version = $1`, version)
	return err
}
