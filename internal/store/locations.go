package store

import (
	"context"
	"fmt"
)

// backfillLocations gives the located projects of earlier versions what the
// rules now keep for every located project: a bounding box (their point),
// which withinBounds reads, and a precision (EXACT: those coordinates were
// entered as the site's). It touches only such rows, so it costs nothing
// once done.
const backfillLocations = `UPDATE projects SET
	bbox_min_lng = longitude, bbox_max_lng = longitude,
	bbox_min_lat = latitude, bbox_max_lat = latitude,
	location_precision = COALESCE(location_precision, 'EXACT')
WHERE bbox_min_lat IS NULL AND latitude IS NOT NULL AND longitude IS NOT NULL`

func migrateLocations(ctx context.Context, db *DB) error {
	if _, err := db.SQL.ExecContext(ctx, backfillLocations); err != nil {
		return fmt.Errorf("locations: backfill bounding boxes: %w", err)
	}
	return nil
}
