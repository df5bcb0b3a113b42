package httpapi

import (
	"bufio"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// geojsonQuery reads one page of located projects, with their stored
// geometries when $full.
const geojsonQuery = `query($where: ProjectWhereInput, $after: Cursor, $full: Boolean!) {
  projects(first: 100, after: $after, where: $where) {
    pageInfo { hasNextPage endCursor }
    edges { node { id title sector status greenCategory amountUsd commitmentYear countsInAggregates city latitude longitude locationPrecision geometry @include(if: $full) hostCountry { countryCode name } } }
  }
}`

// geojsonProjects answers GET /geojson/projects with a GeoJSON
// FeatureCollection of the projects that have coordinates and match the
// filter: `where` (JSON, as the projects query's where) and `bbox`
// (minLng,minLat,maxLng,maxLat). Each feature is the project's point, or
// with `geometry=full` its stored geometry where it has one (points by
// default keep maps light). Features are written page by page.
func geojsonProjects(p pager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", "GET")
			writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "use GET")
			return
		}
		where, err := exportFilter(r)
		if err != nil {
			writeError(w, http.StatusBadRequest, "BAD_USER_INPUT", err.Error())
			return
		}
		where = append(where, map[string]any{"latitudeNotNil": true, "longitudeNotNil": true})
		var full bool
		switch g := r.URL.Query().Get("geometry"); g {
		case "", "point":
		case "full":
			full = true
		default:
			writeError(w, http.StatusBadRequest, "BAD_USER_INPUT", "geometry: want point (the default) or full, got "+strconv.Quote(g))
			return
		}
		if b := r.URL.Query().Get("bbox"); b != "" {
			box, err := parseBBox(b)
			if err != nil {
				writeError(w, http.StatusBadRequest, "BAD_USER_INPUT", err.Error())
				return
			}
			where = append(where, map[string]any{"withinBounds": box})
		}

		out := bufio.NewWriterSize(w, 32<<10)
		started := false
		n := 0
		err = p.each(r.Context(), geojsonQuery, "projects", map[string]any{"where": map[string]any{"and": where}, "full": full}, func(edges []json.RawMessage) error {
			if !started {
				w.Header().Set("Content-Type", "application/geo+json")
				_, _ = out.WriteString(`{"type":"FeatureCollection","features":[`)
				started = true
			}
			for _, e := range edges {
				f, err := feature(e)
				if err != nil {
					return err
				}
				if n > 0 {
					_ = out.WriteByte(',')
				}
				_, _ = out.Write(f)
				n++
			}
			return out.Flush()
		})
		var gqlErr *graphQLError
		switch {
		case errors.As(err, &gqlErr) && !started:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(gqlErr.status)
			_, _ = w.Write(gqlErr.body)
			return
		case err != nil:
			// the stream has begun: end it, and say so in the log
			log.ErrorContext(r.Context(), "geojson export stopped", "error", err, "features", n)
		}
		if !started {
			w.Header().Set("Content-Type", "application/geo+json")
			_, _ = out.WriteString(`{"type":"FeatureCollection","features":[`)
		}
		_, _ = out.WriteString(`]}`)
		_ = out.Flush()
	})
}

// feature turns one project edge into a GeoJSON Feature.
func feature(edge json.RawMessage) ([]byte, error) {
	var e struct {
		Node map[string]any `json:"node"`
	}
	if err := json.Unmarshal(edge, &e); err != nil {
		return nil, err
	}
	props := e.Node
	lat, lng := props["latitude"], props["longitude"]
	id := props["id"]
	var geometry any = map[string]any{"type": "Point", "coordinates": []any{lng, lat}}
	if g, ok := props["geometry"]; ok && g != nil {
		geometry = g
	}
	for _, k := range []string{"latitude", "longitude", "id", "geometry"} {
		delete(props, k)
	}
	return json.Marshal(map[string]any{
		"type":       "Feature",
		"id":         id,
		"geometry":   geometry,
		"properties": props,
	})
}

// exportFilter reads the `where` parameter: a JSON ProjectWhereInput.
func exportFilter(r *http.Request) ([]any, error) {
	raw := r.URL.Query().Get("where")
	if raw == "" {
		return []any{}, nil
	}
	var where map[string]any
	if err := json.Unmarshal([]byte(raw), &where); err != nil {
		return nil, errors.New("where: must be a JSON object, as the projects query's where argument")
	}
	return []any{where}, nil
}

// parseBBox reads minLng,minLat,maxLng,maxLat (GeoJSON's order).
func parseBBox(s string) (map[string]any, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, errors.New("bbox: want minLng,minLat,maxLng,maxLat")
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, errors.New("bbox: want four numbers minLng,minLat,maxLng,maxLat")
		}
		v[i] = f
	}
	return map[string]any{"minLng": v[0], "minLat": v[1], "maxLng": v[2], "maxLat": v[3]}, nil
}
