// Package geo reads GeoJSON (RFC 7946) geometries, finds a point guaranteed
// to lie on a geometry, and knows a representative point for every country.
//
// Parsing is strict: a geometry the package accepts has finite coordinates
// inside -180..180 and -90..90, closed polygon rings of at least four
// positions, line strings of at least two, and at least one position in all;
// so Bounds and PointOnSurface always have an answer for it. Errors say what
// is wrong and where ("feature 0: geometry: polygon ring 1 has 3 positions;
// want at least 4 (closed)"). Coordinates are taken as plain longitude and
// latitude; nothing here wraps around the antimeridian.
package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Position is one GeoJSON position. An altitude, if the text had one, is
// not kept here (the geometry's JSON still has it).
type Position struct {
	Lng, Lat float64
}

// MarshalJSON writes the position as GeoJSON does: [longitude, latitude].
func (p Position) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, "[%s,%s]", formatNumber(p.Lng), formatNumber(p.Lat)), nil
}

// Geometry is one of Point, MultiPoint, LineString, MultiLineString,
// Polygon, MultiPolygon and GeometryCollection.
type Geometry interface {
	// Type is the GeoJSON type name, "Point" to "GeometryCollection".
	Type() string
	// JSON is the geometry as GeoJSON: for a parsed geometry the text it
	// was parsed from, compacted but otherwise unchanged (numbers keep
	// their spelling, altitudes and foreign members stay), so it can be
	// stored and served as it came; for one built in Go, an encoding of its
	// fields. The bytes are shared: do not modify them.
	JSON() []byte
	isGeometry()
}

// The GeoJSON geometry types.
type (
	// Point is a single position.
	Point struct {
		Coordinates Position
		raw         []byte
	}
	// MultiPoint is a set of positions.
	MultiPoint struct {
		Coordinates []Position
		raw         []byte
	}
	// LineString is a path of at least two positions.
	LineString struct {
		Coordinates []Position
		raw         []byte
	}
	// MultiLineString is a set of line strings.
	MultiLineString struct {
		Coordinates [][]Position
		raw         []byte
	}
	// Polygon is an exterior ring followed by its holes; each ring is
	// closed (its last position repeats its first).
	Polygon struct {
		Coordinates [][]Position
		raw         []byte
	}
	// MultiPolygon is a set of polygons.
	MultiPolygon struct {
		Coordinates [][][]Position
		raw         []byte
	}
	// GeometryCollection is a set of geometries of any types.
	GeometryCollection struct {
		Geometries []Geometry
		raw        []byte
	}
)

func (Point) Type() string              { return "Point" }
func (MultiPoint) Type() string         { return "MultiPoint" }
func (LineString) Type() string         { return "LineString" }
func (MultiLineString) Type() string    { return "MultiLineString" }
func (Polygon) Type() string            { return "Polygon" }
func (MultiPolygon) Type() string       { return "MultiPolygon" }
func (GeometryCollection) Type() string { return "GeometryCollection" }

func (Point) isGeometry()              {}
func (MultiPoint) isGeometry()         {}
func (LineString) isGeometry()         {}
func (MultiLineString) isGeometry()    {}
func (Polygon) isGeometry()            {}
func (MultiPolygon) isGeometry()       {}
func (GeometryCollection) isGeometry() {}

func (g Point) JSON() []byte           { return orEncoded(g.raw, g.Type(), g.Coordinates) }
func (g MultiPoint) JSON() []byte      { return orEncoded(g.raw, g.Type(), g.Coordinates) }
func (g LineString) JSON() []byte      { return orEncoded(g.raw, g.Type(), g.Coordinates) }
func (g MultiLineString) JSON() []byte { return orEncoded(g.raw, g.Type(), g.Coordinates) }
func (g Polygon) JSON() []byte         { return orEncoded(g.raw, g.Type(), g.Coordinates) }
func (g MultiPolygon) JSON() []byte    { return orEncoded(g.raw, g.Type(), g.Coordinates) }

