package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/geo"
	"github.com/bri-tracker/bri-tracker/internal/scalar"
)

// GeoActor is the name the geodata import writes under.
const GeoActor = "import:aiddata-geo"

// maxGeoFile bounds one GeoJSON file: AidData's largest features are a few
// megabytes (long railway lines); anything far larger is not one project's.
const maxGeoFile = 64 << 20

// geoBatch is how many projects one transaction of the geodata import
// updates: geometries are large, so batches are smaller than the CSV's.
const geoBatch = 100

// GeoOptions tune a geodata import.
type GeoOptions struct {
	// Workers is how many batches are written at once (0 means 1).
	Workers int
	// Progress receives a progress bar; nil draws none.
	Progress io.Writer
}

// GeoProblem is why a file was not imported.
type GeoProblem struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

func (p GeoProblem) String() string { return p.File + ": " + p.Reason }

// GeoSummary is what a geodata import did, counting files.
type GeoSummary struct {
	Files     int           `json:"files"`
	Updated   int           `json:"updated"`
	Unchanged int           `json:"unchanged"`
	Skipped   int           `json:"skipped"`
	Problems  []GeoProblem  `json:"problems"`
	Elapsed   time.Duration `json:"elapsed"`
}

func (s *GeoSummary) String() string {
	return fmt.Sprintf("%d files: %d projects located, %d unchanged, %d skipped in %.2f s",
		s.Files, s.Updated, s.Unchanged, s.Skipped, s.Elapsed.Seconds())
}

// WriteProblems lists the skipped files, one a line.
func (s *GeoSummary) WriteProblems(w io.Writer) error {
	for _, p := range s.Problems {
		if _, err := fmt.Fprintln(w, p); err != nil {
			return err
		}
	}
	return nil
}

// geoItem is one file read: the project it locates and where.
type geoItem struct {
	file      string
	ref       string
	geometry  geo.Geometry
	precision project.LocationPrecision
}

