package schemadoc

import "strings"

// enumValues documents each value of the domain's enums, by GraphQL enum
// name and value.
var enumValues = map[string]map[string]string{
	"AuditEventActorRole": {
		"VIEWER":  "A VIEWER key (which cannot write; listed for completeness).",
		"EDITOR":  "An EDITOR key.",
		"PARTNER": "A PARTNER key.",
		"ADMIN":   "An ADMIN key.",
		"SYSTEM":  "The server itself: seeding, imports, the command line.",
	},
	"AuditEventOperation": {
		"CREATE": "The object was created.",
		"UPDATE": "The object was changed.",
		"DELETE": "The object was deleted.",
	},
	"AuditEventEntityType": {
		"Partner":            "A partner.",
		"Project":            "A project.",
		"Policy":             "A policy.",
		"ProjectParticipant": "A partner's participation in a project.",
	},
	"ApiKeyRole": {
		"VIEWER":  "Reads everything, writes nothing.",
		"EDITOR":  "Reads everything and writes all domain data, but deletes no partner or policy.",
		"PARTNER": "Acts for one partner: creates projects the partner takes part in, changes or deletes only those projects and the partner's own record, reads like a viewer.",
		"ADMIN":   "Does everything, including API keys and deleting partners and policies.",
	},
	"PartnerKind": {
		"COUNTRY":                    "A sovereign state, keyed by its ISO 3166-1 alpha-3 code.",
		"SUBNATIONAL_GOVERNMENT":     "A provincial, state or municipal government, such as the Shandong Provincial People's Government.",
		"GOVERNMENT_AGENCY":          "A ministry, commission or other public body.",
		"ENTERPRISE":                 "A company, state-owned or private.",
		"FINANCIAL_INSTITUTION":      "A bank, fund or other lender or investor.",
		"INTERNATIONAL_ORGANIZATION": "An intergovernmental organisation, such as the AIIB or the SCO.",
		"RESEARCH_INSTITUTION":       "A university, institute or laboratory.",
		"OTHER":                      "Any other kind of party.",
	},
	"PartnerRegion": {
		"AFRICA":      "Africa.",
		"AMERICAS":    "North, Central and South America and the Caribbean.",
		"ASIA":        "Asia, without the Middle East.",
		"EUROPE":      "Europe, including Russia and the South Caucasus.",
		"MIDDLE_EAST": "The Middle East.",
		"OCEANIA":     "Oceania and the Pacific.",
	},
	"ProjectSector": {
		"ENERGY":             "Power generation, grids, oil and gas.",
		"TRANSPORT":          "Railways, roads, ports, airports.",
		"LOGISTICS":          "Freight services, warehouses, logistics hubs and corridors.",
		"MANUFACTURING":      "Plants and factories.",
		"TEXTILES":           "Textiles and garments.",
		"AGRICULTURE":        "Farming, fisheries, food processing.",
		"MINING":             "Mining and minerals processing.",
		"ICT":                "Telecommunications, data centres, digital services.",
		"FINANCE":            "Banking, credit lines and other financial services.",
		"HEALTH":             "Hospitals and public health.",
		"EDUCATION":          "Schools, training and scholarships.",
		"TRADE":              "Trade promotion, exhibitions, cross-border e-commerce.",
		"INDUSTRIAL_PARK":    "Industrial and economic cooperation zones and parks.",
		"SCIENCE_TECHNOLOGY": "Research, innovation and technology transfer.",
		"WATER":              "Water supply, sanitation, irrigation.",
		"OTHER":              "Any other sector.",
	},
	"ProjectStatus": {
		"PIPELINE":           "Pledged or under discussion, not yet signed.",
		"SIGNED":             "Agreed and committed, not yet started.",
		"UNDER_CONSTRUCTION": "Being built or implemented.",
		"OPERATIONAL":        "In operation.",
		"COMPLETED":          "Finished.",
		"SUSPENDED":          "Halted for now; may resume.",
		"CANCELLED":          "Abandoned.",
	},
	"ProjectGreenCategory": {
		"NONE":                  "No particular green contribution.",
		"RENEWABLE_ENERGY":      "Solar, wind, hydro, geothermal or biomass power.",
		"ENERGY_EFFICIENCY":     "Lower energy use for the same output.",
		"CLEAN_TRANSPORT":       "Rail, electric or otherwise low-carbon transport.",
		"GREEN_MANUFACTURING":   "Cleaner, less polluting production.",
		"COAL_POWER_UPGRADE":    "Transformation and upgrading of coal power (efficiency, emissions control).",
		"ECOLOGICAL_PROTECTION": "Protection or restoration of ecosystems.",
		"OTHER_GREEN":           "Another green contribution.",
	},
	"ProjectParticipantRole": {
		"INVESTOR":            "Holds equity in the project.",
		"CONTRACTOR":          "Builds the project (EPC or construction contractor).",
		"FINANCIER":           "Lends to or funds the project (AidData's funding agencies).",
		"CO_FINANCIER":        "Lends to or funds the project beside its main financier (AidData's co-financing agencies).",
		"OPERATOR":            "Runs the project.",
		"HOST_GOVERNMENT":     "The government of the country where the project is.",
		"IMPLEMENTER":         "Carries out the project for its owner or funder.",
		"RECEIVER":            "Receives the funds or goods (AidData's direct and indirect receiving agencies).",
		"GUARANTOR":           "Guarantees the repayment of the project's financing.",
		"INSURER":             "Insures the project's financing (such as an export credit insurer).",
		"COLLATERAL_PROVIDER": "Pledges the collateral that secures the project's financing.",
		"SECURITY_AGENT":      "Holds the collateral for the lenders (security or collateral agent).",
		"SUPPLIER":            "Supplies equipment or services.",
		"RESEARCH_PARTNER":    "Takes part in research or technology cooperation.",
		"OTHER":               "Any other role.",
	},
	"ProjectFlowClass": {
		"ODA_LIKE": "Like official development assistance: concessional, development intent, grant element of 25% or more.",
		"OOF_LIKE": "Like other official flows: official finance that is not concessional enough, or not for development, to be ODA.",
		"VAGUE":    "Official finance whose kind cannot be told from the sources.",
	},
	"ProjectLocationPrecision": {
		"EXACT":   "At the site itself.",
		"ADMIN2":  "Somewhere in a second-level administrative division (a district or county).",
		"ADMIN1":  "Somewhere in a first-level administrative division (a province or state).",
		"CITY":    "Near the site: within a city or about 5 km (an approximate feature).",
		"COUNTRY": "At the host country's representative point: only the country is known.",
	},
	"PolicyLevel": {
		"NATIONAL":     "Issued by the central government or its ministries.",
		"PROVINCIAL":   "Issued by a provincial government or its departments.",
		"MUNICIPAL":    "Issued by a city government.",
		"BILATERAL":    "Agreed between two countries.",
		"MULTILATERAL": "Agreed among several countries, such as RCEP.",
	},
	"PolicyCategory": {
		"NEGATIVE_LIST":        "A negative list for foreign investment or cross-border services trade.",
		"FREE_TRADE_ZONE":      "Pilot free trade zone rules and institutional innovations.",
		"TRADE_FACILITATION":   "Customs simplification, AEO mutual recognition and the like.",
		"TARIFF":               "Tariff concessions, such as under FTAs and RCEP.",
		"INVESTMENT_PROMOTION": "Measures to attract or support investment.",
		"TAX_INCENTIVE":        "Tax reductions and exemptions.",
		"FINANCIAL_OPENING":    "Financial opening, such as cross-border RMB.",
		"TALENT":               "Talent attraction and exchange.",
		"GREEN_DEVELOPMENT":    "Green, low-carbon development.",
		"DIGITAL_ECONOMY":      "Digital trade and the digital economy.",
		"LOGISTICS_CORRIDOR":   "Logistics corridors, such as China-Europe freight trains and the land-sea channel.",
		"OTHER":                "Any other opening-up measure.",
	},
	"PolicyStatus": {
		"DRAFT":    "Proposed, not yet in force.",
		"IN_FORCE": "In force.",
		"EXPIRED":  "Its effective period has ended.",
		"REPEALED": "Withdrawn or replaced.",
	},
	"WebhookEvent": {
		"PARTNER_CREATED":     "A partner was created.",
		"PARTNER_UPDATED":     "A partner was changed.",
		"PARTNER_DELETED":     "A partner was deleted.",
		"PROJECT_CREATED":     "A project was created.",
		"PROJECT_UPDATED":     "A project was changed.",
		"PROJECT_DELETED":     "A project was deleted.",
		"POLICY_CREATED":      "An opening-up policy was created.",
		"POLICY_UPDATED":      "An opening-up policy was changed.",
		"POLICY_DELETED":      "An opening-up policy was deleted.",
		"PARTICIPANT_CREATED": "A partner was added to a project (a participation was created).",
		"PARTICIPANT_UPDATED": "A participation was changed (its roles or shares).",
		"PARTICIPANT_DELETED": "A partner was removed from a project (a participation was deleted).",
	},
	"WebhookDeliveryStatus": {
		"PENDING":   "Not yet answered 2xx: an attempt is due, or under way.",
		"DELIVERED": "The receiver answered 2xx.",
		"FAILED":    "Every attempt failed; redeliverWebhook sends it again.",
	},
}

func enumValueDescription(enum, value string) string {
	if d := enumValues[enum][value]; d != "" {
		return d
	}
	if strings.HasSuffix(enum, "OrderField") {
		return "Orders by " + strings.ToLower(strings.ReplaceAll(value, "_", " ")) + "."
	}
	return ""
}
