package schema

import (
	"entgo.io/ent"

	"github.com/bri-tracker/bri-tracker/ent/auditevent"
	"github.com/bri-tracker/bri-tracker/internal/rules"
	"github.com/bri-tracker/bri-tracker/internal/search"
)

// Hooks run in order, outermost first; rules.Audit comes last so that it
// records only what the rules let through.

// Hooks of the Partner: see internal/rules.
func (Partner) Hooks() []ent.Hook {
	return []ent.Hook{rules.Partner(), rules.PartnerDelete(), rules.Versioned(),
		rules.SearchIndex(search.Indexed["partners"]),
		rules.Audit(auditevent.EntityTypePartner)}
}

// Hooks of the Project: see internal/rules.
func (Project) Hooks() []ent.Hook {
	return []ent.Hook{rules.Project(), rules.PartnerCreatesOwnProjects(), rules.Versioned(),
		rules.SearchIndex(search.Indexed["projects"]),
		rules.Audit(auditevent.EntityTypeProject)}
}

// Hooks of the OpeningPolicy: see internal/rules.
func (OpeningPolicy) Hooks() []ent.Hook {
	return []ent.Hook{rules.Policy(), rules.Versioned(),
		rules.SearchIndex(search.Indexed["policies"]),
		rules.Audit(auditevent.EntityTypePolicy)}
}

// Hooks of the ProjectParticipant: see internal/rules.
func (ProjectParticipant) Hooks() []ent.Hook {
	return []ent.Hook{rules.Participant(), rules.ParticipantLinks(), rules.Audit(auditevent.EntityTypeProjectParticipant)}
}

// Hooks of the APIKey: see internal/rules.
func (APIKey) Hooks() []ent.Hook { return []ent.Hook{rules.APIKey()} }

// Hooks of the Webhook: see internal/rules.
func (Webhook) Hooks() []ent.Hook {
	return []ent.Hook{rules.Webhook()}
}