func (g GeometryCollection) JSON() []byte {
	if g.raw != nil {
		return g.raw
	}
	parts := make([]json.RawMessage, len(g.Geometries))
	for i, m := range g.Geometries {
		if m == nil {
			parts[i] = json.RawMessage("null")
			continue
		}
		parts[i] = m.JSON()
	}
	b, _ := json.Marshal(struct {
		Type       string            `json:"type"`
		Geometries []json.RawMessage `json:"geometries"`
	}{g.Type(), parts})
	return b
}

func orEncoded(raw []byte, typ string, coords any) []byte {
	if raw != nil {
		return raw
	}
	b, _ := json.Marshal(struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}{typ, coords})
	return b
}

// Feature is one feature of a FeatureCollection.
type Feature struct {
	// ID is the feature's "id" member, a string or a json.Number; nil when
	// it has none.
	ID any
	// Geometry is never nil: a feature without one is refused.
	Geometry Geometry
	// Properties is the "properties" object, numbers as json.Number so
	// that they keep every digit; nil when it is null or absent.
	Properties map[string]any
}

// maxNesting bounds how deep geometry collections may nest (RFC 7946 asks
// that they not nest at all).
const maxNesting = 8

// ParseFeatureCollection reads a GeoJSON FeatureCollection of at least one
// feature, each with a valid geometry.
func ParseFeatureCollection(data []byte) ([]Feature, error) {
	obj, err := object(bytes.TrimPrefix(data, utf8BOM))
	if err != nil {
		return nil, err
	}
	typ, err := typeMember(obj)
	if err != nil {
		return nil, fmt.Errorf("not a FeatureCollection: %w", err)
	}
	if typ != "FeatureCollection" {
		return nil, fmt.Errorf("not a FeatureCollection: type is %q", typ)
	}
	if err := checkBBox(obj); err != nil {
		return nil, err
	}
	rawFeatures, ok := obj["features"]
	if !ok {
		return nil, errors.New("FeatureCollection has no features member")
	}
	var list []json.RawMessage
	if err := json.Unmarshal(rawFeatures, &list); err != nil || isNull(rawFeatures) {
		return nil, fmt.Errorf("features: want an array, got %s", kindOf(rawFeatures))
	}
	if len(list) == 0 {
		return nil, errors.New("FeatureCollection has no features")
	}
	features := make([]Feature, len(list))
	for i, raw := range list {
		f, err := parseFeature(raw)
		if err != nil {
			return nil, fmt.Errorf("feature %d: %w", i, err)
		}
		features[i] = f
	}
	return features, nil
}

func parseFeature(data []byte) (Feature, error) {
	var f Feature
	obj, err := object(data)
	if err != nil {
		return f, err
	}
	typ, err := typeMember(obj)
	if err != nil {
		return f, err
	}
	if typ != "Feature" {
		return f, fmt.Errorf("type is %q; want \"Feature\"", typ)
	}
	if err := checkBBox(obj); err != nil {
		return f, err
	}
	if raw, ok := obj["id"]; ok {
		id, err := decodeNumbers(raw)
		if err != nil {
			return f, fmt.Errorf("id: %w", err)
		}
		switch id.(type) {
		case string, json.Number:
			f.ID = id
		default:
			return f, fmt.Errorf("id: want a string or a number, got %s", kindOf(raw))
		}
	}
	rawGeom, ok := obj["geometry"]
	switch {
	case !ok:
		return f, errors.New("no geometry member")
	case isNull(rawGeom):
		return f, errors.New("geometry: is null; a feature needs a location")
	}
	f.Geometry, err = parseGeometry(rawGeom, 0)
	if err != nil {
		return f, fmt.Errorf("geometry: %w", err)
	}
	if raw, ok := obj["properties"]; ok && !isNull(raw) {
		props, err := decodeNumbers(raw)
		if err != nil {
			return f, fmt.Errorf("properties: %w", err)
		}
		m, ok := props.(map[string]any)
		if !ok {
			return f, fmt.Errorf("properties: want an object, got %s", kindOf(raw))
		}
		f.Properties = m
	}
	return f, nil
}

