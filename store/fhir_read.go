package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/answers"
)

// The rows FHIR reads render (package fhir's out_*.go): carepath's records
// with what a resource needs besides (the patient's FHIR id, the version,
// when the row last changed). Lists take FHIRResourceFilter, the same
// filter and keyset cursor as the stored resources' list.

// FHIRMessage is a message as a Communication renders it.
type FHIRMessage struct {
	carepath.Message
	CaregiverID   string // the caregiver it went to ("" for the patient's own)
	Purpose       carepath.Purpose
	DeliveredAt   *time.Time
	UpdatedAt     time.Time
	Version       int64
	PatientFHIRID string // "" when the message belongs to no patient
	// CaregiverFHIRID is the stored RelatedPerson the caregiver came from.
	CaregiverFHIRID string
	// For an inbound reply that answered a question: the question and the
	// message that asked it (or its reminder).
	QuestionID   string
	InResponseTo string
}

// FHIRTask is a task as a Task renders it.
type FHIRTask struct {
	carepath.Task
	AssignedTo, AssignedName string // a person who signs in
	AckStaffID, AckStaffName string // the paged staff member who acknowledged it
	AcknowledgedBy           string // the actor ("api_key:<id>", "staff:<id>", "user:<id>")
	UpdatedAt                time.Time
	Version                  int64
	PatientFHIRID            string
}

// FHIRQuestion is a journey question and its answer, as a
// QuestionnaireResponse renders it.
type FHIRQuestion struct {
	ID, EnrollmentID, PatientID string
	Journey, Key                string
	Accepts                     answers.Spec
	Status                      string // open, answered, closed
	AskedAt                     time.Time
	AnsweredAt                  *time.Time
	AnswerMessageID, AnswerBody string
	UpdatedAt                   time.Time
	Version                     int64
	PatientFHIRID               string
}

// FHIRObservation is a patient-reported reading (not one the EHR sent).
type FHIRObservation struct {
	Observation
	CreatedAt     time.Time
	PatientFHIRID string
}

// FHIRPatientRow is a patient created through /v1, with no stored Patient.
type FHIRPatientRow struct {
	PatientRecord
	Version int64
}

// FHIRAppointment is a stored Appointment with carepath's row for it.
type FHIRAppointment struct {
	Resource FHIRResource
	// From appointments; AppointmentID "" when carepath keeps no row.
	AppointmentID   string
	Status          string
	PatientResponse string
	Version         int64
	UpdatedAt       *time.Time
	PatientFHIRID   string
	LastUpdated     time.Time // the later of the resource's and the row's
}

