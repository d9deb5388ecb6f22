package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath"
)

// FHIRIdentifier is one business identifier of a stored resource.
type FHIRIdentifier struct {
	System string // "" when the sender gave none
	Value  string
}

// FHIRResourceGet returns a stored resource, or ENOTFOUND.
func (q *Queries) FHIRResourceGet(ctx context.Context, typ, id string) (FHIRResource, error) {
	r, err := scanFHIRResource(q.db.QueryRow(ctx, stmt("FHIRResourceGet"), typ, id))
	return r, wrapErr("get FHIR resource", notFound(err, typ))
}

// FHIRResourceLock returns a stored resource locked for the rest of the
// transaction (a concurrent write of the same resource waits), or
// ENOTFOUND.
func (q *Queries) FHIRResourceLock(ctx context.Context, typ, id string) (FHIRResource, error) {
	r, err := scanFHIRResource(q.db.QueryRow(ctx, stmt("FHIRResourceGetForUpdate"), typ, id))
	return r, wrapErr("lock FHIR resource", notFound(err, typ))
}

// FHIRResourcePut stores r: inserted at version 1, or replacing the stored
// content at version+1, last_updated now. An empty PatientID or Ref keeps
// what was stored. It returns the row as stored.
func (q *Queries) FHIRResourcePut(ctx context.Context, r FHIRResource) (FHIRResource, error) {
	err := q.db.QueryRow(ctx, stmt("FHIRResourcePut"), r.Type, r.ID, r.SourceVersion, r.ContentHash, []byte(r.Content),
		r.PatientID, r.Ref).Scan(&r.Version, &r.PatientID, &r.Ref, &r.LastUpdated)
	if err != nil {
		return FHIRResource{}, fmt.Errorf("put FHIR resource: %w", err)
	}
	return r, nil
}

// FHIRIdentifiersSet replaces a stored resource's business identifiers.
// An identifier another resource of the type already holds is ECONFLICT
// naming it by index (identifier[i]); nothing about it is in the message.
func (q *Queries) FHIRIdentifiersSet(ctx context.Context, typ, id string, ids []FHIRIdentifier) error {
	if _, err := q.db.Exec(ctx, stmt("FHIRIdentifiersDelete"), typ, id); err != nil {
		return fmt.Errorf("clear FHIR identifiers: %w", err)
	}
	for i, ident := range ids {
		var holder string
		if err := q.db.QueryRow(ctx, stmt("FHIRIdentifierInsert"), typ, ident.System, ident.Value, id).Scan(&holder); err != nil {
			return fmt.Errorf("insert FHIR identifier: %w", err)
		}
		if holder != id {
			return &carepath.Error{Code: carepath.ECONFLICT, Field: fmt.Sprintf("%s.identifier[%d]", typ, i),
				Message: "another " + typ + " already has this identifier"}
		}
	}
	return nil
}

// FHIRIdentifiersOf returns a stored resource's business identifiers.
func (q *Queries) FHIRIdentifiersOf(ctx context.Context, typ, id string) ([]FHIRIdentifier, error) {
	rows, err := q.db.Query(ctx, stmt("FHIRIdentifiersOf"), typ, id)
	if err != nil {
		return nil, fmt.Errorf("FHIR identifiers: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (FHIRIdentifier, error) {
		var i FHIRIdentifier
		return i, r.Scan(&i.System, &i.Value)
	})
	return out, wrapErr("FHIR identifiers", err)
}

// FHIRIdentifierFind returns the id of the resource of the type holding
// system|value, or ENOTFOUND.
func (q *Queries) FHIRIdentifierFind(ctx context.Context, typ, system, value string) (string, error) {
	var id string
	err := q.db.QueryRow(ctx, stmt("FHIRIdentifierFind"), typ, system, value).Scan(&id)
	return id, wrapErr("find FHIR identifier", notFound(err, typ))
}

// FHIRIdentifierMatch returns the ids (up to 10) of resources of the type
// with an identifier of that value, in that system or, when anySystem, in
// any (FHIR's identifier=value token). Conditional update needs to tell
// none, one and several apart.
func (q *Queries) FHIRIdentifierMatch(ctx context.Context, typ, system, value string, anySystem bool) ([]string, error) {
	var sys any = system
	if anySystem {
		sys = nil
	}
	return collectStrings(ctx, q.db, stmt("FHIRIdentifierMatch"), typ, sys, value)
}

