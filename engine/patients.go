package engine

import (
	"context"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// CreatePatient validates and stores a new patient.
func (e *Engine) CreatePatient(ctx context.Context, a carepath.Actor, np carepath.NewPatient) (carepath.Patient, error) {
	if err := np.Validate(); err != nil {
		return carepath.Patient{}, err
	}
	var p carepath.Patient
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if p, err = q.PatientInsert(ctx, uuid.NewString(), np); err != nil {
			return err
		}
		return audit(ctx, q, a, "patient.create", p.ID, "patient/"+p.ID)
	})
	return p, err
}

// PatientSegments changes the tags and/or condition codes of a patient; a
// field left out (nil) stays as it is, an empty list clears it.
type PatientSegments struct {
	Tags       *[]string `json:"tags"`
	Conditions *[]string `json:"conditions"`
}

// UpdatePatientSegments replaces a patient's tags and/or conditions.
func (e *Engine) UpdatePatientSegments(ctx context.Context, a carepath.Actor, id string, in PatientSegments) (carepath.Patient, error) {
	if err := validID(id, "patient"); err != nil {
		return carepath.Patient{}, err
	}
	if in.Tags == nil && in.Conditions == nil {
		return carepath.Patient{}, carepath.Invalid("tags", "give tags, conditions or both")
	}
	var tags, conditions []string
	var err error
	if in.Tags != nil {
		if tags, err = carepath.NormalizeTags(*in.Tags); err != nil {
			return carepath.Patient{}, err
		}
	}
	if in.Conditions != nil {
		if conditions, err = carepath.NormalizeConditions(*in.Conditions); err != nil {
			return carepath.Patient{}, err
		}
	}
	var p store.PatientRecord
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		if p, err = q.PatientGet(ctx, id); err != nil {
			return err
		}
		if p.Tags, p.Conditions, p.UpdatedAt, err = q.PatientSegmentsSet(ctx, id, tags, conditions); err != nil {
			return err
		}
		return audit(ctx, q, a, "patient.update", id, "patient/"+id)
	})
	return p.Patient, err
}

// GetPatient returns a patient or ENOTFOUND.
func (e *Engine) GetPatient(ctx context.Context, a carepath.Actor, id string) (carepath.Patient, error) {
	if err := validID(id, "patient"); err != nil {
		return carepath.Patient{}, err
	}
	var p store.PatientRecord
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if p, err = q.PatientGet(ctx, id); err != nil {
			return err
		}
		return audit(ctx, q, a, "patient.read", id, "patient/"+id)
	})
	return p.Patient, err
}

// patientExists returns ENOTFOUND for an unknown or malformed patient ID.
func patientExists(ctx context.Context, q *store.Queries, id string) error {
	if err := validID(id, "patient"); err != nil {
		return err
	}
	_, err := q.PatientGet(ctx, id)
	return err
}

// MaxPageSize bounds every listing.
const MaxPageSize = 500

// ListMessages returns a patient's message timeline, newest first.
func (e *Engine) ListMessages(ctx context.Context, a carepath.Actor, patientID string, limit int) ([]carepath.Message, error) {
	var out []carepath.Message
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := patientExists(ctx, q, patientID); err != nil {
			return err
		}
		var err error
		if out, err = q.MessagesByPatient(ctx, patientID, limit); err != nil {
			return err
		}
		return audit(ctx, q, a, "message.list", patientID, "patient/"+patientID+"/messages")
	})
	return out, err
}

// GetMessage returns one message, for a care team reading the message
// behind a task (a reply from a shared or unknown number belongs to no
// patient's timeline). The read is audited.
func (e *Engine) GetMessage(ctx context.Context, a carepath.Actor, id string) (carepath.Message, error) {
	if err := validID(id, "message"); err != nil {
		return carepath.Message{}, err
	}
	var m carepath.Message
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if m, err = q.MessageGet(ctx, id); err != nil {
			return err
		}
		return audit(ctx, q, a, "message.read", m.PatientID, "message/"+id)
	})
	return m, err
}
