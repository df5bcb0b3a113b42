package geo

import (
	"errors"
	"math"
	"slices"
)

// Bounds is the smallest longitude/latitude box holding every position of
// g. For an empty geometry (which the parsers never return) all four are
// NaN.
func Bounds(g Geometry) (minLng, minLat, maxLng, maxLat float64) {
	minLng, minLat = math.Inf(1), math.Inf(1)
	maxLng, maxLat = math.Inf(-1), math.Inf(-1)
	var ps parts
	ps.add(g, 0)
	n := 0
	visit := func(p Position) {
		minLng, maxLng = min(minLng, p.Lng), max(maxLng, p.Lng)
		minLat, maxLat = min(minLat, p.Lat), max(maxLat, p.Lat)
		n++
	}
	for _, p := range ps.points {
		visit(p)
	}
	for _, line := range ps.lines {
		for _, p := range line {
			visit(p)
		}
	}
	for _, rings := range ps.polygons {
		for _, ring := range rings {
			for _, p := range ring {
				visit(p)
			}
		}
	}
	if n == 0 {
		nan := math.NaN()
		return nan, nan, nan, nan
	}
	return minLng, minLat, maxLng, maxLat
}

// ErrNoPoint is PointOnSurface's answer for a geometry with no usable
// position: an empty one, or one whose coordinates are not numbers.
var ErrNoPoint = errors.New("geo: the geometry has no point on its surface")

// PointOnSurface returns a point that lies on g: inside one of its polygons,
// on one of its lines, or at one of its points. A project's map pin and its
// "nearest" queries need a place that is really part of the project; a
// centroid is not: it falls in the sea between the islands of a
// multipolygon, outside a C-shaped port, in the hole of a ring-shaped site
// or off the bend of a railway line.
//
// It follows the InteriorPoint method of JTS and GEOS (behind PostGIS's
// ST_PointOnSurface):
//
//   - Areas: for each polygon, a horizontal line is drawn at the middle
//     latitude of its box, moved to halfway between the two vertex
//     latitudes nearest that middle so that it meets no vertex (where
//     crossings would be ambiguous). Where the line crosses the rings,
//     holes included, it is cut into inside and outside stretches; the
//     answer is the midpoint of the widest inside stretch over all the
//     polygons, which keeps it away from edges.
//   - Lines: the vertex nearest the length-weighted centroid of the lines,
//     preferring vertices that are not line ends, so the point sits well
//     along a line rather than at a terminus.
//   - Points: the point nearest their centroid.
//
// A collection uses only its members of the highest dimension present: a
// project drawn as a site with an access road is pinned on the site.
// Should no polygon have any area (its positions all on one line), the
// rings are treated as lines.
func PointOnSurface(g Geometry) (lng, lat float64, err error) {
	var ps parts
	ps.add(g, 0)
	if len(ps.polygons) > 0 {
		if p, ok := interiorOfAreas(ps.polygons); ok {
			return p.Lng, p.Lat, nil
		}
		for _, rings := range ps.polygons {
			ps.lines = append(ps.lines, rings...)
		}
	}
	if len(ps.lines) > 0 {
		if p, ok := interiorOfLines(ps.lines); ok {
			return p.Lng, p.Lat, nil
		}
	}
	if p, ok := nearestToCentroid(ps.points); ok {
		return p.Lng, p.Lat, nil
	}
	return 0, 0, ErrNoPoint
}

// Contains reports whether the point (lng, lat) lies on g: inside one of
// its polygons (by the even-odd rule, so a polygon's holes are outside it)
// or exactly on one of its rings, on one of its line segments, or at one of
// its points.
func Contains(g Geometry, lng, lat float64) bool {
	p := Position{Lng: lng, Lat: lat}
	var ps parts
	ps.add(g, 0)
	for _, rings := range ps.polygons {
		if polygonContains(rings, p) {
			return true
		}
		for _, ring := range rings {
			on := false
			eachEdge(ring, func(a, b Position) { on = on || onSegment(a, b, p) })
			if on {
				return true
			}
		}
	}
	for _, line := range ps.lines {
		for i := 1; i < len(line); i++ {
			if onSegment(line[i-1], line[i], p) {
				return true
			}
		}
		if len(line) == 1 && line[0] == p {
			return true
		}
	}
	return slices.Contains(ps.points, p)
}

