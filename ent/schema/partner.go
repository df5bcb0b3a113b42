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

// Partner is a party that cooperates: a country, a provincial government, an
// enterprise, a bank, an international organisation...
type Partner struct {
	ent.Schema
}

// Annotations of the Partner.
func (Partner) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A party that cooperates: a country, a provincial government, an enterprise, a bank, an international organisation or a research institution."),
		entsql.IncrementStart(partnerIDStart),
		entgql.QueryField().Description("Partners: countries, governments, enterprises, banks and organisations."),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// Mixin of the Partner.
func (Partner) Mixin() []ent.Mixin {
	return []ent.Mixin{TimestampsMixin{}, VersionMixin{}, SearchMixin{}}
}

// Fields of the Partner.
func (Partner) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			NotEmpty().MaxLen(300).
			Comment("The partner's name in English.").
			Annotations(entgql.OrderField("NAME")),
		field.String("local_name").
			Optional().Nillable().MaxLen(300).
			Comment("The partner's name in its own language or in Chinese, e.g. 山东高速集团.").
			Annotations(entgql.OrderField("LOCAL_NAME")),
		field.Enum("kind").
			Values("COUNTRY", "SUBNATIONAL_GOVERNMENT", "GOVERNMENT_AGENCY", "ENTERPRISE", "FINANCIAL_INSTITUTION", "INTERNATIONAL_ORGANIZATION", "RESEARCH_INSTITUTION", "OTHER").
			Comment("What kind of party the partner is.").
			Annotations(entgql.OrderField("KIND")),
		field.String("country_code").
			Optional().Nillable().Unique().
			Validate(countryCode).
			Comment("ISO 3166-1 alpha-3 code; required and unique for COUNTRY partners, absent for others (they name their home country through `country`).").
			Annotations(entgql.OrderField("COUNTRY_CODE")),
		field.Enum("region").
			Values("AFRICA", "AMERICAS", "ASIA", "EUROPE", "MIDDLE_EAST", "OCEANIA").
			Optional().Nillable().
			Comment("The world region of the partner (of its home country for non-country partners).").
			Annotations(entgql.OrderField("REGION")),
		optionalDate("bri_signed_on", "When a Belt and Road cooperation document was signed with this partner.", entgql.OrderField("BRI_SIGNED_ON")),
		field.String("website").
			Optional().Nillable().MaxLen(500).
			Validate(webURL).
			Comment("The partner's website (http or https URL)."),
		field.Text("description").
			Optional().Nillable().MaxLen(20000).
			Comment("A free-text description of the partner."),
		field.String("external_ref").
			Optional().Nillable().Unique().MaxLen(200).
			Validate(externalRef).
			Comment("An identifier of the partner in an outside system, e.g. `aiddata:agency:...`; unique when set."),
		field.Int("country_id").
			Optional().Nillable().
			Comment("The id of the partner's home COUNTRY partner."),
	}
}

// Edges of the Partner.
func (Partner) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("members", Partner.Type).
			Comment("Partners (enterprises, governments, banks...) whose home country this COUNTRY partner is.").
			Annotations(entgql.RelayConnection()).
			From("country").
			Field("country_id").
			Unique().
			Comment("A non-country partner's home COUNTRY partner."),
		edge.From("projects", Project.Type).
			Ref("participants").
			Through("project_links", ProjectPartner.Type).
			Comment("Projects the partner takes part in, each once whatever its roles (`participations` lists every role). Change them with addProjectParticipant and removeProjectParticipant.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("participations", ProjectParticipant.Type).
			Comment("Every role the partner plays in every project.").
			Annotations(entgql.RelayConnection(), entsql.OnDelete(entsql.NoAction), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("hosted_projects", Project.Type).
			Comment("Projects located in this COUNTRY partner.").
			Annotations(entgql.RelayConnection()),
		edge.To("api_keys", APIKey.Type).
			Comment("API keys that act for this partner.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.From("policies", OpeningPolicy.Type).
			Ref("partners").
			Comment("Opening-up policies that target this partner.").
			Annotations(entgql.RelayConnection()),
	}
}

// Indexes of the Partner.
func (Partner) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("kind"),
		index.Fields("name", "id"),
		// a country's members, in id order (the edge's default)
		index.Fields("country_id", "id"),
	}
}
