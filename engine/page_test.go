package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

func TestParseAck(t *testing.T) {
	for body, want := range map[string]string{
		"ACK 4821": "4821", "ack 4821": "4821", "  Ack4821 ": "4821", "ACK: 0042": "0042", "ack #4821 on my way": "4821",
		"\n\nACK 4821\n> carepath: URGENT task needs you": "4821", "ACK-4821": "4821",
		"4821": "", "ACK 482": "", "ACK 48211": "", "hello ACK 4821": "", "": "", "ACKNOWLEDGED": "",
	} {
		got, ok := ParseAck(body)
		if got != want || ok != (want != "") {
			t.Errorf("ParseAck(%q) = %q, %v; want %q", body, got, ok, want)
		}
	}
}

func TestAcknowledgeByReply(t *testing.T) {
	e := newTestEngine(t, false)
	ctx := context.Background()
	staff := func(phone, email string) store.Staff {
		s, err := e.Store.StaffInsert(ctx, store.Staff{ID: uuid.NewString(), Name: "Nurse", Role: "nurse", Phone: phone, Email: email})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	phone := func() string { return fmt.Sprintf("+1555%07d", phoneSeq.Add(1)%10_000_000) }
	paged := staff(phone(), "")
	colleague := staff("", fmt.Sprintf("n%d@clinic.example", phoneSeq.Add(1)))
	task := func() (id, code string) {
		id, err := e.Store.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), Priority: carepath.PriorityUrgent, Reason: carepath.ReasonRedFlag})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Store.Tx(ctx, func(q *store.Queries) (err error) { code, err = q.PageCode(ctx, id); return err }); err != nil {
			t.Fatal(err)
		}
		if err := e.Store.PageSendRecord(ctx, store.PageSend{TaskID: id, Step: 0, Channel: store.PageSMS, StaffID: paged.ID}, "sms to staff level 1"); err != nil {
			t.Fatal(err)
		}
		return id, code
	}
	reply := func(ch carepath.Channel, from, body string) bool {
		t.Helper()
		var handled bool
		err := e.Store.Tx(ctx, func(q *store.Queries) (err error) {
			handled, err = e.AcknowledgeByReply(ctx, q, ch, from, body, uuid.NewString())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return handled
	}
	ackedBy := func(id string) (string, string) {
		t.Helper()
		a, err := e.Store.TaskAcknowledgementGet(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := e.Store.TaskEvents(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.Kind == store.TaskEventAcknowledged {
				return a.ByStaffID, ev.Detail
			}
		}
		return a.ByStaffID, ""
	}

	t1, code1 := task()
	t2, code2 := task()
	// Not staff: not handled (a patient's message goes on to be routed).
	if reply(carepath.ChannelSMS, phone(), "ACK "+code1) {
		t.Fatal("a message from a number no staff member has was handled as staff")
	}
	// Staff, but not an acknowledgement: handled, nothing acknowledged.
	if !reply(carepath.ChannelSMS, paged.Phone, "on my way") {
		t.Fatal("a staff message was left to be routed as a patient's")
	}
	if by, _ := ackedBy(t1); by != "" {
		t.Fatalf("task acknowledged by a message without ACK: %q", by)
	}
	// The paged nurse answers the page.
	if !reply(carepath.ChannelSMS, paged.Phone, " ack "+code1+"\n") {
		t.Fatal("ACK not handled")
	}
	if by, detail := ackedBy(t1); by != paged.ID || !strings.HasPrefix(detail, "sms reply") || strings.Contains(detail, "not paged") {
		t.Fatalf("task 1 acknowledged by %q (%q), want the paged nurse", by, detail)
	}
	if by, _ := ackedBy(t2); by != "" {
		t.Fatal("acknowledging one task acknowledged another")
	}
	// A colleague who was not paged acknowledges by email: it counts, and
	// the history says they were not paged.
	if !reply(carepath.ChannelEmail, strings.ToUpper(colleague.Email), "Ack: "+code2+"\n\n> carepath: URGENT task needs you") {
		t.Fatal("email ACK not handled")
	}
	if by, detail := ackedBy(t2); by != colleague.ID || !strings.Contains(detail, "not paged") {
		t.Fatalf("task 2 acknowledged by %q (%q), want the colleague, marked not paged", by, detail)
	}
	// The code of an acknowledged task acknowledges nothing else.
	if !reply(carepath.ChannelSMS, paged.Phone, "ACK "+code1) {
		t.Fatal("late ACK not handled")
	}
}

func TestStartPageIsIdempotentAndMarksTheTask(t *testing.T) {
	e := newTestEngine(t, true)
	ctx := context.Background()
	id, err := e.Store.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), Priority: carepath.PriorityUrgent, Reason: carepath.ReasonRedFlag})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.StartPage(ctx, id); err != nil {
		t.Fatal(err)
	}
	st, ok, err := e.Store.PageRunnerState(ctx, id)
	if err != nil || !ok || st.Phase != store.PagePhaseSend || st.Step != 0 || st.Due.IsZero() {
		t.Fatalf("page after start: %+v ok=%v err=%v, want first call due", st, ok, err)
	}
	// The page moves on (as a runner saves it); a second start (a
	// retried route) must not send it back to first call.
	if _, err := e.Store.Pool.Exec(ctx, `UPDATE pages SET step = 1, phase = 'wait' WHERE task_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if err := e.StartPage(ctx, id); err != nil {
		t.Fatalf("second start: %v", err)
	}
	if st, _, err = e.Store.PageRunnerState(ctx, id); err != nil || st.Step != 1 || st.Phase != store.PagePhaseWait {
		t.Fatalf("a second start changed the page: %+v %v", st, err)
	}
	ack, err := e.Store.TaskAcknowledgementGet(ctx, id)
	if err != nil || ack.PageStart == nil {
		t.Fatalf("page start not recorded: %+v %v", ack, err)
	}
	ids, err := e.Store.TasksToPage(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, tid := range ids {
		if tid == id {
			t.Fatal("a paged task is still to page")
		}
	}
}
