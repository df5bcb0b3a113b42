package schema

import (
	"entgo.io/ent"

	"github.com/bri-tracker/bri-tracker/internal/rules"
)

// Hooks of the Partner: see internal/rules.
func (Partner) Hooks() []ent.Hook { return []ent.Hook{rules.Partner(), rules.PartnerDelete()} }

// Hooks of the Project: see internal/rules.
func (Project) Hooks() []ent.Hook {
	return []ent.Hook{rules.Project(), rules.PartnerCreatesOwnProjects()}
}

// Hooks of the OpeningPolicy: see internal/rules.
func (OpeningPolicy) Hooks() []ent.Hook { return []ent.Hook{rules.Policy()} }

// Hooks of the ProjectParticipant: see internal/rules.
func (ProjectParticipant) Hooks() []ent.Hook { return []ent.Hook{rules.Participant()} }

// Hooks of the APIKey: see internal/rules.
func (APIKey) Hooks() []ent.Hook { return []ent.Hook{rules.APIKey()} }
