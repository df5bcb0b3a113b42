package schema

import (
	"errors"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/bri-tracker/bri-tracker/internal/scalar"
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
		field.Enum("location_precision").
			Values("EXACT", "ADMIN2", "ADMIN1", "CITY", "COUNTRY").
			Optional().Nillable().
			Comment("How precisely `latitude` and `longitude` locate the project: EXACT at the site, ADMIN2 or ADMIN1 at the district or province, CITY within a city (about 5 km), COUNTRY at the host country's representative point; null when the project has no location.").
			Annotations(entgql.OrderField("LOCATION_PRECISION")),
		field.String("geometry").
			GoType(scalar.GeoJSON("")).
			SchemaType(map[string]string{dialect.Postgres: "jsonb", dialect.SQLite: "text"}).
			Optional().Nillable().
			Comment("The project's footprint as a GeoJSON geometry (a site's polygons, a railway line), where known; null when only a point is known. Setting it without latitude and longitude places the project at a point on its surface. Large: ask for it for a few projects at a time, or use /geojson/projects?geometry=full.").
			Annotations(entgql.Type("JSON"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Float("bbox_min_lng").Optional().Nillable().
			Comment("The west edge of the geometry's bounding box, or the point's longitude.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Float("bbox_min_lat").Optional().Nillable().
			Comment("The south edge of the geometry's bounding box, or the point's latitude.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Float("bbox_max_lng").Optional().Nillable().
			Comment("The east edge of the geometry's bounding box, or the point's longitude.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Float("bbox_max_lat").Optional().Nillable().
			Comment("The north edge of the geometry's bounding box, or the point's latitude.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Bool("counts_in_aggregates").
			Default(true).
			Comment("Whether the project's amount counts in totals (AidData's \"Recommended For Aggregates\"; true by default): false for umbrella agreements whose commitments are recorded separately, pledges superseded by commitments, and other records that would count money twice. projectStats counts only projects that count unless asked otherwise."),
		field.Bool("umbrella").
			Default(false).
			Comment("Whether the project is an umbrella agreement (a framework agreement, a credit line, a syndicated facility) under which separate commitments, its `components`, are recorded."),
		field.Int("parent_id").
			Optional().Nillable().
			Comment("The id of the umbrella project this project is a component of."),
		field.String("group_ref").
			Optional().Nillable().MaxLen(200).
			Validate(externalRef).
			Comment("An outside dataset's identifier of the wider project this record is part of, shared by all its records, e.g. `aiddata:parent:1892` (AidData's Parent ID: a pledge, its disbursed and cancelled portions, or the tranches of one loan)."),
		field.String("flow_type").
			Optional().Nillable().MaxLen(200).
			Comment("The kind of flow as published, e.g. \"Loan\", \"Grant\", \"Export Buyer's Credit\".").
			Annotations(entgql.OrderField("FLOW_TYPE")),
		field.Enum("flow_class").
			Values("ODA_LIKE", "OOF_LIKE", "VAGUE").
			Optional().Nillable().
			Comment("How concessional the flow is: ODA_LIKE (official development assistance), OOF_LIKE (other official flows, less concessional), VAGUE (official finance of unclear kind).").
			Annotations(entgql.OrderField("FLOW_CLASS")),
		optionalDecimal("interest_rate", "The loan's interest rate in percent a year, exact (\"1.50\" is 1.5%).", entgql.OrderField("INTEREST_RATE")),
		optionalDecimal("maturity_years", "The loan's maturity in years, exact.", entgql.OrderField("MATURITY_YEARS")),
		optionalDecimal("grace_period_years", "The loan's grace period in years, exact."),
		optionalDecimal("grant_element", "The grant element of the flow in percent (OECD grant-equivalent method), exact."),
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
			Through("partner_links", ProjectPartner.Type).
			Comment("Partners taking part in the project, each once whatever its roles (`participations` lists every role). Change them with addProjectParticipant and removeProjectParticipant.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("participations", ProjectParticipant.Type).
			Comment("Every role of every partner taking part in the project.").
			Annotations(entgql.RelayConnection(), entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("components", Project.Type).
			Comment("The commitments recorded under this umbrella project.").
			Annotations(entgql.RelayConnection()).
			From("parent").
			Field("parent_id").
			Unique().
			Comment("The umbrella project this project is a component of."),
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
		index.Fields("bbox_min_lat", "bbox_max_lat"),
		index.Fields("parent_id", "id"),
		index.Fields("group_ref"),
		index.Fields("flow_class"),
		index.Fields("counts_in_aggregates"),
	}
}
