package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/store"
)

// TestMigrationsMatchSchema fails when the ent schema and the migration
// files disagree: planning a migration from the files to the schema, on a
// scratch database, must find nothing to write.
func TestMigrationsMatchSchema(t *testing.T) {
	url := apitest.PostgresURL(t)
	dir, err := store.MigrationDir()
	if err != nil {
		t.Fatal(err)
	}
	wrote, err := store.PlanMigration(context.Background(), url, dir, "drift")
	if err != nil {
		t.Fatal(err)
	}
	if wrote {
		files, _ := dir.Files()
		last := files[len(files)-1]
		t.Fatalf("the ent schema differs from ent/migrate/migrations; plan the change with\n  go run ./internal/codegen/migrations -name <what_changed>\nwhich would write %s:\n%s", last.Name(), last.Bytes())
	}
}

// catalog describes a schema: its columns and indexes, for comparing two.
func catalog(t *testing.T, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') || ' ' || coalesce(identity_start, '')
		 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'atlas_schema_revisions' ORDER BY 1`,
		`SELECT replace(indexdef, current_schema() || '.', '') FROM pg_indexes WHERE schemaname = current_schema() AND tablename <> 'atlas_schema_revisions' ORDER BY 1`,
		`SELECT conrelid::regclass::text || ' ' || replace(pg_get_constraintdef(oid), current_schema() || '.', '') FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 1`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, s)
		}
		rows.Close()
	}
	return b.String()
}

// TestAdoptAutoMigratedDatabase: a database made by ent's auto-migration
// (and the indexes start-up used to add), as versions before the migration
// files made it, is adopted without loss: its baseline is recorded, nothing
// of it is rewritten, its rows stay, the migrations after the baseline are
// applied, and its schema is then the one the migration files make.
//
// That schema is the baseline files': when the baseline was cut this test
// compared the auto-migration of the ent schema of the day with them,
// column for column and index for index, and found them equal. Later ent
// schemas auto-migrate to more (the later migrations), so the test now
// makes the old database from the baseline files, run as plain SQL without
// any record of them.
func TestAdoptAutoMigratedDatabase(t *testing.T) {
	ctx := context.Background()
	// the old way
	oldURL := apitest.PostgresURL(t)
	old, err := store.OpenDB(store.Config{DatabaseURL: oldURL})
	if err != nil {
		t.Fatal(err)
	}
	defer old.SQL.Close()
	client := ent.NewClient(ent.Driver(old.Driver()))
	var later []string
	for _, f := range apitest.MigrationFiles(t) {
		if f.Version() > store.BaselineVersion {
			later = append(later, f.Name())
			continue
		}
		if _, err := old.SQL.Exec(string(f.Bytes())); err != nil {
			t.Fatalf("%s: %v", f.Name(), err)
		}
	}
	if _, err := old.SQL.Exec(`INSERT INTO partners (created_at, updated_at, name, kind) VALUES (now(), now(), 'Shandong Port Group', 'ENTERPRISE')`); err != nil {
		t.Fatal(err)
	}
	st, err := store.Status(ctx, old)
	if err != nil || !st.Adopt || fmt.Sprint(st.Pending) != fmt.Sprint(later) {
		t.Fatalf("status of an auto-migrated database: %+v %v", st, err)
	}
	// adopted
	if err := store.Setup(ctx, old, client, store.Config{DatabaseURL: oldURL}); err != nil {
		t.Fatal(err)
	}
	var name string
	if err := old.SQL.QueryRow(`SELECT name FROM partners`).Scan(&name); err != nil || name != "Shandong Port Group" {
		t.Fatalf("the row after adoption: %q %v", name, err)
	}
	var revs []string
	rows, err := old.SQL.Query(`SELECT version || ' ' || type FROM atlas_schema_revisions ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		revs = append(revs, s)
	}
	rows.Close()
	want := []string{store.BaselineVersion + " " + fmt.Sprint(int(migrate.RevisionTypeBaseline))}
	for _, f := range later {
		want = append(want, strings.SplitN(f, "_", 2)[0]+" "+fmt.Sprint(int(migrate.RevisionTypeExecute)))
	}
	if fmt.Sprint(revs) != fmt.Sprint(want) {
		t.Fatalf("revisions after adoption: %v, want %v", revs, want)
	}

	// the new way, on an empty schema
	fresh := apitest.OpenPostgres(t)
	if fresh.Dialect != dialect.Postgres {
		t.Fatal("not PostgreSQL")
	}
	if got, want := catalog(t, old.SQL), catalog(t, fresh.SQL); got != want {
		t.Fatalf("the adopted schema differs from the migrated one:\nadopted:\n%s\nmigrated:\n%s", got, want)
	}
}
