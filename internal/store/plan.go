package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"

	entmigrate "github.com/bri-tracker/bri-tracker/ent/migrate"
)

// PlanMigration writes into dir the migration from its files to the ent schema, on
// a scratch database of server, and reports whether there was one.
func PlanMigration(ctx context.Context, server string, dir migrate.Dir, name string) (bool, error) {
	before, err := dir.Files()
	if err != nil {
		return false, err
	}
	dev, drop, err := scratchDatabase(ctx, server)
	if err != nil {
		return false, err
	}
	defer drop()
	err = entmigrate.NamedDiff(ctx, dev, name,
		schema.WithDir(dir),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dialect.Postgres),
		schema.WithFormatter(migrate.DefaultFormatter),
		schema.WithDiffHook(KeepExtraIndexes),
	)
	if err != nil {
		return false, err
	}
	after, err := dir.Files()
	return len(after) > len(before), err
}

// scratchDatabase creates an empty database on server and returns its URL
// (schema public) and a function that drops it.
func scratchDatabase(ctx context.Context, server string) (string, func(), error) {
	admin, err := sql.Open("postgres", server)
	if err != nil {
		return "", nil, err
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "bri_migrations_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create a scratch database: %w", err)
	}
	drop := func() {
		_, _ = admin.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}
	u, err := url.Parse(server)
	if err != nil {
		drop()
		return "", nil, err
	}
	u.Path = "/" + name
	q := u.Query()
	q.Set("search_path", "public")
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}