// ParseGeometry reads one GeoJSON geometry object (not a Feature).
func ParseGeometry(data []byte) (Geometry, error) {
	return parseGeometry(bytes.TrimPrefix(data, utf8BOM), 0)
}

// utf8BOM may start a file; JSON parsers may ignore it (RFC 8259), and do.
var utf8BOM = []byte("\xef\xbb\xbf")

const geometryTypes = "Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon or GeometryCollection"

func parseGeometry(data []byte, depth int) (Geometry, error) {
	obj, err := object(data)
	if err != nil {
		return nil, err
	}
	typ, err := typeMember(obj)
	if err != nil {
		return nil, err
	}
	if err := checkBBox(obj); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return nil, malformed(err)
	}
	raw := buf.Bytes()

	if typ == "GeometryCollection" {
		if depth >= maxNesting {
			return nil, fmt.Errorf("geometry collections nest deeper than %d levels", maxNesting)
		}
		rawList, ok := obj["geometries"]
		if !ok {
			return nil, errors.New("GeometryCollection has no geometries member")
		}
		var list []json.RawMessage
		if err := json.Unmarshal(rawList, &list); err != nil || isNull(rawList) {
			return nil, fmt.Errorf("geometries: want an array, got %s", kindOf(rawList))
		}
		if len(list) == 0 {
			return nil, errors.New("GeometryCollection has no geometries")
		}
		gc := GeometryCollection{Geometries: make([]Geometry, len(list)), raw: raw}
		for i, m := range list {
			g, err := parseGeometry(m, depth+1)
			if err != nil {
				return nil, fmt.Errorf("geometries[%d]: %w", i, err)
			}
			gc.Geometries[i] = g
		}
		return gc, nil
	}

	switch typ {
	case "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon":
	case "Feature", "FeatureCollection":
		return nil, fmt.Errorf("not a geometry: type is %q; want %s", typ, geometryTypes)
	default:
		return nil, fmt.Errorf("unknown geometry type %q; want %s", typ, geometryTypes)
	}
	rawCoords, ok := obj["coordinates"]
	if !ok {
		return nil, fmt.Errorf("%s has no coordinates member", typ)
	}
	coords, err := decodeNumbers(rawCoords)
	if err != nil {
		return nil, fmt.Errorf("coordinates: %w", err)
	}
	g, err := coordinateGeometry(typ, coords)
	if err != nil {
		return nil, err
	}
	return g.withRaw(raw), nil
}

// coordinateGeometry builds a geometry of one of the six coordinate types
// from its decoded coordinates.
func coordinateGeometry(typ string, coords any) (rawSetter, error) {
	switch typ {
	case "Point":
		p, err := position(coords)
		if err != nil {
			return nil, at("coordinates", err)
		}
		return Point{Coordinates: p}, nil
	case "MultiPoint":
		ps, err := positions(coords)
		if err != nil {
			return nil, at("coordinates", err)
		}
		if len(ps) == 0 {
			return nil, errors.New("MultiPoint has no positions")
		}
		return MultiPoint{Coordinates: ps}, nil
	case "LineString":
		ps, err := lineString(coords, -1)
		if err != nil {
			return nil, at("coordinates", err)
		}
		return LineString{Coordinates: ps}, nil
	case "MultiLineString":
		items, err := array(coords, "an array of line strings")
		if err != nil {
			return nil, at("coordinates", err)
		}
		if len(items) == 0 {
			return nil, errors.New("MultiLineString has no line strings")
		}
		lines := make([][]Position, len(items))
		for i, item := range items {
			if lines[i], err = lineString(item, i); err != nil {
				return nil, at("coordinates", atIndex(i, err))
			}
		}
		return MultiLineString{Coordinates: lines}, nil
	case "Polygon":
		rings, err := polygon(coords, -1)
		if err != nil {
			return nil, at("coordinates", err)
		}
		return Polygon{Coordinates: rings}, nil
	default: // "MultiPolygon"
		items, err := array(coords, "an array of polygons")
		if err != nil {
			return nil, at("coordinates", err)
		}
		if len(items) == 0 {
			return nil, errors.New("MultiPolygon has no polygons")
		}
		polys := make([][][]Position, len(items))
		for i, item := range items {
			if polys[i], err = polygon(item, i); err != nil {
				return nil, at("coordinates", atIndex(i, err))
			}
		}
		return MultiPolygon{Coordinates: polys}, nil
	}
}

