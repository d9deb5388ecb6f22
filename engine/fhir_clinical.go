package engine

import (
	"context"

	"github.com/carepath/carepath"
)

// FHIRCLIN replaces these stubs.

func applyFHIRObservation(ctx context.Context, w *fhirApply) error       { return errClinicalTodo }
func applyFHIREncounter(ctx context.Context, w *fhirApply) error         { return errClinicalTodo }
func applyFHIRCarePlan(ctx context.Context, w *fhirApply) error          { return errClinicalTodo }
func applyFHIRMedicationRequest(ctx context.Context, w *fhirApply) error { return errClinicalTodo }

var errClinicalTodo = carepath.Errorf(carepath.EINVALID, "not supported yet")
