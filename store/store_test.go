package store_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, testenv.Needs{Postgres: true})) }

func newPatient(t *testing.T, q *store.Queries, phone string) carepath.Patient {
	t.Helper()
	np := carepath.NewPatient{GivenName: "Ada", FamilyName: "Lovelace", BirthDate: "1970-01-02", Phone: phone,
		Timezone: "America/New_York"}
	if err := np.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := q.PatientInsert(context.Background(), uuid.NewString(), np)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMigrateConcurrentlyIsIdempotent(t *testing.T) {
	pool := testenv.Pool(t) // applies migrations once
	var wg sync.WaitGroup
	errs := make([]error, 4)
	applied := make([][]string, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			applied[i], errs[i] = store.Migrate(context.Background(), pool)
		}()
	}
	wg.Wait()
	for i := range 4 {
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
		if len(applied[i]) != 0 {
			t.Fatalf("replica %d re-applied %v", i, applied[i])
		}
	}
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no migrations recorded")
	}
}

func TestPatientRoundTrip(t *testing.T) {
	q := store.NewQueries(testenv.Tx(t))
	p := newPatient(t, q, "+15550001111")
	got, err := q.PatientGet(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Phone != "+15550001111" || got.BirthDate != "1970-01-02" || got.Timezone != "America/New_York" || got.PhoneStatus != "unverified" {
		t.Fatalf("round trip changed the patient: %+v", got)
	}
	if _, err := q.PatientGet(context.Background(), uuid.NewString()); carepath.ErrorCode(err) != carepath.ENOTFOUND {
		t.Fatalf("missing patient: got %v, want not_found", err)
	}
}

func TestInboundMessageDeduplicatedByProviderID(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	p := newPatient(t, q, "+15550002222")
	in := store.InboundMessage{ID: uuid.NewString(), PatientID: p.ID, Channel: "sms", Body: "3",
		From: p.Phone, Provider: "twilio", ProviderMessageID: "SM123"}
	id1, _, inserted, err := q.MessageInboundInsert(ctx, in)
	if err != nil || !inserted {
		t.Fatalf("first delivery: inserted=%v err=%v", inserted, err)
	}
	in.ID = uuid.NewString()
	id2, status, inserted, err := q.MessageInboundInsert(ctx, in)
	if err != nil || inserted || id2 != id1 || status != carepath.MessageReceived {
		t.Fatalf("re-delivery: id=%s (want %s) status=%s inserted=%v err=%v", id2, id1, status, inserted, err)
	}
}

func TestOneActiveEnrollmentPerJourney(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	p := newPatient(t, q, "+15550003333")
	e := carepath.Enrollment{ID: uuid.NewString(), PatientID: p.ID, Journey: "post_visit_checkin", Params: map[string]any{}}
	e.WorkflowID = "enrollment/" + e.ID
	if _, err := q.EnrollmentInsert(ctx, e); err != nil {
		t.Fatal(err)
	}
	e2 := e
	e2.ID = uuid.NewString()
	e2.WorkflowID = "enrollment/" + e2.ID
	if _, err := q.EnrollmentInsert(ctx, e2); carepath.ErrorCode(err) != carepath.ECONFLICT {
		t.Fatalf("second active enrollment: got %v, want conflict", err)
	}
}

func TestQuestionLifecycle(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	p := newPatient(t, q, "+15550004444")
	e := carepath.Enrollment{ID: uuid.NewString(), PatientID: p.ID, Journey: "post_visit_checkin", Params: map[string]any{}}
	e.WorkflowID = "enrollment/" + e.ID
	if _, err := q.EnrollmentInsert(ctx, e); err != nil {
		t.Fatal(err)
	}
	qu := store.Question{ID: uuid.NewString(), EnrollmentID: e.ID, PatientID: p.ID, WorkflowID: e.WorkflowID, Key: "feeling"}
	if err := q.QuestionOpen(ctx, qu); err != nil {
		t.Fatal(err)
	}
	open, err := q.QuestionsOpen(ctx, []string{p.ID})
	if err != nil || len(open) != 1 || open[0].ID != qu.ID || open[0].WorkflowID != e.WorkflowID {
		t.Fatalf("open questions: %+v err=%v", open, err)
	}
	msgID, _, _, err := q.MessageInboundInsert(ctx, store.InboundMessage{ID: uuid.NewString(), PatientID: p.ID,
		Channel: "sms", Body: "1", Provider: "twilio", ProviderMessageID: "SM-q"})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.QuestionAnswer(ctx, qu.ID, msgID); err != nil {
		t.Fatal(err)
	}
	if open, _ := q.QuestionsOpen(ctx, []string{p.ID}); len(open) != 0 {
		t.Fatal("answered question still open")
	}
	prev, err := q.QuestionClose(ctx, qu.ID)
	if err != nil || prev != "answered" {
		t.Fatalf("close after answer: prev=%q err=%v, want answered", prev, err)
	}
	// Re-asking re-opens it; closing then reports it was open.
	if err := q.QuestionOpen(ctx, qu); err != nil {
		t.Fatal(err)
	}
	if prev, err := q.QuestionClose(ctx, qu.ID); err != nil || prev != "open" {
		t.Fatalf("close open question: prev=%q err=%v", prev, err)
	}
}

func TestTaskDedupe(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	p := newPatient(t, q, "+15550005555")
	nt := store.NewTask{ID: uuid.NewString(), PatientID: p.ID, Priority: carepath.PriorityUrgent, Reason: "worse", DedupeKey: "k1"}
	id1, err := q.TaskInsert(ctx, nt)
	if err != nil {
		t.Fatal(err)
	}
	nt.ID = uuid.NewString()
	id2, err := q.TaskInsert(ctx, nt)
	if err != nil || id2 != id1 {
		t.Fatalf("retried task: id=%s want %s err=%v", id2, id1, err)
	}
	tasks, err := q.TaskList(ctx, store.TaskFilter{PatientID: p.ID, Status: carepath.TaskOpen, Limit: 10})
	if err != nil || len(tasks) != 1 {
		t.Fatalf("tasks: %d err=%v", len(tasks), err)
	}
}
