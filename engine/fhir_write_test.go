package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/fhir"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// The FHIR writes on the real PostgreSQL and Temporal (journeys are
// started, not run: no worker polls here, so signals stay in history).

var ehrActor = carepath.Actor{Kind: carepath.ActorAPIKey, ID: "ehr-test"}

const mrnSystem = "urn:oid:1.2.36.146.595.217.0.1"
const apptSystem = "http://example.org/sampleappointment-identifier"

func fhirPhone() string { return fmt.Sprintf("+1444%07d", phoneSeq.Add(1)%10_000_000) }

// hl7Patient is HL7's patient-example shape with a test's MRN and phone.
func hl7Patient(mrn, phone string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"resourceType":"Patient",
	  "extension":[{"url":"http://hl7.org/fhir/StructureDefinition/timezone","valueCode":"America/Chicago"}],
	  "identifier":[{"use":"usual","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},
	    "system":%q,"value":%q}],
	  "active":true,
	  "name":[{"use":"official","family":"Chalmers","given":["Peter","James"]},{"use":"usual","given":["Jim"]}],
	  "telecom":[{"use":"home"},{"system":"phone","value":%q,"use":"mobile","rank":1}],
	  "gender":"male","birthDate":"1974-12-25",
	  "communication":[{"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"en-US"}]},"preferred":true}]}`, mrnSystem, mrn, phone))
}

// hl7Appointment is HL7's appointment-example shape: the patient (a
// reference) and a practitioner taking part.
func hl7Appointment(ident, status, patientRef string, start time.Time) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"resourceType":"Appointment",
	  "identifier":[{"system":%q,"value":%q}],
	  "status":%q,
	  "serviceCategory":[{"coding":[{"system":"http://example.org/service-category","code":"gp","display":"General Practice"}]}],
	  "appointmentType":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0276","code":"FOLLOWUP","display":"A follow up visit from a previous appointment"}]},
	  "description":"Discussion on the results of your recent MRI",
	  "start":%q,"end":%q,"created":"2026-11-20",
	  "participant":[{"actor":{"reference":%q,"display":"Peter James Chalmers"},"required":"required","status":"needs-action"},
	                 {"actor":{"reference":"Practitioner/example","display":"Dr Adam Careful"},"required":"required","status":"accepted"}]}`,
		apptSystem, ident, status, start.UTC().Format(time.RFC3339), start.Add(30*time.Minute).UTC().Format(time.RFC3339), patientRef))
}

func cond(system, value string) url.Values { return url.Values{"identifier": {system + "|" + value}} }

func countRows(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := testenv.Pool(t).QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func problemFields(err error) []string {
	var ps carepath.Problems
	var ae *carepath.Error
	var out []string
	switch {
	case errors.As(err, &ps):
		for _, p := range ps {
			out = append(out, p.Field)
		}
	case errors.As(err, &ae):
		out = append(out, ae.Field)
	}
	return out
}

// The "Done when": a transaction with a Patient and a booked
// Appointment 30 hours out creates the patient, the appointment, the
// appointment.booked event and the reminders enrollment; the same Bundle
// sent again changes nothing.
func TestFHIRTransactionBooksAppointmentReminders(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, true)
	if _, ok := e.Journeys.Get("appointment_reminders"); !ok {
		t.Fatal("appointment_reminders is not registered")
	}
	mrn, apptIdent, phone := "MRN-"+uuid.NewString()[:8], "A-"+uuid.NewString()[:8], fhirPhone()
	patientURN, apptURN := "urn:uuid:"+uuid.NewString(), "urn:uuid:"+uuid.NewString()
	start := time.Now().Add(30 * time.Hour).UTC().Truncate(time.Second)
	bundle := func() []FHIREntry {
		return []FHIREntry{
			// The Appointment first: references to a Patient in the same
			// Bundle resolve whatever the order.
			{Method: http.MethodPut, Type: "Appointment", Condition: cond(apptSystem, apptIdent), FullURL: apptURN,
				Resource: hl7Appointment(apptIdent, "booked", patientURN, start), Path: "Bundle.entry[0]"},
			{Method: http.MethodPut, Type: "Patient", Condition: cond(mrnSystem, mrn), FullURL: patientURN,
				Resource: hl7Patient(mrn, phone), Path: "Bundle.entry[1]"},
		}
	}
	res, err := e.FHIRWrite(ctx, ehrActor, bundle(), true)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != http.StatusCreated || res[1].Status != http.StatusCreated || res[0].Type != "Appointment" || res[1].Type != "Patient" {
		t.Fatalf("results: %+v", res)
	}
	patientID, err := e.Store.FHIRPatientOf(ctx, res[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Store.PatientGet(ctx, patientID)
	if err != nil || p.Phone != phone || p.Timezone != "America/Chicago" || p.GivenName != "Peter" || p.FamilyName != "Chalmers" {
		t.Fatalf("patient: %+v %v", p, err)
	}
	appt, found, err := e.Store.AppointmentByFHIRIDLock(ctx, res[0].ID)
	if err != nil || !found || appt.Status != "booked" || !appt.Start.Equal(start) || appt.PatientID != patientID || appt.Version != 1 {
		t.Fatalf("appointment: %+v %v %v", appt, found, err)
	}
	var stored struct {
		Participant []struct {
			Actor struct{ Reference string } `json:"actor"`
		} `json:"participant"`
	}
	if err := json.Unmarshal(res[0].Resource, &stored); err != nil || stored.Participant[0].Actor.Reference != "Patient/"+res[1].ID {
		t.Fatalf("the stored Appointment's patient reference was not rewritten: %s", res[0].Resource)
	}
	events := `SELECT count(*) FROM events WHERE patient_id = $1 AND type = 'appointment.booked' AND data->>'appointment_id' = $2`
	enrolled := `SELECT count(*) FROM enrollments WHERE patient_id = $1 AND journey = 'appointment_reminders' AND journey_key = $2`
	if n := countRows(t, events, patientID, appt.ID); n != 1 {
		t.Fatalf("appointment.booked events: %d", n)
	}
	if n := countRows(t, enrolled, patientID, appt.ID); n != 1 {
		t.Fatalf("appointment_reminders enrollments: %d", n)
	}
	if n := countRows(t, `SELECT count(*) FROM audit_log WHERE action = 'fhir.create' AND actor = $1 AND resource = ANY($2)`,
		ehrActor.Name(), []string{"Patient/" + res[1].ID, "Appointment/" + res[0].ID}); n != 2 {
		t.Fatalf("fhir.create audited %d times, want 2", n)
	}

	again, err := e.FHIRWrite(ctx, ehrActor, bundle(), true)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range again {
		if !r.Unchanged || r.Status != http.StatusOK || r.ID != res[i].ID || r.Version != 1 {
			t.Fatalf("re-sent entry %d: %+v", i, r)
		}
	}
	if n := countRows(t, `SELECT count(*) FROM patients WHERE phone = $1`, phone); n != 1 {
		t.Fatalf("patients with the phone after a re-send: %d", n)
	}
	if n := countRows(t, events, patientID, appt.ID); n != 1 {
		t.Fatalf("appointment.booked events after a re-send: %d", n)
	}
	if n := countRows(t, enrolled, patientID, appt.ID); n != 1 {
		t.Fatalf("enrollments after a re-send: %d", n)
	}
	if a2, _, _ := e.Store.AppointmentByFHIRIDLock(ctx, res[0].ID); a2.Version != 1 {
		t.Fatalf("appointment version after a re-send: %d", a2.Version)
	}
}

// A transaction with bad entries names each bad path and applies nothing,
// not even its good entries.
func TestFHIRTransactionWithBadEntriesAppliesNothing(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, true)
	mrn, badMRN := "MRN-"+uuid.NewString()[:8], "MRN-"+uuid.NewString()[:8]
	good := hl7Patient(mrn, fhirPhone())
	var bad map[string]any
	if err := json.Unmarshal(hl7Patient(badMRN, fhirPhone()), &bad); err != nil {
		t.Fatal(err)
	}
	bad["birthDate"] = "1974-13-45"
	badRaw, _ := json.Marshal(bad)
	appt := json.RawMessage(`{"resourceType":"Appointment","status":"booked","start":"next tuesday",
		"participant":[{"actor":{"reference":"urn:uuid:2b2fc4ba-7b83-4e1a-9f31-2a64a8f0c0a1"},"status":"accepted"}]}`)
	_, err := e.FHIRWrite(ctx, ehrActor, []FHIREntry{
		{Method: http.MethodPut, Type: "Patient", Condition: cond(mrnSystem, mrn), FullURL: "urn:uuid:2b2fc4ba-7b83-4e1a-9f31-2a64a8f0c0a1",
			Resource: good, Path: "Bundle.entry[0]"},
		{Method: http.MethodPost, Type: "Patient", Resource: badRaw, Path: "Bundle.entry[1]"},
		{Method: http.MethodPost, Type: "Appointment", Resource: appt, Path: "Bundle.entry[2]"},
	}, true)
	if carepath.ErrorCode(err) != carepath.EINVALID {
		t.Fatalf("want invalid, got %v", err)
	}
	fields := problemFields(err)
	for _, want := range []string{"Bundle.entry[1].resource.birthDate", "Bundle.entry[2].resource.start"} {
		if !slices.Contains(fields, want) {
			t.Errorf("problems %v do not name %s", fields, want)
		}
	}
	if len(fields) != 2 {
		t.Errorf("problems %v: want exactly the two bad paths", fields)
	}
	status, body := fhir.Outcome(err)
	if status != http.StatusBadRequest {
		t.Fatalf("outcome status %d: %s", status, body)
	}
	if ids, err := e.Store.FHIRIdentifierMatch(ctx, "Patient", mrnSystem, mrn, false); err != nil || len(ids) != 0 {
		t.Fatalf("the good Patient of a failed transaction was stored: %v %v", ids, err)
	}
}

// Conditional update: no match creates, one match updates that resource,
// several are 412; If-None-Exist finds the existing one.
func TestFHIRConditionalUpdate(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, true)
	mrn, phone := "MRN-"+uuid.NewString()[:8], fhirPhone()
	put := func(res json.RawMessage, c url.Values) (FHIRResult, error) {
		out, err := e.FHIRWrite(ctx, ehrActor, []FHIREntry{{Method: http.MethodPut, Type: "Patient", Condition: c, Resource: res}}, true)
		if err != nil {
			return FHIRResult{}, err
		}
		return out[0], nil
	}
	first, err := put(hl7Patient(mrn, phone), cond(mrnSystem, mrn))
	if err != nil || first.Status != http.StatusCreated || first.Version != 1 {
		t.Fatalf("create: %+v %v", first, err)
	}
	newPhone := fhirPhone()
	second, err := put(hl7Patient(mrn, newPhone), cond(mrnSystem, mrn))
	if err != nil || second.Status != http.StatusOK || second.ID != first.ID || second.Version != 2 {
		t.Fatalf("update: %+v %v", second, err)
	}
	patientID, _ := e.Store.FHIRPatientOf(ctx, first.ID)
	if patientID != first.ID {
		t.Fatalf("a created Patient's id is its carepath UUID: %s vs %s", first.ID, patientID)
	}
	if p, err := e.Store.PatientGet(ctx, patientID); err != nil || p.Phone != newPhone {
		t.Fatalf("phone after update: %v %v", p.Phone, err)
	}
	if n := countRows(t, `SELECT count(*) FROM audit_log WHERE action = 'patient.contact_change' AND resource = $1`, "patient/"+patientID+"/phone"); n != 1 {
		t.Fatalf("contact change audited %d times", n)
	}
	// If-None-Exist: the existing resource, nothing written.
	created, err := e.FHIRWrite(ctx, ehrActor, []FHIREntry{{Method: http.MethodPost, Type: "Patient",
		Condition: cond(mrnSystem, mrn), Resource: hl7Patient(mrn, fhirPhone())}}, true)
	if err != nil || created[0].ID != first.ID || created[0].Status != http.StatusOK || created[0].Version != 2 {
		t.Fatalf("If-None-Exist: %+v %v", created, err)
	}
	// The same value in another system: a token without a system matches both.
	var other map[string]any
	_ = json.Unmarshal(hl7Patient(mrn, fhirPhone()), &other)
	other["identifier"] = []any{map[string]any{"system": "http://other.example/mrn", "value": mrn}}
	other["id"] = "ehr-" + mrn
	otherRaw, _ := json.Marshal(other)
	if _, err := e.FHIRWrite(ctx, ehrActor, []FHIREntry{{Method: http.MethodPut, Type: "Patient", ID: "ehr-" + mrn, Resource: otherRaw}}, true); err != nil {
		t.Fatal(err)
	}
	_, err = put(hl7Patient(mrn, phone), url.Values{"identifier": {mrn}})
	var se *fhir.StatusError
	if !errors.As(err, &se) || se.Status != http.StatusPreconditionFailed {
		t.Fatalf("two matches: %v, want 412", err)
	}
	// A second resource claiming an identifier the first holds: conflict.
	_, err = e.FHIRWrite(ctx, ehrActor, []FHIREntry{{Method: http.MethodPost, Type: "Patient", Resource: hl7Patient(mrn, fhirPhone())}}, true)
	if carepath.ErrorCode(err) != carepath.ECONFLICT {
		t.Fatalf("a create with a held identifier: %v, want conflict", err)
	}
	// PUT Type/id: the resource's id must be the URL's.
	_, err = e.FHIRWrite(ctx, ehrActor, []FHIREntry{{Method: http.MethodPut, Type: "Patient", ID: "someone-else", Resource: otherRaw}}, true)
	if f := problemFields(err); len(f) != 1 || f[0] != "Patient.id" {
		t.Fatalf("id mismatch: %v", err)
	}
}

// An older version arriving late is ignored; a newer one applies.
func TestFHIRStaleResourceIsIgnored(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, true)
	mrn, phone := "MRN-"+uuid.NewString()[:8], fhirPhone()
	id := "ehr-" + uuid.NewString()[:8]
	version := func(v string, phone string) json.RawMessage {
		var doc map[string]any
		_ = json.Unmarshal(hl7Patient(mrn, phone), &doc)
		doc["id"] = id
		doc["meta"] = map[string]any{"versionId": v, "lastUpdated": "2026-11-30T10:00:0" + v + "Z"}
		b, _ := json.Marshal(doc)
		return b
	}
	write := func(raw json.RawMessage) FHIRResult {
		t.Helper()
		res, err := e.FHIRWrite(ctx, ehrActor, []FHIREntry{{Method: http.MethodPut, Type: "Patient", ID: id, Resource: raw}}, true)
		if err != nil {
			t.Fatal(err)
		}
		return res[0]
	}
	if r := write(version("3", phone)); r.Status != http.StatusCreated {
		t.Fatalf("first: %+v", r)
	}
	if r := write(version("2", fhirPhone())); !r.Stale || r.Version != 1 {
		t.Fatalf("older version: %+v", r)
	}
	if r := write(version("3", phone)); !r.Unchanged {
		t.Fatalf("same version: %+v", r)
	}
	pid, _ := e.Store.FHIRPatientOf(ctx, id)
	if p, _ := e.Store.PatientGet(ctx, pid); p.Phone != phone {
		t.Fatal("a stale resource changed the patient")
	}
	newer := fhirPhone()
	if r := write(version("4", newer)); r.Status != http.StatusOK || r.Version != 2 {
		t.Fatalf("newer version: %+v", r)
	}
	if p, _ := e.Store.PatientGet(ctx, pid); p.Phone != newer {
		t.Fatal("a newer resource did not change the patient")
	}
}

// signalsTo counts the appointment signals in a workflow's history.
func signalsTo(t *testing.T, e *Engine, workflowID string) int {
	t.Helper()
	it := e.Temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := 0
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetWorkflowExecutionSignaledEventAttributes(); a != nil && a.GetSignalName() == workflows.SignalAppointment {
			n++
		}
	}
	return n
}

// An appointment's life in the EHR: booked starts the reminders, a move
// and a cancellation signal them; fulfilled starts the post-visit
// check-in; a no-show starts re-engagement's same-day follow-up.
func TestFHIRAppointmentLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, true)
	res, err := e.FHIRWrite(ctx, ehrActor, []FHIREntry{{Method: http.MethodPost, Type: "Patient",
		Resource: hl7Patient("MRN-"+uuid.NewString()[:8], fhirPhone())}}, true)
	if err != nil {
		t.Fatal(err)
	}
	patientRef, patientID := "Patient/"+res[0].ID, res[0].ID
	apptID := "appt-" + uuid.NewString()[:8]
	put := func(id, status string, start time.Time) {
		t.Helper()
		raw := hl7Appointment(id, status, patientRef, start)
		var doc map[string]any
		_ = json.Unmarshal(raw, &doc)
		doc["id"] = id
		raw, _ = json.Marshal(doc)
		if _, err := e.FHIRWrite(ctx, ehrActor, []FHIREntry{{Method: http.MethodPut, Type: "Appointment", ID: id, Resource: raw}}, true); err != nil {
			t.Fatalf("%s %s: %v", id, status, err)
		}
	}
	start := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	put(apptID, "booked", start)
	appt, _, _ := e.Store.AppointmentByFHIRIDLock(ctx, apptID)
	enr, err := e.Store.EnrollmentActiveGet(ctx, patientID, "appointment_reminders", appt.ID)
	if err != nil {
		t.Fatalf("reminders enrollment: %v", err)
	}
	moved := start.Add(24 * time.Hour)
	put(apptID, "booked", moved)
	if got := signalsTo(t, e, enr.WorkflowID); got != 1 {
		t.Fatalf("signals after a move: %d", got)
	}
	put(apptID, "cancelled", moved)
	if got := signalsTo(t, e, enr.WorkflowID); got != 2 {
		t.Fatalf("signals after a cancellation: %d", got)
	}
	appt, _, _ = e.Store.AppointmentByFHIRIDLock(ctx, apptID)
	if appt.Status != "cancelled" || appt.Version != 3 || !appt.Start.Equal(moved) {
		t.Fatalf("appointment after the changes: %+v", appt)
	}
	if n := countRows(t, `SELECT count(*) FROM enrollments WHERE patient_id = $1 AND journey = 'appointment_reminders'`, patientID); n != 1 {
		t.Fatalf("a move or cancellation started another reminders journey: %d", n)
	}

	visit := "appt-" + uuid.NewString()[:8]
	put(visit, "fulfilled", time.Now().Add(-time.Hour))
	if _, err := e.Store.EnrollmentActiveGet(ctx, patientID, "post_visit_checkin", visit); err != nil {
		t.Fatalf("post-visit check-in for the fulfilled appointment: %v", err)
	}
	if n := countRows(t, `SELECT count(*) FROM events WHERE source_id = $1 AND type = 'appointment.completed'`, "fhir:visit/"+visit); n != 1 {
		t.Fatalf("visit events: %d", n)
	}
	missed := "appt-" + uuid.NewString()[:8]
	put(missed, "noshow", time.Now().Add(-2*time.Hour))
	if n := countRows(t, `SELECT count(*) FROM events WHERE patient_id = $1 AND type = 'appointment.missed'`, patientID); n != 1 {
		t.Fatalf("missed events: %d", n)
	}
	if n := countRows(t, `SELECT count(*) FROM enrollments WHERE patient_id = $1 AND journey = 'reengagement'`, patientID); n != 1 {
		t.Fatalf("re-engagement enrollments: %d", n)
	}
	// An EHR backfilling old appointments starts no follow-ups.
	old := "appt-" + uuid.NewString()[:8]
	put(old, "fulfilled", time.Now().Add(-30*24*time.Hour))
	if n := countRows(t, `SELECT count(*) FROM events WHERE source_id = $1`, "fhir:visit/"+old); n != 0 {
		t.Fatalf("a month-old visit recorded %d events", n)
	}
	if _, found, _ := e.Store.AppointmentByFHIRIDLock(ctx, old); !found {
		t.Fatal("the old appointment was not kept")
	}
}

func TestFHIRRelatedPersonAndConsent(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, true)
	res, err := e.FHIRWrite(ctx, ehrActor, []FHIREntry{{Method: http.MethodPost, Type: "Patient",
		Resource: hl7Patient("MRN-"+uuid.NewString()[:8], fhirPhone())}}, true)
	if err != nil {
		t.Fatal(err)
	}
	patientID := res[0].ID
	rpID := "rp-" + uuid.NewString()[:8]
	related := func(patientRef, email string) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`{"resourceType":"RelatedPerson","id":%q,"active":true,
		  "patient":{"reference":%q},
		  "relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"WIFE","display":"wife"}]}],
		  "name":[{"use":"official","family":"Chalmers","given":["Mary"]}],
		  "telecom":[{"system":"phone","value":%q,"use":"mobile"},{"system":"email","value":%q}],
		  "gender":"female"}`, rpID, patientRef, fhirPhone(), email))
	}
	write := func(raw json.RawMessage) ([]FHIRResult, error) {
		return e.FHIRWrite(ctx, ehrActor, []FHIREntry{{Method: http.MethodPut, Type: "RelatedPerson", ID: rpID, Resource: raw}}, true)
	}
	if _, err := write(related("Patient/"+patientID, "mary@example.org")); err != nil {
		t.Fatal(err)
	}
	if _, err := write(related("Patient/"+patientID, "mary.c@example.org")); err != nil {
		t.Fatal(err)
	}
	cgs, err := e.Store.CaregiverList(ctx, patientID)
	if err != nil || len(cgs) != 1 || cgs[0].Email != "mary.c@example.org" || cgs[0].Relationship != "wife" || cgs[0].AuthorizedAt != nil {
		t.Fatalf("caregivers: %+v %v", cgs, err)
	}
	_, err = e.FHIRWrite(ctx, ehrActor, []FHIREntry{{Method: http.MethodPost, Type: "RelatedPerson",
		Resource: related("Patient/nobody-"+rpID, "x@example.org")}}, true)
	if f := problemFields(err); len(f) != 1 || f[0] != "RelatedPerson.patient.reference" {
		t.Fatalf("unknown patient: %v", err)
	}

	consent := func(id, typ, purpose string) json.RawMessage {
		p := ""
		if purpose != "" {
			p = fmt.Sprintf(`,"purpose":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":%q}]`, purpose)
		}
		return json.RawMessage(fmt.Sprintf(`{"resourceType":"Consent","id":%q,"status":"active",
		  "scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},
		  "category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],
		  "patient":{"reference":"Patient/%s"},"dateTime":%q,
		  "provision":{"type":%q,"code":[{"coding":[{"system":"http://hl7.org/fhir/contact-point-system","code":"sms"}]}]%s}}`,
			id, patientID, time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), typ, p))
	}
	grant := "c-" + uuid.NewString()[:8]
	if _, err := e.FHIRWrite(ctx, ehrActor, []FHIREntry{{Method: http.MethodPut, Type: "Consent", ID: grant, Resource: consent(grant, "permit", "")}}, true); err != nil {
		t.Fatal(err)
	}
	deny := "c-" + uuid.NewString()[:8]
	if _, err := e.FHIRWrite(ctx, ehrActor, []FHIREntry{{Method: http.MethodPut, Type: "Consent", ID: deny, Resource: consent(deny, "deny", "HMARKT")}}, true); err != nil {
		t.Fatal(err)
	}
	care, _, err := e.Store.ConsentState(ctx, patientID, carepath.ChannelSMS, carepath.PurposeCare)
	if err != nil || !care {
		t.Fatalf("sms care after permit: %v %v", care, err)
	}
	outreach, _, err := e.Store.ConsentState(ctx, patientID, carepath.ChannelSMS, carepath.PurposeOutreach)
	if err != nil || outreach {
		t.Fatalf("sms outreach after deny HMARKT: %v %v", outreach, err)
	}
	hist, err := e.Store.ConsentHistory(ctx, patientID, 10)
	if err != nil || !slices.ContainsFunc(hist, func(h store.ConsentEntry) bool { return h.Source == "fhir:Consent/"+deny && !h.Granted }) {
		t.Fatalf("ledger: %+v %v", hist, err)
	}
}

