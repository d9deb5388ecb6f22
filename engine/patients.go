package engine

import (
	"context"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
)

// CreatePatient validates and stores a new patient.
func (e *Engine) CreatePatient(ctx context.Context, np carepath.NewPatient) (carepath.Patient, error) {
	if err := np.Validate(); err != nil {
		return carepath.Patient{}, err
	}
	return e.Store.PatientInsert(ctx, uuid.NewString(), np)
}

// GetPatient returns a patient or ENOTFOUND.
func (e *Engine) GetPatient(ctx context.Context, id string) (carepath.Patient, error) {
	if err := validID(id, "patient"); err != nil {
		return carepath.Patient{}, err
	}
	p, err := e.Store.PatientGet(ctx, id)
	return p.Patient, err
}

// MaxPageSize bounds every listing.
const MaxPageSize = 500

// ListMessages returns a patient's message timeline, newest first.
func (e *Engine) ListMessages(ctx context.Context, patientID string, limit int) ([]carepath.Message, error) {
	if _, err := e.GetPatient(ctx, patientID); err != nil {
		return nil, err
	}
	return e.Store.MessagesByPatient(ctx, patientID, limit)
}
