package search

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"entgo.io/ent/dialect"
)

// Columns says which columns of a table make up its search text: Name ranks
// highest and Text holds the rest. The ent hook that keeps the search
// columns up to date (internal/rules.SearchIndex) and Backfill use the same
// lists.
type Columns struct {
	Name, Text []string
}

// Indexed lists the searchable tables.
var Indexed = map[string]Columns{
	"partners": {Name: []string{"name", "local_name"}, Text: []string{"country_code", "external_ref", "description"}},
	"projects": {Name: []string{"title"}, Text: []string{"city", "external_ref", "description"}},
	"policies": {Name: []string{"title"}, Text: []string{"document_number", "issuing_authority", "external_ref", "summary"}},
}

// Extension is the PostgreSQL extension the search indexes need (a
// superuser must allow it once).
const Extension = "pg_trgm"

// Index is an index that search needs, by name and the statement that
// creates it.
type Index struct{ Name, Create string }

// Indexes lists PostgreSQL's trigram indexes on the search text.
func Indexes() []Index {
	var out []Index
	for table := range Indexed {
		name := table + "_search_text_trgm"
		out = append(out, Index{Name: name, Create: fmt.Sprintf(
			`CREATE INDEX IF NOT EXISTS %s ON %s USING gin (search_text public.gin_trgm_ops)`, name, table)})
	}
	return out
}

// Backfill computes the search columns of rows written without them (by
// bulk loads, or before search existed). It writes only those columns.
func Backfill(ctx context.Context, db *sql.DB, d string) (int, error) {
	total := 0
	for table, cols := range Indexed {
		all := append(append([]string{}, cols.Name...), cols.Text...)
		sel := fmt.Sprintf(`SELECT id, %s FROM %s WHERE search_text IS NULL LIMIT 1000`, strings.Join(all, ", "), table)
		upd := fmt.Sprintf(`UPDATE %s SET search_name = ?, search_text = ? WHERE id = ?`, table)
		if d == dialect.Postgres {
			upd = numberPlaceholders(upd)
		}
		for {
			n, err := backfillBatch(ctx, db, sel, upd, len(cols.Name), len(all))
			if err != nil {
				return total, fmt.Errorf("search: backfill %s: %w", table, err)
			}
			total += n
			if n == 0 {
				break
			}
		}
	}
	return total, nil
}

func backfillBatch(ctx context.Context, db *sql.DB, sel, upd string, nameCols, cols int) (int, error) {
	rows, err := db.QueryContext(ctx, sel)
	if err != nil {
		return 0, err
	}
	type item struct {
		id         int64
		name, text string
	}
	var items []item
	for rows.Next() {
		var id int64
		vals := make([]sql.NullString, cols)
		dest := []any{&id}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return 0, err
		}
		parts := make([]string, cols)
		for i, v := range vals {
			parts[i] = v.String
		}
		items = append(items, item{id: id, name: Normalize(parts[:nameCols]...), text: Normalize(parts...)})
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(items) == 0 {
		return 0, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, upd)
	if err != nil {
		return 0, err
	}
	for _, it := range items {
		if _, err := stmt.ExecContext(ctx, it.name, it.text, it.id); err != nil {
			return 0, err
		}
	}
	return len(items), tx.Commit()
}
