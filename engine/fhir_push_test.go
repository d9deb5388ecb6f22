package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/fakefault"
	"github.com/carepath/carepath/store"
)

func pushOptions(_ *Engine) PushOptions {
	o := DefaultPush
	o.Settle, o.Backoff, o.Types = 0, 0, []string{"Task", "Appointment"} // rendered by e.FHIRRender
	return o
}

func (r *ehrRig) task(t *testing.T, patientID string) string {
	t.Helper()
	id := uuid.NewString()
	r.exec(t, `INSERT INTO tasks (id, patient_id, priority, status, reason) VALUES ($1, $2, 'normal', 'open', 'test')`, id, patientID)
	return id
}

func (r *ehrRig) statusAtEHR(t *testing.T, typ, id string) string {
	t.Helper()
	b, ok := r.ehr.Resource(typ, id)
	if !ok {
		return ""
	}
	var res struct{ Status string }
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	return res.Status
}

func (r *ehrRig) pushOnce(t *testing.T, e *Engine, o PushOptions) Pushed {
	t.Helper()
	p, err := e.PushFHIROnce(context.Background(), r.link, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (r *ehrRig) cursor(t *testing.T, typ string) (pushed int64, attempts int) {
	t.Helper()
	cs, err := r.e.Store.FHIRPushCursors(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Type == typ {
			return c.Pushed, c.Attempts
		}
	}
	return 0, 0
}

func TestPushFaultsNeverLoseOrSkip(t *testing.T) {
	r := newEHRRig(t)
	o := pushOptions(r.e)
	p := newTestPatient(t, r.e)
	tasks := []string{r.task(t, p), r.task(t, p), r.task(t, p)}

	// The EHR stores the first Task and then answers 500: the push counts
	// as failed and the cursor stays.
	r.ehr.FailNext(1, fakefault.AcceptThenError)
	got := r.pushOnce(t, r.e, o)
	fmt.Printf("push with accept-then-500: %+v\n", got)
	if got.Failed != 1 || got.Accepted != 0 {
		t.Fatalf("first sweep %+v, want one failure and nothing else (the type waits)", got)
	}
	pushed, attempts := r.cursor(t, "Task")
	if pushed != 0 || attempts != 1 {
		t.Fatalf("cursor after the failure: pushed %d attempts %d", pushed, attempts)
	}
	stored := 0
	for _, id := range tasks {
		stored += r.ehr.Versions("Task", id)
	}
	if stored != 1 {
		t.Fatalf("EHR holds %d Task versions after one accepted-then-500, want 1", stored)
	}

	// Next sweep: the same Task again (the same content, harmless), then the rest.
	got = r.pushOnce(t, r.e, o)
	if got.Accepted != 3 || got.Failed != 0 {
		t.Fatalf("second sweep %+v, want 3 accepted", got)
	}
	if pushed, attempts = r.cursor(t, "Task"); pushed != 3 || attempts != 0 {
		t.Fatalf("cursor: pushed %d attempts %d", pushed, attempts)
	}
	versions := 0
	for _, id := range tasks {
		if s := r.statusAtEHR(t, "Task", id); s != "requested" {
			t.Fatalf("Task %s at the EHR: status %q", id, s)
		}
		versions += r.ehr.Versions("Task", id)
	}
	if versions != 4 {
		t.Fatalf("EHR Task versions %d, want 4 (one re-push)", versions)
	}

	// A 503 (not applied) leaves the change waiting; the EHR gets it later.
	r.exec(t, `UPDATE tasks SET status = 'resolved', resolved_at = now() WHERE id = $1`, tasks[1])
	r.ehr.RefuseNext(1, http.StatusServiceUnavailable)
	if got = r.pushOnce(t, r.e, o); got.Failed != 1 || got.Accepted != 0 {
		t.Fatalf("sweep during the outage %+v", got)
	}
	if s := r.statusAtEHR(t, "Task", tasks[1]); s != "requested" {
		t.Fatalf("a refused push changed the EHR: %q", s)
	}

	// A restarted pusher (another engine on the same database) continues
	// from the cursor: only the changed Task is sent.
	restarted := engineOn(t, r.url)
	o2 := pushOptions(restarted)
	before := len(r.ehr.Requests())
	if got = r.pushOnce(t, restarted, o2); got.Accepted != 1 || got.Failed != 0 {
		t.Fatalf("restarted sweep %+v, want exactly the changed Task", got)
	}
	if s := r.statusAtEHR(t, "Task", tasks[1]); s != "completed" {
		t.Fatalf("changed Task at the EHR: %q", s)
	}
	if n := len(r.ehr.Requests()) - before; n != 1 {
		t.Fatalf("restarted pusher made %d requests, want 1", n)
	}
	if got = r.pushOnce(t, restarted, o2); got != (Pushed{}) {
		t.Fatalf("nothing changed, yet %+v", got)
	}
}

func TestPushRejectedIsRecordedAndSkipped(t *testing.T) {
	r := newEHRRig(t)
	o := pushOptions(r.e)
	p := newTestPatient(t, r.e)
	bad, good := r.task(t, p), r.task(t, p)
	// bad was written first (its own transaction), so it is pushed first.
	r.ehr.RefuseNext(1, http.StatusUnprocessableEntity)
	got := r.pushOnce(t, r.e, o)
	if got.Rejected != 1 || got.Accepted != 1 {
		t.Fatalf("sweep %+v, want one rejected and one accepted", got)
	}
	var n int
	if err := r.e.Store.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM fhir_push_rejected WHERE resource_type = 'Task' AND id = $1 AND status = 422`, bad).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rejected rows %d %v", n, err)
	}
	if s := r.statusAtEHR(t, "Task", good); s != "requested" {
		t.Fatalf("the Task after the rejected one did not flow: %q", s)
	}
}

func TestPushBacksOffDurably(t *testing.T) {
	r := newEHRRig(t)
	o := pushOptions(r.e)
	o.Backoff = time.Hour
	p := newTestPatient(t, r.e)
	id := r.task(t, p)
	r.ehr.RefuseNext(1, http.StatusInternalServerError)
	if got := r.pushOnce(t, r.e, o); got.Failed != 1 {
		t.Fatalf("sweep %+v", got)
	}
	// Backing off: the next sweep, even by a restarted pusher, does not call the EHR.
	before := len(r.ehr.Requests())
	if got := r.pushOnce(t, engineOn(t, r.url), o); got != (Pushed{}) || len(r.ehr.Requests()) != before {
		t.Fatalf("a backing-off type was pushed: %+v", got)
	}
	if r.ehr.Versions("Task", id) != 0 {
		t.Fatal("the refused Task reached the EHR")
	}
}

func TestPushOnePusherAtATime(t *testing.T) {
	r := newEHRRig(t)
	p := newTestPatient(t, r.e)
	var ids []string
	for range 12 {
		ids = append(ids, r.task(t, p))
	}
	engines := []*Engine{r.e, engineOn(t, r.url), engineOn(t, r.url)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	for round := 0; round < 20; round++ {
		for _, e := range engines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := e.PushFHIROnce(context.Background(), r.link, pushOptions(e))
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				accepted += got.Accepted
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	fmt.Printf("three pushers, 12 tasks: %d accepted\n", accepted)
	if accepted != len(ids) {
		t.Fatalf("accepted %d, want %d: a row was pushed twice or not at all", accepted, len(ids))
	}
	for _, id := range ids {
		if v := r.ehr.Versions("Task", id); v != 1 {
			t.Fatalf("Task %s has %d versions at the EHR, want 1", id, v)
		}
	}
}

func TestPushAppointmentThePatientAnswered(t *testing.T) {
	r := newEHRRig(t)
	o := pushOptions(r.e)
	ctx := context.Background()
	pt, answered, quiet := fhirID("pt"), fhirID("ap"), fhirID("ap")
	start := time.Now().Add(40 * time.Hour).Truncate(time.Minute)
	// Both appointments come from the EHR, as in production.
	var entries []FHIREntry
	for _, res := range []map[string]any{subPatient(pt), subAppointment(answered, pt, "booked", 1, start), subAppointment(quiet, pt, "booked", 1, start)} {
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, FHIREntry{Method: "PUT", Type: res["resourceType"].(string), ID: res["id"].(string), Resource: b})
	}
	if _, err := r.e.FHIRWrite(ctx, testActor, entries, true); err != nil {
		t.Fatal(err)
	}
	if got := r.pushOnce(t, r.e, o); got != (Pushed{}) {
		t.Fatalf("appointments nobody answered were pushed: %+v", got)
	}
	var id, patientID string
	if err := r.e.Store.Pool.QueryRow(ctx, `SELECT id, patient_id FROM appointments WHERE fhir_id = $1`, answered).Scan(&id, &patientID); err != nil {
		t.Fatal(err)
	}
	// The patient's X, applied with the reply's time an hour back (the
	// journey's clock): it must still be pushed.
	if _, err := r.e.Store.AppointmentRespond(ctx, store.AppointmentResponse{AppointmentID: id, PatientID: patientID,
		Response: store.AppointmentCancelled, RespondedAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if got := r.pushOnce(t, r.e, o); got.Accepted != 1 {
		t.Fatalf("sweep %+v", got)
	}
	if s := r.statusAtEHR(t, "Appointment", answered); s != "cancelled" {
		t.Fatalf("Appointment at the EHR: %q", s)
	}
	if r.ehr.Versions("Appointment", quiet) != 0 {
		t.Fatal("an unanswered appointment was pushed")
	}
	lag, err := r.e.FHIRPushLag(ctx)
	if err != nil || lag["Appointment"] != 0 {
		t.Fatalf("lag %v %v", lag, err)
	}
}

func TestPushCommunicationsAndReadingsAsRendered(t *testing.T) {
	r := newEHRRig(t)
	o := pushOptions(r.e)
	o.Types = FHIRPushTypes
	p := newTestPatient(t, r.e)
	msg, reading, fromEHR := uuid.NewString(), uuid.NewString(), uuid.NewString()
	r.exec(t, `INSERT INTO messages (id, patient_id, direction, channel, body, status, to_address) VALUES ($1, $2, 'outbound', 'sms', 'See you soon', 'sent', '+15550001111')`, msg, p)
	// A text from a number carepath does not know stays in its inbox.
	r.exec(t, `INSERT INTO messages (id, patient_id, direction, channel, body, status, from_address) VALUES ($1, NULL, 'inbound', 'sms', 'who is this', 'received', '+15550009999')`, uuid.NewString())
	r.exec(t, `INSERT INTO observations (id, patient_id, code, value, unit, effective_at, source_id, original_value, original_unit)
		VALUES ($1, $2, 'heart_rate', 72, '/min', now(), 'sms:abc', 72, '/min')`, reading, p)
	r.exec(t, `INSERT INTO observations (id, patient_id, code, value, unit, effective_at, source_id, original_value, original_unit)
		VALUES ($1, $2, 'heart_rate', 64, '/min', now(), 'fhir:Observation/ehr-obs-1', 64, '/min')`, fromEHR, p)
	got := r.pushOnce(t, r.e, o)
	fmt.Printf("all types: %+v\n", got)
	if got.Accepted != 2 || got.Failed+got.Rejected+got.Skipped != 0 {
		t.Fatalf("sweep %+v, want the message and the patient's reading", got)
	}
	for typ, id := range map[string]string{"Communication": msg, "Observation": reading} {
		b, ok := r.ehr.Resource(typ, id)
		if !ok {
			t.Fatalf("%s/%s not at the EHR", typ, id)
		}
		var res struct{ ResourceType, ID string }
		if err := json.Unmarshal(b, &res); err != nil || res.ResourceType != typ || res.ID != id {
			t.Fatalf("%s at the EHR: %s", typ, b)
		}
	}
	if r.ehr.Versions("Observation", fromEHR) != 0 {
		t.Fatal("a reading the EHR sent was pushed back to it")
	}
}

func TestPushRenderFailures(t *testing.T) {
	r := newEHRRig(t)
	p := newTestPatient(t, r.e)
	first, second := r.task(t, p), r.task(t, p)
	o := pushOptions(r.e)
	o.Types = []string{"Task"}
	// A database hiccup while rendering: retried, the row is not passed.
	o.Render = func(context.Context, string, string) (json.RawMessage, error) {
		return nil, errors.New("connection reset")
	}
	if got := r.pushOnce(t, r.e, o); got.Failed != 1 || got.Accepted+got.Skipped != 0 {
		t.Fatalf("render error: %+v", got)
	}
	// A row carepath cannot render at all is skipped; the next one flows.
	o.Render = func(ctx context.Context, typ, id string) (json.RawMessage, error) {
		if id == first {
			return nil, carepath.Invalid("Task", "cannot be rendered")
		}
		return r.e.FHIRRender(ctx, typ, id)
	}
	if got := r.pushOnce(t, r.e, o); got.Skipped != 1 || got.Accepted != 1 {
		t.Fatalf("unrenderable row: %+v", got)
	}
	if r.ehr.Versions("Task", first) != 0 || r.ehr.Versions("Task", second) != 1 {
		t.Fatal("wrong Task reached the EHR")
	}
}