// parts is a geometry taken apart by dimension.
type parts struct {
	points   []Position
	lines    [][]Position
	polygons [][][]Position
}

func (ps *parts) add(g Geometry, depth int) {
	switch g := g.(type) {
	case Point:
		ps.points = append(ps.points, g.Coordinates)
	case MultiPoint:
		ps.points = append(ps.points, g.Coordinates...)
	case LineString:
		ps.addLine(g.Coordinates)
	case MultiLineString:
		for _, line := range g.Coordinates {
			ps.addLine(line)
		}
	case Polygon:
		ps.addPolygon(g.Coordinates)
	case MultiPolygon:
		for _, rings := range g.Coordinates {
			ps.addPolygon(rings)
		}
	case GeometryCollection:
		if depth > 64 { // only a hand-built cycle gets here
			return
		}
		for _, m := range g.Geometries {
			ps.add(m, depth+1)
		}
	case *Point:
		if g != nil {
			ps.add(*g, depth)
		}
	case *MultiPoint:
		if g != nil {
			ps.add(*g, depth)
		}
	case *LineString:
		if g != nil {
			ps.add(*g, depth)
		}
	case *MultiLineString:
		if g != nil {
			ps.add(*g, depth)
		}
	case *Polygon:
		if g != nil {
			ps.add(*g, depth)
		}
	case *MultiPolygon:
		if g != nil {
			ps.add(*g, depth)
		}
	case *GeometryCollection:
		if g != nil {
			ps.add(*g, depth)
		}
	}
}

func (ps *parts) addLine(line []Position) {
	if len(line) > 0 {
		ps.lines = append(ps.lines, line)
	}
}

func (ps *parts) addPolygon(rings [][]Position) {
	if len(rings) > 0 && len(rings[0]) > 0 {
		ps.polygons = append(ps.polygons, rings)
	}
}

// interiorOfAreas is the midpoint of the widest inside stretch of each
// polygon's scan line; false when no polygon has any area.
func interiorOfAreas(polygons [][][]Position) (Position, bool) {
	var (
		best      Position
		bestWidth float64
		found     bool
		xs        []float64
	)
	for _, rings := range polygons {
		y, ok := scanLatitude(rings)
		if !ok {
			continue
		}
		xs = xs[:0]
		for _, ring := range rings {
			eachEdge(ring, func(a, b Position) {
				if crosses(a, b, y) {
					xs = append(xs, crossingLng(a, b, y))
				}
			})
		}
		slices.Sort(xs)
		for i := 0; i+1 < len(xs); i += 2 {
			if w := xs[i+1] - xs[i]; w > bestWidth {
				best, bestWidth, found = Position{Lng: xs[i] + w/2, Lat: y}, w, true
			}
		}
	}
	return best, found
}

// scanLatitude is where to draw a polygon's scan line: halfway between the
// vertex latitudes nearest below (or at) and above the middle of its box,
// so that the line passes through no vertex.
func scanLatitude(rings [][]Position) (float64, bool) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, ring := range rings {
		for _, p := range ring {
			lo, hi = min(lo, p.Lat), max(hi, p.Lat)
		}
	}
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return 0, false
	}
	centre := lo + (hi-lo)/2
	for _, ring := range rings {
		for _, p := range ring {
			if y := p.Lat; y <= centre {
				lo = max(lo, y)
			} else {
				hi = min(hi, y)
			}
		}
	}
	return lo + (hi-lo)/2, true
}

// crosses is whether edge a-b crosses the latitude y; an edge ending on it
// counts on its upper side only, so that a crossing through a vertex is
// counted once. Scan lines and Contains share it, so they agree.
func crosses(a, b Position, y float64) bool { return (a.Lat > y) != (b.Lat > y) }

