// Command importbench measures the AidData importer on PostgreSQL. It
// generates a file of 21,000 rows (the size of the whole GCDF 3.0 dataset)
// in the exact published 126-column format, imports it into a fresh
// database, imports it again (which must change nothing), imports the two
// published samples into another fresh database, and prints the times.
// With it, AidData-style geodata for every fifth row (--geo-every) is
// imported after each CSV import, as `bri-tracker import aiddata-geo` does.
// It runs the code the commands run, with their defaults. Run it from the repository root:
//
//	go run ./bench/importbench
//
// It is a benchmark, not a test: it drops and creates the databases it
// names (bri_importbench and bri_importbench_samples by default) on the
// server of --database-url.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/lib/pq"

	"github.com/bri-tracker/bri-tracker/internal/importer"
	"github.com/bri-tracker/bri-tracker/internal/importer/aiddatagen"
	"github.com/bri-tracker/bri-tracker/internal/store"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("importbench: ")
	server := flag.String("database-url", envOr("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "PostgreSQL server URL (any database on it)")
	name := flag.String("database", "bri_importbench", "database to drop, create and import into")
	rows := flag.Int("rows", 21000, "rows to generate")
	workers := flag.Int("workers", 8, "batches written at once (the command's default on PostgreSQL)")
	batch := flag.Int("batch-size", 0, "items a transaction writes (0: the most, 1000)")
	samples := flag.String("samples", "internal/importer/testdata", "folder of the published samples")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the first import to this file")
	geoEvery := flag.Int("geo-every", 5, "write AidData-style geodata for every n-th row (0: none)")
	flag.Parse()
	ctx := context.Background()
	profile = *cpuProfile
	debug.SetGCPercent(importer.GCPercent) // as the command does

	file := filepath.Join(os.TempDir(), fmt.Sprintf("importbench-%d.csv", *rows))
	start := time.Now()
	if err := generate(file, *rows); err != nil {
		log.Fatal(err)
	}
	defer os.Remove(file)
	st, _ := os.Stat(file)
	fmt.Printf("generated %d rows (%.1f MB) in %.2f s: %s\n", *rows, float64(st.Size())/1e6, time.Since(start).Seconds(), file)
	fmt.Printf("machine: %d CPUs, %s/%s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	o := importer.Options{Workers: *workers, BatchSize: *batch}

	target, err := freshDatabase(ctx, *server, *name)
	if err != nil {
		log.Fatal(err)
	}
	geoDir := ""
	if *geoEvery > 0 {
		geoDir, err = os.MkdirTemp("", "importbench-geo-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(geoDir)
		n, err := aiddatagen.WriteGeo(geoDir, genOptions(*rows), *geoEvery)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("generated geodata for %d of the rows (every %d-th): %s\n", n, *geoEvery, geoDir)
	}
	for _, run := range []string{"first import", "re-import"} {
		sum, took, err := timeImport(ctx, target, o, file)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-13s %6.2f s  %s\n", run+":", took.Seconds(), sum)
		if geoDir == "" {
			continue
		}
		gsum, gtook, err := timeGeoImport(ctx, target, *workers, geoDir)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-13s %6.2f s  %s\n", "  geodata:", gtook.Seconds(), gsum)
		fmt.Printf("%-13s %6.2f s\n", "  together:", (took + gtook).Seconds())
	}

	sampleDB, err := freshDatabase(ctx, *server, *name+"_samples")
	if err != nil {
		log.Fatal(err)
	}
	var total time.Duration
	for _, f := range []string{"malaysia.csv", "latin_america_ports.csv"} {
		sum, took, err := timeImport(ctx, sampleDB, o, filepath.Join(*samples, f))
		if err != nil {
			log.Fatal(err)
		}
		total += took
		fmt.Printf("%-13s %6.2f s  %s\n", f+":", took.Seconds(), sum)
	}
	fmt.Printf("%-13s %6.2f s  (both samples)\n", "samples:", total.Seconds())
}

// profile is where to write the next import's CPU profile, if anywhere.
var profile string

// timeImport opens the database (applying the schema, not timed) and times
// the import. It prints the CPU time the import and the PostgreSQL
// backends serving it used: on a shared machine, wall time alone says
// little.
func timeImport(ctx context.Context, dbURL string, o importer.Options, file string) (*importer.Summary, time.Duration, error) {
	client, db, err := importer.Open(ctx, store.Config{DatabaseURL: dbURL})
	if err != nil {
		return nil, 0, err
	}
	defer client.Close()
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return nil, 0, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, 0, err
		}
		profile = ""
		defer pprof.StopCPUProfile()
	}
	ownBefore := ownCPU()
	start := time.Now()
	sum, err := importer.ImportFile(ctx, client, file, o)
	took := time.Since(start)
	if err == nil {
		fmt.Printf("  cpu: importer %.1f s, postgres backends %.1f s, load average %s\n",
			(ownCPU() - ownBefore).Seconds(), backendCPU(ctx, db.SQL).Seconds(), loadAverage())
	}
	return sum, took, err
}

// ownCPU is the CPU time this process has used.
func ownCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendCPU is the CPU time of the PostgreSQL backends connected to the
// database (the pool's connections, which did the import), read from /proc
// when the server runs on this machine; 0 otherwise.
func backendCPU(ctx context.Context, db *sql.DB) time.Duration {
	rows, err := db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		return 0
	}
	defer rows.Close()
	var total time.Duration
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) != nil {
			continue
		}
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// fields after the command's closing parenthesis: utime is the 12th, stime the 13th
		f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
		if len(f) > 12 {
			u, _ := strconv.Atoi(f[11])
			s, _ := strconv.Atoi(f[12])
			total += time.Duration(u+s) * time.Second / 100 // clock ticks (USER_HZ = 100)
		}
	}
	return total
}

func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(raw))[:3], " ")
}

// timeGeoImport times the geodata import, as `bri-tracker import
// aiddata-geo` runs it.
func timeGeoImport(ctx context.Context, dbURL string, workers int, dir string) (*importer.GeoSummary, time.Duration, error) {
	client, _, err := importer.Open(ctx, store.Config{DatabaseURL: dbURL})
	if err != nil {
		return nil, 0, err
	}
	defer client.Close()
	start := time.Now()
	sum, err := importer.ImportGeo(ctx, client, dir, importer.GeoOptions{Workers: workers})
	return sum, time.Since(start), err
}

func genOptions(rows int) aiddatagen.Options { return aiddatagen.Options{Rows: rows, Seed: 2023} }

func generate(path string, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := aiddatagen.Write(f, genOptions(rows)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// freshDatabase drops and creates the database name on the server and
// returns its URL.
func freshDatabase(ctx context.Context, server, name string) (string, error) {
	admin, err := sql.Open("postgres", server)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		return "", fmt.Errorf("drop %s: %w", name, err)
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return "", fmt.Errorf("create %s: %w", name, err)
	}
	u, err := url.Parse(server)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