// keysetArgs are the list queries' first seven parameters. uuidIDs drops
// ids that are no UUID (they name no row of a carepath table); ok is false
// when the filter named ids and none could match.
func keysetArgs(f FHIRResourceFilter, uuidIDs bool) (args []any, ok bool) {
	var patient, ids, afterAt, afterID any
	if f.PatientID != "" {
		patient = f.PatientID
	}
	if f.IDs != nil {
		keep := make([]string, 0, len(f.IDs))
		for _, id := range f.IDs {
			if !uuidIDs || uuid.Validate(id) == nil {
				keep = append(keep, id)
			}
		}
		if len(keep) == 0 {
			return nil, false
		}
		ids = keep
	}
	if f.AfterUpdated != nil {
		afterAt, afterID = *f.AfterUpdated, f.AfterID
		if uuidIDs && uuid.Validate(f.AfterID) != nil {
			afterID = uuid.Nil.String() // a cursor from another list: start of its instant
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	return []any{patient, f.UpdatedFrom, f.UpdatedBefore, ids, afterAt, afterID, limit}, true
}

// FHIRMessageList returns messages in (updated_at, id) order.
func (q *Queries) FHIRMessageList(ctx context.Context, f FHIRResourceFilter) ([]FHIRMessage, error) {
	args, ok := keysetArgs(f, true)
	if !ok {
		return nil, nil
	}
	rows, err := q.db.Query(ctx, stmt("FHIRMessageList"), args...)
	if err != nil {
		return nil, fmt.Errorf("list messages for FHIR: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (FHIRMessage, error) {
		var m FHIRMessage
		err := r.Scan(&m.ID, &m.PatientID, &m.EnrollmentID, &m.Direction, &m.Channel, &m.Template, &m.Body, &m.Status,
			&m.StatusReason, &m.Provider, &m.ProviderMessageID, &m.CreatedAt, &m.SentAt, &m.Author, &m.AuthorName,
			&m.CaregiverID, &m.Purpose, &m.DeliveredAt, &m.UpdatedAt, &m.Version, &m.PatientFHIRID, &m.CaregiverFHIRID,
			&m.QuestionID, &m.InResponseTo)
		return m, err
	})
	return out, wrapErr("list messages for FHIR", err)
}

// FHIRTaskList returns tasks in (updated_at, id) order, with one of the
// statuses when statuses is not nil.
func (q *Queries) FHIRTaskList(ctx context.Context, f FHIRResourceFilter, statuses []string) ([]FHIRTask, error) {
	args, ok := keysetArgs(f, true)
	if !ok {
		return nil, nil
	}
	var st any
	if statuses != nil {
		st = statuses
	}
	rows, err := q.db.Query(ctx, stmt("FHIRTaskList"), append(args, st)...)
	if err != nil {
		return nil, fmt.Errorf("list tasks for FHIR: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (FHIRTask, error) {
		var t FHIRTask
		err := r.Scan(&t.ID, &t.PatientID, &t.EnrollmentID, &t.MessageID, &t.Priority, &t.Status, &t.Reason, &t.Note,
			&t.CreatedAt, &t.AcknowledgedAt, &t.ResolvedAt, &t.EscalationLevel, &t.DueAt, &t.ResolvedNote,
			&t.AssignedTo, &t.AssignedName, &t.AckStaffID, &t.AckStaffName, &t.AcknowledgedBy,
			&t.UpdatedAt, &t.Version, &t.PatientFHIRID)
		return t, err
	})
	return out, wrapErr("list tasks for FHIR", err)
}

// FHIRQuestionList returns journey questions in (updated_at, id) order.
func (q *Queries) FHIRQuestionList(ctx context.Context, f FHIRResourceFilter) ([]FHIRQuestion, error) {
	args, ok := keysetArgs(f, true)
	if !ok {
		return nil, nil
	}
	rows, err := q.db.Query(ctx, stmt("FHIRQuestionList"), args...)
	if err != nil {
		return nil, fmt.Errorf("list questions for FHIR: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (FHIRQuestion, error) {
		var qu FHIRQuestion
		var accepts []byte
		err := r.Scan(&qu.ID, &qu.EnrollmentID, &qu.PatientID, &qu.Journey, &qu.Key, &accepts, &qu.Status, &qu.AskedAt,
			&qu.AnsweredAt, &qu.AnswerMessageID, &qu.AnswerBody, &qu.UpdatedAt, &qu.Version, &qu.PatientFHIRID)
		if err == nil && json.Unmarshal(accepts, &qu.Accepts) != nil {
			qu.Accepts = answers.Spec{} // an old row's plain list: any text
		}
		return qu, err
	})
	return out, wrapErr("list questions for FHIR", err)
}

// FHIRObservationList returns patient-reported readings in (created_at, id)
// order, leaving out the ones an EHR sent as Observations.
func (q *Queries) FHIRObservationList(ctx context.Context, f FHIRResourceFilter) ([]FHIRObservation, error) {
	args, ok := keysetArgs(f, true)
	if !ok {
		return nil, nil
	}
	rows, err := q.db.Query(ctx, stmt("FHIRObservationList"), args...)
	if err != nil {
		return nil, fmt.Errorf("list observations for FHIR: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (FHIRObservation, error) {
		var o FHIRObservation
		err := r.Scan(&o.ID, &o.PatientID, &o.Code, &o.Value, &o.Value2, &o.Unit, &o.OriginalValue, &o.OriginalValue2,
			&o.OriginalUnit, &o.EffectiveAt, &o.SourceID, &o.CreatedAt, &o.PatientFHIRID)
		return o, err
	})
	return out, wrapErr("list observations for FHIR", err)
}

// FHIRPatientRowList returns patients with no stored Patient resource in
// (updated_at, id) order.
func (q *Queries) FHIRPatientRowList(ctx context.Context, f FHIRResourceFilter) ([]FHIRPatientRow, error) {
	args, ok := keysetArgs(f, true)
	if !ok {
		return nil, nil
	}
	rows, err := q.db.Query(ctx, stmt("FHIRPatientRowList"), args...)
	if err != nil {
		return nil, fmt.Errorf("list patients for FHIR: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (FHIRPatientRow, error) {
		var p FHIRPatientRow
		err := r.Scan(&p.ID, &p.GivenName, &p.FamilyName, &p.BirthDate, &p.Phone, &p.Email, &p.Locale, &p.Timezone,
			&p.PreferredChannel, &p.PhoneStatus, &p.EmailStatus, &p.CreatedAt, &p.UpdatedAt, &p.Version)
		return p, err
	})
	return out, wrapErr("list patients for FHIR", err)
}

// FHIRAppointmentList returns stored Appointments with carepath's rows, in
// (last updated, id) order.
func (q *Queries) FHIRAppointmentList(ctx context.Context, f FHIRResourceFilter) ([]FHIRAppointment, error) {
	args, ok := keysetArgs(f, false)
	if !ok {
		return nil, nil
	}
	rows, err := q.db.Query(ctx, stmt("FHIRAppointmentList"), args...)
	if err != nil {
		return nil, fmt.Errorf("list appointments for FHIR: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (FHIRAppointment, error) {
		var a FHIRAppointment
		var content []byte
		res := &a.Resource
		err := r.Scan(&res.Type, &res.ID, &res.Version, &res.SourceVersion, &res.ContentHash, &content, &res.PatientID,
			&res.Ref, &res.LastUpdated, &a.AppointmentID, &a.Status, &a.PatientResponse, &a.Version, &a.UpdatedAt,
			&a.PatientFHIRID, &a.LastUpdated)
		res.Content = content
		return a, err
	})
	return out, wrapErr("list appointments for FHIR", err)
}

// FHIRMessageIDByProvider returns the message a provider's message ID
// names, or "" when none does.
func (q *Queries) FHIRMessageIDByProvider(ctx context.Context, provider, providerMessageID string) (string, error) {
	var id string
	err := q.db.QueryRow(ctx, stmt("FHIRMessageIDByProvider"), provider, providerMessageID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return id, wrapErr("find message by provider id", err)
}
