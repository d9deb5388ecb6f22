package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

func kinds(t *testing.T, q *store.Queries, taskID string) []string {
	t.Helper()
	evs, err := q.TaskEvents(context.Background(), taskID)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, e := range evs {
		out = append(out, e.Kind)
	}
	return out
}

// A task's history: raised with the task (once, even when deduplicated),
// escalated, notified, acknowledged by a staff member (once), resolved.
func TestTaskHistoryAndAcknowledgement(t *testing.T) {
	ctx := context.Background()
	tx := testenv.Tx(t)
	q := store.NewQueries(tx)
	p := newPatient(t, q, "+15557775001")
	nurse := newStaff(t, q, "Nurse", "+15557775002", "")
	nt := store.NewTask{ID: uuid.NewString(), PatientID: p.ID, Priority: carepath.PriorityUrgent, Reason: carepath.ReasonRedFlag,
		DedupeKey: "history/" + uuid.NewString(), RaisedBy: "system:inbound", Swept: true}
	id, err := q.TaskInsert(ctx, nt)
	if err != nil {
		t.Fatal(err)
	}
	nt.ID = uuid.NewString()
	if again, err := q.TaskInsert(ctx, nt); err != nil || again != id {
		t.Fatalf("deduplicated insert: %s %v", again, err)
	}
	evs, err := q.TaskEvents(ctx, id)
	if err != nil || len(evs) != 1 || evs[0].Kind != store.TaskEventRaised || evs[0].Actor != "system:inbound" || evs[0].At.IsZero() {
		t.Fatalf("after raising twice: %+v %v", evs, err)
	}

	if _, ok, err := q.TaskEscalate(ctx, id, time.Now().Add(time.Hour)); !ok || err != nil {
		t.Fatalf("escalate: %v %v", ok, err)
	}
	if err := q.TaskEventInsert(ctx, store.TaskEvent{TaskID: id, Kind: store.TaskEventNotified, StaffID: nurse.ID,
		Actor: "system:pager", Detail: "sms to staff " + nurse.ID + " level 1"}); err != nil {
		t.Fatal(err)
	}
	sp, err := tx.Begin(ctx) // a savepoint: the refused insert aborts it, not the test's transaction
	if err != nil {
		t.Fatal(err)
	}
	if err := store.NewQueries(sp).TaskEventInsert(ctx, store.TaskEvent{TaskID: id, Kind: "gossip", Actor: "x"}); err == nil {
		t.Fatal("an unknown event kind was stored")
	}
	if err := sp.Rollback(ctx); err != nil {
		t.Fatal(err)
	}

	// Escalated but still open: acknowledgeable, once.
	ok, err := q.TaskAcknowledgeBy(ctx, id, store.TaskEvent{StaffID: nurse.ID, Detail: "sms reply"})
	if err != nil || !ok {
		t.Fatalf("acknowledge: %v %v", ok, err)
	}
	if ok, err := q.TaskAcknowledgeBy(ctx, id, store.TaskEvent{Actor: "api_key:other"}); err != nil || ok {
		t.Fatalf("second acknowledgement: %v %v, want false", ok, err)
	}
	task, err := q.TaskGet(ctx, id)
	if err != nil || task.Status != carepath.TaskAcknowledged || task.AcknowledgedAt == nil {
		t.Fatalf("acknowledged task: %+v %v", task, err)
	}
	ack, err := q.TaskAcknowledgementGet(ctx, id)
	if err != nil || ack.By != "staff:"+nurse.ID || ack.ByStaffID != nurse.ID {
		t.Fatalf("acknowledged by: %+v %v", ack, err)
	}
	if ok, err := q.TaskResolve(ctx, id, "called the patient", store.TaskEvent{Actor: "api_key:k1"}); err != nil || !ok {
		t.Fatalf("resolve: %v %v", ok, err)
	}
	if ack, err = q.TaskAcknowledgementGet(ctx, id); err != nil || ack.By != "staff:"+nurse.ID {
		t.Fatalf("resolving changed who acknowledged: %+v %v", ack, err)
	}
	want := []string{"raised", "escalated", "notified", "acknowledged", "resolved"}
	if got := kinds(t, q, id); !sameIDs(got, want) {
		t.Fatalf("history %v, want %v", got, want)
	}
	evs, err = q.TaskEvents(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if ev := evs[3]; ev.StaffID != nurse.ID || ev.Actor != "staff:"+nurse.ID || ev.Detail != "sms reply" || !ev.At.Equal(*task.AcknowledgedAt) {
		t.Fatalf("acknowledged event: %+v", ev)
	}
	if evs[1].Detail != "level 1" || evs[4].Actor != "api_key:k1" {
		t.Fatalf("escalated %+v / resolved %+v", evs[1], evs[4])
	}
	if _, err := q.TaskAcknowledgementGet(ctx, uuid.NewString()); carepath.ErrorCode(err) != carepath.ENOTFOUND {
		t.Fatalf("acknowledgement of a missing task: %v", err)
	}

	// An acknowledgement at a given time (a reply received earlier) keeps it.
	timed, err := q.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), PatientID: p.ID, Priority: carepath.PriorityHigh, Reason: "x"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC)
	if ok, err := q.TaskAcknowledgeBy(ctx, timed, store.TaskEvent{Actor: "api_key:k3", At: at}); err != nil || !ok {
		t.Fatalf("acknowledge at: %v %v", ok, err)
	}
	if task, err = q.TaskGet(ctx, timed); err != nil || !task.AcknowledgedAt.Equal(at) {
		t.Fatalf("acknowledged at %v, want %v (%v)", task.AcknowledgedAt, at, err)
	}

	// Resolving an unacknowledged task acknowledges it by the resolver.
	other, err := q.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), PatientID: p.ID, Priority: carepath.PriorityNormal, Reason: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := q.TaskResolve(ctx, other, "done", store.TaskEvent{Actor: "api_key:k2"}); err != nil || !ok {
		t.Fatalf("resolve: %v %v", ok, err)
	}
	if ack, err = q.TaskAcknowledgementGet(ctx, other); err != nil || ack.By != "api_key:k2" || ack.ByStaffID != "" {
		t.Fatalf("resolved without acknowledgement: %+v %v", ack, err)
	}
}

