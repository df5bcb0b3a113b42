package rules

import (
	entgo "entgo.io/ent"

	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/auditevent"
	"github.com/bri-tracker/bri-tracker/ent/predicate"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// Who may write what. Every write through ent, from any path, passes these
// policies; a write without an actor in its context is refused.
//
//	ANONYMOUS, VIEWER  nothing
//	EDITOR             all domain data, but no delete of partners or policies, no keys
//	PARTNER            projects its partner takes part in (create, update, delete, their
//	                   participations), its own partner record; nothing else
//	ADMIN, SYSTEM      everything

// denied is a refusal the API reports as FORBIDDEN.
func denied(format string, args ...any) error {
	return &apperr.Error{Code: apperr.Forbidden, Message: fmt.Sprintf(format, args...), Cause: privacy.Deny}
}

// unauthenticated is a refusal for want of a valid key.
func unauthenticated(msg string) error {
	return &apperr.Error{Code: apperr.Unauthenticated, Message: msg, Cause: privacy.Deny}
}

// writeRule runs decide for actors that may write, after the common cases.
func writeRule(decide func(context.Context, *auth.Actor, ent.Mutation) error) privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		a := auth.FromContext(ctx)
		switch {
		case a == nil || a.Role == auth.Anonymous:
			return unauthenticated("writing needs an API key (Authorization: Bearer <key>)")
		case a.IsAdmin():
			return privacy.Allow
		case !a.CanWrite():
			return denied("a %s key cannot write", a.Role)
		}
		return decide(ctx, a, m)
	})
}

// PartnerPolicy guards partners.
func PartnerPolicy() entgo.Policy {
	return privacy.Policy{Mutation: privacy.MutationPolicy{writeRule(func(ctx context.Context, a *auth.Actor, m ent.Mutation) error {
		pm := m.(*ent.PartnerMutation)
		if a.Role == auth.Editor {
			if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
				return denied("only an ADMIN key may delete partners")
			}
			return privacy.Allow
		}
		id, ok := pm.ID()
		if !ok || !m.Op().Is(ent.OpUpdateOne) || id != a.PartnerID {
			return denied("a PARTNER key may change only its own partner record")
		}
		for _, e := range []string{"members", "hosted_projects"} {
			if len(pm.AddedIDs(e)) > 0 || len(pm.RemovedIDs(e)) > 0 || pm.EdgeCleared(e) {
				return denied("a PARTNER key cannot change other records through %s", e)
			}
		}
		return privacy.Allow
	})}}
}

// PolicyPolicy guards opening-up policies.
func PolicyPolicy() entgo.Policy {
	return privacy.Policy{Mutation: privacy.MutationPolicy{writeRule(func(ctx context.Context, a *auth.Actor, m ent.Mutation) error {
		if a.Role != auth.Editor {
			return denied("a %s key cannot change policies", a.Role)
		}
		if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
			return denied("only an ADMIN key may delete policies")
		}
		return privacy.Allow
	})}}
}

// ProjectPolicy guards projects.
func ProjectPolicy() entgo.Policy {
	return privacy.Policy{Mutation: privacy.MutationPolicy{writeRule(func(ctx context.Context, a *auth.Actor, m ent.Mutation) error {
		if a.Role == auth.Editor {
			return privacy.Allow
		}
		pm := m.(*ent.ProjectMutation)
		switch {
		case m.Op().Is(ent.OpCreate):
			if ent.TxFromContext(ctx) == nil {
				return denied("a PARTNER key creates projects through the API, with its partner among the participants")
			}
			return privacy.Allow // checked at commit: see PartnerCreatesOwnProjects
		case m.Op().Is(ent.OpUpdateOne | ent.OpDeleteOne):
			id, _ := pm.ID()
			return ownProject(ctx, pm.Client(), a, id)
		default:
			return denied("a PARTNER key cannot change projects in bulk")
		}
	})}}
}

// ParticipantPolicy guards participations.
func ParticipantPolicy() entgo.Policy {
	return privacy.Policy{Mutation: privacy.MutationPolicy{writeRule(func(ctx context.Context, a *auth.Actor, m ent.Mutation) error {
		if a.Role == auth.Editor {
			return privacy.Allow
		}
		pm := m.(*ent.ProjectParticipantMutation)
		c := pm.Client()
		switch {
		case m.Op().Is(ent.OpCreate):
			projectID, _ := pm.ProjectID()
			return ownProject(ctx, c, a, projectID)
		case m.Op().Is(ent.OpUpdateOne | ent.OpDeleteOne):
			id, _ := pm.ID()
			projectID, err := c.ProjectParticipant.Query().Where(projectparticipant.ID(id)).Select(projectparticipant.FieldProjectID).Int(ctx)
			if err != nil {
				if ent.IsNotFound(err) {
					return denied("no such participation")
				}
				return err
			}
			return ownProject(ctx, c, a, projectID)
		default:
			return denied("a PARTNER key cannot change participations in bulk")
		}
	})}}
}

