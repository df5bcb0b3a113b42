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

// OpeningPolicy is an opening-up policy: a negative list, a free trade zone
// rule, a trade facilitation measure, a tariff concession... It is `Policy` in
// the GraphQL API and the `policies` table; the Go name avoids ent's own
// privacy `Policy`.
type OpeningPolicy struct {
	ent.Schema
}

// Annotations of the OpeningPolicy.
func (OpeningPolicy) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An opening-up policy that supports projects and targets partners: a negative list, a free trade zone, a tariff concession, a logistics corridor."),
		entsql.Table("policies"),
		entsql.IncrementStart(policyIDStart),
		entgql.Type("Policy"),
		entgql.QueryField("policies").Description("Opening-up policies."),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// Mixin of the OpeningPolicy.
func (OpeningPolicy) Mixin() []ent.Mixin {
	return []ent.Mixin{TimestampsMixin{}, VersionMixin{}, SearchMixin{}}
}

// Fields of the OpeningPolicy.
func (OpeningPolicy) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").
			NotEmpty().MaxLen(500).
			Comment("The policy's title.").
			Annotations(entgql.OrderField("TITLE")),
		field.Text("summary").
			Optional().Nillable().MaxLen(20000).
			Comment("What the policy does, in brief."),
		field.String("document_number").
			Optional().Nillable().MaxLen(200).
			Comment("The official document number, e.g. 国发〔2019〕16号."),
		field.String("issuing_authority").
			Optional().Nillable().MaxLen(300).
			Comment("The body that issued the policy."),
		field.Enum("level").
			Values("NATIONAL", "PROVINCIAL", "MUNICIPAL", "BILATERAL", "MULTILATERAL").
			Comment("The level of government or agreement the policy comes from.").
			Annotations(entgql.OrderField("LEVEL")),
		field.Enum("category").
			Values("NEGATIVE_LIST", "FREE_TRADE_ZONE", "TRADE_FACILITATION", "TARIFF", "INVESTMENT_PROMOTION", "TAX_INCENTIVE", "FINANCIAL_OPENING", "TALENT", "GREEN_DEVELOPMENT", "DIGITAL_ECONOMY", "LOGISTICS_CORRIDOR", "OTHER").
			Comment("What kind of opening-up measure the policy is.").
			Annotations(entgql.OrderField("CATEGORY")),
		field.Enum("status").
			Values("DRAFT", "IN_FORCE", "EXPIRED", "REPEALED").
			Default("IN_FORCE").
			Comment("Whether the policy is in force.").
			Annotations(entgql.OrderField("STATUS")),
		optionalDate("issued_on", "When the policy was issued.", entgql.OrderField("ISSUED_ON")),
		optionalDate("effective_from", "The first day the policy applies.", entgql.OrderField("EFFECTIVE_FROM")),
		optionalDate("effective_until", "The last day the policy applies, if it has an end; not before `effectiveFrom`.", entgql.OrderField("EFFECTIVE_UNTIL")),
		field.String("url").
			Optional().Nillable().MaxLen(1000).
			Validate(webURL).
			Comment("Where the policy text is published (http or https URL)."),
		field.String("external_ref").
			Optional().Nillable().Unique().MaxLen(200).
			Validate(externalRef).
			Comment("An identifier of the policy in an outside system, e.g. `gov:2019-16`; unique when set. Upserts link policies by it."),
		field.Int("superseded_by_id").
			Optional().Nillable().
			Comment("The id of the newer policy that replaced this one."),
	}
}

// Edges of the OpeningPolicy.
func (OpeningPolicy) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("projects", Project.Type).
			Comment("Projects the policy supports.").
			Annotations(entgql.RelayConnection()),
		edge.To("partners", Partner.Type).
			Comment("Partners the policy targets.").
			Annotations(entgql.RelayConnection()),
		edge.To("supersedes", OpeningPolicy.Type).
			Comment("Older policies that this policy replaced.").
			Annotations(entgql.RelayConnection()).
			From("superseded_by").
			Field("superseded_by_id").
			Unique().
			Comment("The newer policy that replaced this one."),
	}
}

// Indexes of the OpeningPolicy.
func (OpeningPolicy) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("category"),
		index.Fields("title", "id"),
		index.Fields("level"),
		index.Fields("status"),
		// the policies a policy supersedes, in id order (the edge's default)
		index.Fields("superseded_by_id", "id"),
	}
}
