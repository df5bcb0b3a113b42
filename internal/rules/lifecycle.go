package rules

import (
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
)

// transitions is a project's lifecycle: the statuses each status may move to.
// A project moves forward through PIPELINE, SIGNED, UNDER_CONSTRUCTION,
// OPERATIONAL and COMPLETED, and may skip steps (records often arrive late).
// SUSPENDED can resume to any active status or end in CANCELLED. COMPLETED
// and CANCELLED are final. Admins (and the server's own jobs) may correct a
// status to anything.
var transitions = map[project.Status][]project.Status{
	project.StatusPIPELINE:           {project.StatusSIGNED, project.StatusUNDER_CONSTRUCTION, project.StatusOPERATIONAL, project.StatusCOMPLETED, project.StatusCANCELLED},
	project.StatusSIGNED:             {project.StatusUNDER_CONSTRUCTION, project.StatusOPERATIONAL, project.StatusCOMPLETED, project.StatusSUSPENDED, project.StatusCANCELLED},
	project.StatusUNDER_CONSTRUCTION: {project.StatusOPERATIONAL, project.StatusCOMPLETED, project.StatusSUSPENDED, project.StatusCANCELLED},
	project.StatusOPERATIONAL:        {project.StatusCOMPLETED, project.StatusSUSPENDED},
	project.StatusSUSPENDED:          {project.StatusSIGNED, project.StatusUNDER_CONSTRUCTION, project.StatusOPERATIONAL, project.StatusCANCELLED},
	project.StatusCOMPLETED:          nil,
	project.StatusCANCELLED:          nil,
}

// Transitions returns the statuses a project may move to from s.
func Transitions(s project.Status) []project.Status { return transitions[s] }

// checkTransition refuses a status change the lifecycle does not allow.
func checkTransition(from, to project.Status) error {
	if from == to {
		return nil
	}
	for _, s := range transitions[from] {
		if s == to {
			return nil
		}
	}
	if len(transitions[from]) == 0 {
		return apperr.Invalid("status", "a project cannot go from %s to %s: %s is final (an admin may correct it)", from, to, from)
	}
	return apperr.Invalid("status", "a project cannot go from %s to %s (allowed from %s: %v)", from, to, from, transitions[from])
}
