// Package audit records every write to the domain's objects as an audit
// event: the actor, the time, the operation, and each changed field with its
// old and new value. The recording hook lives in internal/rules; this
// package holds the shared types.
package audit

import (
	"encoding/json"

	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// Change is one field's change. Values are as the API shows them: strings
// for decimals, dates, enums and ids; numbers; booleans; null.
type Change struct {
	Field string          `json:"field"`
	Old   json.RawMessage `json:"old"`
	New   json.RawMessage `json:"new"`
}

// Value is the value field had before the write (old) or after it, when
// changes lists the field.
func Value(changes []Change, field string, old bool) (json.RawMessage, bool) {
	for _, c := range changes {
		if c.Field == field {
			if old {
				return c.Old, true
			}
			return c.New, true
		}
	}
	return nil, false
}

// ID is the id field held before the write (old) or after it, when changes
// lists the field with an id.
func ID(changes []Change, field string, old bool) (int, bool) {
	raw, ok := Value(changes, field, old)
	var s string
	if !ok || json.Unmarshal(raw, &s) != nil || s == "" {
		return 0, false
	}
	id, err := globalid.Decode(s)
	return id, err == nil
}
