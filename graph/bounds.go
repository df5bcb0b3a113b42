package graph

import (
	"github.com/bri-tracker/bri-tracker/ent/predicate"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/graph/model"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
)

// withinBounds is the predicate of a map rectangle, edges included: the
// project's bounding box (its geometry's, or its point) meets the
// rectangle. A rectangle whose west edge is east of its east edge crosses
// the antimeridian.
func withinBounds(b *model.BoundsInput) (predicate.Project, error) {
	switch {
	case b.MinLat < -90 || b.MaxLat > 90 || b.MinLat > b.MaxLat:
		return nil, apperr.Invalid("withinBounds", "latitudes must lie in -90..90 with minLat <= maxLat, got %v..%v", b.MinLat, b.MaxLat)
	case b.MinLng < -180 || b.MinLng > 180 || b.MaxLng < -180 || b.MaxLng > 180:
		return nil, apperr.Invalid("withinBounds", "longitudes must lie in -180..180, got %v and %v", b.MinLng, b.MaxLng)
	}
	lat := project.And(project.BboxMinLatLTE(b.MaxLat), project.BboxMaxLatGTE(b.MinLat))
	if b.MinLng <= b.MaxLng {
		return project.And(lat, project.BboxMinLngLTE(b.MaxLng), project.BboxMaxLngGTE(b.MinLng)), nil
	}
	return project.And(lat, project.Or(project.BboxMaxLngGTE(b.MinLng), project.BboxMinLngLTE(b.MaxLng))), nil
}
