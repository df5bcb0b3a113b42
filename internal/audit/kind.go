package audit

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Kind names a kind of change, by the type of object written and what the
// write did: PROJECT_CREATED, PARTICIPANT_DELETED. Webhooks subscribe to
// kinds (the GraphQL enum WebhookEvent).
type Kind string

// The kinds of change.
const (
	PartnerCreated     Kind = "PARTNER_CREATED"
	PartnerUpdated     Kind = "PARTNER_UPDATED"
	PartnerDeleted     Kind = "PARTNER_DELETED"
	ProjectCreated     Kind = "PROJECT_CREATED"
	ProjectUpdated     Kind = "PROJECT_UPDATED"
	ProjectDeleted     Kind = "PROJECT_DELETED"
	PolicyCreated      Kind = "POLICY_CREATED"
	PolicyUpdated      Kind = "POLICY_UPDATED"
	PolicyDeleted      Kind = "POLICY_DELETED"
	ParticipantCreated Kind = "PARTICIPANT_CREATED"
	ParticipantUpdated Kind = "PARTICIPANT_UPDATED"
	ParticipantDeleted Kind = "PARTICIPANT_DELETED"
)

// Kinds lists every kind, in the schema's order.
var Kinds = []Kind{
	PartnerCreated, PartnerUpdated, PartnerDeleted,
	ProjectCreated, ProjectUpdated, ProjectDeleted,
	PolicyCreated, PolicyUpdated, PolicyDeleted,
	ParticipantCreated, ParticipantUpdated, ParticipantDeleted,
}

// KindOf is the kind of an audit event: its entity type (Partner, Project,
// Policy, ProjectParticipant) and operation (CREATE, UPDATE, DELETE).
func KindOf(entityType, operation string) Kind {
	t := strings.ToUpper(entityType)
	if t == "PROJECTPARTICIPANT" {
		t = "PARTICIPANT"
	}
	return Kind(t + "_" + strings.ToUpper(operation) + "D")
}

// Values lists the kinds as strings (ent's enum values).
func (Kind) Values() []string {
	out := make([]string, len(Kinds))
	for i, k := range Kinds {
		out[i] = string(k)
	}
	return out
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// MarshalGQL writes the kind as a GraphQL enum value.
func (k Kind) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(k))) }

// UnmarshalGQL reads a GraphQL enum value.
func (k *Kind) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok || !Kind(s).Valid() {
		return fmt.Errorf("%v is not a WebhookEvent", v)
	}
	*k = Kind(s)
	return nil
}

// DeliveryAttempt is one attempt to send a webhook delivery.
type DeliveryAttempt struct {
	// At is when the request was sent.
	At time.Time `json:"at"`
	// StatusCode is the receiver's HTTP status, absent when none came.
	StatusCode *int `json:"statusCode,omitempty"`
	// Error says why the attempt failed; nil when it succeeded.
	Error *string `json:"error,omitempty"`
	// DurationMs is how long the attempt took, in milliseconds.
	DurationMs int64 `json:"durationMs"`
}
