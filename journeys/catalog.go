// Package journeys holds carepath's concrete care paths, one file each.
// Each file reads as the care path: its params with clinical defaults, its
// wording, and a linear flow of Send/Ask/Escalate calls.
package journeys

import (
	"github.com/carepath/carepath/workflows"
)

// All lists every journey this build of carepath runs.
func All() []workflows.Definition {
	return []workflows.Definition{
		Onboarding,
		PostVisitCheckin,
		Reengagement,
		TreatmentFollowup,
	}
}

// Registry returns the catalogue of all journeys, checked.
func Registry() (*workflows.Registry, error) { return workflows.NewRegistry(All()...) }
