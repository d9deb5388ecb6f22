package activities

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

func TestSweepEscalatesOnlySweptOpenOverdueTasks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.patient(12, false)
	past, future := time.Now().Add(-time.Minute), time.Now().Add(time.Hour)
	raise := func(due time.Time, swept bool) string {
		id, err := f.store.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), PatientID: p.ID, Priority: carepath.PriorityUrgent,
			Reason: "test", DueAt: &due, Swept: swept})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	overdue := raise(past, true)
	notYet := raise(future, true)
	ownWatcher := raise(past, false) // raised before the sweeper: its own workflow watches it
	acknowledged := raise(past, true)
	if _, err := f.store.TaskAcknowledge(ctx, acknowledged); err != nil {
		t.Fatal(err)
	}
	atTop := raise(past, true)
	for range carepath.MaxEscalationLevel {
		if _, _, err := f.store.TaskEscalate(ctx, atTop, past); err != nil {
			t.Fatal(err)
		}
	}

	res, err := f.acts.SweepTasks(ctx)
	if err != nil || res.Escalated < 1 {
		t.Fatalf("sweep: %+v %v", res, err)
	}
	level := func(id string) (int, time.Time) {
		tk, err := f.store.TaskGet(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return tk.EscalationLevel, *tk.DueAt
	}
	if l, due := level(overdue); l != 1 || time.Until(due) < carepath.AckDeadline[carepath.PriorityUrgent]-time.Minute {
		t.Fatalf("overdue task: level %d due %v, want level 1 due in an urgent deadline (%v)", l, due, carepath.AckDeadline[carepath.PriorityUrgent])
	}
	for name, id := range map[string]string{"not yet due": notYet, "own watcher": ownWatcher, "acknowledged": acknowledged} {
		if l, _ := level(id); l != 0 {
			t.Errorf("%s task escalated to level %d", name, l)
		}
	}
	if l, _ := level(atTop); l != carepath.MaxEscalationLevel {
		t.Errorf("task at the last level moved to %d", l)
	}
	// The escalated task is due again later: sweeping again leaves it be.
	if _, err := f.acts.SweepTasks(ctx); err != nil {
		t.Fatal(err)
	}
	if l, _ := level(overdue); l != 1 {
		t.Fatalf("a second sweep escalated a task not yet due again: level %d", l)
	}
}
