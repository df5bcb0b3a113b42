package schema

import (
	"entgo.io/contrib/entgql"
	"errors"

	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ProjectParticipant is a partner's part in a project and the role it plays
// there. A partner takes part in a project once, in its main role (ent keeps
// one edge-schema row per project and partner, which keeps the participants
// and projects connections free of duplicates).
type ProjectParticipant struct {
	ent.Schema
}

// Annotations of the ProjectParticipant.
func (ProjectParticipant) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A partner's part in a project: the role it plays and its share."),
		entsql.IncrementStart(projectParticipantIDStart),
		entgql.RelayConnection(),
	}
}

// Fields of the ProjectParticipant.
func (ProjectParticipant) Fields() []ent.Field {
	return []ent.Field{
		field.Int("project_id").
			Comment("The id of the project."),
		field.Int("partner_id").
			Comment("The id of the partner."),
		field.Enum("role").
			Values("INVESTOR", "CONTRACTOR", "FINANCIER", "OPERATOR", "HOST_GOVERNMENT", "IMPLEMENTER", "SUPPLIER", "RESEARCH_PARTNER", "OTHER").
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
		edge.To("project", Project.Type).
			Unique().Required().
			Field("project_id").
			Comment("The project.").
			Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("partner", Partner.Type).
			Unique().Required().
			Field("partner_id").
			Comment("The partner.").
			Annotations(entsql.OnDelete(entsql.NoAction)),
	}
}

// Indexes of the ProjectParticipant.
func (ProjectParticipant) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("project_id", "partner_id").Unique(),
		index.Fields("partner_id"),
	}
}
