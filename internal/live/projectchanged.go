package live

import (
	"context"
	"sync"

	"entgo.io/contrib/entgql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/auditevent"
	"github.com/bri-tracker/bri-tracker/ent/predicate"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/internal/audit"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

// ProjectChange is one change to a project, as the projectChanged
// subscription sends it.
type ProjectChange struct {
	// Cursor is the audit event's: resume after it.
	Cursor entgql.Cursor[int]
	// Event is the audit event that recorded the change: to the project
	// itself, or to one of its participations.
	Event *ent.AuditEvent
	// Project is the project after the change; nil when it was deleted.
	Project *ent.Project
	// DeletedID is the project's id when the change deleted it.
	DeletedID *int
}

// ProjectChanged streams each committed change to a project that matches
// where (its own fields, or who takes part in it), as the project stands
// after it, and each project's deletion: the projectChanged subscription.
// A deleted project can no longer be matched against where, so every
// deletion the caller may see is sent.
func ProjectChanged(ctx context.Context, h *Hub, client *ent.Client, after *entgql.Cursor[int], where *ent.ProjectWhereInput) (<-chan *ProjectChange, error) {
	var match []predicate.Project
	if where != nil {
		var err error
		if match, err = filter(where.P, ent.ErrEmptyProjectWhereInput); err != nil {
			return nil, err
		}
	}
	a := auth.FromContext(ctx)
	var mu sync.Mutex
	changes := map[int]*ProjectChange{} // by audit event id, from keep to send
	keep := func(ctx context.Context, events []*ent.AuditEvent) ([]*ent.AuditEvent, error) {
		var visible []*ent.AuditEvent
		for _, e := range events {
			if e.EntityType == auditevent.EntityTypeProject || e.EntityType == auditevent.EntityTypeProjectParticipant {
				visible = append(visible, e)
			}
		}
		if len(visible) > 0 && a != nil && a.Role == auth.Partner {
			// the audit trail's privacy rules filter only PARTNER keys
			var err error
			if visible, err = visibleEvents(ctx, client, visible); err != nil {
				return nil, err
			}
		}
		projectOf, err := projectsOf(ctx, client, visible)
		if err != nil {
			return nil, err
		}
		ids := make([]int, 0, len(projectOf))
		for _, id := range projectOf {
			ids = append(ids, id)
		}
		var projects []*ent.Project
		if len(ids) > 0 {
			if projects, err = client.Project.Query().Where(append(match, project.IDIn(ids...))...).All(ctx); err != nil {
				return nil, err
			}
		}
		byID := make(map[int]*ent.Project, len(projects))
		for _, p := range projects {
			byID[p.ID] = p
		}
		var kept []*ent.AuditEvent
		mu.Lock()
		defer mu.Unlock()
		for _, e := range visible {
			pid, ok := projectOf[e.ID]
			if !ok {
				continue
			}
			c := &ProjectChange{Cursor: entgql.Cursor[int]{ID: e.ID}, Event: e, Project: byID[pid]}
			if c.Project == nil {
				if e.EntityType != auditevent.EntityTypeProject || e.Operation != auditevent.OperationDELETE {
					continue // no match, or a participation of a project deleted since
				}
				c.DeletedID = &pid
			}
			changes[e.ID] = c
			kept = append(kept, e)
		}
		return kept, nil
	}
	take := func(e *ent.AuditEvent) (*ProjectChange, bool) {
		mu.Lock()
		defer mu.Unlock()
		c, ok := changes[e.ID]
		delete(changes, e.ID)
		return c, ok
	}
	return subscribe(ctx, h, after, keep, take, func(c *ProjectChange) entgql.Cursor[int] { return c.Cursor })
}

// visibleEvents are those of events that match preds and that the actor of
// ctx may see (the audit trail's privacy rules), in their order: one query.
func visibleEvents(ctx context.Context, client *ent.Client, events []*ent.AuditEvent, preds ...predicate.AuditEvent) ([]*ent.AuditEvent, error) {
	ids := make([]int, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	seen, err := client.AuditEvent.Query().Where(append(preds, auditevent.IDIn(ids...))...).IDs(ctx)
	if err != nil {
		return nil, err
	}
	ok := make(map[int]bool, len(seen))
	for _, id := range seen {
		ok[id] = true
	}
	var out []*ent.AuditEvent
	for _, e := range events {
		if ok[e.ID] {
			out = append(out, e)
		}
	}
	return out, nil
}

// projectsOf maps each event to its project: the project's own events to
// it, a participation's to the project it is (or was) of, from the
// participation's recorded projectID or, for an update that did not change
// it, from the participation itself.
func projectsOf(ctx context.Context, client *ent.Client, events []*ent.AuditEvent) (map[int]int, error) {
	out := make(map[int]int, len(events))
	ask := map[int][]int{} // participation id → event ids
	for _, e := range events {
		if e.EntityType == auditevent.EntityTypeProject {
			out[e.ID] = e.EntityID
			continue
		}
		if pid, ok := recordedProject(e); ok {
			out[e.ID] = pid
			continue
		}
		ask[e.EntityID] = append(ask[e.EntityID], e.ID)
	}
	if len(ask) == 0 {
		return out, nil
	}
	ids := make([]int, 0, len(ask))
	for id := range ask {
		ids = append(ids, id)
	}
	parts, err := client.ProjectParticipant.Query().Where(projectparticipant.IDIn(ids...)).All(system(ctx))
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		for _, eid := range ask[p.ID] {
			out[eid] = p.ProjectID
		}
	}
	return out, nil
}

// recordedProject is the projectID a participation's event recorded.
func recordedProject(e *ent.AuditEvent) (int, bool) {
	if id, ok := audit.ID(e.Changes, "projectID", false); ok {
		return id, true
	}
	return audit.ID(e.Changes, "projectID", true)
}
