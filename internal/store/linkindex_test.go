package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/store"
)

// TestLinkIndexes: the many-to-many link tables are indexed from their
// second column in the order of the policy ids, replacing the second
// column's indexes of earlier versions; on PostgreSQL a project's page of
// policies reads that index in order, with nothing to sort.
func TestLinkIndexes(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		ctx := context.Background()
		// a database set up by an earlier version
		for _, q := range []string{
			`CREATE INDEX opening_policy_projects_project_id ON opening_policy_projects (project_id)`,
			`CREATE INDEX opening_policy_partners_partner_id ON opening_policy_partners (partner_id)`,
		} {
			if _, err := db.SQL.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.Prepare(ctx, &store.DB{SQL: db.SQL, Dialect: db.Dialect}); err != nil {
			t.Fatal(err)
		}
		list := `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'opening_policy_%' AND sql IS NOT NULL ORDER BY name`
		if db.IsPostgres() {
			list = `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename LIKE 'opening_policy_%' AND indexname NOT LIKE '%pkey' ORDER BY indexname`
		}
		rows, err := db.SQL.QueryContext(ctx, list)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			names = append(names, n)
		}
		rows.Close()
		want := []string{"opening_policy_partners_partner_id_policy", "opening_policy_projects_project_id_policy"}
		if !slices.Equal(names, want) {
			t.Errorf("link table indexes %v, want %v", names, want)
		}
		if !db.IsPostgres() {
			return
		}
		conn := apitest.IndexOnlyConn(t, db)
		p := apitest.Explain(t, conn, `SELECT opening_policy_id FROM opening_policy_projects WHERE project_id = 1 ORDER BY opening_policy_id LIMIT 6`)
		if !strings.Contains(p, "opening_policy_projects_project_id_policy") || strings.Contains(p, "Sort") {
			t.Errorf("a project's policies do not come from the index in order:\n%s", p)
		}
	})
}
