package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// clinResource reads fhir/testdata/<name>.json (HL7-shaped examples) as
// sent for the patient: its subject is Patient/<patientID> (the carepath
// UUID is the patient's FHIR id until the EHR sends a Patient), then edit
// changes what the test needs.
func clinResource(t *testing.T, name, patientID string, edit func(m map[string]any)) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "fhir", "testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["subject"] = map[string]any{"reference": "Patient/" + patientID}
	// Each test writes the example under fresh ids: its business
	// identifiers would name another test's resource.
	delete(m, "identifier")
	if edit != nil {
		edit(m)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// withID is raw with its id set (a PUT's resource names its own id).
func withID(t *testing.T, raw json.RawMessage, id string) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m["id"] = id
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// clinPut writes one resource as PUT Type/id (an EHR's update-as-create).
func clinPut(t *testing.T, e *Engine, typ, id string, raw json.RawMessage) FHIRResult {
	t.Helper()
	res, err := e.FHIRWrite(context.Background(), testActor, []FHIREntry{{Method: "PUT", Type: typ, ID: id, Resource: withID(t, raw, id)}}, true)
	if err != nil {
		t.Fatalf("PUT %s/%s: %v", typ, id, err)
	}
	return res[0]
}

// fhirID is a fresh FHIR id for a test's resource.
func fhirID(prefix string) string { return prefix + "-" + uuid.NewString()[:13] }

// fhirObservations are the readings an Observation's writes recorded.
func fhirObservations(t *testing.T, id string) []struct {
	Value, Original float64
	Value2          *float64
	Unit, Sent      string
} {
	t.Helper()
	rows, err := testenv.Pool(t).Query(context.Background(), `SELECT value, value2, unit, original_value, original_unit
		FROM observations WHERE source_id = $1 OR source_id LIKE $2 ORDER BY created_at`, "fhir:Observation/"+id, "fhir:Observation/"+id+"/%")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []struct {
		Value, Original float64
		Value2          *float64
		Unit, Sent      string
	}
	for rows.Next() {
		var r struct {
			Value, Original float64
			Value2          *float64
			Unit, Sent      string
		}
		if err := rows.Scan(&r.Value, &r.Value2, &r.Unit, &r.Original, &r.Sent); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The check: an Observation of blood glucose far above range
// raises a task, in the write's own transaction, once however often the
// EHR re-sends it; an amendment with the same value records nothing
// again, a corrected value is a new reading judged again, and
// entered-in-error records nothing.
func TestFHIRObservationGlucoseFarAboveRangeRaisesTask(t *testing.T) {
	e := newTestEngine(t, false)
	pid := newTestPatient(t, e)
	id := fhirID("glu")
	raw := clinResource(t, "observation-glucose-high", pid, nil) // 450 mg/dL
	if res := clinPut(t, e, "Observation", id, raw); res.Status != 201 {
		t.Fatalf("first write: %+v", res)
	}
	tasks := readingTasks(t, e, pid)
	if len(tasks) != 1 || tasks[0].Priority != carepath.PriorityHigh || !strings.Contains(tasks[0].Note, "blood_glucose 450 mg/dL: high (> 250)") {
		t.Fatalf("tasks %+v, want one high-priority task for 450 mg/dL", tasks)
	}
	obs := fhirObservations(t, id)
	if len(obs) != 1 || obs[0].Value != 450 || obs[0].Unit != "mg/dL" {
		t.Fatalf("observations %+v", obs)
	}
	var ref string
	if err := testenv.Pool(t).QueryRow(context.Background(), `SELECT carepath_ref FROM fhir_resources WHERE resource_type = 'Observation' AND id = $1`,
		id).Scan(&ref); err != nil || !strings.HasPrefix(ref, "observation/") {
		t.Fatalf("fhir_resources ref %q: %v", ref, err)
	}

	if res := clinPut(t, e, "Observation", id, raw); !res.Unchanged {
		t.Fatalf("re-send: %+v, want unchanged", res)
	}
	amended := clinResource(t, "observation-glucose-high", pid, func(m map[string]any) { m["status"] = "amended" })
	if res := clinPut(t, e, "Observation", id, amended); res.Unchanged || res.Status != 200 {
		t.Fatalf("amended: %+v", res)
	}
	if n, k := len(fhirObservations(t, id)), len(readingTasks(t, e, pid)); n != 1 || k != 1 {
		t.Fatalf("after a re-send and an amendment with the same value: %d readings, %d tasks; want 1 and 1", n, k)
	}

	corrected := clinResource(t, "observation-glucose-high", pid, func(m map[string]any) {
		m["status"] = "corrected"
		m["valueQuantity"].(map[string]any)["value"] = 45
	})
	clinPut(t, e, "Observation", id, corrected)
	obs = fhirObservations(t, id)
	tasks = readingTasks(t, e, pid)
	if len(obs) != 2 || obs[1].Value != 45 || len(tasks) != 2 {
		t.Fatalf("corrected to 45: readings %+v, %d tasks; want a second reading and task", obs, len(tasks))
	}
	if !slices.ContainsFunc(tasks, func(tk carepath.Task) bool { return tk.Priority == carepath.PriorityUrgent }) {
		t.Errorf("45 mg/dL is severely low: tasks %+v", tasks)
	}
	// Read back, the EHR's Observation is one resource (its own id), not
	// also the reading the first value left behind shown as patient-reported.
	if got, _ := searchAll(t, e, "Observation", url.Values{"patient": {pid}}, 10); len(got) != 1 || got[0].ID != id {
		t.Errorf("Observation search after a correction: %+v, want only the stored Observation %s", got, id)
	}

	withdrawn := clinResource(t, "observation-glucose-high", pid, func(m map[string]any) { m["status"] = "entered-in-error" })
	clinPut(t, e, "Observation", id, withdrawn)
	if n := len(fhirObservations(t, id)); n != 2 {
		t.Fatalf("entered-in-error recorded a reading (%d)", n)
	}
}

// A blood-pressure panel becomes one reading from its components; an
// mmol/L glucose is converted to mg/dL and judged there.
func TestFHIRObservationPanelAndUnits(t *testing.T) {
	e := newTestEngine(t, false)
	pid := newTestPatient(t, e)

	bp := fhirID("bp")
	clinPut(t, e, "Observation", bp, clinResource(t, "observation-bloodpressure", pid, nil))
	obs := fhirObservations(t, bp)
	if len(obs) != 1 || obs[0].Value != 107 || obs[0].Value2 == nil || *obs[0].Value2 != 60 || obs[0].Unit != "mm[Hg]" {
		t.Fatalf("blood pressure %+v", obs)
	}
	if n := len(readingTasks(t, e, pid)); n != 0 {
		t.Fatalf("107/60 raised %d tasks", n)
	}
	crisis := fhirID("bp")
	clinPut(t, e, "Observation", crisis, clinResource(t, "observation-bloodpressure", pid, func(m map[string]any) {
		comps := m["component"].([]any)
		comps[0].(map[string]any)["valueQuantity"].(map[string]any)["value"] = 185
		comps[1].(map[string]any)["valueQuantity"].(map[string]any)["value"] = 100
	}))
	if tasks := readingTasks(t, e, pid); len(tasks) != 1 || !strings.Contains(tasks[0].Note, "blood_pressure 185/100 mm[Hg]: high (>= 180)") {
		t.Fatalf("185/100: tasks %+v", tasks)
	}

	glu := fhirID("f001")
	clinPut(t, e, "Observation", glu, clinResource(t, "observation-f001-glucose", pid, nil))
	obs = fhirObservations(t, glu)
	if len(obs) != 1 || obs[0].Value != 113.5 || obs[0].Unit != "mg/dL" || obs[0].Original != 6.3 || obs[0].Sent != "mmol/L" {
		t.Fatalf("6.3 mmol/L stored as %+v, want 113.5 mg/dL sent as 6.3 mmol/L", obs)
	}
	high := fhirID("f001")
	clinPut(t, e, "Observation", high, clinResource(t, "observation-f001-glucose", pid, func(m map[string]any) {
		m["valueQuantity"].(map[string]any)["value"] = 25
	}))
	tasks := readingTasks(t, e, pid)
	if len(tasks) != 2 || !slices.ContainsFunc(tasks, func(tk carepath.Task) bool {
		return strings.Contains(tk.Note, "blood_glucose 450.4 mg/dL: high") && strings.Contains(tk.Note, "sent as 25 mmol/L")
	}) {
		t.Fatalf("25 mmol/L: tasks %+v", tasks)
	}
}

// Bad Observations in a transaction: every bad entry's path is named,
// and nothing of the transaction is applied.
func TestFHIRObservationProblems(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, false)
	pid := newTestPatient(t, e)
	good := fhirID("glu")
	ids := []string{fhirID("ht"), fhirID("nosubj"), fhirID("unit"), good}
	entries := []FHIREntry{
		{Method: "PUT", Type: "Observation", ID: ids[0], Path: "Bundle.entry[0]",
			Resource: clinResource(t, "observation-glucose-high", pid, func(m map[string]any) {
				m["code"] = map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": "8302-2"}}}
			})},
		{Method: "PUT", Type: "Observation", ID: ids[1], Path: "Bundle.entry[1]",
			Resource: clinResource(t, "observation-glucose-high", pid, func(m map[string]any) { delete(m, "subject") })},
		{Method: "PUT", Type: "Observation", ID: ids[2], Path: "Bundle.entry[2]",
			Resource: clinResource(t, "observation-bloodpressure", pid, func(m map[string]any) {
				m["component"].([]any)[1].(map[string]any)["valueQuantity"].(map[string]any)["code"] = "kPa"
			})},
		{Method: "PUT", Type: "Observation", ID: good, Path: "Bundle.entry[3]", Resource: clinResource(t, "observation-glucose-high", pid, nil)},
	}
	for i := range entries {
		entries[i].Resource = withID(t, entries[i].Resource, ids[i])
	}
	_, err := e.FHIRWrite(ctx, testActor, entries, true)
	var ps carepath.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v, want problems", err)
	}
	var fields []string
	for _, p := range ps {
		fields = append(fields, p.Field)
	}
	for _, want := range []string{"Bundle.entry[0].resource.code", "Bundle.entry[1].resource.subject",
		"Bundle.entry[2].resource.component[1].valueQuantity.code"} {
		if !slices.Contains(fields, want) {
			t.Errorf("problems %v do not name %s", fields, want)
		}
	}
	if n := len(fhirObservations(t, good)); n != 0 || len(readingTasks(t, e, pid)) != 0 {
		t.Fatalf("a failed transaction applied its good entry (%d readings)", n)
	}

	// A patient carepath does not know: the subject is named.
	who := fhirID("who")
	_, err = e.FHIRWrite(ctx, testActor, []FHIREntry{{Method: "PUT", Type: "Observation", ID: who,
		Resource: withID(t, clinResource(t, "observation-glucose-high", uuid.NewString(), nil), who)}}, true)
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Field != "Observation.subject" {
		t.Fatalf("unknown patient: %v", err)
	}
}

// clinEnrollments lists the patient's enrollments of a journey: key →
// status, with the params of the last.
func clinEnrollments(t *testing.T, patientID, journey string) (map[string]string, map[string]any) {
	t.Helper()
	rows, err := testenv.Pool(t).Query(context.Background(), `SELECT journey_key, status, params FROM enrollments
		WHERE patient_id = $1 AND journey = $2 ORDER BY created_at`, patientID, journey)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out, params := map[string]string{}, map[string]any{}
	for rows.Next() {
		var key, status string
		if err := rows.Scan(&key, &status, &params); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[key]; dup {
			out[key] += "," + status
			continue
		}
		out[key] = status
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out, params
}

// appointmentFulfilled is an Appointment the EHR marks fulfilled.
func appointmentFulfilled(patientID string, start time.Time) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"resourceType": "Appointment", "status": "fulfilled",
		"start": start.UTC().Format(time.RFC3339), "end": start.Add(30 * time.Minute).UTC().Format(time.RFC3339),
		"participant": []any{map[string]any{"actor": map[string]any{"reference": "Patient/" + patientID}, "status": "accepted"}}})
	return b
}

