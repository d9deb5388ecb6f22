package activities

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/faketwilio"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

func (f *fixture) request(p store.PatientRecord, template string, n int) SendMessageRequest {
	return SendMessageRequest{MessageID: uuid.NewString(), PatientID: p.ID, Template: template, Purpose: carepath.PurposeCare,
		Vars: map[string]string{"n": fmt.Sprint(n)}}
}

func (f *fixture) row(id string) store.OutboxRow {
	f.t.Helper()
	var r store.OutboxRow
	err := f.store.Tx(context.Background(), func(q *store.Queries) error {
		var err error
		r, err = q.OutboxLock(context.Background(), id)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// A provider that accepts a message and then answers 500 has it: before
// the fix any 5xx requeued the row and the retry sent it again.
func TestAcceptedThen500IsSentOnce(t *testing.T) {
	f := newFixture(t)
	p := f.patient(12, false)
	f.faults.first(acceptThen500)
	req := f.request(p, "t.msg", 1)
	res, attempts := f.run(req)
	if res.Outcome != OutcomeSent || attempts < 2 {
		t.Fatalf("after accept-then-500: %+v in %d attempts", res, attempts)
	}
	if got := f.twilio.To(p.Phone); len(got) != 1 {
		t.Fatalf("the patient got %d messages, want exactly 1", len(got))
	}
	if calls := f.faults.calls(); !hasPrefix(calls, "create", "lookup") || len(calls) != 2 {
		t.Fatalf("provider calls %v: want one create, then a lookup", calls)
	}
	if r := f.row(req.MessageID); r.ProviderMessageID != f.twilio.To(p.Phone)[0].SID {
		t.Fatalf("row records %q, the provider has %q", r.ProviderMessageID, f.twilio.To(p.Phone)[0].SID)
	}
}

// A 500 without acceptance is an unknown outcome too: the provider is
// asked (after the lease and the settle delay) before the message is sent
// again, once.
func TestRefused500IsReconciledThenSentOnce(t *testing.T) {
	f := newFixture(t)
	p := f.patient(12, false)
	f.faults.first(refuse500)
	res, _ := f.run(f.request(p, "t.msg", 1))
	if res.Outcome != OutcomeSent || len(f.twilio.To(p.Phone)) != 1 {
		t.Fatalf("after a refused 500: %+v, %d at the provider", res, len(f.twilio.To(p.Phone)))
	}
	calls := f.faults.calls()
	if !hasPrefix(calls, "create", "lookup") || calls[len(calls)-1] != "create" {
		t.Fatalf("provider calls %v: the resend must follow a lookup", calls)
	}
}

// A call whose answer comes after the client's timeout: accepted, never
// resent.
func TestCallOutlivingTheClientTimeoutIsNotResent(t *testing.T) {
	f := newFixture(t)
	p := f.patient(12, false)
	f.faults.first(acceptStall)
	res, _ := f.run(f.request(p, "t.msg", 1))
	if res.Outcome != OutcomeSent || len(f.twilio.To(p.Phone)) != 1 {
		t.Fatalf("after a call that outlived its timeout: %+v, %d at the provider", res, len(f.twilio.To(p.Phone)))
	}
}

// A crash after the provider accepted and before the acceptance was
// recorded: the retry finds the row "sending" and reconciles.
func TestCrashAfterAcceptanceIsReconciled(t *testing.T) {
	f := newFixture(t)
	p := f.patient(12, false)
	crashed := false
	f.acts.hooks = &sendHooks{afterProvider: func(string) error {
		if !crashed {
			crashed = true
			return fmt.Errorf("worker killed")
		}
		return nil
	}}
	res, _ := f.run(f.request(p, "t.msg", 1))
	if res.Outcome != OutcomeSent || len(f.twilio.To(p.Phone)) != 1 || !crashed {
		t.Fatalf("after a crash past the provider: %+v, %d at the provider", res, len(f.twilio.To(p.Phone)))
	}
}

// Two activity attempts of one message at once (a retry after a timeout
// while the first still runs): both decide "may go", both reach the
// pacer, only the one that claims the attempt calls the provider.
func TestOverlappingAttemptsCallTheProviderOnce(t *testing.T) {
	f := newFixture(t)
	p := f.patient(12, false)
	gate := newGate(f.acts.SMS)
	f.acts.SMS = gate
	both := make(chan struct{})
	var arrived sync.WaitGroup
	arrived.Add(2)
	gate.setOnWait(func() {
		arrived.Done()
		<-both // neither takes its slot before both have decided
	})
	f.faults.set(func(int) fault { return acceptStall }) // a slow provider
	req := f.request(p, "t.msg", 1)
	var wg sync.WaitGroup
	results := make([]SendMessageResult, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _ = f.run(req)
		}()
	}
	arrived.Wait()
	gate.setOnWait(nil)
	close(both)
	wg.Wait()
	for i, r := range results {
		if r.Outcome != OutcomeSent {
			t.Errorf("attempt %d: %+v", i, r)
		}
	}
	if n := len(f.twilio.To(p.Phone)); n != 1 {
		t.Fatalf("two overlapping attempts reached the provider %d times, want once", n)
	}
}

// Two patients share a family phone and get identical texts. One is
// accepted and answered 500, the other refused with 500: both outcomes are
// unknown. The provider's one message belongs to one of them; the other
// is sent. Before the fix the lookup matched the body and marked the lost
// one sent (or the 5xx requeue sent the accepted one twice).
func TestIdenticalBodiesToASharedPhone(t *testing.T) {
	f := newFixture(t)
	a := f.patient(12, false)
	b := f.patient(12, false)
	if _, err := f.store.Pool.Exec(context.Background(), `UPDATE patients SET phone = $1 WHERE id = $2`, a.Phone, b.ID); err != nil {
		t.Fatal(err)
	}
	f.faults.set(func(n int) fault {
		switch n {
		case 1:
			return acceptThen500
		case 2:
			return refuse500
		}
		return passThrough
	})
	ra, rb := f.request(a, "t.same", 0), f.request(b, "t.same", 0)
	for _, req := range []SendMessageRequest{ra, rb} {
		if _, err := f.acts.SendMessage(context.Background(), req); err == nil {
			t.Fatal("a 500 reported as an outcome")
		}
	}
	for _, req := range []SendMessageRequest{ra, rb} {
		if res, _ := f.run(req); res.Outcome != OutcomeSent {
			t.Fatalf("%+v", res)
		}
	}
	got := f.twilio.To(a.Phone)
	if len(got) != 2 {
		t.Fatalf("the shared phone got %d messages, want one per patient", len(got))
	}
	pa, pb := f.row(ra.MessageID).ProviderMessageID, f.row(rb.MessageID).ProviderMessageID
	if pa == "" || pb == "" || pa == pb {
		t.Fatalf("provider IDs %q and %q: each message must own one provider message", pa, pb)
	}
}

// The same with the earlier message recorded: its provider message is
// never taken by the later, lost one.
func TestIdenticalBodyOwnedByAnotherMessageIsNotTaken(t *testing.T) {
	f := newFixture(t)
	a := f.patient(12, false)
	b := f.patient(12, false)
	if _, err := f.store.Pool.Exec(context.Background(), `UPDATE patients SET phone = $1 WHERE id = $2`, a.Phone, b.ID); err != nil {
		t.Fatal(err)
	}
	f.faults.set(func(n int) fault {
		if n == 2 {
			return dropUnsent
		}
		return passThrough
	})
	if res, _ := f.run(f.request(a, "t.same", 0)); res.Outcome != OutcomeSent {
		t.Fatal(res)
	}
	if res, _ := f.run(f.request(b, "t.same", 0)); res.Outcome != OutcomeSent {
		t.Fatal(res)
	}
	if n := len(f.twilio.To(a.Phone)); n != 2 {
		t.Fatalf("the shared phone got %d messages, want 2 (the lost one was taken for sent)", n)
	}
}

// A provider that changes the body it was given (here: appends a line)
// and answers 500: the message is found without an exact body and not
// sent twice.
func TestBodyChangedByTheProviderIsNotDuplicated(t *testing.T) {
	f := newFixture(t)
	p := f.patient(12, false)
	f.faults.alter = func(body string) string { return body + "\nReply STOP to opt out" }
	f.faults.first(acceptThen500)
	res, _ := f.run(f.request(p, "t.msg", 1))
	if res.Outcome != OutcomeSent || len(f.twilio.To(p.Phone)) != 1 {
		t.Fatalf("after an altered body and a 500: %+v, %d at the provider", res, len(f.twilio.To(p.Phone)))
	}
}

// A STOP recorded while the message waits for the pacer stops it: consent
// is read again when the attempt is claimed, after the wait.
func TestStopDuringThePacerWaitIsHonoured(t *testing.T) {
	f := newFixture(t)
	p := f.patient(12, false)
	gate := newGate(f.acts.SMS)
	f.acts.SMS = gate
	gate.setOnWait(func() {
		if err := f.store.ConsentAppend(context.Background(), store.Recipient{PatientID: p.ID},
			store.ConsentChange{Channel: "sms", Purpose: carepath.PurposeAll, Granted: false, Source: "sms:STOP"}); err != nil {
			t.Error(err)
		}
	})
	res, _ := f.run(f.request(p, "t.msg", 1))
	if res.Outcome != OutcomeSuppressed || res.Reason != ReasonOptedOut || len(f.twilio.To(p.Phone)) != 0 {
		t.Fatalf("STOP during the wait: %+v, %d at the provider", res, len(f.twilio.To(p.Phone)))
	}
}

// A resend after reconciliation is a new decision: at 23:00 it waits for
// the window. Before the fix the reconcile-then-resend path called the
// provider directly.
func TestResendRechecksQuietHours(t *testing.T) {
	f := newFixture(t)
	p := f.patient(12, false)
	f.faults.first(dropUnsent)
	req := f.request(p, "t.msg", 1)
	if _, err := f.acts.SendMessage(context.Background(), req); err == nil {
		t.Fatal("a broken connection reported as an outcome")
	}
	f.offset.Store(int64(11 * time.Hour)) // the retry comes at 23:00 local
	res, _ := f.run(req)
	if res.Outcome != OutcomeDeferred || res.Reason != ReasonQuietHours || len(f.twilio.To(p.Phone)) != 0 {
		t.Fatalf("resend at 23:00: %+v, %d at the provider", res, len(f.twilio.To(p.Phone)))
	}
	if r := f.row(req.MessageID); r.Status != carepath.MessageDeferred {
		t.Fatalf("row %s, want deferred", r.Status)
	}
}

// A reply to the question the patient just answered goes at night; the
// journey's next message, other journeys' messages, and messages after an
// inbound text that answered nothing (HELP) wait for the window. Before
// the fix any inbound message lifted the window and caps for all outreach.
func TestConversationReplyGoesAtNight(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.patient(23, false)
	enroll := func() string {
		e, err := f.store.EnrollmentInsert(ctx, carepath.Enrollment{ID: uuid.NewString(), PatientID: p.ID,
			Journey: "post_visit_checkin", Key: uuid.NewString(), Params: map[string]any{}, WorkflowID: uuid.NewString()})
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	answering, other := enroll(), enroll()
	inbound := func(body string) string {
		id, _, _, err := f.store.MessageInboundInsert(ctx, store.InboundMessage{ID: uuid.NewString(), PatientID: p.ID,
			Channel: "sms", Body: body, From: p.Phone, Provider: "twilio", ProviderMessageID: "SM" + uuid.NewString()})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	// HELP answers nothing: no exemption.
	inbound("HELP")
	if res, err := f.send(p, carepath.PurposeOutreach, 1, func(r *SendMessageRequest) { r.EnrollmentID = other }); err != nil || res.Outcome != OutcomeDeferred {
		t.Fatalf("outreach at 11 p.m. after HELP: %+v %v", res, err)
	}
	// The patient answers the journey's question.
	qid := uuid.NewString()
	if err := f.store.QuestionOpen(ctx, store.Question{ID: qid, EnrollmentID: answering, PatientID: p.ID,
		WorkflowID: uuid.NewString(), Key: "pain"}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.QuestionAnswer(ctx, qid, inbound("3")); err != nil {
		t.Fatal(err)
	}
	res, err := f.send(p, carepath.PurposeCare, 2, func(r *SendMessageRequest) { r.EnrollmentID = answering })
	if err != nil || res.Outcome != OutcomeSent {
		t.Fatalf("the reply to the answered question at 11 p.m.: %+v %v", res, err)
	}
	if res, err := f.send(p, carepath.PurposeOutreach, 3, func(r *SendMessageRequest) { r.EnrollmentID = answering }); err != nil || res.Outcome != OutcomeDeferred {
		t.Fatalf("the same journey's next message at 11 p.m.: %+v %v", res, err)
	}
	if res, err := f.send(p, carepath.PurposeOutreach, 4, func(r *SendMessageRequest) { r.EnrollmentID = other }); err != nil || res.Outcome != OutcomeDeferred {
		t.Fatalf("another journey's outreach at 11 p.m.: %+v %v", res, err)
	}
	if n := len(f.twilio.To(p.Phone)); n != 1 {
		t.Fatalf("%d messages at 11 p.m., want only the reply", n)
	}
}

// A caregiver's message goes through the same outbox: accepted then 500,
// it is reconciled, not sent twice.
func TestCaregiverAcceptedThen500IsSentOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.acts.Templates.MustAdd("t.cg", map[string]messaging.Text{"en": {Body: "{{.caregiver_name}}: about {{.given_name}}"}})
	p := f.patient(12, false)
	cg, err := f.store.CaregiverInsert(ctx, store.Caregiver{ID: uuid.NewString(), PatientID: p.ID, GivenName: "Rosa",
		FamilyName: "X", Relationship: "daughter", Phone: fmt.Sprintf("+1555%07d", phoneSeq.Add(1)%10_000_000),
		PreferredChannel: "sms", Locale: "en"}, true)
	if err != nil {
		t.Fatal(err)
	}
	f.faults.first(acceptThen500)
	req := NotifyCaregiversRequest{PatientID: p.ID, Template: "t.cg", MessageIDBase: uuid.NewString()}
	var res NotifyCaregiversResult
	for attempt := 1; ; attempt++ {
		if res, err = f.acts.NotifyCaregivers(ctx, req); err == nil {
			break
		}
		if attempt > 10 {
			t.Fatal(err)
		}
		time.Sleep(testClientTimeout / 2)
	}
	if res.Notified != 1 || len(f.twilio.To(cg.Phone)) != 1 {
		t.Fatalf("%+v, %d at the provider", res, len(f.twilio.To(cg.Phone)))
	}
	if calls := f.faults.calls(); !hasPrefix(calls, "create", "lookup") || len(calls) != 2 {
		t.Fatalf("provider calls %v", calls)
	}
}

// A process that stalls between claiming its attempt and calling the
// provider does not call late (its lease is half gone): it gives the
// attempt back and decides again.
func TestStalledAttemptDoesNotCallLate(t *testing.T) {
	f := newFixture(t)
	p := f.patient(12, false)
	stalled := false
	f.acts.hooks = &sendHooks{beforeProvider: func(string) error {
		if !stalled {
			stalled = true
			time.Sleep(testTiming.LeaseMargin/2 + 100*time.Millisecond)
		}
		return nil
	}}
	req := f.request(p, "t.msg", 1)
	res, _ := f.run(req)
	if res.Outcome != OutcomeSent || !stalled || len(f.twilio.To(p.Phone)) != 1 {
		t.Fatalf("after a stall: %+v, %d at the provider", res, len(f.twilio.To(p.Phone)))
	}
	if r := f.row(req.MessageID); r.Attempts != 2 {
		t.Fatalf("%d attempts claimed, want 2 (the stalled one released)", r.Attempts)
	}
}

// refusing is an email provider that reports the address opted out.
type refusing struct{}

func (refusing) Provider() string { return messaging.ProviderSendGrid }
func (refusing) Send(context.Context, messaging.Outbound) (messaging.Receipt, error) {
	return messaging.Receipt{}, &messaging.Error{Provider: messaging.ProviderSendGrid, HTTPStatus: 400, Kind: messaging.KindOptedOut}
}

// Both channels fail at the provider: the message is settled with its
// reason and the journey gets a real outcome. Before the fix the fallback's
// failure returned an empty result with no error and left the row queued.
func TestFallbackFailureSettlesTheMessage(t *testing.T) {
	f := newFixture(t)
	p := f.patient(12, true)
	f.twilio.Fail = func(faketwilio.Message) (int, int) { return 400, 21211 }
	f.acts.Email = refusing{}
	req := f.request(p, "t.msg", 1)
	res, err := f.acts.SendMessage(context.Background(), req)
	if err != nil || res.Outcome != OutcomeSuppressed || res.Reason != ReasonOptedOut {
		t.Fatalf("both channels failed: %+v %v", res, err)
	}
	if r := f.row(req.MessageID); r.Status != carepath.MessageSuppressed || r.StatusReason != ReasonOptedOut {
		t.Fatalf("row %s (%s), want suppressed with the reason", r.Status, r.StatusReason)
	}
}

// With two unsettled identical messages to a shared phone, the status
// callback (whose URL names the carepath message) settles the accepted one
// exactly; the lookup waits for it rather than guess, and the other is
// sent.
func TestStatusCallbackSettlesIdenticalMessagesExactly(t *testing.T) {
	f := newFixture(t)
	a := f.patient(12, false)
	b := f.patient(12, false)
	if _, err := f.store.Pool.Exec(context.Background(), `UPDATE patients SET phone = $1 WHERE id = $2`, a.Phone, b.ID); err != nil {
		t.Fatal(err)
	}
	f.faults.set(func(n int) fault {
		switch n {
		case 1:
			return refuse500
		case 2:
			return acceptThen500
		}
		return passThrough
	})
	ra, rb := f.request(a, "t.same", 0), f.request(b, "t.same", 0)
	for _, req := range []SendMessageRequest{ra, rb} {
		if _, err := f.acts.SendMessage(context.Background(), req); err == nil {
			t.Fatal("a 500 reported as an outcome")
		}
	}
	got := f.twilio.To(a.Phone)
	if len(got) != 1 || got[0].CarepathID() != rb.MessageID {
		t.Fatalf("the provider holds %+v; want b's message, its callback URL naming b", got)
	}
	// What the status callback does.
	if err := f.store.MessageMarkSent(context.Background(), got[0].CarepathID(), "twilio", got[0].SID); err != nil {
		t.Fatal(err)
	}
	for _, req := range []SendMessageRequest{ra, rb} {
		if res, _ := f.run(req); res.Outcome != OutcomeSent {
			t.Fatalf("%+v", res)
		}
	}
	if n := len(f.twilio.To(a.Phone)); n != 2 {
		t.Fatalf("the shared phone got %d messages, want 2", n)
	}
	if pb := f.row(rb.MessageID).ProviderMessageID; pb != got[0].SID {
		t.Fatalf("b owns %q, want its own provider message %q", pb, got[0].SID)
	}
}
