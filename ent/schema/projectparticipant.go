package schema

import (
	"errors"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ProjectParticipant is one role a partner plays in a project. A partner may
// hold several roles in one project (a bank that finances and operates, a
// contractor that also supplies), one participation each.
type ProjectParticipant struct {
	ent.Schema
}

// Annotations of the ProjectParticipant.
func (ProjectParticipant) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A role a partner plays in a project, and its share. A partner holding several roles in one project has one participation for each."),
		entsql.IncrementStart(projectParticipantIDStart),
		entgql.RelayConnection(),
	}
}

// Fields of the ProjectParticipant.
func (ProjectParticipant) Fields() []ent.Field {
	return []ent.Field{
		field.Int("project_id").
			Immutable().
			Comment("The id of the project."),
		field.Int("partner_id").
			Immutable().
			Comment("The id of the partner."),
		field.Enum("role").
			Values("INVESTOR", "CONTRACTOR", "FINANCIER", "CO_FINANCIER", "OPERATOR", "HOST_GOVERNMENT", "IMPLEMENTER", "RECEIVER", "GUARANTOR", "INSURER", "COLLATERAL_PROVIDER", "SECURITY_AGENT", "SUPPLIER", "RESEARCH_PARTNER", "OTHER").
			Immutable().
			Comment("The part the partner plays in the project.").
			Annotations(entgql.OrderField("ROLE")),
		field.Float("share_percent").
			Optional().Nillable().
			Validate(sharePercent).
			Comment("The partner's share of the project in percent, 0 to 100, where known."),
	}
}

func sharePercent(v float64) error {
	if v < 0 || v > 100 {
		return errors.New("must be between 0 and 100")
	}
	return nil
}

// Edges of the ProjectParticipant.
func (ProjectParticipant) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).
			Ref("participations").
			Unique().Required().Immutable().
			Field("project_id").
			Comment("The project."),
		edge.From("partner", Partner.Type).
			Ref("participations").
			Unique().Required().Immutable().
			Field("partner_id").
			Comment("The partner."),
	}
}

// Indexes of the ProjectParticipant.
func (ProjectParticipant) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("project_id", "partner_id", "role").Unique(),
		// each side's page of participations, in its default order
		index.Fields("project_id", "id"),
		index.Fields("partner_id", "id"),
	}
}