// ImportGeo reads AidData's geospatial companion (GeoGCDF): path is one
// GeoJSON FeatureCollection or a folder of them, each named
// <AidData Record ID>.geojson. Each project named gets the file's geometry
// (the features' geometries, collected when there are several), a point on
// that geometry's surface and the precision the features state. A file
// whose project is not imported yet, or that is not valid GeoJSON, is
// reported and skipped. Importing the same files again changes nothing.
func ImportGeo(ctx context.Context, client *ent.Client, path string, o GeoOptions) (*GeoSummary, error) {
	start := time.Now()
	ctx = auth.SystemContext(ctx, GeoActor)
	files, err := geoFiles(path)
	if err != nil {
		return nil, err
	}
	sum := &GeoSummary{Files: len(files)}
	bar := newProgress(o.Progress, len(files))
	defer bar.finish()
	var items []geoItem
	for _, f := range files {
		it, err := readGeoFile(f)
		if err != nil {
			sum.Problems = append(sum.Problems, GeoProblem{File: f, Reason: err.Error()})
			continue
		}
		items = append(items, it)
	}
	bar.phase("projects")
	var mu sync.Mutex // guards sum while batches run at once
	err = inBatches(ctx, len(items), geoBatch, max(o.Workers, 1), func(ctx context.Context, from, to int) error {
		var updated, unchanged int
		var problems []GeoProblem
		err := inTx(ctx, client, func(ctx context.Context, c *ent.Client) error {
			var err error
			updated, unchanged, problems, err = locate(ctx, c, items[from:to])
			return err
		})
		if err != nil {
			return fmt.Errorf("write geometries: %w", err)
		}
		bar.add(to - from)
		mu.Lock()
		defer mu.Unlock()
		sum.Updated += updated
		sum.Unchanged += unchanged
		sum.Problems = append(sum.Problems, problems...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(sum.Problems, func(a, b GeoProblem) int { return strings.Compare(a.File, b.File) })
	sum.Skipped = len(sum.Problems)
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// geoFiles lists path itself, or the .geojson files of the folder path.
func geoFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	files, err := filepath.Glob(filepath.Join(path, "*.geojson"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s has no .geojson files", path)
	}
	slices.Sort(files)
	return files, nil
}

// readGeoFile reads one file: its features' geometry, the AidData record
// it locates (the features' id, which must agree with the file's name when
// that is a record id) and the precision they state.
func readGeoFile(path string) (geoItem, error) {
	it := geoItem{file: path}
	f, err := os.Open(path)
	if err != nil {
		return it, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxGeoFile+1))
	if err != nil {
		return it, err
	}
	if len(data) > maxGeoFile {
		return it, fmt.Errorf("is larger than %d MB", maxGeoFile>>20)
	}
	features, err := geo.ParseFeatureCollection(data)
	if err != nil {
		return it, err
	}
	id := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if _, err := parseRecordID(id); err != nil {
		id = ""
	}
	var geometries []geo.Geometry
	precise, approximate := false, false
	for i, ft := range features {
		fid := featureID(ft)
		switch {
		case fid == "":
		case id == "":
			id = fid
		case fid != id:
			return it, fmt.Errorf("feature %d is of AidData record %s, but the file is of record %s", i, fid, id)
		}
		geometries = append(geometries, ft.Geometry)
		for _, p := range strings.Split(fmt.Sprint(ft.Properties["osm_precision_list"]), ",") {
			switch strings.TrimSpace(p) {
			case "precise":
				precise = true
			case "approximate":
				approximate = true
			}
		}
	}
	if id == "" {
		return it, fmt.Errorf("names no AidData record: name the file <AidData Record ID>.geojson or give the features an id property")
	}
	it.ref = ProjectRefPrefix + id
	it.geometry = geometries[0]
	if len(geometries) > 1 {
		it.geometry = geo.GeometryCollection{Geometries: geometries}
	}
	// AidData marks each OpenStreetMap object the geometry comes from as
	// precise or approximate: one precise object locates the site
	it.precision = project.LocationPrecisionEXACT
	if approximate && !precise {
		it.precision = project.LocationPrecisionCITY
	}
	return it, nil
}

// featureID is a feature's AidData record id: its id member or its "id"
// property.
func featureID(f geo.Feature) string {
	for _, v := range []any{f.ID, f.Properties["id"]} {
		if v == nil {
			continue
		}
		s := strings.TrimSuffix(fmt.Sprint(v), ".0")
		if _, err := parseRecordID(s); err == nil {
			return s
		}
	}
	return ""
}

// locate writes one batch: each imported project gets its geometry and
// precision (the rules place it on the geometry's surface); projects whose
// geometry and precision are already those are left alone.
func locate(ctx context.Context, c *ent.Client, items []geoItem) (updated, unchanged int, problems []GeoProblem, err error) {
	refs := make([]string, len(items))
	for i, it := range items {
		refs[i] = it.ref
	}
	stored, err := c.Project.Query().
		Where(project.ExternalRefIn(refs...)).
		Select(project.FieldExternalRef, project.FieldGeometry, project.FieldLocationPrecision).
		All(ctx)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("find the projects: %w", err)
	}
	byRef := make(map[string]*ent.Project, len(stored))
	for _, p := range stored {
		byRef[*p.ExternalRef] = p
	}
	for _, it := range items {
		p, ok := byRef[it.ref]
		if !ok {
			problems = append(problems, GeoProblem{File: it.file, Reason: fmt.Sprintf("no project has externalRef %s: import the AidData CSV first", it.ref)})
			continue
		}
		raw := it.geometry.JSON()
		if p.LocationPrecision != nil && *p.LocationPrecision == it.precision && p.Geometry != nil && sameJSON([]byte(*p.Geometry), raw) {
			unchanged++
			continue
		}
		err := c.Project.UpdateOneID(p.ID).
			SetGeometry(scalar.GeoJSON(raw)).
			SetLocationPrecision(it.precision).
			Exec(ctx)
		if err != nil {
			return 0, 0, nil, fmt.Errorf("%s (%s): %w", it.file, it.ref, err)
		}
		updated++
	}
	return updated, unchanged, problems, nil
}

// sameJSON compares two JSON texts by value: PostgreSQL's jsonb gives back
// another spelling of what it was given.
func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