// A finished Encounter starts the post-visit check-in; with the
// Appointment it fulfils arriving fulfilled too, before or after, there
// is still one check-in. In progress, or a visit long past, starts none.
func TestFHIREncounterFinishedStartsOneCheckin(t *testing.T) {
	testenv.Pool(t) // migrations
	x := startE2E(t, testenv.Get(t).DatabaseURL, 50, nil)
	e := x.e
	now := time.Now()
	encounter := func(pid, appt string, ended time.Time, status string) json.RawMessage {
		return clinResource(t, "encounter-finished", pid, func(m map[string]any) {
			m["status"] = status
			m["appointment"] = []any{map[string]any{"reference": "Appointment/" + appt}}
			m["period"] = map[string]any{"start": ended.Add(-40 * time.Minute).Format(time.RFC3339), "end": ended.Format(time.RFC3339)}
		})
	}
	for _, order := range []string{"encounter first", "appointment first"} {
		t.Run(order, func(t *testing.T) {
			pid := newTestPatient(t, e)
			appt, enc := fhirID("appt"), fhirID("enc")
			writeEnc := func() { clinPut(t, e, "Encounter", enc, encounter(pid, appt, now.Add(-time.Hour), "finished")) }
			writeAppt := func() { clinPut(t, e, "Appointment", appt, appointmentFulfilled(pid, now.Add(-2*time.Hour))) }
			if order == "encounter first" {
				writeEnc()
				writeAppt()
			} else {
				writeAppt()
				writeEnc()
			}
			writeEnc() // a re-send
			got, _ := clinEnrollments(t, pid, "post_visit_checkin")
			if len(got) != 1 || got[appt] != carepath.EnrollmentActive {
				t.Fatalf("post-visit check-ins %v, want one, active, keyed by the Appointment %s", got, appt)
			}
		})
	}
	t.Run("after the first check-in ended", func(t *testing.T) {
		// One event for the visit, not one per resource: the Appointment
		// arriving after the Encounter's check-in is over starts no second.
		pid := newTestPatient(t, e)
		appt, enc := fhirID("appt"), fhirID("enc")
		clinPut(t, e, "Encounter", enc, encounter(pid, appt, now.Add(-time.Hour), "finished"))
		enr, err := e.Store.EnrollmentActiveGet(context.Background(), pid, "post_visit_checkin", appt)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.CancelEnrollment(context.Background(), testActor, enr.ID); err != nil {
			t.Fatal(err)
		}
		waitEnrollment(t, pid, "post_visit_checkin", appt, carepath.EnrollmentCancelled)
		clinPut(t, e, "Appointment", appt, appointmentFulfilled(pid, now.Add(-2*time.Hour)))
		if got, _ := clinEnrollments(t, pid, "post_visit_checkin"); len(got) != 1 || got[appt] != carepath.EnrollmentCancelled {
			t.Fatalf("check-ins %v, want only the cancelled one", got)
		}
	})
	t.Run("without an appointment", func(t *testing.T) {
		pid := newTestPatient(t, e)
		enc := fhirID("enc")
		clinPut(t, e, "Encounter", enc, clinResource(t, "encounter-finished", pid, func(m map[string]any) {
			delete(m, "appointment")
			m["period"] = map[string]any{"end": now.Add(-time.Hour).Format(time.RFC3339)}
		}))
		if got, _ := clinEnrollments(t, pid, "post_visit_checkin"); len(got) != 1 || got[enc] != carepath.EnrollmentActive {
			t.Fatalf("check-ins %v, want one keyed by the Encounter", got)
		}
	})
	t.Run("in progress, or long past", func(t *testing.T) {
		pid := newTestPatient(t, e)
		clinPut(t, e, "Encounter", fhirID("enc"), encounter(pid, fhirID("appt"), now.Add(-time.Hour), "in-progress"))
		clinPut(t, e, "Encounter", fhirID("enc"), encounter(pid, fhirID("appt"), now.Add(-30*24*time.Hour), "finished"))
		if got, _ := clinEnrollments(t, pid, "post_visit_checkin"); len(got) != 0 {
			t.Fatalf("check-ins %v, want none", got)
		}
	})
}

