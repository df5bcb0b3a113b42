package store_test

import (
	"context"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/store"
)

// TestLocationsMigrate: located projects of an earlier version (no bounding
// box, no precision) get their point as box and EXACT as precision;
// unlocated ones stay without either.
func TestLocationsMigrate(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		ctx := auth.SystemContext(context.Background(), "test")
		c := db.Client
		located := c.Project.Create().SetTitle("Located").SetSector(project.SectorENERGY).SetLatitude(43.25).SetLongitude(76.95).SaveX(ctx)
		unlocated := c.Project.Create().SetTitle("Nowhere").SetSector(project.SectorENERGY).SaveX(ctx)
		if _, err := db.SQL.ExecContext(ctx, `UPDATE projects SET bbox_min_lng = NULL, bbox_min_lat = NULL, bbox_max_lng = NULL, bbox_max_lat = NULL, location_precision = NULL`); err != nil {
			t.Fatal(err)
		}
		if err := store.Prepare(ctx, &store.DB{SQL: db.SQL, Dialect: db.Dialect}); err != nil {
			t.Fatal(err)
		}
		p := c.Project.GetX(ctx, located.ID)
		if p.LocationPrecision == nil || *p.LocationPrecision != project.LocationPrecisionEXACT {
			t.Errorf("precision %v, want EXACT", p.LocationPrecision)
		}
		if p.BboxMinLng == nil || *p.BboxMinLng != 76.95 || *p.BboxMaxLng != 76.95 || *p.BboxMinLat != 43.25 || *p.BboxMaxLat != 43.25 {
			t.Errorf("box %v %v %v %v, want the point", p.BboxMinLng, p.BboxMinLat, p.BboxMaxLng, p.BboxMaxLat)
		}
		q := c.Project.GetX(ctx, unlocated.ID)
		if q.LocationPrecision != nil || q.BboxMinLat != nil {
			t.Errorf("an unlocated project got precision %v and box %v", q.LocationPrecision, q.BboxMinLat)
		}
	})
}
