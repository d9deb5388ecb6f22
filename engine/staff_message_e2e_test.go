package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// TestStaffReplyThroughTheSendPath runs a staff reply as production wires
// it (worker.New, the send lanes, the fake Twilio through twilio-go): a
// reply posted twice with one client_id reaches the patient once, with its
// author on the row; after STOP it is suppressed with the reason; in the
// patient's quiet hours it is deferred, unless urgent.
func TestStaffReplyThroughTheSendPath(t *testing.T) {
	testenv.SkipShort(t)
	ctx := context.Background()
	testenv.Pool(t) // migrations
	h := startE2E(t, testenv.Get(t).DatabaseURL, 10, func(a *activities.Activities) { a.Policy = activities.DefaultPolicy })
	e, st, tc, tw := h.e, h.st, h.tc, h.tw

	person, err := e.CreateUser(ctx, carepath.Actor{Kind: carepath.ActorSystem, ID: "test"}, NewUser{Email: "nurse-" + uuid.NewString() + "@example.org",
		Name: "Nora Nurse", Role: carepath.RoleCareTeam, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	nurse := carepath.Actor{Kind: carepath.ActorUser, ID: person.ID}
	patient := func(localHour int) carepath.Patient {
		t.Helper()
		np := carepath.NewPatient{GivenName: "Pat", FamilyName: "Reply", BirthDate: "1970-01-01", Locale: "en", PreferredChannel: carepath.ChannelSMS,
			Phone: fmt.Sprintf("+1336%07d", phoneSeq.Add(1)%10_000_000), Timezone: testenv.ZoneAt(localHour)}
		p, err := e.CreatePatient(ctx, nurse, np)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	send := func(p carepath.Patient, m StaffMessage) StaffMessageReceipt {
		t.Helper()
		r, err := e.SendStaffMessage(ctx, nurse, p.ID, m)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// result waits for the reply's workflow to decide it.
	result := func(r StaffMessageReceipt) workflows.StaffMessageResult {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		var res workflows.StaffMessageResult
		if err := tc.GetWorkflow(wctx, r.Workflow, "").Get(wctx, &res); err != nil {
			t.Fatalf("workflow %s: %v", r.Workflow, err)
		}
		return res
	}
	row := func(id string) (status, reason, author string) {
		t.Helper()
		if err := testenv.Pool(t).QueryRow(ctx, `SELECT status, status_reason, coalesce(author, '') FROM messages WHERE id = $1`, id).
			Scan(&status, &reason, &author); err != nil {
			t.Fatal(err)
		}
		return status, reason, author
	}

	// Posted twice with the same client_id: one message, sent once.
	day := patient(12)
	m := StaffMessage{Text: "Hi, this is your nurse: please call us back today.", ClientID: "reply-" + uuid.NewString()}
	first, again := send(day, m), send(day, m)
	if first != again {
		t.Fatalf("same client_id, two receipts: %+v %+v", first, again)
	}
	if res := result(first); res.Outcome != activities.OutcomeSent {
		t.Fatalf("reply: %+v", res)
	}
	got := tw.To(day.Phone)
	if len(got) != 1 || got[0].Body != m.Text {
		t.Fatalf("provider got %d messages to the patient (%v), want the reply once", len(got), got)
	}
	if status, _, author := row(first.MessageID); status != carepath.MessageSent || author != nurse.Name() {
		t.Fatalf("row: %s by %q", status, author)
	}
	if msg, err := st.MessageGet(ctx, first.MessageID); err != nil || msg.Author != nurse.Name() || msg.AuthorName != "Nora Nurse" {
		t.Fatalf("message as the API shows it: author %q (%q), %v", msg.Author, msg.AuthorName, err)
	}
	fmt.Printf("staff reply: posted twice, %d SMS to the patient\n", len(got))

	// After STOP: suppressed with its reason, urgent or not.
	stopped := patient(12)
	if err := st.ConsentAppend(ctx, store.Recipient{PatientID: stopped.ID}, store.ConsentChange{Channel: carepath.ChannelSMS,
		Purpose: carepath.PurposeAll, Granted: false, Source: "sms:STOP"}); err != nil {
		t.Fatal(err)
	}
	for _, urgent := range []bool{false, true} {
		r := send(stopped, StaffMessage{Text: "Are you OK?", Urgent: urgent, ClientID: uuid.NewString()})
		if res := result(r); res.Outcome != activities.OutcomeSuppressed || res.Reason != activities.ReasonOptedOut {
			t.Fatalf("after STOP (urgent %v): %+v", urgent, res)
		}
		if status, reason, _ := row(r.MessageID); status != carepath.MessageSuppressed || reason != activities.ReasonOptedOut {
			t.Fatalf("after STOP row: %s %s", status, reason)
		}
	}
	if n := len(tw.To(stopped.Phone)); n != 0 {
		t.Fatalf("%d SMS after STOP", n)
	}

	// 3 a.m. where the patient lives: deferred to the morning on a timer;
	// the urgent one goes now.
	night := patient(3)
	later := send(night, StaffMessage{Text: "Your results are in; call us in the morning.", ClientID: uuid.NewString()})
	var status, reason string
	for deadline := time.Now().Add(30 * time.Second); status != carepath.MessageDeferred; {
		if time.Now().After(deadline) {
			t.Fatalf("not deferred in 30 s: %s %s", status, reason)
		}
		time.Sleep(50 * time.Millisecond)
		var n int
		if err := testenv.Pool(t).QueryRow(ctx, `SELECT count(*) FROM messages WHERE id = $1`, later.MessageID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			status, reason, _ = row(later.MessageID)
		}
	}
	if reason != activities.ReasonQuietHours {
		t.Fatalf("deferred for %q, want quiet_hours", reason)
	}
	desc, err := tc.DescribeWorkflowExecution(ctx, later.Workflow, "")
	if err != nil {
		t.Fatal(err)
	}
	if desc.GetWorkflowExecutionInfo().GetCloseTime() != nil {
		t.Fatal("the deferred reply's workflow ended instead of waiting for the morning")
	}
	urgent := send(night, StaffMessage{Text: "Please call us now.", Urgent: true, Channel: carepath.ChannelSMS, ClientID: uuid.NewString()})
	if res := result(urgent); res.Outcome != activities.OutcomeSent {
		t.Fatalf("urgent at night: %+v", res)
	}
	if got := tw.To(night.Phone); len(got) != 1 || got[0].Body != "Please call us now." {
		t.Fatalf("at night the provider got %v, want only the urgent reply", got)
	}
}