// waitEnrollment waits (the worker runs the journey) until the patient's
// enrollment under key reaches status.
func waitEnrollment(t *testing.T, patientID, journey, key, status string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		got, _ := clinEnrollments(t, patientID, journey)
		if got[key] == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %s: %v, want %s", journey, key, got, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// An active CarePlan starts one treatment follow-up with the params its
// activities give; a prescription based on it joins it, one on its own
// starts its own; the plan revoked cancels its follow-up.
func TestFHIRCarePlanStartsTreatmentFollowup(t *testing.T) {
	testenv.Pool(t) // migrations
	x := startE2E(t, testenv.Get(t).DatabaseURL, 50, nil)
	e := x.e
	pid := newTestPatient(t, e)
	plan, med, own := fhirID("cp"), fhirID("mr"), fhirID("mr")

	clinPut(t, e, "CarePlan", plan, clinResource(t, "careplan-diabetes", pid, nil))
	got, params := clinEnrollments(t, pid, "treatment_followup")
	if len(got) != 1 || got[plan] != carepath.EnrollmentActive || params["code"] != "blood_glucose" || params["checkin_every"] != "24h0m0s" {
		t.Fatalf("follow-ups %v params %v, want one for the plan, glucose, daily", got, params)
	}
	clinPut(t, e, "MedicationRequest", med, clinResource(t, "medicationrequest-metformin", pid, func(m map[string]any) {
		m["basedOn"] = []any{map[string]any{"reference": "CarePlan/" + plan}}
	}))
	clinPut(t, e, "MedicationRequest", own, clinResource(t, "medicationrequest-lisinopril-standalone", pid, nil))
	got, params = clinEnrollments(t, pid, "treatment_followup")
	if len(got) != 2 || got[plan] != carepath.EnrollmentActive || got["medreq-"+own] != carepath.EnrollmentActive || params["code"] != "blood_pressure" {
		t.Fatalf("follow-ups %v (last params %v), want the plan's and medreq-%s (blood pressure)", got, params, own)
	}

	clinPut(t, e, "CarePlan", plan, clinResource(t, "careplan-diabetes", pid, func(m map[string]any) { m["status"] = "revoked" }))
	waitEnrollment(t, pid, "treatment_followup", plan, carepath.EnrollmentCancelled)
	clinPut(t, e, "MedicationRequest", own, clinResource(t, "medicationrequest-lisinopril-standalone", pid, func(m map[string]any) {
		m["status"] = "stopped"
	}))
	waitEnrollment(t, pid, "treatment_followup", "medreq-"+own, carepath.EnrollmentCancelled)
}

// A prescription based on a plan carepath has not received yet starts
// the plan's follow-up under the plan's key; the plan arriving after
// starts no second one.
func TestFHIRMedicationRequestBeforeItsCarePlan(t *testing.T) {
	e := newTestEngine(t, true)
	pid := newTestPatient(t, e)
	plan := fhirID("cp")
	clinPut(t, e, "MedicationRequest", fhirID("mr"), clinResource(t, "medicationrequest-metformin", pid, func(m map[string]any) {
		m["basedOn"] = []any{map[string]any{"reference": "CarePlan/" + plan}}
	}))
	clinPut(t, e, "CarePlan", plan, clinResource(t, "careplan-diabetes", pid, nil))
	if got, _ := clinEnrollments(t, pid, "treatment_followup"); len(got) != 1 || got[plan] != carepath.EnrollmentActive {
		t.Fatalf("follow-ups %v, want one keyed by the plan", got)
	}
}

// What an unchanged re-send drives again: the reading handed to the
// running follow-up (which judges it and raises its task under the
// reading's key), and a visit event recorded under the Appointment's
// source ID launched.
func TestFHIRClinicalRedo(t *testing.T) {
	ctx := context.Background()
	testenv.Pool(t) // migrations
	x := startE2E(t, testenv.Get(t).DatabaseURL, 50, nil)
	e := x.e
	pid := newTestPatient(t, e)
	clinPut(t, e, "CarePlan", fhirID("cp"), clinResource(t, "careplan-diabetes", pid, nil))

	obsID, glu := uuid.NewString(), fhirID("glu")
	stored := store.FHIRResource{Type: "Observation", ID: glu, PatientID: pid, Ref: "observation/" + obsID,
		Content: withID(t, clinResource(t, "observation-glucose-high", pid, nil), glu)}
	if err := redoFHIRObservation(ctx, e, testActor, stored); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		var n int
		if err := testenv.Pool(t).QueryRow(ctx, `SELECT count(*) FROM tasks WHERE patient_id = $1 AND dedupe_key = $2`,
			pid, carepath.TaskKeyReading(obsID)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the follow-up never judged the re-delivered reading")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The visit's event stored, its launch cut short (no enrollment yet).
	appt, enc := fhirID("appt"), fhirID("enc")
	if _, _, err := e.Store.EventInsert(ctx, store.Event{ID: uuid.NewString(), SourceID: fhirVisitEventID(appt), Type: "appointment.completed",
		PatientID: pid, OccurredAt: time.Now(), Data: json.RawMessage(`{"visit_id":"` + appt + `"}`)}); err != nil {
		t.Fatal(err)
	}
	encounter := clinResource(t, "encounter-finished", pid, func(m map[string]any) {
		m["appointment"] = []any{map[string]any{"reference": "Appointment/" + appt}}
		m["period"] = map[string]any{"end": time.Now().Add(-time.Hour).Format(time.RFC3339)}
	})
	if err := redoFHIREncounter(ctx, e, testActor, store.FHIRResource{Type: "Encounter", ID: enc, PatientID: pid,
		Content: withID(t, encounter, enc)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := clinEnrollments(t, pid, "post_visit_checkin"); len(got) != 1 || got[appt] != carepath.EnrollmentActive {
		t.Fatalf("check-ins %v, want the visit's", got)
	}

	// A prescription's event under the plan's source ID, launch cut short.
	plan := fhirID("cp")
	if _, _, err := e.Store.EventInsert(ctx, store.Event{ID: uuid.NewString(), SourceID: carePlanSourceID(plan), Type: "care_plan.started",
		PatientID: pid, OccurredAt: time.Now(), Data: json.RawMessage(`{"care_plan_id":"` + plan + `"}`)}); err != nil {
		t.Fatal(err)
	}
	mr := fhirID("mr")
	med := clinResource(t, "medicationrequest-metformin", pid, func(m map[string]any) {
		m["basedOn"] = []any{map[string]any{"reference": "CarePlan/" + plan}}
	})
	if err := redoFHIRMedicationRequest(ctx, e, testActor, store.FHIRResource{Type: "MedicationRequest", ID: mr, PatientID: pid,
		Content: withID(t, med, mr)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := clinEnrollments(t, pid, "treatment_followup"); got[plan] != carepath.EnrollmentActive {
		t.Fatalf("follow-ups %v, want the plan's", got)
	}
}
