// Package journeys holds carepath's concrete care paths, one file each.
// Each file reads as the care path: its params with clinical defaults, its
// wording, and a linear flow of Send/Ask/Escalate calls (the API is in
// package workflows' doc). Outcomes and the choices several journeys offer
// are in vocabulary.go. A new journey is listed in All, and its flow in
// carePaths (workflowcheck.go) so the determinism lint checks it.
package journeys

import (
	"github.com/carepath/carepath/workflows"
)

// All lists every journey this build of carepath runs.
func All() []workflows.Definition {
	return []workflows.Definition{
		AppointmentReminders,
		Onboarding,
		PostVisitCheckin,
		Reengagement,
		TreatmentFollowup,
	}
}

// Registry returns the catalogue of all journeys, checked.
func Registry() (*workflows.Registry, error) { return workflows.NewRegistry(All()...) }
