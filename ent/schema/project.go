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

// Project is a cooperation project: a plant, a railway, a park, a loan...
type Project struct {
	ent.Schema
}

// Annotations of the Project.
func (Project) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A cooperation project: a plant, a railway, a park, a loan, a training programme."),
		entsql.IncrementStart(projectIDStart),
		entgql.QueryField().Description("Cooperation projects."),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// Mixin of the Project.
func (Project) Mixin() []ent.Mixin {
	return []ent.Mixin{TimestampsMixin{}, VersionMixin{}, SearchMixin{}}
}

// Fields of the Project.
func (Project) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").
			NotEmpty().MaxLen(500).
			Comment("The project's title.").
			Annotations(entgql.OrderField("TITLE")),
		field.Text("description").
			Optional().Nillable().MaxLen(50000).
			Comment("A free-text description of the project."),
		field.Enum("sector").
			Values("ENERGY", "TRANSPORT", "LOGISTICS", "MANUFACTURING", "TEXTILES", "AGRICULTURE", "MINING", "ICT", "FINANCE", "HEALTH", "EDUCATION", "TRADE", "INDUSTRIAL_PARK", "SCIENCE_TECHNOLOGY", "WATER", "OTHER").
			Comment("The industry the project serves.").
			Annotations(entgql.OrderField("SECTOR")),
		field.Enum("status").
			Values("PIPELINE", "SIGNED", "UNDER_CONSTRUCTION", "OPERATIONAL", "COMPLETED", "SUSPENDED", "CANCELLED").
			Default("PIPELINE").
			Comment("Where the project stands.").
			Annotations(entgql.OrderField("STATUS")),
		field.Enum("green_category").
			Values("NONE", "RENEWABLE_ENERGY", "ENERGY_EFFICIENCY", "CLEAN_TRANSPORT", "GREEN_MANUFACTURING", "COAL_POWER_UPGRADE", "ECOLOGICAL_PROTECTION", "OTHER_GREEN").
			Default("NONE").
			Comment("How the project contributes to green, low-carbon development.").
			Annotations(entgql.OrderField("GREEN_CATEGORY")),
		optionalDecimal("amount", "The committed amount in `currency`, exact (a decimal string).", entgql.OrderField("AMOUNT")),
		field.String("currency").
			Optional().Nillable().
			Validate(currencyCode).
			Comment("ISO 4217 code of `amount`; required when `amount` is set."),
		optionalDecimal("amount_usd", "The amount in US dollars, exact (a decimal string).", entgql.OrderField("AMOUNT_USD")),
		field.Int("commitment_year").
			Optional().Nillable().
			Range(1900, 2200).
			Comment("The year the financing or investment was committed.").
			Annotations(entgql.OrderField("COMMITMENT_YEAR")),
		optionalDate("signed_on", "When the project agreement was signed.", entgql.OrderField("SIGNED_ON")),
		optionalDate("started_on", "When implementation or construction started.", entgql.OrderField("STARTED_ON")),
		optionalDate("completed_on", "When the project was completed; not before `startedOn`.", entgql.OrderField("COMPLETED_ON")),
		field.String("city").
			Optional().Nillable().MaxLen(200).
			Comment("The city or place where the project is located."),
		field.Float("latitude").
			Optional().Nillable().
			Validate(latitude).
			Comment("Latitude of the project site in degrees, -90 to 90 (WGS 84)."),
		field.Float("longitude").
			Optional().Nillable().
			Validate(longitude).
			Comment("Longitude of the project site in degrees, -180 to 180 (WGS 84)."),
		field.String("external_ref").
			Optional().Nillable().Unique().MaxLen(200).
			Validate(externalRef).
			Comment("An identifier of the project in an outside dataset, e.g. `aiddata:12345`; unique when set."),
		field.Int("host_country_id").
			Optional().Nillable().
			Comment("The id of the COUNTRY partner where the project is located."),
	}
}

func latitude(v float64) error {
	if v < -90 || v > 90 {
		return errors.New("must be between -90 and 90")
	}
	return nil
}

func longitude(v float64) error {
	if v < -180 || v > 180 {
		return errors.New("must be between -180 and 180")
	}
	return nil
}

// Edges of the Project.
func (Project) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("host_country", Partner.Type).
			Ref("hosted_projects").
			Field("host_country_id").
			Unique().
			Comment("The COUNTRY partner where the project is located."),
		edge.To("participants", Partner.Type).
			Through("participations", ProjectParticipant.Type).
			Comment("Partners taking part in the project; each participation carries the role. Change them with addProjectParticipant and removeProjectParticipant.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("policies", OpeningPolicy.Type).
			Ref("projects").
			Comment("Opening-up policies that support the project.").
			Annotations(entgql.RelayConnection()),
	}
}

// Indexes of the Project.
func (Project) Indexes() []ent.Index {
	return []ent.Index{
		// filters and foreign keys
		index.Fields("host_country_id", "id"),
		index.Fields("status"),
		index.Fields("green_category"),
		// orders, with the id tie-break that cursors use, so that a page deep
		// in the list costs what the first does
		index.Fields("amount_usd", "id"),
		index.Fields("title", "id"),
		index.Fields("commitment_year", "id"),
		index.Fields("sector", "amount_usd", "id"),
		index.Fields("latitude", "longitude"),
	}
}
