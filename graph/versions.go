package graph

import (
	"context"
	"fmt"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/openingpolicy"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

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