// Tasks to page: open urgent and high ones not yet started, oldest first;
// PageStart takes a task off the list, once, and keeps its first time.
func TestTasksToPage(t *testing.T) {
	ctx := context.Background()
	tx := testenv.Tx(t)
	q := store.NewQueries(tx)
	// Only this test's tasks: the shared database may hold others.
	if _, err := tx.Exec(ctx, `UPDATE tasks SET page_started_at = now() WHERE page_started_at IS NULL`); err != nil {
		t.Fatal(err)
	}
	p := newPatient(t, q, "+15557776001")
	raise := func(pr carepath.Priority) string {
		id, err := q.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), PatientID: p.ID, Priority: pr, Reason: "x"})
		if err != nil {
			t.Fatal(err)
		}
		// Distinct creation times, in the order raised.
		if _, err := tx.Exec(ctx, `UPDATE tasks SET created_at = clock_timestamp() WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	high, normal, urgent, acked := raise(carepath.PriorityHigh), raise(carepath.PriorityNormal), raise(carepath.PriorityUrgent), raise(carepath.PriorityUrgent)
	_ = normal
	if _, err := q.TaskAcknowledge(ctx, acked); err != nil {
		t.Fatal(err)
	}
	got, err := q.TasksToPage(ctx, 10)
	if err != nil || !sameIDs(got, []string{high, urgent}) {
		t.Fatalf("to page: %v %v, want [high urgent]", got, err)
	}
	if got, err = q.TasksToPage(ctx, 1); err != nil || !sameIDs(got, []string{high}) {
		t.Fatalf("limit 1: %v %v", got, err)
	}
	if started, err := q.PageStart(ctx, high, time.Now()); err != nil || !started {
		t.Fatalf("start: %v %v", started, err)
	}
	first, err := q.TaskAcknowledgementGet(ctx, high)
	if err != nil || first.PageStart == nil {
		t.Fatalf("page start: %+v %v", first, err)
	}
	if started, err := q.PageStart(ctx, high, time.Now().Add(time.Minute)); err != nil || started {
		t.Fatalf("second start: %v %v, want not started", started, err)
	}
	if again, err := q.TaskAcknowledgementGet(ctx, high); err != nil || !again.PageStart.Equal(*first.PageStart) {
		t.Fatalf("page start moved: %v -> %v (%v)", first.PageStart, again.PageStart, err)
	}
	if got, err = q.TasksToPage(ctx, 10); err != nil || !sameIDs(got, []string{urgent}) {
		t.Fatalf("after starting one: %v %v", got, err)
	}
}

// Within a priority the most escalated task comes first.
func TestTaskListSortsByEscalation(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	p := newPatient(t, q, "+15557777001")
	raise := func(pr carepath.Priority) string {
		id, err := q.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), PatientID: p.ID, Priority: pr, Reason: "x"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	u1, h1, u2 := raise(carepath.PriorityUrgent), raise(carepath.PriorityHigh), raise(carepath.PriorityUrgent)
	h2 := raise(carepath.PriorityHigh)
	for _, id := range []string{u2, h2, h2} {
		if _, ok, err := q.TaskEscalate(ctx, id, time.Now().Add(time.Hour)); !ok || err != nil {
			t.Fatalf("escalate: %v %v", ok, err)
		}
	}
	list, err := q.TaskList(ctx, store.TaskFilter{PatientID: p.ID, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, tk := range list {
		got = append(got, tk.ID)
	}
	if want := []string{u2, u1, h2, h1}; !sameIDs(got, want) {
		t.Fatalf("order %v, want urgent escalated, urgent, high escalated twice, high", got)
	}
}
