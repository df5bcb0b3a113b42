package rules

import (
	"context"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/geo"
)

// checkLocation keeps a project's location whole: latitude and longitude
// come together; a geometry set without a point places the project at a
// point on its surface (never a centroid, which can fall outside a
// multipolygon or off a line); a located project has a precision (EXACT
// unless the writer says otherwise) and an unlocated one none; and the
// bounding box that withinBounds reads is the geometry's, or else the
// point's.
func checkLocation(ctx context.Context, m *ent.ProjectMutation) error {
	op := m.Op()
	_, latSet := m.Latitude()
	_, lngSet := m.Longitude()
	_, precSet := m.LocationPrecision()
	newGeom, geomSet := m.Geometry()
	if !(latSet || lngSet || precSet || geomSet || m.LatitudeCleared() || m.LongitudeCleared() || m.LocationPrecisionCleared() || m.GeometryCleared()) {
		return nil
	}
	if op.Is(ent.OpUpdate) {
		return bulkUpdateRefused("latitude")
	}
	// the ranges first: they say more than a missing half
	if v, ok := m.Latitude(); ok {
		if err := project.LatitudeValidator(v); err != nil {
			return apperr.Invalid("latitude", "%v", err)
		}
	}
	if v, ok := m.Longitude(); ok {
		if err := project.LongitudeValidator(v); err != nil {
			return apperr.Invalid("longitude", "%v", err)
		}
	}
	var shape *geo.Geometry
	if geomSet {
		g, err := geo.ParseGeometry([]byte(newGeom))
		if err != nil {
			return apperr.Invalid("geometry", "is not a GeoJSON geometry: %v", err)
		}
		shape = &g
		if !latSet && !lngSet {
			lng, lat, err := geo.PointOnSurface(g)
			if err != nil {
				return apperr.Invalid("geometry", "%v", err)
			}
			m.SetLatitude(lat)
			m.SetLongitude(lng)
		}
	}
	lat, err := valueAfter(ctx, op, m.Latitude, m.LatitudeCleared(), m.OldLatitude)
	if err != nil {
		return err
	}
	lng, err := valueAfter(ctx, op, m.Longitude, m.LongitudeCleared(), m.OldLongitude)
	if err != nil {
		return err
	}
	prec, err := valueAfter(ctx, op, m.LocationPrecision, m.LocationPrecisionCleared(), m.OldLocationPrecision)
	if err != nil {
		return err
	}
	switch {
	case (lat == nil) != (lng == nil):
		if lat == nil {
			return apperr.Invalid("latitude", "is required with longitude: a location needs both")
		}
		return apperr.Invalid("longitude", "is required with latitude: a location needs both")
	case lat == nil && prec != nil:
		if precSet {
			return apperr.Invalid("locationPrecision", "needs a location: set latitude and longitude too")
		}
		m.ClearLocationPrecision() // the location was cleared
	case lat != nil && prec == nil:
		m.SetLocationPrecision(project.LocationPrecisionEXACT)
	}
	if shape == nil && !m.GeometryCleared() && !op.Is(ent.OpCreate) {
		old, err := m.OldGeometry(ctx)
		if err != nil {
			return err
		}
		if old != nil {
			g, err := geo.ParseGeometry([]byte(*old))
			if err != nil {
				return err
			}
			shape = &g
		}
	}
	if lat == nil && shape != nil {
		return apperr.Invalid("latitude", "cannot be cleared while the project has a geometry; clear the geometry too")
	}
	switch {
	case shape != nil:
		minLng, minLat, maxLng, maxLat := geo.Bounds(*shape)
		setBox(m, minLng, minLat, maxLng, maxLat)
	case lat != nil:
		setBox(m, *lng, *lat, *lng, *lat)
	default:
		m.ClearBboxMinLng()
		m.ClearBboxMinLat()
		m.ClearBboxMaxLng()
		m.ClearBboxMaxLat()
	}
	return nil
}

func setBox(m *ent.ProjectMutation, minLng, minLat, maxLng, maxLat float64) {
	m.SetBboxMinLng(minLng)
	m.SetBboxMinLat(minLat)
	m.SetBboxMaxLng(maxLng)
	m.SetBboxMaxLat(maxLat)
}
