// Command gen fills a BRI Tracker PostgreSQL database with a large,
// deterministic dataset for benchmarks: countries and other partners,
// opening-up policies, projects, their participants and the policies that
// support them.
//
// The schema must exist already: start the server once on the empty database
// (it applies its schema at start), then run
//
//	go run ./bench/gen --database-url postgres://postgres@127.0.0.1:5432/bri_bench?sslmode=disable
//
// Rows get explicit ids in each table's own range (partners from 1<<32,
// projects from 2<<32, policies from 3<<32, participants from 4<<32, as in
// ent/schema/ids.go), the identity sequences are moved past them, and the
// tables are analyzed. The same flags always give the same rows.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/lib/pq"
)

// Id ranges, as in ent/schema/ids.go.
const (
	partnerIDStart     = 1 << 32
	projectIDStart     = 2 << 32
	policyIDStart      = 3 << 32
	participantIDStart = 4 << 32
)

type options struct {
	DatabaseURL         string
	Projects            int
	Partners            int
	Countries           int
	Policies            int
	ParticipantsPerProj int
	PoliciesPerProj     int
	PartnersPerPolicy   int
	Seed                uint64
	Truncate            bool
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	var o options
	def := os.Getenv("DATABASE_URL")
	if def == "" {
		def = "postgres://postgres@127.0.0.1:5432/bri_bench?sslmode=disable"
	}
	flag.StringVar(&o.DatabaseURL, "database-url", def, "PostgreSQL URL of the database to fill (env DATABASE_URL); its schema must exist")
	flag.IntVar(&o.Projects, "projects", 100000, "projects to make")
	flag.IntVar(&o.Partners, "partners", 300, "partners to make, countries included")
	flag.IntVar(&o.Countries, "countries", 150, "how many of the partners are COUNTRY partners")
	flag.IntVar(&o.Policies, "policies", 2000, "opening-up policies to make")
	flag.IntVar(&o.ParticipantsPerProj, "participants-per-project", 3, "average participants of a project (each project gets 1 to 2n-1, each partner at most once)")
	flag.IntVar(&o.PoliciesPerProj, "policies-per-project", 2, "average policies supporting a project (each project gets 0 to 2n)")
	flag.IntVar(&o.PartnersPerPolicy, "partners-per-policy", 1, "average partners a policy targets (each gets 0 to 2n)")
	flag.Uint64Var(&o.Seed, "seed", 20130907, "random seed; the same seed and sizes give the same rows")
	flag.BoolVar(&o.Truncate, "truncate", true, "empty the partner, project, policy and participant tables first (TRUNCATE ... CASCADE, which also empties api_keys); without it the tables must be empty")
	flag.Parse()
	if flag.NArg() > 0 {
		log.Fatalf("unexpected argument %q", flag.Arg(0))
	}
	if err := o.check(); err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	db, err := sql.Open("postgres", o.DatabaseURL)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		log.Fatalf("connect: %v", err)
	}

	start := time.Now()
	ds := generate(o)
	log.Printf("generated in memory in %s", time.Since(start).Round(time.Millisecond))
	counts, err := load(ctx, db, ds, o.Truncate)
	if err != nil {
		log.Fatal(err)
	}
	t := time.Now()
	if _, err := db.ExecContext(ctx, "ANALYZE partners, projects, policies, project_participants, project_partners, opening_policy_projects, opening_policy_partners"); err != nil {
		log.Fatalf("analyze: %v", err)
	}
	log.Printf("analyzed in %s", time.Since(t).Round(time.Millisecond))
	for _, c := range counts {
		fmt.Printf("%-24s %9d rows\n", c.table, c.rows)
	}
	log.Printf("done in %s", time.Since(start).Round(time.Millisecond))
}

func (o options) check() error {
	switch {
	case o.Projects < 0 || o.Policies < 0:
		return fmt.Errorf("--projects and --policies may not be negative")
	case o.Countries < 1 || o.Partners < o.Countries:
		return fmt.Errorf("want 1 <= --countries <= --partners, got %d and %d", o.Countries, o.Partners)
	case o.Countries > 26*26*26:
		return fmt.Errorf("--countries %d: there are only %d three-letter codes", o.Countries, 26*26*26)
	case o.ParticipantsPerProj < 1 || 2*o.ParticipantsPerProj-1 > o.Partners:
		return fmt.Errorf("--participants-per-project %d: want 1 to (partners+1)/2", o.ParticipantsPerProj)
	case o.PoliciesPerProj < 0 || 2*o.PoliciesPerProj > o.Policies:
		return fmt.Errorf("--policies-per-project %d: want 0 to policies/2", o.PoliciesPerProj)
	case o.PartnersPerPolicy < 0 || 2*o.PartnersPerPolicy > o.Partners:
		return fmt.Errorf("--partners-per-policy %d: want 0 to partners/2", o.PartnersPerPolicy)
	}
	return nil
}

type tableCount struct {
	table string
	rows  int
}