// crossingLng is the longitude where edge a-b (which crosses y) meets y.
func crossingLng(a, b Position, y float64) float64 {
	return a.Lng + (y-a.Lat)*(b.Lng-a.Lng)/(b.Lat-a.Lat)
}

// eachEdge calls fn for each edge of a ring, closing it if it is open.
func eachEdge(ring []Position, fn func(a, b Position)) {
	for i := 1; i < len(ring); i++ {
		fn(ring[i-1], ring[i])
	}
	if n := len(ring); n > 1 && ring[0] != ring[n-1] {
		fn(ring[n-1], ring[0])
	}
}

// polygonContains applies the even-odd rule over all of a polygon's rings.
func polygonContains(rings [][]Position, p Position) bool {
	in := false
	for _, ring := range rings {
		eachEdge(ring, func(a, b Position) {
			if crosses(a, b, p.Lat) && p.Lng < crossingLng(a, b, p.Lat) {
				in = !in
			}
		})
	}
	return in
}

// onSegment is whether p lies exactly on the segment a-b.
func onSegment(a, b, p Position) bool {
	if p == a || p == b {
		return true
	}
	if p.Lng < min(a.Lng, b.Lng) || p.Lng > max(a.Lng, b.Lng) || p.Lat < min(a.Lat, b.Lat) || p.Lat > max(a.Lat, b.Lat) {
		return false
	}
	return (b.Lng-a.Lng)*(p.Lat-a.Lat)-(b.Lat-a.Lat)*(p.Lng-a.Lng) == 0
}

// interiorOfLines is the vertex nearest the lines' centroid, line ends only
// when no line has a vertex in between.
func interiorOfLines(lines [][]Position) (Position, bool) {
	c, ok := lineCentroid(lines)
	if !ok {
		return Position{}, false
	}
	var (
		best  Position
		bestD = math.Inf(1)
		found bool
	)
	consider := func(p Position) {
		if d := dist2(p, c); d < bestD {
			best, bestD, found = p, d, true
		}
	}
	for _, line := range lines {
		for i := 1; i < len(line)-1; i++ {
			consider(line[i])
		}
	}
	if !found {
		for _, line := range lines {
			consider(line[0])
			consider(line[len(line)-1])
		}
	}
	return best, found
}

// lineCentroid weights each segment's midpoint by its length; lines of no
// length fall back to the mean of their vertices.
func lineCentroid(lines [][]Position) (Position, bool) {
	var sx, sy, total float64
	for _, line := range lines {
		for i := 1; i < len(line); i++ {
			a, b := line[i-1], line[i]
			l := math.Hypot(b.Lng-a.Lng, b.Lat-a.Lat)
			sx += l * (a.Lng + b.Lng) / 2
			sy += l * (a.Lat + b.Lat) / 2
			total += l
		}
	}
	if total > 0 && !math.IsInf(total, 0) {
		return Position{Lng: sx / total, Lat: sy / total}, true
	}
	var all []Position
	for _, line := range lines {
		all = append(all, line...)
	}
	return mean(all)
}

func nearestToCentroid(points []Position) (Position, bool) {
	c, ok := mean(points)
	if !ok {
		return Position{}, false
	}
	var (
		best  Position
		bestD = math.Inf(1)
		found bool
	)
	for _, p := range points {
		if d := dist2(p, c); d < bestD {
			best, bestD, found = p, d, true
		}
	}
	return best, found
}

func mean(points []Position) (Position, bool) {
	if len(points) == 0 {
		return Position{}, false
	}
	var sx, sy float64
	for _, p := range points {
		sx += p.Lng
		sy += p.Lat
	}
	n := float64(len(points))
	return Position{Lng: sx / n, Lat: sy / n}, true
}

func dist2(a, b Position) float64 {
	dx, dy := a.Lng-b.Lng, a.Lat-b.Lat
	return dx*dx + dy*dy
}