// A batch applies each entry on its own: a bad one fails alone.
func TestFHIRBatchAppliesTheGoodEntries(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, true)
	mrn1, mrn2 := "MRN-"+uuid.NewString()[:8], "MRN-"+uuid.NewString()[:8]
	var bad map[string]any
	_ = json.Unmarshal(hl7Patient(mrn2, fhirPhone()), &bad)
	delete(bad, "name")
	badRaw, _ := json.Marshal(bad)
	urn := "urn:uuid:" + uuid.NewString()
	res, err := e.FHIRWrite(ctx, ehrActor, []FHIREntry{
		{Method: http.MethodPost, Type: "Patient", FullURL: urn, Resource: hl7Patient(mrn1, fhirPhone()), Path: "Bundle.entry[0]"},
		{Method: http.MethodPost, Type: "Patient", Resource: badRaw, Path: "Bundle.entry[1]"},
		{Method: http.MethodPost, Type: "Appointment", Resource: hl7Appointment("A-"+mrn1, "booked", urn, time.Now().Add(80*time.Hour)), Path: "Bundle.entry[2]"},
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[0].Status != http.StatusCreated || res[2].Err != nil || res[2].Status != http.StatusCreated {
		t.Fatalf("good entries: %+v / %+v", res[0], res[2])
	}
	if f := problemFields(res[1].Err); len(f) == 0 || f[0] != "Bundle.entry[1].resource.name" {
		t.Fatalf("bad entry: %v", res[1].Err)
	}
	if ids, _ := e.Store.FHIRIdentifierMatch(ctx, "Patient", mrnSystem, mrn2, false); len(ids) != 0 {
		t.Fatal("the bad Patient was stored")
	}
}