// FHIRPatientID returns a carepath patient's FHIR Patient id: the id of the
// Patient resource stored for them (the EHR's), else the carepath UUID.
func (q *Queries) FHIRPatientID(ctx context.Context, patientID string) (string, error) {
	var id string
	err := q.db.QueryRow(ctx, stmt("FHIRPatientID"), patientID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return patientID, nil
	}
	return id, wrapErr("FHIR patient id", err)
}

// FHIRPatientOf returns the carepath patient a FHIR Patient id names: the
// stored Patient resource's patient, else a carepath patient's UUID;
// ENOTFOUND otherwise.
func (q *Queries) FHIRPatientOf(ctx context.Context, fhirID string) (string, error) {
	var patientID string
	err := q.db.QueryRow(ctx, stmt("FHIRPatientOfStored"), fhirID).Scan(&patientID)
	switch {
	case err == nil && patientID != "":
		return patientID, nil
	case err != nil && !errors.Is(err, pgx.ErrNoRows):
		return "", fmt.Errorf("FHIR patient: %w", err)
	}
	if uuid.Validate(fhirID) != nil {
		return "", fmt.Errorf("FHIR patient: %w", carepath.NotFound("Patient"))
	}
	var exists bool
	if err := q.db.QueryRow(ctx, stmt("FHIRPatientExists"), fhirID).Scan(&exists); err != nil {
		return "", fmt.Errorf("FHIR patient: %w", err)
	}
	if !exists {
		return "", fmt.Errorf("FHIR patient: %w", carepath.NotFound("Patient"))
	}
	return fhirID, nil
}

// FHIRResourceFilter narrows FHIRResourceList. Zero fields do not filter.
type FHIRResourceFilter struct {
	PatientID     string     // the carepath patient
	UpdatedFrom   *time.Time // last_updated >= UpdatedFrom
	UpdatedBefore *time.Time // last_updated < UpdatedBefore
	IDs           []string
	// After is the keyset cursor: rows after (AfterUpdated, AfterID) in
	// (last_updated, id) order, the order the list is in.
	AfterUpdated *time.Time
	AfterID      string
	Limit        int // default 50
}

// FHIRResourceList returns stored resources of a type in (last_updated, id)
// order.
func (q *Queries) FHIRResourceList(ctx context.Context, typ string, f FHIRResourceFilter) ([]FHIRResource, error) {
	var patient, ids any
	if f.PatientID != "" {
		patient = f.PatientID
	}
	if f.IDs != nil {
		ids = f.IDs
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := q.db.Query(ctx, stmt("FHIRResourceList"), typ, patient, f.UpdatedFrom, f.UpdatedBefore, ids,
		f.AfterUpdated, f.AfterID, limit)
	if err != nil {
		return nil, fmt.Errorf("list FHIR resources: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (FHIRResource, error) { return scanFHIRResource(r) })
	return out, wrapErr("list FHIR resources", err)
}

func scanFHIRResource(row pgx.Row) (FHIRResource, error) {
	var r FHIRResource
	var content []byte
	err := row.Scan(&r.Type, &r.ID, &r.Version, &r.SourceVersion, &r.ContentHash, &content, &r.PatientID, &r.Ref, &r.LastUpdated)
	r.Content = content
	return r, err
}

// FHIREventsOf returns the newest events (up to limit) whose source ID
// starts with prefix ("fhir:Appointment/123/"): what a resource's writes
// triggered, for a re-send to drive again (their launches are idempotent).
func (q *Queries) FHIREventsOf(ctx context.Context, prefix string, limit int) ([]Event, error) {
	rows, err := q.db.Query(ctx, stmt("FHIREventsOf"), likeEscape(prefix), limit)
	if err != nil {
		return nil, fmt.Errorf("FHIR events: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Event, error) {
		var e Event
		var data []byte
		err := r.Scan(&e.ID, &e.SourceID, &e.Type, &e.PatientID, &e.OccurredAt, &data)
		e.Data = data
		return e, err
	})
	return out, wrapErr("FHIR events", err)
}

// likeEscape escapes LIKE's wildcards (ids may hold neither, but a prefix
// is data).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
