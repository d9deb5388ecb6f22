package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

func TestFHIRResourcePutVersionsAndIdentifiers(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	p := newPatient(t, q, "+15550003333")

	r, err := q.FHIRResourcePut(ctx, store.FHIRResource{Type: "Patient", ID: "ehr-1", SourceVersion: "3",
		ContentHash: "h1", Content: json.RawMessage(`{"resourceType":"Patient","id":"ehr-1"}`), PatientID: p.ID,
		Ref: "patient/" + p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if r.Version != 1 || r.PatientID != p.ID {
		t.Fatalf("insert: %+v", r)
	}
	r2, err := q.FHIRResourcePut(ctx, store.FHIRResource{Type: "Patient", ID: "ehr-1", ContentHash: "h2",
		Content: json.RawMessage(`{"resourceType":"Patient","id":"ehr-1","active":true}`)})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Version != 2 || r2.PatientID != p.ID || r2.Ref != "patient/"+p.ID {
		t.Fatalf("update lost the patient or did not count: %+v", r2)
	}
	got, err := q.FHIRResourceGet(ctx, "Patient", "ehr-1")
	if err != nil || got.ContentHash != "h2" || got.SourceVersion != "" {
		t.Fatalf("get: %+v %v", got, err)
	}
	if _, err := q.FHIRResourceGet(ctx, "Patient", "nope"); carepath.ErrorCode(err) != carepath.ENOTFOUND {
		t.Fatalf("missing: %v", err)
	}

	// Identity both ways.
	if id, err := q.FHIRPatientID(ctx, p.ID); err != nil || id != "ehr-1" {
		t.Fatalf("FHIRPatientID = %q %v", id, err)
	}
	if pid, err := q.FHIRPatientOf(ctx, "ehr-1"); err != nil || pid != p.ID {
		t.Fatalf("FHIRPatientOf(stored) = %q %v", pid, err)
	}
	other := newPatient(t, q, "+15550004444")
	if pid, err := q.FHIRPatientOf(ctx, other.ID); err != nil || pid != other.ID {
		t.Fatalf("FHIRPatientOf(uuid) = %q %v", pid, err)
	}
	if id, err := q.FHIRPatientID(ctx, other.ID); err != nil || id != other.ID {
		t.Fatalf("FHIRPatientID(no stored) = %q %v", id, err)
	}
	for _, bad := range []string{"unknown", uuid.NewString()} {
		if _, err := q.FHIRPatientOf(ctx, bad); carepath.ErrorCode(err) != carepath.ENOTFOUND {
			t.Fatalf("FHIRPatientOf(%s): %v", bad, err)
		}
	}

	// Identifiers: set, find, conflict with another resource.
	mrn := store.FHIRIdentifier{System: "http://hospital.example/mrn", Value: "12345"}
	if err := q.FHIRIdentifiersSet(ctx, "Patient", "ehr-1", []store.FHIRIdentifier{mrn}); err != nil {
		t.Fatal(err)
	}
	if id, err := q.FHIRIdentifierFind(ctx, "Patient", mrn.System, mrn.Value); err != nil || id != "ehr-1" {
		t.Fatalf("find = %q %v", id, err)
	}
	if ids, err := q.FHIRIdentifierMatch(ctx, "Patient", "", "12345", true); err != nil || len(ids) != 1 {
		t.Fatalf("match any system = %v %v", ids, err)
	}
	if ids, err := q.FHIRIdentifierMatch(ctx, "Patient", "", "12345", false); err != nil || len(ids) != 0 {
		t.Fatalf("match empty system = %v %v", ids, err)
	}
	if _, err := q.FHIRResourcePut(ctx, store.FHIRResource{Type: "Patient", ID: "ehr-2", ContentHash: "h3",
		Content: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	err = q.FHIRIdentifiersSet(ctx, "Patient", "ehr-2", []store.FHIRIdentifier{{Value: "x"}, mrn})
	if carepath.ErrorCode(err) != carepath.ECONFLICT {
		t.Fatalf("identifier held by another resource: %v", err)
	}
}

func TestFHIRResourceListFiltersAndPages(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	p := newPatient(t, q, "+15550005555")
	for _, id := range []string{"a", "b", "c"} {
		pid := ""
		if id != "c" {
			pid = p.ID
		}
		if _, err := q.FHIRResourcePut(ctx, store.FHIRResource{Type: "Consent", ID: id, ContentHash: id,
			Content: json.RawMessage(`{}`), PatientID: pid}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := q.FHIRResourceList(ctx, "Consent", store.FHIRResourceFilter{PatientID: p.ID})
	if err != nil || len(all) != 2 {
		t.Fatalf("by patient: %d %v", len(all), err)
	}
	page, err := q.FHIRResourceList(ctx, "Consent", store.FHIRResourceFilter{Limit: 1})
	if err != nil || len(page) != 1 {
		t.Fatalf("page 1: %d %v", len(page), err)
	}
	rest, err := q.FHIRResourceList(ctx, "Consent", store.FHIRResourceFilter{AfterUpdated: &page[0].LastUpdated,
		AfterID: page[0].ID})
	if err != nil || len(rest) != 2 || rest[0].ID == page[0].ID {
		t.Fatalf("after cursor: %d %v", len(rest), err)
	}
	ids, err := q.FHIRResourceList(ctx, "Consent", store.FHIRResourceFilter{IDs: []string{"b", "zz"}})
	if err != nil || len(ids) != 1 || ids[0].ID != "b" {
		t.Fatalf("by id: %v %v", ids, err)
	}
	future := time.Now().Add(time.Hour)
	none, err := q.FHIRResourceList(ctx, "Consent", store.FHIRResourceFilter{UpdatedFrom: &future})
	if err != nil || len(none) != 0 {
		t.Fatalf("updated from the future: %d %v", len(none), err)
	}
	before, err := q.FHIRResourceList(ctx, "Consent", store.FHIRResourceFilter{UpdatedBefore: &future})
	if err != nil || len(before) != 3 {
		t.Fatalf("updated before the future: %d %v", len(before), err)
	}
}

func TestAppointmentFHIRUpsert(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	p := newPatient(t, q, "+15550006666")
	if _, found, err := q.AppointmentByFHIRIDLock(ctx, "appt-1"); err != nil || found {
		t.Fatalf("before insert: %v %v", found, err)
	}
	start := time.Now().Add(30 * time.Hour).UTC().Truncate(time.Second)
	a, err := q.AppointmentInsertFHIR(ctx, store.Appointment{ID: uuid.NewString(), PatientID: p.ID, FHIRID: "appt-1",
		Status: "booked", Start: &start})
	if err != nil || a.Version != 1 || a.PatientResponse != "needs-action" {
		t.Fatalf("insert: %+v %v", a, err)
	}
	a.Status = "cancelled"
	if a, err = q.AppointmentUpdateFHIR(ctx, a); err != nil || a.Version != 2 {
		t.Fatalf("update: %+v %v", a, err)
	}
	got, found, err := q.AppointmentByFHIRIDLock(ctx, "appt-1")
	if err != nil || !found || got.Status != "cancelled" || got.Version != 2 || !got.Start.Equal(start) {
		t.Fatalf("read back: %+v %v %v", got, found, err)
	}
}
