package search

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/bri-tracker/bri-tracker/internal/apperr"
)

// Type is a kind of object search finds.
type Type string

// The searchable types, and their tables.
const (
	Partner Type = "PARTNER"
	Project Type = "PROJECT"
	Policy  Type = "POLICY"
)

var tables = map[Type]string{Partner: "partners", Project: "projects", Policy: "policies"}

// AllTypes are searched when none is named.
var AllTypes = []Type{Partner, Project, Policy}

// Limits of a search query.
const (
	MaxQueryLength = 200
	MaxWords       = 10
)

// Hit is one match.
type Hit struct {
	Type  Type
	ID    int
	Score float64
}

// Result is a page of matches, best first, and how many there are in all.
type Result struct {
	Hits  []Hit
	Total int
}

// Words splits a query into its normalized words.
func Words(query string) ([]string, error) {
	if len(query) > MaxQueryLength {
		return nil, apperr.Invalid("query", "is longer than %d characters", MaxQueryLength)
	}
	words := strings.Fields(Normalize(query))
	switch {
	case len(words) == 0:
		return nil, apperr.Invalid("query", "has no letters or digits to search for")
	case len(words) > MaxWords:
		return nil, apperr.Invalid("query", "has %d words; at most %d", len(words), MaxWords)
	}
	return words, nil
}

// Run finds the objects of the given types whose text holds every word of
// query, ranked: a word that starts the name or title scores 4, one that
// starts a word of it 3, one inside it 2, one elsewhere in the text 1, and
// the whole query equal to the name 5 more. Among equals, shorter names (the
// closer matches) come first, then newer objects. One SQL statement.
func Run(ctx context.Context, drv dialect.Driver, query string, types []Type, offset, limit int) (*Result, error) {
	words, err := Words(query)
	if err != nil {
		return nil, err
	}
	if len(types) == 0 {
		types = AllTypes
	}
	var (
		parts []string
		args  []any
	)
	for _, t := range dedupe(types) {
		var score, where []string
		for _, w := range words {
			like := "%" + escapeLike(w) + "%"
			score = append(score, `CASE WHEN search_name LIKE ? ESCAPE '\' THEN 4 WHEN (' ' || search_name) LIKE ? ESCAPE '\' THEN 3 WHEN search_name LIKE ? ESCAPE '\' THEN 2 ELSE 1 END`)
			args = append(args, escapeLike(w)+"%", "% "+escapeLike(w)+"%", like)
			where = append(where, `search_text LIKE ? ESCAPE '\'`)
		}
		args = append(args, strings.Join(words, " "))
		for _, w := range words {
			args = append(args, "%"+escapeLike(w)+"%")
		}
		parts = append(parts, fmt.Sprintf(`SELECT '%s' AS typ, id, (%s + CASE WHEN search_name = ? THEN 5 ELSE 0 END) AS score, LENGTH(search_name) AS len FROM %s WHERE %s`,
			t, strings.Join(score, " + "), tables[t], strings.Join(where, " AND ")))
	}
	q := `SELECT typ, id, score, COUNT(*) OVER () AS total FROM (` + strings.Join(parts, " UNION ALL ") +
		`) AS hits ORDER BY score DESC, len ASC, id DESC LIMIT ? OFFSET ?`
	args = append(args, limit, offset)
	if drv.Dialect() == dialect.Postgres {
		q = numberPlaceholders(q)
	}
	rows := &entsql.Rows{}
	if err := drv.Query(ctx, q, args, rows); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	res := &Result{}
	for rows.Next() {
		var h Hit
		var typ string
		if err := rows.Scan(&typ, &h.ID, &h.Score, &res.Total); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		h.Type = Type(typ)
		res.Hits = append(res.Hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return res, nil
}

func dedupe(types []Type) []Type {
	var out []Type
	seen := map[Type]bool{}
	for _, t := range types {
		if !seen[t] && tables[t] != "" {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// escapeLike makes % and _ in a word match themselves.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// numberPlaceholders turns ? into PostgreSQL's $1, $2, ...
func numberPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