// load writes the dataset in one transaction with COPY and moves each
// identity sequence past the ids it used.
func load(ctx context.Context, db *sql.DB, ds *dataset, truncate bool) ([]tableCount, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	tables := []string{"partners", "projects", "policies", "project_participants", "project_partners", "opening_policy_projects", "opening_policy_partners"}
	if truncate {
		if _, err := tx.ExecContext(ctx, "TRUNCATE partners, projects, policies, project_participants, project_partners, opening_policy_projects, opening_policy_partners CASCADE"); err != nil {
			return nil, fmt.Errorf("truncate: %w", err)
		}
	} else {
		for _, t := range tables {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
				return nil, err
			}
			if n > 0 {
				return nil, fmt.Errorf("table %s has %d rows; empty it or run with --truncate", t, n)
			}
		}
	}

	var counts []tableCount
	copyRows := func(table string, cols []string, n int, row func(i int) []any) error {
		t := time.Now()
		stmt, err := tx.PrepareContext(ctx, pq.CopyIn(table, cols...))
		if err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
		for i := 0; i < n; i++ {
			if _, err := stmt.ExecContext(ctx, row(i)...); err != nil {
				stmt.Close()
				return fmt.Errorf("copy %s row %d: %w", table, i, err)
			}
		}
		if _, err := stmt.ExecContext(ctx); err != nil {
			stmt.Close()
			return fmt.Errorf("copy %s: %w", table, err)
		}
		if err := stmt.Close(); err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
		counts = append(counts, tableCount{table, n})
		log.Printf("copied %d rows into %s in %s", n, table, time.Since(t).Round(time.Millisecond))
		return nil
	}

	err = copyRows("partners", []string{"id", "created_at", "updated_at", "version", "name", "local_name", "kind", "country_code", "region", "bri_signed_on", "website", "description", "external_ref", "country_id"},
		len(ds.partners), func(i int) []any {
			p := &ds.partners[i]
			return []any{p.id, p.createdAt, p.createdAt, 1, p.name, p.localName, p.kind, p.countryCode, p.region, p.briSignedOn, p.website, p.description, p.externalRef, p.countryID}
		})
	if err != nil {
		return nil, err
	}
	err = copyRows("policies", []string{"id", "created_at", "updated_at", "version", "title", "summary", "document_number", "issuing_authority", "level", "category", "status", "issued_on", "effective_from", "effective_until", "url", "external_ref", "superseded_by_id"},
		len(ds.policies), func(i int) []any {
			p := &ds.policies[i]
			return []any{p.id, p.createdAt, p.createdAt, 1, p.title, p.summary, p.documentNumber, p.issuingAuthority, p.level, p.category, p.status, p.issuedOn, p.effectiveFrom, p.effectiveUntil, p.url, p.externalRef, p.supersededByID}
		})
	if err != nil {
		return nil, err
	}
	// a located project's bounding box is its point and its precision EXACT,
	// as the server's rules keep them
	err = copyRows("projects", []string{"id", "created_at", "updated_at", "version", "title", "description", "sector", "status", "green_category", "amount", "currency", "amount_usd", "commitment_year", "signed_on", "started_on", "completed_on", "city", "latitude", "longitude", "external_ref", "host_country_id",
		"counts_in_aggregates", "umbrella", "location_precision", "bbox_min_lng", "bbox_min_lat", "bbox_max_lng", "bbox_max_lat"},
		len(ds.projects), func(i int) []any {
			p := &ds.projects[i]
			var precision any
			if p.latitude != nil {
				precision = "EXACT"
			}
			return []any{p.id, p.createdAt, p.createdAt, 1, p.title, p.description, p.sector, p.status, p.greenCategory, p.amount, p.currency, p.amountUSD, p.commitmentYear, p.signedOn, p.startedOn, p.completedOn, p.city, p.latitude, p.longitude, p.externalRef, p.hostCountryID,
				true, false, precision, p.longitude, p.latitude, p.longitude, p.latitude}
		})
	if err != nil {
		return nil, err
	}
	err = copyRows("project_participants", []string{"id", "role", "share_percent", "project_id", "partner_id"},
		len(ds.participants), func(i int) []any {
			p := &ds.participants[i]
			return []any{p.id, p.role, p.sharePercent, p.projectID, p.partnerID}
		})
	if err != nil {
		return nil, err
	}
	pairs := ds.participantPairs()
	err = copyRows("project_partners", []string{"project_id", "partner_id"},
		len(pairs), func(i int) []any { return []any{pairs[i][0], pairs[i][1]} })
	if err != nil {
		return nil, err
	}
	err = copyRows("opening_policy_projects", []string{"opening_policy_id", "project_id"},
		len(ds.policyProjects), func(i int) []any {
			return []any{ds.policyProjects[i][0], ds.policyProjects[i][1]}
		})
	if err != nil {
		return nil, err
	}
	err = copyRows("opening_policy_partners", []string{"opening_policy_id", "partner_id"},
		len(ds.policyPartners), func(i int) []any {
			return []any{ds.policyPartners[i][0], ds.policyPartners[i][1]}
		})
	if err != nil {
		return nil, err
	}
	for _, t := range []string{"partners", "projects", "policies", "project_participants"} {
		// setval ignores a NULL max (an empty table keeps its start).
		q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), max(id)) FROM %s", t, t)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("move the id sequence of %s: %w", t, err)
		}
	}
	return counts, tx.Commit()
}
