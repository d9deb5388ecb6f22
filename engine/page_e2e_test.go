package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/internal/faketwilio"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// TestPageReachesOnCallAndReplyAcknowledges runs the page as production
// wires it (a page runner beside worker.New, the fake Twilio through
// twilio-go): a started page
// reaches first call by SMS, and their "ACK <code>" acknowledges the task.
func TestPageReachesOnCallAndReplyAcknowledges(t *testing.T) {
	testenv.SkipShort(t)
	ctx := context.Background()
	zone, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// The roster is global: a database of its own.
	h := startE2E(t, testenv.Database(t), 1, func(a *activities.Activities) {
		a.Page = activities.PageSettings{PublicURL: "https://carepath.example", Zone: zone}
	})
	e, st, tw := h.e, h.st, h.tw

	nurse, err := st.StaffInsert(ctx, store.Staff{ID: uuid.NewString(), Name: "Nurse", Role: "nurse", Phone: fmt.Sprintf("+1555%07d", phoneSeq.Add(1)%10_000_000)})
	if err != nil {
		t.Fatal(err)
	}
	var shifts []store.Shift
	for wd := range 7 {
		shifts = append(shifts, store.Shift{StaffID: nurse.ID, Weekday: time.Weekday(wd), Start: 0, End: 1440, Level: 1})
	}
	if err := st.Tx(ctx, func(q *store.Queries) error { return q.OnCallReplace(ctx, shifts) }); err != nil {
		t.Fatal(err)
	}
	task, err := st.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), Priority: carepath.PriorityUrgent, Reason: carepath.ReasonRedFlag})
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	if err := e.StartPage(ctx, task); err != nil {
		t.Fatal(err)
	}
	var page []faketwilio.Message
	for deadline := time.Now().Add(30 * time.Second); len(page) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no page reached the on-call nurse in 30 s")
		}
		time.Sleep(20 * time.Millisecond)
		page = tw.To(nurse.Phone)
	}
	fmt.Printf("page: task -> SMS accepted by the provider in %v\n", page[0].At.Sub(start).Round(time.Millisecond))
	code, ok := strings.CutPrefix(page[0].Body, "carepath: URGENT task needs you. Reply ACK ")
	if !ok || len(code) < 4 {
		t.Fatalf("page text %q", page[0].Body)
	}
	code = code[:4]
	// The provider has the page; its "notified" event is written when the
	// provider's answer is recorded, a moment later. Wait for it, so the
	// history below has its order (a nurse quicker than that is recorded
	// as acknowledging first: fine, and not what this test checks).
	for deadline := time.Now().Add(10 * time.Second); !hasEvent(t, st, task, store.TaskEventNotified); {
		if time.Now().After(deadline) {
			t.Fatal("the page's notified event was not recorded in 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The page then waits on first call's deadline (where the
	// acknowledgement will end it), in its row: no workflow per page. The
	// runner saves that once the send has returned, a moment after the
	// notified event.
	for deadline := time.Now().Add(10 * time.Second); ; {
		ps, ok, err := st.PageRunnerState(ctx, task)
		if err != nil || !ok {
			t.Fatalf("page state: ok=%v err=%v", ok, err)
		}
		if ps.Step == 0 && ps.Phase == store.PagePhaseWait {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("page state %+v, want waiting on step 0", ps)
		}
		time.Sleep(20 * time.Millisecond)
	}

	var handled bool
	if err := st.Tx(ctx, func(q *store.Queries) (err error) {
		handled, err = e.AcknowledgeByReply(ctx, q, carepath.ChannelSMS, nurse.Phone, "ack "+code, uuid.NewString())
		return err
	}); err != nil || !handled {
		t.Fatalf("reply: handled %v, %v", handled, err)
	}
	ack, err := st.TaskAcknowledgementGet(ctx, task)
	if err != nil || ack.ByStaffID != nurse.ID || ack.PageStart == nil {
		t.Fatalf("acknowledgement %+v %v", ack, err)
	}
	evs, err := st.TaskEvents(ctx, task)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ev := range evs {
		kinds = append(kinds, ev.Kind)
	}
	if got := strings.Join(kinds, ","); got != "raised,notified,acknowledged" {
		t.Fatalf("history %s, want raised,notified,acknowledged", got)
	}
}

// hasEvent reports whether the task's history holds an event of kind.
func hasEvent(t *testing.T, st *store.Store, taskID, kind string) bool {
	t.Helper()
	evs, err := st.TaskEvents(context.Background(), taskID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Kind == kind {
			return true
		}
	}
	return false
}
