package scalar

import (
	"encoding/json"
	"fmt"
	"io"
)

// GeoJSON is a GeoJSON geometry kept as its JSON text: stored as it came
// (jsonb in PostgreSQL, text in SQLite) and sent as a JSON value, never
// re-encoded. The rules check that it is a geometry.
type GeoJSON string

// MarshalGQL writes the geometry as a JSON value.
func (g GeoJSON) MarshalGQL(w io.Writer) {
	if g == "" {
		_, _ = io.WriteString(w, "null")
		return
	}
	_, _ = io.WriteString(w, string(g))
}

// UnmarshalGQL reads a geometry given as a JSON object (or as a string
// holding one).
func (g *GeoJSON) UnmarshalGQL(v any) error {
	if s, ok := v.(string); ok {
		if !json.Valid([]byte(s)) {
			return fmt.Errorf("is not JSON")
		}
		*g = GeoJSON(s)
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	*g = GeoJSON(b)
	return nil
}