// APIKeyPolicy lets only admins see or change API keys.
func APIKeyPolicy() entgo.Policy {
	adminOnly := privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		a := auth.FromContext(ctx)
		switch {
		case a == nil || a.Role == auth.Anonymous:
			return unauthenticated("API keys are for admins: send an ADMIN key")
		case !a.IsAdmin():
			return denied("only an ADMIN key may see or change API keys")
		}
		return privacy.Allow
	})
	return privacy.Policy{
		Query:    privacy.QueryPolicy{adminOnly},
		Mutation: privacy.MutationPolicy{adminOnly},
	}
}

// ownProject allows a partner actor to change a project its partner takes
// part in, or one it created in this request.
func ownProject(ctx context.Context, c *ent.Client, a *auth.Actor, projectID int) error {
	if a.Created(projectID) {
		return privacy.Allow
	}
	ok, err := c.ProjectParticipant.Query().Where(
		projectparticipant.ProjectID(projectID),
		projectparticipant.PartnerID(a.PartnerID),
	).Exist(ctx)
	if err != nil {
		return fmt.Errorf("check project %d: %w", projectID, err)
	}
	if !ok {
		return denied("project %s is not one that partner %s takes part in", globalid.Encode(projectID), globalid.Encode(a.PartnerID))
	}
	return privacy.Allow
}

// AuditEventPolicy lets callers with a key read the audit trail and nobody
// write it: the audit hook writes with an explicit allow decision. A
// PARTNER key reads the events of what is its partner's: its partner
// record, the projects the partner takes part in and their participations,
// and the policies, which every partner reads. (An object deleted since is
// no longer its partner's: a deleted project's events, its deletion
// included, leave a PARTNER key's view with it.)
func AuditEventPolicy() entgo.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{privacy.AuditEventQueryRuleFunc(func(ctx context.Context, q *ent.AuditEventQuery) error {
			a := auth.FromContext(ctx)
			if a != nil && a.Role == auth.Anonymous {
				return unauthenticated("the audit trail is for callers with an API key")
			}
			if a != nil && a.Role == auth.Partner {
				q.Where(partnerEvents(a.PartnerID))
			}
			return privacy.Allow
		})},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

// partnerEvents selects the audit events of partner's own objects.
func partnerEvents(partner int) predicate.AuditEvent {
	return func(s *sql.Selector) {
		// the projects partner takes part in, and (once more, for the
		// participations' ids) their participations
		ownProjects := func() *sql.Selector {
			pp := sql.Table(projectparticipant.Table)
			return sql.Select(pp.C(projectparticipant.FieldProjectID)).From(pp).
				Where(sql.EQ(pp.C(projectparticipant.FieldPartnerID), partner))
		}
		parts := sql.Table(projectparticipant.Table).As("own_parts")
		ownParts := sql.Select(parts.C(projectparticipant.FieldID)).From(parts).
			Where(sql.In(parts.C(projectparticipant.FieldProjectID), ownProjects()))
		typ, id := s.C(auditevent.FieldEntityType), s.C(auditevent.FieldEntityID)
		s.Where(sql.Or(
			sql.And(sql.EQ(typ, auditevent.EntityTypePartner.String()), sql.EQ(id, partner)),
			sql.And(sql.EQ(typ, auditevent.EntityTypeProject.String()), sql.In(id, ownProjects())),
			sql.And(sql.EQ(typ, auditevent.EntityTypeProjectParticipant.String()), sql.In(id, ownParts)),
			sql.EQ(typ, auditevent.EntityTypePolicy.String()),
		))
	}
}

// InternalOnlyPolicy refuses every access that the server does not make on
// purpose with an explicit allow decision.
func InternalOnlyPolicy() entgo.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

// DerivedPolicy lets anyone read a table that the rules derive from others
// and nobody write it but the rules themselves, with an explicit allow
// decision.
func DerivedPolicy() entgo.Policy {
	return privacy.Policy{Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()}}
}