// rawSetter is a coordinate geometry that can take the text it came from.
type rawSetter interface{ withRaw([]byte) Geometry }

func (g Point) withRaw(raw []byte) Geometry           { g.raw = raw; return g }
func (g MultiPoint) withRaw(raw []byte) Geometry      { g.raw = raw; return g }
func (g LineString) withRaw(raw []byte) Geometry      { g.raw = raw; return g }
func (g MultiLineString) withRaw(raw []byte) Geometry { g.raw = raw; return g }
func (g Polygon) withRaw(raw []byte) Geometry         { g.raw = raw; return g }
func (g MultiPolygon) withRaw(raw []byte) Geometry    { g.raw = raw; return g }

// A pathError is about one place in the coordinates; its path is built as
// the error travels up ("coordinates" "[0]" "[2]": "coordinates[0][2]"), so
// that no path is formatted for the positions that are fine.
type pathError struct{ path, msg string }

func (e pathError) Error() string {
	if e.path == "" {
		return e.msg
	}
	return e.path + ": " + e.msg
}

func at(prefix string, err error) error {
	if pe, ok := err.(pathError); ok {
		return pathError{path: prefix + pe.path, msg: pe.msg}
	}
	return err
}

func atIndex(i int, err error) error {
	if _, ok := err.(pathError); ok {
		return at("["+strconv.Itoa(i)+"]", err)
	}
	return err
}

// lineString reads a line string's positions; index is its place in a
// MultiLineString, -1 for a LineString.
func lineString(v any, index int) ([]Position, error) {
	ps, err := positions(v)
	if err != nil {
		return nil, err
	}
	if len(ps) < 2 {
		return nil, fmt.Errorf("%s has %s; want at least 2", named("line string", index), count(len(ps), "position"))
	}
	return ps, nil
}

// polygon reads a polygon's rings; index is its place in a MultiPolygon,
// -1 for a Polygon.
func polygon(v any, index int) ([][]Position, error) {
	items, err := array(v, "an array of linear rings")
	if err != nil {
		return nil, err
	}
	name := func() string { return named("polygon", index) }
	if len(items) == 0 {
		return nil, errors.New(name() + " has no rings")
	}
	rings := make([][]Position, len(items))
	for i, item := range items {
		ring, err := positions(item)
		if err != nil {
			return nil, atIndex(i, err)
		}
		if len(ring) < 4 {
			return nil, fmt.Errorf("%s ring %d has %s; want at least 4 (closed)", name(), i, count(len(ring), "position"))
		}
		if first, last := ring[0], ring[len(ring)-1]; first != last {
			return nil, fmt.Errorf("%s ring %d is not closed: it starts at %s and ends at %s", name(), i, formatPosition(first), formatPosition(last))
		}
		rings[i] = ring
	}
	return rings, nil
}

func named(noun string, index int) string {
	if index < 0 {
		return noun
	}
	return noun + " " + strconv.Itoa(index)
}

func positions(v any) ([]Position, error) {
	items, err := array(v, "an array of positions")
	if err != nil {
		return nil, err
	}
	ps := make([]Position, len(items))
	for i, item := range items {
		if ps[i], err = position(item); err != nil {
			return nil, atIndex(i, err)
		}
	}
	return ps, nil
}

