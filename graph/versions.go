package graph

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/openingpolicy"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/graph/model"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// An update or delete with expectedVersion is written here once for every
// versioned entity (ent/schema's VersionMixin): the id must name an object
// of the entity's type, the write matches the row only at that version,
// and when no row matched, writeErr tells a missing object (NOT_FOUND)
// from one that has moved on (CONFLICT). Each resolver passes its entity's
// builder; P is the entity's predicate type, which ent's builders take in
// Where.

// updateOne is an entity's update-one builder.
type updateOne[T any, P ~func(*sql.Selector), B any] interface {
	Where(...P) B
	Save(context.Context) (T, error)
}

// deleteOne is an entity's delete-one builder.
type deleteOne[P ~func(*sql.Selector), B any] interface {
	Where(...P) B
	Exec(context.Context) error
}

// atVersion is the predicate "the row is at version v" of any versioned
// entity, nothing when expected is nil.
func atVersion[P ~func(*sql.Selector)](expected *int) []P {
	if expected == nil {
		return nil
	}
	return []P{P(sql.FieldEQ(project.FieldVersion, *expected))}
}

// updateVersioned saves u, the update of the object id of type typ, if the
// object is at the expected version (any, when nil).
func updateVersioned[T any, P ~func(*sql.Selector), B updateOne[T, P, B]](ctx context.Context, c *ent.Client, typ string, id int, expected *int, u B) (T, error) {
	if err := globalid.Require("id", id, typ); err != nil {
		var zero T
		return zero, err
	}
	v, err := u.Where(atVersion[P](expected)...).Save(ctx)
	return v, writeErr(ctx, c, err, id, expected)
}

// deleteVersioned runs d, the delete of the object id of type typ, if the
// object is at the expected version (any, when nil).
func deleteVersioned[P ~func(*sql.Selector), B deleteOne[P, B]](ctx context.Context, c *ent.Client, typ string, id int, expected *int, d B) (*model.DeletePayload, error) {
	if err := globalid.Require("id", id, typ); err != nil {
		return nil, err
	}
	if err := d.Where(atVersion[P](expected)...).Exec(ctx); err != nil {
		return nil, writeErr(ctx, c, err, id, expected)
	}
	return &model.DeletePayload{DeletedID: id}, nil
}

// writeErr explains a failed update or delete of the object id: when no row
// matched, either the object is gone (NOT_FOUND) or, with expectedVersion,
// it has moved on (CONFLICT, with the current version).
func writeErr(ctx context.Context, c *ent.Client, err error, id int, expectedVersion *int) error {
	if err == nil || !ent.IsNotFound(err) {
		return err
	}
	current, verr := currentVersion(ctx, c, id)
	switch {
	case ent.IsNotFound(verr):
		return notFound(err, "id", id)
	case verr != nil:
		return fmt.Errorf("read the version of %s: %w", globalid.Encode(id), verr)
	case expectedVersion == nil:
		return notFound(err, "id", id)
	}
	return &apperr.Error{
		Code:       apperr.Conflict,
		Field:      "expectedVersion",
		Message:    fmt.Sprintf("the %s is at version %d, not %d: read it again and reapply your change", globalid.TypeOf(id), current, *expectedVersion),
		Extensions: map[string]any{"currentVersion": current},
	}
}

func currentVersion(ctx context.Context, c *ent.Client, id int) (int, error) {
	switch globalid.TypeOf(id) {
	case globalid.Partner:
		return c.Partner.Query().Where(partner.ID(id)).Select(partner.FieldVersion).Int(ctx)
	case globalid.Project:
		return c.Project.Query().Where(project.ID(id)).Select(project.FieldVersion).Int(ctx)
	case globalid.Policy:
		return c.OpeningPolicy.Query().Where(openingpolicy.ID(id)).Select(openingpolicy.FieldVersion).Int(ctx)
	}
	return 0, &ent.NotFoundError{}
}
