package graph

import (
	"context"

	"entgo.io/contrib/entgql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/auditevent"
)

// history pages through the audit events of one object. Events name their
// object by id, so history outlives it.
func (r *Resolver) history(ctx context.Context, typ auditevent.EntityType, id int,
	after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int,
	orderBy *ent.AuditEventOrder, where *ent.AuditEventWhereInput,
) (*ent.AuditEventConnection, error) {
	return r.Client.AuditEvent.Query().
		Where(auditevent.EntityTypeEQ(typ), auditevent.EntityID(id)).
		Paginate(ctx, after, first, before, last, ent.WithAuditEventOrder(orderBy), ent.WithAuditEventFilter(where.Filter))
}