func position(v any) (Position, error) {
	items, ok := v.([]any)
	if !ok {
		return Position{}, pathError{msg: "want a position [longitude, latitude], got " + describe(v)}
	}
	if len(items) < 2 || len(items) > 3 {
		return Position{}, pathError{msg: fmt.Sprintf("a position has %s; want 2 (longitude, latitude) or 3 (and altitude)", count(len(items), "number"))}
	}
	var nums [3]float64
	for i, item := range items {
		n, ok := item.(json.Number)
		if !ok {
			return Position{}, pathError{path: fmt.Sprintf("[%d]", i), msg: "want a number, got " + describe(item)}
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return Position{}, pathError{path: fmt.Sprintf("[%d]", i), msg: string(n) + " is not a finite number"}
		}
		nums[i] = f
	}
	p := Position{Lng: nums[0], Lat: nums[1]}
	if p.Lng < -180 || p.Lng > 180 {
		return Position{}, pathError{msg: "longitude " + formatNumber(p.Lng) + " is outside -180..180"}
	}
	if p.Lat < -90 || p.Lat > 90 {
		return Position{}, pathError{msg: "latitude " + formatNumber(p.Lat) + " is outside -90..90"}
	}
	return p, nil
}

func array(v any, want string) ([]any, error) {
	items, ok := v.([]any)
	if !ok {
		return nil, pathError{msg: "want " + want + ", got " + describe(v)}
	}
	return items, nil
}

// checkBBox checks an optional "bbox" member: 4 or 6 finite numbers.
func checkBBox(obj map[string]json.RawMessage) error {
	raw, ok := obj["bbox"]
	if !ok {
		return nil
	}
	v, err := decodeNumbers(raw)
	if err != nil {
		return fmt.Errorf("bbox: %w", err)
	}
	items, ok := v.([]any)
	if !ok || (len(items) != 4 && len(items) != 6) {
		return fmt.Errorf("bbox: want an array of 4 or 6 numbers, got %s", describe(v))
	}
	for i, item := range items {
		n, ok := item.(json.Number)
		if !ok {
			return fmt.Errorf("bbox[%d]: want a number, got %s", i, describe(item))
		}
		if f, err := strconv.ParseFloat(string(n), 64); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("bbox[%d]: %s is not a finite number", i, n)
		}
	}
	return nil
}

// object reads a JSON object's members (names are case-sensitive, as GeoJSON
// wants; encoding/json's struct matching is not).
func object(data []byte) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	err := json.Unmarshal(data, &obj)
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return nil, malformed(err)
	}
	if err != nil || obj == nil {
		return nil, fmt.Errorf("want a GeoJSON object, got %s", kindOf(data))
	}
	return obj, nil
}

func typeMember(obj map[string]json.RawMessage) (string, error) {
	raw, ok := obj["type"]
	if !ok {
		return "", errors.New("no type member")
	}
	var typ string
	if err := json.Unmarshal(raw, &typ); err != nil || isNull(raw) {
		return "", fmt.Errorf("type: want a string, got %s", kindOf(raw))
	}
	return typ, nil
}

func malformed(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("malformed JSON at byte %d: %v", syn.Offset, err)
	}
	return fmt.Errorf("malformed JSON: %v", err)
}

// decodeNumbers decodes a JSON value keeping numbers as json.Number.
func decodeNumbers(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, malformed(err)
	}
	return v, nil
}

func isNull(raw []byte) bool { return string(bytes.TrimSpace(raw)) == "null" }

// kindOf names the kind of a JSON value for an error message.
func kindOf(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number:
		return "the number " + string(v)
	case map[string]any:
		return "an object"
	case []any:
		return "an array of " + count(len(v), "element")
	}
	return fmt.Sprintf("%T", v)
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func formatPosition(p Position) string {
	return "[" + formatNumber(p.Lng) + ", " + formatNumber(p.Lat) + "]"
}
