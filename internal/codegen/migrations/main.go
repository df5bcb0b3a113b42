// Command migrations plans a versioned migration of the PostgreSQL schema:
// it replays the files of ent/migrate/migrations on a fresh database,
// compares the result with the ent schema, and writes the difference as a
// new file (none when there is none), then updates atlas.sum. Run it from
// the repository root after changing ent/schema and `go generate ./...`:
//
//	go run ./internal/codegen/migrations -name add_project_budget
//
// With -sum it only recomputes atlas.sum, after a file was written by hand.
// It needs a PostgreSQL server where it may create and drop a database
// (-server, or TEST_DATABASE_URL; default the local one).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"

	"ariga.io/atlas/sql/migrate"

	"github.com/bri-tracker/bri-tracker/internal/store"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("migrations: ")
	server := os.Getenv("TEST_DATABASE_URL")
	if server == "" {
		server = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	var (
		name   = flag.String("name", "", "what the migration does, in snake_case (required unless -sum)")
		dirArg = flag.String("dir", "ent/migrate/migrations", "the migration directory")
		sum    = flag.Bool("sum", false, "only recompute atlas.sum")
	)
	flag.StringVar(&server, "server", server, "a PostgreSQL URL whose server may create a scratch database")
	flag.Parse()
	dir, err := migrate.NewLocalDir(*dirArg)
	if err != nil {
		log.Fatal(err)
	}
	if *sum {
		h, err := dir.Checksum()
		if err == nil {
			err = migrate.WriteSumFile(dir, h)
		}
		if err != nil {
			log.Fatal(err)
		}
		return
	}
	if *name == "" {
		log.Fatal("-name is required")
	}
	wrote, err := store.PlanMigration(context.Background(), server, dir, *name)
	if err != nil {
		log.Fatal(err)
	}
	if !wrote {
		fmt.Println("the migration files match the ent schema: nothing to write")
	}
}
