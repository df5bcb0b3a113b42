package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"

	"entgo.io/ent/dialect"

	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
	"github.com/bri-tracker/bri-tracker/internal/importer"
	"github.com/bri-tracker/bri-tracker/internal/store"
)

const importUsage = `usage:
  bri-tracker import aiddata FILE.csv [--allow-skips] [--batch-size N] [--workers N]
  bri-tracker import aiddata-geo FILE.geojson|FOLDER [--allow-skips] [--workers N]
(also takes --database-url and --sqlite-path, or DATABASE_URL and SQLITE_PATH)`

const exportUsage = `usage:
  bri-tracker export projects [--format csv|json] [--where JSON]
(also takes --database-url and --sqlite-path, or DATABASE_URL and SQLITE_PATH)`

// postgresWorkers is how many batches an import writes at once on
// PostgreSQL: each statement waits a network round trip, and concurrent
// transactions overlap the waits. SQLite has one writer: one batch at a time.
const postgresWorkers = 8

// runImport loads a dataset: `bri-tracker import aiddata FILE.csv`. Rows
// that cannot be imported are listed on stderr; the summary goes to
// stdout. Skipped rows make it fail unless --allow-skips.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "aiddata-geo" {
		return runImportGeo(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "aiddata" {
		return fmt.Errorf("%s", importUsage)
	}
	fs := flag.NewFlagSet("bri-tracker import aiddata", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	db := databaseFlags(fs, getenv)
	allowSkips := fs.Bool("allow-skips", false, "succeed even when rows were skipped")
	batch := fs.Int("batch-size", 0, "items a transaction writes (default and most: 1000)")
	workers := fs.Int("workers", 0, "batches written at once (default: 8 on PostgreSQL, 1 on SQLite)")
	files, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return fmt.Errorf("%v\n%s", err, importUsage)
	}
	if len(files) != 1 {
		return fmt.Errorf("import aiddata takes one file\n%s", importUsage)
	}
	client, sdb, err := importer.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer client.Close()

	o := importer.Options{BatchSize: *batch}
	o.Workers, o.Progress = importDefaults(sdb.Dialect, *workers, stderr)
	defer debug.SetGCPercent(debug.SetGCPercent(importer.GCPercent))
	sum, err := importer.ImportFile(ctx, client, files[0], o)
	if err != nil {
		return fmt.Errorf("import %s: %w", files[0], err)
	}
	if err := sum.WriteProblems(stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %s: %s\n", files[0], sum)
	if sum.Skipped > 0 && !*allowSkips {
		return fmt.Errorf("%d rows skipped (listed above); --allow-skips accepts an import that skips rows", sum.Skipped)
	}
	return nil
}

// runImportGeo loads AidData's geospatial companion: `bri-tracker import
// aiddata-geo PATH`, a GeoJSON file or a folder of <id>.geojson files, onto
// the projects imported from the CSV. Files it cannot use are listed on
// stderr; they make it fail unless --allow-skips.
func runImportGeo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bri-tracker import aiddata-geo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	db := databaseFlags(fs, getenv)
	allowSkips := fs.Bool("allow-skips", false, "succeed even when files were skipped")
	workers := fs.Int("workers", 0, "batches written at once (default: 8 on PostgreSQL, 1 on SQLite)")
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return fmt.Errorf("%v\n%s", err, importUsage)
	}
	if len(paths) != 1 {
		return fmt.Errorf("import aiddata-geo takes one file or folder\n%s", importUsage)
	}
	client, sdb, err := importer.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer client.Close()
	var o importer.GeoOptions
	o.Workers, o.Progress = importDefaults(sdb.Dialect, *workers, stderr)
	sum, err := importer.ImportGeo(ctx, client, paths[0], o)
	if err != nil {
		return fmt.Errorf("import %s: %w", paths[0], err)
	}
	if err := sum.WriteProblems(stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %s: %s\n", paths[0], sum)
	if sum.Skipped > 0 && !*allowSkips {
		return fmt.Errorf("%d files skipped (listed above); --allow-skips accepts an import that skips files", sum.Skipped)
	}
	return nil
}

// importDefaults are the workers an import runs with (the flag's, else
// postgresWorkers on PostgreSQL and one on SQLite) and where its progress bar
// goes (stderr when it is a terminal, else nowhere).
func importDefaults(dbDialect string, workers int, stderr io.Writer) (int, io.Writer) {
	if workers == 0 && dbDialect == dialect.Postgres {
		workers = postgresWorkers
	}
	if isTerminal(stderr) {
		return workers, stderr
	}
	return workers, nil
}

// runExport writes projects out: `bri-tracker export projects --format
// csv|json`, through the API's own GraphQL handler, so that --where is the
// projects query's where and the rows are exactly what the API serves.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "projects" {
		return fmt.Errorf("%s", exportUsage)
	}
	fs := flag.NewFlagSet("bri-tracker export projects", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	db := databaseFlags(fs, getenv)
	format := fs.String("format", "csv", "csv or json")
	whereText := fs.String("where", "", "a ProjectWhereInput in JSON, as the projects query takes")
	rest, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return fmt.Errorf("%v\n%s", err, exportUsage)
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q\n%s", rest[0], exportUsage)
	}
	if _, ok := httpapi.ExportFormats[*format]; !ok {
		return fmt.Errorf("--format %q: want csv or json", *format)
	}
	var where map[string]any
	if *whereText != "" {
		if err := json.Unmarshal([]byte(*whereText), &where); err != nil {
			return fmt.Errorf("--where: want a JSON object, as the projects query's where argument: %v", err)
		}
	}
	ctx = auth.SystemContext(ctx, "export")
	client, sdb, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer client.Close()
	o := httpapi.Defaults(client, sdb.Driver())
	o.PublicRead = true // the in-process requests carry no key
	// warnings and errors only: the access log of each page is noise here
	o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return httpapi.ExportProjects(ctx, o, *format, where, stdout)
}

// databaseFlags adds the database flags every command takes.
func databaseFlags(fs *flag.FlagSet, getenv func(string) string) *store.Config {
	var db store.Config
	fs.StringVar(&db.DatabaseURL, "database-url", getenv("DATABASE_URL"), "PostgreSQL URL; empty uses the SQLite file")
	fs.StringVar(&db.SQLitePath, "sqlite-path", envOr(getenv, "SQLITE_PATH", "./bri-tracker.db"), "SQLite database file")
	return &db
}

// parseInterleaved parses flags placed before, between or after the
// positional arguments (`import aiddata FILE.csv --allow-skips`), which
// flag.Parse alone stops at.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// isTerminal reports whether w is a terminal, where a progress bar helps;
// in a pipe or a log file it would be noise. golang.org/x/term is not a
// dependency, so a character device stands for a terminal. A variable, so
// that tests can pretend.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
