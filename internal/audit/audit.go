// Package audit records every write to the domain's objects as an audit
// event: the actor, the time, the operation, and each changed field with its
// old and new value. The recording hook lives in internal/rules; this
// package holds the shared types.
package audit

import "encoding/json"

// Change is one field's change. Values are as the API shows them: strings
// for decimals, dates, enums and ids; numbers; booleans; null.
type Change struct {
	Field string          `json:"field"`
	Old   json.RawMessage `json:"old"`
	New   json.RawMessage `json:"new"`
}
