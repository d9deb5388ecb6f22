package engine

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// readingTasks lists the patient's out-of-range reading tasks.
func readingTasks(t *testing.T, e *Engine, patientID string) []carepath.Task {
	t.Helper()
	all, err := e.Store.TaskList(context.Background(), store.TaskFilter{PatientID: patientID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []carepath.Task
	for _, tk := range all {
		if tk.Reason == carepath.ReasonReadingOutOfRange {
			out = append(out, tk)
		}
	}
	return out
}

func dedupeKeyOf(t *testing.T, taskID string) string {
	t.Helper()
	var key string
	if err := testenv.Pool(t).QueryRow(context.Background(), `SELECT dedupe_key FROM tasks WHERE id = $1`, taskID).Scan(&key); err != nil {
		t.Fatal(err)
	}
	return key
}

// A reading for a patient no follow-up watches is converted to the
// canonical unit, kept as sent, audited, and judged in the same
// transaction: out of range, it raises one task under the reading's key,
// however often the source re-sends it; in range, none.
func TestRecordObservationJudgesWithoutAFollowup(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, false) // no journey to signal: Temporal is not needed
	pid := newTestPatient(t, e)
	now := time.Now().UTC().Format(time.RFC3339)
	low := carepath.NewObservation{ID: "meter-" + uuid.NewString(), Code: "blood_glucose", Value: json.RawMessage("2.9"),
		Unit: "mmol/L", EffectiveAt: now}
	obs, created, err := e.RecordObservation(ctx, testActor, pid, low)
	if err != nil || !created || obs.Value != 52.25 || obs.Unit != "mg/dL" || obs.OriginalValue != 2.9 || obs.OriginalUnit != "mmol/L" {
		t.Fatalf("record: %+v %v %v", obs, created, err)
	}
	var value, original float64
	var unit, originalUnit string
	if err := testenv.Pool(t).QueryRow(ctx, `SELECT value, unit, original_value, original_unit FROM observations WHERE id = $1`, obs.ID).
		Scan(&value, &unit, &original, &originalUnit); err != nil || value != 52.25 || unit != "mg/dL" || original != 2.9 || originalUnit != "mmol/L" {
		t.Fatalf("stored %g %s (sent %g %s): %v", value, unit, original, originalUnit, err)
	}
	if _, again, err := e.RecordObservation(ctx, testActor, pid, low); err != nil || again {
		t.Fatalf("re-sent: created %v, %v", again, err)
	}
	tasks := readingTasks(t, e, pid)
	if len(tasks) != 1 || tasks[0].Priority != carepath.PriorityUrgent || !strings.Contains(tasks[0].Note, "low (< 54), severe") ||
		!strings.Contains(tasks[0].Note, "sent as 2.9 mmol/L") {
		t.Fatalf("tasks %+v, want one urgent task naming the severe low bound", tasks)
	}
	if k := dedupeKeyOf(t, tasks[0].ID); k != carepath.TaskKeyReading(obs.ID) {
		t.Fatalf("dedupe key %q", k)
	}
	var audited int
	if err := testenv.Pool(t).QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'observation.record' AND resource = $1`,
		"observation/"+obs.ID).Scan(&audited); err != nil || audited != 1 {
		t.Fatalf("audited %d times (%v), want once", audited, err)
	}
	// In range (5.5 mmol/L is 99 mg/dL, rejected before units were read)
	// and a diastolic crisis.
	fine := carepath.NewObservation{Code: "blood_glucose", Value: json.RawMessage("5.5"), Unit: "mmol/L", EffectiveAt: now}
	if _, _, err := e.RecordObservation(ctx, testActor, pid, fine); err != nil {
		t.Fatal(err)
	}
	if n := len(readingTasks(t, e, pid)); n != 1 {
		t.Fatalf("an in-range reading raised a task (%d)", n)
	}
	bp := carepath.NewObservation{Code: "blood_pressure", Value: json.RawMessage(`"150/125"`), Unit: "mmHg", EffectiveAt: now}
	if _, _, err := e.RecordObservation(ctx, testActor, pid, bp); err != nil {
		t.Fatal(err)
	}
	if tasks := readingTasks(t, e, pid); len(tasks) != 2 || !strings.Contains(tasks[1].Note+tasks[0].Note, "diastolic >= 120") {
		t.Fatalf("diastolic 125: tasks %+v", tasks)
	}
}

// A texted reading is stored under the message's ID (a re-delivered
// webhook stores it once), audited, and judged: out of range, one task
// holding the message. Text that is not a reading is left alone.
func TestReadingFromText(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, false)
	pid := newTestPatient(t, e)
	actor := carepath.Actor{Kind: carepath.ActorWebhook, ID: "twilio"}
	text := func(body string) (*store.Observation, bool, string) {
		t.Helper()
		msgID := uuid.NewString()
		var obs *store.Observation
		var flagged bool
		for range 2 { // the webhook delivered twice
			err := e.Store.Tx(ctx, func(q *store.Queries) error {
				if _, _, _, err := q.MessageInboundInsert(ctx, store.InboundMessage{ID: msgID, PatientID: pid, Channel: carepath.ChannelSMS,
					Body: body, To: "+15550000000", From: "+15550000001", Provider: "twilio", ProviderMessageID: "SM" + msgID}); err != nil {
					return err
				}
				var err error
				obs, flagged, err = e.readingFromText(ctx, q, actor, pid, msgID, body)
				return err
			})
			if err != nil {
				t.Fatalf("%q: %v", body, err)
			}
		}
		return obs, flagged, msgID
	}
	obs, flagged, msgID := text("glucosa 16,5 mmol")
	if obs == nil || !flagged || obs.Value != 297.26 || obs.SourceID != msgID || obs.OriginalUnit != "mmol/L" {
		t.Fatalf("glucosa 16,5 mmol: %+v %v", obs, flagged)
	}
	var stored int
	if err := testenv.Pool(t).QueryRow(ctx, `SELECT count(*) FROM observations WHERE source_id = $1`, msgID).Scan(&stored); err != nil || stored != 1 {
		t.Fatalf("stored %d times (%v)", stored, err)
	}
	tasks := readingTasks(t, e, pid)
	if len(tasks) != 1 || tasks[0].MessageID != msgID || tasks[0].Priority != carepath.PriorityHigh {
		t.Fatalf("tasks %+v", tasks)
	}
	if obs, flagged, _ := text("BP 118/76"); obs == nil || flagged || obs.Value != 118 || *obs.Value2 != 76 {
		t.Fatalf("BP 118/76: %+v %v", obs, flagged)
	}
	for _, body := range []string{"2", "I feel fine", "bg 5000"} {
		if obs, flagged, _ := text(body); obs != nil || flagged {
			t.Fatalf("%q read as a reading: %+v", body, obs)
		}
	}
	if n := len(readingTasks(t, e, pid)); n != 1 {
		t.Fatalf("%d reading tasks, want 1", n)
	}
}
