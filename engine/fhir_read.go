package engine

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/fhir"
	"github.com/carepath/carepath/store"
)

// What carepath did, as FHIR (issue 14, item 2): messages as
// Communication, tasks as Task, journey questions as QuestionnaireResponse,
// patient-reported readings as Observation, and what the EHR sent (Patient,
// Appointment with carepath's changes, and the other stored types). The
// renderers are package fhir's (out_*.go); here they get their rows, in
// one transaction, audited like the /v1 reads.

// fhirStoredTypes are read back as the EHR sent them (fhir_resources).
var fhirStoredTypes = []string{"RelatedPerson", "Encounter", "CarePlan", "MedicationRequest", "Consent"}

// fhirListers are the sources of a type's resources.
func fhirListers(typ string) ([]fhirLister, error) {
	switch typ {
	case "Communication":
		return []fhirLister{listCommunications}, nil
	case "Task":
		return []fhirLister{listTasks}, nil
	case "QuestionnaireResponse":
		return []fhirLister{listQuestionnaireResponses}, nil
	case "Observation":
		return []fhirLister{listReadings, listStored("Observation")}, nil
	case "Patient":
		return []fhirLister{listPatientRows, listStored("Patient")}, nil
	case "Appointment":
		return []fhirLister{listAppointments}, nil
	}
	if slices.Contains(fhirStoredTypes, typ) {
		return []fhirLister{listStored(typ)}, nil
	}
	return nil, fhir.NotSupported(http.StatusNotFound, "resource type %s is not supported", typ)
}

// FHIRRead returns one resource (Type/id), audited as a read of the
// patient it is about; ENOTFOUND when there is none.
func (e *Engine) FHIRRead(ctx context.Context, a carepath.Actor, typ, id string) (json.RawMessage, error) {
	var out json.RawMessage
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		it, err := fhirGet(ctx, q, typ, id)
		if err != nil {
			return err
		}
		out = it.raw
		return audit(ctx, q, a, "fhir.read", it.patientID, "fhir/"+typ+"/"+id)
	})
	return out, err
}

// FHIRRender renders one resource for carepath's own use (the EHR pusher),
// with no audit row per person: the push itself is the record.
func (e *Engine) FHIRRender(ctx context.Context, typ, id string) (json.RawMessage, error) {
	var out json.RawMessage
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		it, err := fhirGet(ctx, q, typ, id)
		out = it.raw
		return err
	})
	return out, err
}

func fhirGet(ctx context.Context, q *store.Queries, typ, id string) (fhirItem, error) {
	listers, err := fhirListers(typ)
	if err != nil {
		return fhirItem{}, err
	}
	if !fhir.ValidID(id) {
		return fhirItem{}, carepath.NotFound(typ)
	}
	items, _, err := fhirPage(ctx, q, listers, fhir.Search{IDs: []string{id}, Count: 1})
	if err != nil {
		return fhirItem{}, err
	}
	if len(items) == 0 {
		return fhirItem{}, carepath.NotFound(typ)
	}
	return items[0], nil
}

func listCommunications(ctx context.Context, q *store.Queries, f store.FHIRResourceFilter, _ fhir.Search) ([]fhirItem, error) {
	rows, err := q.FHIRMessageList(ctx, f)
	return renderAll(rows, err, fhir.Communication, func(m store.FHIRMessage) fhirItem {
		return fhirItem{id: m.ID, updated: m.UpdatedAt, patientID: m.PatientID}
	})
}

func listTasks(ctx context.Context, q *store.Queries, f store.FHIRResourceFilter, s fhir.Search) ([]fhirItem, error) {
	var statuses []string
	if s.Status != nil {
		statuses = []string{}
		for _, st := range s.Status {
			statuses = append(statuses, fhir.TaskStatuses(st)...)
		}
		if len(statuses) == 0 {
			return nil, nil // FHIR statuses carepath's tasks never have
		}
	}
	rows, err := q.FHIRTaskList(ctx, f, statuses)
	return renderAll(rows, err, fhir.Task, func(t store.FHIRTask) fhirItem {
		return fhirItem{id: t.ID, updated: t.UpdatedAt, patientID: t.PatientID}
	})
}

func listQuestionnaireResponses(ctx context.Context, q *store.Queries, f store.FHIRResourceFilter, _ fhir.Search) ([]fhirItem, error) {
	rows, err := q.FHIRQuestionList(ctx, f)
	return renderAll(rows, err, fhir.QuestionnaireResponse, func(qu store.FHIRQuestion) fhirItem {
		return fhirItem{id: qu.ID, updated: qu.UpdatedAt, patientID: qu.PatientID}
	})
}

func listReadings(ctx context.Context, q *store.Queries, f store.FHIRResourceFilter, _ fhir.Search) ([]fhirItem, error) {
	rows, err := q.FHIRObservationList(ctx, f)
	return renderAll(rows, err, fhir.Observation, func(o store.FHIRObservation) fhirItem {
		return fhirItem{id: o.ID, updated: o.CreatedAt, patientID: o.PatientID}
	})
}

func listPatientRows(ctx context.Context, q *store.Queries, f store.FHIRResourceFilter, _ fhir.Search) ([]fhirItem, error) {
	rows, err := q.FHIRPatientRowList(ctx, f)
	return renderAll(rows, err, fhir.Patient, func(p store.FHIRPatientRow) fhirItem {
		return fhirItem{id: p.ID, updated: p.UpdatedAt, patientID: p.ID}
	})
}

func listAppointments(ctx context.Context, q *store.Queries, f store.FHIRResourceFilter, _ fhir.Search) ([]fhirItem, error) {
	rows, err := q.FHIRAppointmentList(ctx, f)
	return renderAll(rows, err, fhir.Appointment, func(a store.FHIRAppointment) fhirItem {
		return fhirItem{id: a.Resource.ID, updated: a.LastUpdated, patientID: a.Resource.PatientID}
	})
}

// listStored lists what the EHR sent of a type, as stored.
func listStored(typ string) fhirLister {
	return func(ctx context.Context, q *store.Queries, f store.FHIRResourceFilter, _ fhir.Search) ([]fhirItem, error) {
		rows, err := q.FHIRResourceList(ctx, typ, f)
		return renderAll(rows, err, fhir.StoredResource, func(r store.FHIRResource) fhirItem {
			return fhirItem{id: r.ID, updated: r.LastUpdated, patientID: r.PatientID}
		})
	}
}

// renderAll renders a page of rows.
func renderAll[R any](rows []R, err error, render func(R) (json.RawMessage, error), item func(R) fhirItem) ([]fhirItem, error) {
	if err != nil {
		return nil, err
	}
	out := make([]fhirItem, 0, len(rows))
	for _, r := range rows {
		raw, err := render(r)
		if err != nil {
			return nil, err
		}
		it := item(r)
		it.raw = raw
		out = append(out, it)
	}
	return out, nil
}
