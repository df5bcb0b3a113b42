// Package globalid turns the database's integer ids into the opaque global ids
// that clients see. Every table numbers its rows from its own start, 2^32
// apart (see ent/schema/ids.go), so the integer alone tells the type; the
// global id spells the type out and is base64-encoded so that clients treat it
// as opaque.
package globalid

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/bri-tracker/bri-tracker/internal/apperr"

	"github.com/99designs/gqlgen/graphql"
)

// Type names, as in the GraphQL schema.
const (
	Partner            = "Partner"
	Project            = "Project"
	Policy             = "Policy"
	ProjectParticipant = "ProjectParticipant"
	APIKey             = "ApiKey"
	AuditEvent         = "AuditEvent"
	Webhook            = "Webhook"
	WebhookDelivery    = "WebhookDelivery"
)

// rangeBits is the width of each type's id range.
const rangeBits = 32

// types lists the type of each id range, by the range's number (id >> 32).
var types = map[int]string{
	1: Partner,
	2: Project,
	3: Policy,
	4: ProjectParticipant,
	5: APIKey,
	6: AuditEvent,
	8: Webhook,
	9: WebhookDelivery,
}

// TypeOf returns the type of the row an integer id belongs to, or "" for an id
// outside every range.
func TypeOf(id int) string {
	return types[id>>rangeBits]
}

// Require checks that an id argument (field) names an object of the type
// want, with a client error naming the argument otherwise.
func Require(field string, id int, want string) error {
	if got := TypeOf(id); got != want {
		return apperr.Invalid(field, "%s is the id of a %s, not of a %s", Encode(id), got, want)
	}
	return nil
}

// Encode returns the global id of a row.
func Encode(id int) string {
	t := TypeOf(id)
	if t == "" {
		t = "Unknown"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(t + ":" + strconv.Itoa(id)))
}

// Decode returns the integer id behind a global id, checking that the type it
// names owns the integer.
func Decode(s string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, apperr.Invalid("", "%q is not an id issued by this API", s)
	}
	typ, num, ok := strings.Cut(string(raw), ":")
	id, err := strconv.Atoi(num)
	if !ok || err != nil || TypeOf(id) != typ {
		return 0, apperr.Invalid("", "%q is not an id issued by this API", s)
	}
	return id, nil
}

// MarshalID writes an integer id as a global id (gqlgen's ID scalar).
func MarshalID(id int) graphql.Marshaler {
	return graphql.MarshalString(Encode(id))
}

// UnmarshalID reads a global id sent by a client (gqlgen's ID scalar).
func UnmarshalID(v any) (int, error) {
	s, ok := v.(string)
	if !ok {
		return 0, apperr.Invalid("", "an ID must be a string, not %T", v)
	}
	return Decode(s)
}
