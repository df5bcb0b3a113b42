package rules

import (
	"context"
	"fmt"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// maxUmbrellaDepth bounds the walk up a project's umbrellas: deeper chains
// are refused rather than walked without end.
const maxUmbrellaDepth = 32

// checkUmbrella enforces: a parent (and each component added) is an
// existing project, and no project is its own umbrella, directly or through
// others.
func checkUmbrella(ctx context.Context, m *ent.ProjectMutation) error {
	c := m.Client()
	self, hasSelf := m.ID()
	type link struct {
		child, parent int
		field         string
	}
	var links []link
	if parent, ok := m.ParentID(); ok {
		if err := checkRefs(ctx, c, "parentID", globalid.Project, []int{parent}); err != nil {
			return err
		}
		if hasSelf {
			links = append(links, link{self, parent, "parentID"})
		}
	}
	if added := m.ComponentsIDs(); len(added) > 0 {
		if err := checkRefs(ctx, c, "addComponentIDs", globalid.Project, added); err != nil {
			return err
		}
		if hasSelf {
			for _, child := range added {
				links = append(links, link{child, self, "addComponentIDs"})
			}
		}
	}
	for _, l := range links {
		at := l.parent
		for depth := 0; ; depth++ {
			if at == l.child {
				return apperr.Invalid(l.field, "project %s cannot be a component of %s: that would make it its own umbrella", globalid.Encode(l.child), globalid.Encode(l.parent))
			}
			if depth == maxUmbrellaDepth {
				return apperr.Invalid(l.field, "umbrellas nest more than %d deep", maxUmbrellaDepth)
			}
			up, err := c.Project.Query().Where(project.ID(at)).Select(project.FieldParentID).Only(ctx)
			if err != nil {
				return fmt.Errorf("read the umbrella of project %d: %w", at, err)
			}
			if up.ParentID == nil {
				break
			}
			at = *up.ParentID
		}
	}
	return nil
}
