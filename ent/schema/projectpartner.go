package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ProjectPartner links a project and a partner that takes part in it in at
// least one role: the project's participations reduced to their distinct
// (project, partner) pairs. It is the join table of the `participants` and
// `projects` connections, so that a partner with several roles is listed
// once, paged and counted by the pair's indexes. internal/rules keeps it in
// step with the participations; nothing else writes it.
type ProjectPartner struct {
	ent.Schema
}

// Annotations of the ProjectPartner.
func (ProjectPartner) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A project and a partner that takes part in it, in any role (derived from the participations)."),
		field.ID("project_id", "partner_id"),
		entgql.Skip(entgql.SkipAll),
	}
}

// Fields of the ProjectPartner.
func (ProjectPartner) Fields() []ent.Field {
	return []ent.Field{
		field.Int("project_id").Comment("The id of the project."),
		field.Int("partner_id").Comment("The id of the partner."),
	}
}

// Edges of the ProjectPartner.
func (ProjectPartner) Edges() []ent.Edge {
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

// Indexes of the ProjectPartner.
func (ProjectPartner) Indexes() []ent.Index {
	return []ent.Index{
		// a partner's projects in project order (the primary key serves a
		// project's partners)
		index.Fields("partner_id", "project_id"),
	}
}
