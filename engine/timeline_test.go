package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// The timeline merges every source about a patient, newest first, with
// ties broken by key; paging by cursor returns the same list without gaps
// or repeats; each kind carries its fields; a contact change names the
// field and the actor, never the value; the read is audited.
func TestPatientTimelineMergesEveryKind(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, false)
	pool := testenv.Pool(t)
	pid := newTestPatient(t, e)
	base := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	at := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	enr, q, out, in, task, obs := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	exec(`INSERT INTO enrollments (id, patient_id, journey, status, outcome, workflow_id, created_at, completed_at)
		VALUES ($1, $2, 'post_visit_checkin', 'completed', 'worse', $3, $4, $5)`, enr, pid, carepath.EnrollmentWorkflowID(enr), at(1), at(8))
	exec(`INSERT INTO questions (id, enrollment_id, patient_id, workflow_id, question_key, status, asked_at, answered_at)
		VALUES ($1, $2, $3, 'wf', 'feeling', 'answered', $4, $5)`, q, enr, pid, at(2), at(3))
	// Sent at the same instant as the question: the key decides.
	exec(`INSERT INTO messages (id, patient_id, enrollment_id, direction, channel, template, body, status, status_reason, purpose, created_at, deferred_until)
		VALUES ($1, $2, $3, 'outbound', 'sms', 'post_visit.feeling', 'How are you feeling?', 'suppressed', 'opted_out', 'care', $4, $5)`, out, pid, enr, at(2), at(30))
	exec(`INSERT INTO messages (id, patient_id, direction, channel, body, status, created_at)
		VALUES ($1, $2, 'inbound', 'sms', '3', 'received', $3)`, in, pid, at(3))
	exec(`INSERT INTO tasks (id, patient_id, enrollment_id, priority, status, reason, created_at)
		VALUES ($1, $2, $3, 'urgent', 'acknowledged', 'patient reports feeling worse after visit', $4)`, task, pid, enr, at(4))
	exec(`INSERT INTO task_events (task_id, at, kind, actor) VALUES ($1, $2, 'raised', ''), ($1, $3, 'acknowledged', 'api_key:nurse')`, task, at(4), at(5))
	exec(`INSERT INTO observations (id, patient_id, code, value, unit, effective_at, original_value, original_unit)
		VALUES ($1, $2, 'blood_glucose', 300.0, 'mg/dL', $3, 16.65, 'mmol/L')`, obs, pid, at(6))
	if err := e.Store.ConsentAppend(ctx, store.Recipient{PatientID: pid}, store.ConsentChange{Channel: carepath.ChannelSMS,
		Purpose: carepath.PurposeOutreach, Granted: false, Source: "verbal", Reason: "asked at the clinic", EffectiveAt: at(7)}); err != nil {
		t.Fatal(err)
	}
	newPhone := fmt.Sprintf("+1444%07d", phoneSeq.Add(1)%10_000_000)
	nurse := carepath.Actor{Kind: carepath.ActorAPIKey, ID: "nurse"}
	if _, err := e.UpdatePatient(ctx, nurse, pid, PatientUpdate{Phone: &newPhone}); err != nil {
		t.Fatal(err)
	}

	full, err := e.PatientTimeline(ctx, testActor, pid, "", MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range full.Items {
		got = append(got, it.Kind+":"+it.Ref)
	}
	want := []string{"contact:", "enrollment:" + enr, "consent:", "observation:" + obs, "task:" + task, "task:" + task,
		"message_in:" + in, "step:" + q, "message_out:" + out, "enrollment:" + enr}
	if len(got) != len(want) || full.Next != "" {
		t.Fatalf("timeline %v (next %q), want %v", got, full.Next, want)
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Fatalf("item %d is %s, want %s (all: %v)", i, got[i], w, got)
		}
	}
	fmt.Printf("timeline kinds: %v\n", got)
	byKind := map[string]TimelineItem{}
	for _, it := range full.Items {
		if _, seen := byKind[it.Kind]; !seen {
			byKind[it.Kind] = it
		}
	}
	check := func(kind, field string, wantValue any) {
		t.Helper()
		if v := byKind[kind].Fields[field]; fmt.Sprint(v) != fmt.Sprint(wantValue) {
			t.Errorf("%s.%s = %v, want %v", kind, field, v, wantValue)
		}
	}
	check("message_out", "status", "suppressed")
	check("message_out", "reason", "opted_out")
	check("message_out", "body", "How are you feeling?")
	check("message_out", "journey", "post_visit_checkin")
	check("message_out", "deferred_until", at(30).Format("2006-01-02T15:04:05+00:00"))
	check("message_in", "body", "3")
	check("step", "question", "feeling")
	check("step", "status", "answered")
	check("enrollment", "event", "ended")
	check("enrollment", "outcome", "worse")
	check("task", "event", "acknowledged")
	check("task", "actor", "api_key:nurse")
	check("observation", "canonical_value", 300)
	check("observation", "value", 16.65)
	check("observation", "unit", "mmol/L")
	check("observation", "flagged", true)
	check("consent", "granted", false)
	check("consent", "source", "verbal")
	check("consent", "reason", "asked at the clinic")
	check("contact", "field", "phone")
	if s := byKind["contact"].Summary; s != "phone changed by api_key:nurse" {
		t.Errorf("contact summary %q", s)
	}
	raw, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), newPhone) {
		t.Fatal("the timeline shows the new phone number")
	}
	for _, it := range full.Items {
		if it.Summary == "" || strings.Contains(it.Summary, "How are you") {
			t.Errorf("%s summary %q", it.Kind, it.Summary)
		}
	}

	// Pages of 3 walk the same list.
	var paged []string
	cursor := ""
	for range 10 {
		page, err := e.PatientTimeline(ctx, testActor, pid, cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			paged = append(paged, it.Kind+":"+it.Ref)
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	if fmt.Sprint(paged) != fmt.Sprint(got) {
		t.Fatalf("paged %v\nwant  %v", paged, got)
	}
	if _, err := e.PatientTimeline(ctx, testActor, pid, "not-a-cursor", 3); carepath.ErrorCode(err) != carepath.EINVALID {
		t.Fatalf("bad cursor: %v", err)
	}
	var audited int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'patient.read' AND patient_id = $1 AND resource = $2`,
		pid, "patient/"+pid+"/timeline").Scan(&audited); err != nil || audited < 5 {
		t.Fatalf("timeline reads audited %d times (%v)", audited, err)
	}

	// The readings read: by code and since.
	readings, err := e.ListObservations(ctx, testActor, pid, ObservationFilter{Code: "blood_glucose"}, 10)
	if err != nil || len(readings) != 1 || readings[0].CanonicalValue != 300 || !readings[0].Flagged || readings[0].Flag != "high" {
		t.Fatalf("observations: %+v %v", readings, err)
	}
	if readings, err = e.ListObservations(ctx, testActor, pid, ObservationFilter{Since: at(7)}, 10); err != nil || len(readings) != 0 {
		t.Fatalf("observations since after the reading: %+v %v", readings, err)
	}
	if _, err = e.ListObservations(ctx, testActor, pid, ObservationFilter{Code: "mood"}, 10); carepath.ErrorCode(err) != carepath.EINVALID {
		t.Fatalf("unknown code: %v", err)
	}
}
