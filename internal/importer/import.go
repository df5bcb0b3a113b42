package importer

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/upsert"
)

// Actor is the name the importer writes under: audit events say
// "system:import:aiddata".
const Actor = "import:aiddata"

// GCPercent is the garbage collector setting (GOGC) the import command and
// its benchmark run with: an import allocates fast and keeps the file's
// projects in memory, so the default of 100 makes the collector run over
// them again and again, a sixth of the import's CPU. 400 spends memory
// (about 360 MB at the peak of a 21,000-row import) to save it.
const GCPercent = 400

// Options tune an import.
type Options struct {
	// BatchSize is how many items each transaction writes; 0 or more than
	// upsert.MaxBatch means upsert.MaxBatch. Large batches are fast: the
	// upsert loads a batch's partners and projects in a few queries.
	BatchSize int
	// Workers is how many batches (of agencies, then of projects) are
	// written at once, each in its own transaction (0 means 1). Use 1 on
	// SQLite, which has one writer.
	Workers int
	// Progress receives a progress bar; nil draws none.
	Progress io.Writer
}

// Summary is what an import did. Created, Updated and Unchanged count
// projects; Skipped counts the rows not imported, which Problems explain.
type Summary struct {
	// Rows counts the file's records, the header aside.
	Rows      int `json:"rows"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
	// Unlocated counts the projects imported without a location: regional
	// or multi-country records, whose recipient is no one country.
	Unlocated int `json:"unlocated"`
	// Partners counts the partners written; stored countries are unchanged.
	Partners upsert.Count  `json:"partners"`
	Problems []Problem     `json:"problems"`
	Elapsed  time.Duration `json:"elapsed"`
}

// ImportFile imports the AidData GCDF CSV file at path.
func ImportFile(ctx context.Context, client *ent.Client, path string, o Options) (*Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Import(ctx, client, f, o)
}

// Import reads an AidData GCDF CSV file and upserts its partners, then its
// projects, batch after batch, each batch in one transaction, as the system
// actor Actor. Rows that cannot be imported are skipped and listed in the
// summary; the error is for failures that stop the import (an unreadable
// file, a lost database). Batches committed before such a failure stay:
// importing again completes the work.
func Import(ctx context.Context, client *ent.Client, r io.Reader, o Options) (*Summary, error) {
	start := time.Now()
	ctx = auth.SystemContext(ctx, Actor)
	if o.BatchSize <= 0 || o.BatchSize > upsert.MaxBatch {
		o.BatchSize = upsert.MaxBatch
	}
	o.Workers = max(o.Workers, 1)

	p, err := readPlan(r)
	if err != nil {
		return nil, err
	}
	im := &run{client: client, opts: o, plan: p, sum: &Summary{Rows: p.rows}, refused: map[string]bool{}}
	im.bar = newProgress(o.Progress, len(p.records))
	defer im.bar.finish()
	if err := im.partners(ctx); err != nil {
		return nil, err
	}
	if err := im.projects(ctx); err != nil {
		return nil, err
	}
	im.sum.Problems = p.problems
	sortProblems(im.sum.Problems)
	im.sum.Skipped = p.skipped()
	im.sum.Unlocated = p.unlocated() - im.refusedUnlocated()
	im.sum.Elapsed = time.Since(start)
	return im.sum, nil
}

// refusedUnlocated counts the unlocated records the database refused: they
// were skipped, not imported.
func (im *run) refusedUnlocated() int {
	n := 0
	for _, rec := range im.plan.records {
		if !rec.located && im.refused[rec.project.ExternalRef] {
			n++
		}
	}
	return n
}

// run is one import under way.
type run struct {
	client *ent.Client
	opts   Options
	plan   *plan
	bar    *progress

	mu      sync.Mutex // guards sum, plan.problems and refused while batches run at once
	sum     *Summary
	refused map[string]bool // external references of the projects the database refused
}

// partners upserts the partners the file names: the countries first, so
// that the agencies find their home countries, then the agencies, Workers
// batches at a time (they do not depend on each other).
func (im *run) partners(ctx context.Context) error {
	codes := im.plan.countryCodes()
	stored, err := im.client.Partner.Query().
		Where(partner.CountryCodeIn(codes...)).
		Select(partner.FieldCountryCode).
		Strings(ctx)
	if err != nil {
		return fmt.Errorf("find the stored countries: %w", err)
	}
	have := map[string]bool{}
	for _, c := range stored {
		have[c] = true
	}
	im.sum.Partners.Unchanged += len(have)
	countries, agencies := im.plan.partnerItems(have)
	im.bar.phase("partners")
	for _, step := range []struct {
		items   []*upsert.Partner
		workers int
	}{{countries, 1}, {agencies, im.opts.Workers}} {
		err := inBatches(ctx, len(step.items), im.opts.BatchSize, step.workers, func(ctx context.Context, from, to int) error {
			return im.partnerBatch(ctx, step.items[from:to])
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (im *run) partnerBatch(ctx context.Context, batch []*upsert.Partner) error {
	var n upsert.Count
	err := inTx(ctx, im.client, func(ctx context.Context, c *ent.Client) error {
		var err error
		_, n, err = upsert.Partners(ctx, c, batch)
		return err
	})
	if err != nil {
		// every partner is built by the importer from names it has checked,
		// so a refusal here is a fault, not a bad row
		return fmt.Errorf("write partners: %w", err)
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	im.sum.Partners.Created += n.Created
	im.sum.Partners.Updated += n.Updated
	im.sum.Partners.Unchanged += n.Unchanged
	return nil
}

// projects upserts the projects, Workers batches at a time: first those
// without a parent (umbrellas among them), then, once those are all
// committed, the components of umbrellas. A component whose umbrella the
// database refused is written without its parent.
func (im *run) projects(ctx context.Context) error {
	im.bar.phase("projects")
	first, then := im.plan.phases()
	for i, recs := range [][]*record{first, then} {
		if i == 1 {
			for _, rec := range recs {
				if im.refused[*rec.project.ParentRef] {
					rec.project.ParentRef = nil
				}
			}
		}
		err := inBatches(ctx, len(recs), im.opts.BatchSize, im.opts.Workers, func(ctx context.Context, from, to int) error {
			return im.projectBatch(ctx, recs[from:to])
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// inBatches calls write for consecutive ranges of n items, at most workers
// at a time. The ranges hold up to most items, fewer when that keeps every
// worker busy: a file of 200 rows goes as four batches of 50 with four
// workers, not as one of 200.
func inBatches(ctx context.Context, n, most, workers int, write func(ctx context.Context, from, to int) error) error {
	size := max(1, min(most, (n+workers-1)/workers))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for from := 0; from < n; from += size {
		to := min(from+size, n)
		g.Go(func() error { return write(ctx, from, to) })
	}
	return g.Wait()
}

// projectBatch writes one batch. When the database refuses an item (a rule
// the importer does not check itself), that row is reported and skipped,
// and the batch is written again without it.
func (im *run) projectBatch(ctx context.Context, recs []*record) error {
	size := len(recs)
	defer im.bar.add(size)
	recs = append([]*record(nil), recs...)
	for len(recs) > 0 {
		items := make([]*upsert.Project, len(recs))
		for i, rec := range recs {
			items[i] = rec.project
		}
		var n upsert.Count
		err := inTx(ctx, im.client, func(ctx context.Context, c *ent.Client) error {
			var err error
			_, n, err = upsert.Projects(ctx, c, items)
			return err
		})
		if err == nil {
			im.mu.Lock()
			im.sum.Created += n.Created
			im.sum.Updated += n.Updated
			im.sum.Unchanged += n.Unchanged
			im.mu.Unlock()
			return nil
		}
		i, col, reason, ok := refusedItem(err, len(recs))
		if !ok {
			return fmt.Errorf("write projects of rows %d to %d: %w", recs[0].num, recs[len(recs)-1].num, err)
		}
		im.mu.Lock()
		im.plan.problems = append(im.plan.problems, Problem{Row: recs[i].num, Line: recs[i].line, Column: col, Reason: reason})
		im.refused[recs[i].project.ExternalRef] = true
		im.mu.Unlock()
		recs = append(recs[:i], recs[i+1:]...)
	}
	return nil
}
