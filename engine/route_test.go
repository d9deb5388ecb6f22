package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/answers"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// waitingJourney starts a workflow no worker runs (so it simply waits and
// keeps every signal in its history) under an enrollment of the patient,
// and opens the given questions on it, oldest first.
func waitingJourney(t *testing.T, up *Engine, patientID string, questions ...store.Question) (workflowID string, qs []store.Question) {
	t.Helper()
	ctx := context.Background()
	workflowID = "route-test-" + uuid.NewString()
	if _, err := up.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflowID, TaskQueue: "route-test-idle"}, "idle"); err != nil {
		t.Fatal(err)
	}
	enr, err := up.Store.EnrollmentInsert(ctx, carepath.Enrollment{ID: uuid.NewString(), PatientID: patientID,
		Journey: "post_visit_checkin", Key: uuid.NewString(), Params: map[string]any{}, WorkflowID: workflowID})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range questions {
		q.ID, q.EnrollmentID, q.PatientID, q.WorkflowID = uuid.NewString(), enr.ID, patientID, workflowID
		if err := up.Store.QuestionOpen(ctx, q); err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
		time.Sleep(2 * time.Millisecond) // asked_at orders them
	}
	return workflowID, qs
}

var (
	feelingSpec = answers.Spec{Choices: []answers.Choice{{Value: "better", Words: []string{"1", "better"}},
		{Value: "same", Words: []string{"2"}}, {Value: "worse", Words: []string{"3", "worse"}}}}
	scoreSpec = answers.Spec{Number: &answers.NumberRange{Min: 0, Max: 10}}
)

func patientPhone(t *testing.T, e *Engine, patientID string) string {
	t.Helper()
	p, err := e.Store.PatientGet(context.Background(), patientID)
	if err != nil {
		t.Fatal(err)
	}
	return p.Phone
}

func sms(from, body string) InboundMessage {
	return InboundMessage{Channel: carepath.ChannelSMS, Provider: messaging.ProviderTwilio,
		ProviderMessageID: "SM" + uuid.NewString()[:8] + uuid.NewString()[:8], From: from, To: "+15550009999", Body: body}
}

// inboundMessages returns the patient's inbound messages, oldest first.
func inboundMessages(t *testing.T, e *Engine, patientID string) []carepath.Message {
	t.Helper()
	all, err := e.Store.MessagesByPatient(context.Background(), patientID, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []carepath.Message
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Direction == "inbound" {
			out = append(out, all[i])
		}
	}
	return out
}

// signalledReplies reads the replies a workflow received, in order.
func signalledReplies(t *testing.T, up *Engine, workflowID string) []workflows.Reply {
	t.Helper()
	it := up.Temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var out []workflows.Reply
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		a := ev.GetWorkflowExecutionSignaledEventAttributes()
		if a == nil || a.GetSignalName() != workflows.SignalReply {
			continue
		}
		var r workflows.Reply
		if err := converter.GetDefaultDataConverter().FromPayloads(a.GetInput(), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// routeUntil runs the router's sweep until done holds (a route that just
// failed backs off for a moment first).
func routeUntil(t *testing.T, e *Engine, what string, done func() bool) {
	t.Helper()
	for range 100 {
		if err := e.RouteDue(context.Background()); err != nil {
			t.Fatalf("route: %v", err)
		}
		if done() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("not routed: %s", what)
}

// Replies that arrive while Temporal cannot be reached are accepted (the
// webhook's 200), kept, and routed when it is back: to the questions they
// answer, in the order they arrived, stamped with when carepath took them.
// Before the reply router, the first failed signal was an error (a 500 to
// Twilio, which does not retry for long) and the reply stayed "received".
func TestRepliesWhileTemporalDownAreRoutedInOrderLater(t *testing.T) {
	ctx := context.Background()
	down, up := newTestEngine(t, false), newTestEngine(t, true)
	pid := newTestPatient(t, up)
	phone := patientPhone(t, up, pid)
	wf, qs := waitingJourney(t, up, pid, store.Question{Key: "feeling", Accepts: feelingSpec},
		store.Question{Key: "score", Accepts: scoreSpec})

	for _, body := range []string{"worse", "8"} {
		if err := down.ReceiveMessage(ctx, sms(phone, body)); err != nil {
			t.Fatalf("reply %q with Temporal down: %v", body, err)
		}
	}
	if err := down.RouteDue(ctx); err == nil {
		t.Fatal("routing with Temporal unreachable reported success")
	}
	msgs := inboundMessages(t, up, pid)
	if len(msgs) != 2 || msgs[0].Status != carepath.MessageReceived || msgs[1].Status != carepath.MessageReceived {
		t.Fatalf("replies after a failed routing attempt: %+v", msgs)
	}
	if n, _, err := up.ReplyBacklog(ctx); err != nil || n < 2 {
		t.Fatalf("backlog: %d, %v", n, err)
	}

	routeUntil(t, up, "both replies", func() bool {
		msgs = inboundMessages(t, up, pid)
		return msgs[0].Status == carepath.MessageRouted && msgs[1].Status == carepath.MessageRouted
	})
	got := signalledReplies(t, up, wf)
	if len(got) != 2 {
		t.Fatalf("journey received %d replies, want 2", len(got))
	}
	for i, want := range []struct{ msg, question string }{{msgs[0].ID, qs[0].ID}, {msgs[1].ID, qs[1].ID}} {
		if got[i].MessageID != want.msg || got[i].QuestionID != want.question {
			t.Errorf("reply %d: message %s to question %s, want %s to %s", i, got[i].MessageID, got[i].QuestionID, want.msg, want.question)
		}
		if !got[i].ReceivedAt.Equal(msgs[i].CreatedAt) {
			t.Errorf("reply %d received at %s, stored at %s", i, got[i].ReceivedAt, msgs[i].CreatedAt)
		}
	}
}

// A reply to a journey that has ended becomes a task in the care team's
// inbox; it is never dropped.
func TestReplyToEndedJourneyBecomesTask(t *testing.T) {
	ctx := context.Background()
	up := newTestEngine(t, true)
	pid := newTestPatient(t, up)
	wf, _ := waitingJourney(t, up, pid, store.Question{Key: "feeling", Accepts: feelingSpec})
	if err := up.Temporal.TerminateWorkflow(ctx, wf, "", "journey ended"); err != nil {
		t.Fatal(err)
	}
	if err := up.ReceiveMessage(ctx, sms(patientPhone(t, up, pid), "3")); err != nil {
		t.Fatal(err)
	}
	var msg carepath.Message
	routeUntil(t, up, "the reply", func() bool {
		msg = inboundMessages(t, up, pid)[0]
		return msg.Status == carepath.MessageRouted
	})
	var n int
	if err := testenv.Pool(t).QueryRow(ctx, `SELECT count(*) FROM tasks WHERE dedupe_key = $1 AND patient_id = $2 AND reason = $3`,
		carepath.TaskKeyReply(msg.ID), pid, carepath.ReasonUnmatchedReply).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d inbox tasks for the reply, want 1", n)
	}
}

// STOP while Temporal is down revokes consent in the webhook's own
// transaction; the confirmation is started once Temporal is back.
func TestStopWhileTemporalDown(t *testing.T) {
	ctx := context.Background()
	down, up := newTestEngine(t, false), newTestEngine(t, true)
	pid := newTestPatient(t, up)
	if err := down.ReceiveMessage(ctx, sms(patientPhone(t, up, pid), "STOP")); err != nil {
		t.Fatal(err)
	}
	granted, err := up.Store.ConsentGranted(ctx, pid, carepath.ChannelSMS, "care")
	if err != nil || granted {
		t.Fatalf("consent after STOP: %v, %v", granted, err)
	}
	msgID := inboundMessages(t, up, pid)[0].ID
	routeUntil(t, up, "the STOP confirmation", func() bool {
		return inboundMessages(t, up, pid)[0].Status == carepath.MessageRouted
	})
	if !workflowExists(t, up, workflows.ComplianceWorkflowID(msgID)) {
		t.Fatal("no confirmation started for the STOP")
	}
}

// A reply that fits the open question answers it, even when it reads like
// a preference: "by email" is onboarding's answer to "text or email?"
// (review 1.10); before, it changed the patient's preferences instead.
func TestReplyThatFitsTheQuestionAnswersIt(t *testing.T) {
	ctx := context.Background()
	up := newTestEngine(t, true)
	pid := newTestPatient(t, up)
	contact := answers.Spec{Choices: []answers.Choice{{Value: "email", Words: []string{"email", "by email"}},
		{Value: "sms", Words: []string{"text", "sms"}}}}
	_, qs := waitingJourney(t, up, pid, store.Question{Key: "contact", Accepts: contact})
	if err := up.ReceiveMessage(ctx, sms(patientPhone(t, up, pid), "By email")); err != nil {
		t.Fatal(err)
	}
	msgID := inboundMessages(t, up, pid)[0].ID
	answered, ok, err := up.Store.QuestionAnsweredBy(ctx, msgID)
	if err != nil || !ok || answered.ID != qs[0].ID {
		t.Fatalf("question answered by the reply: %v %v %v", answered.ID, ok, err)
	}
	p, err := up.Store.PatientGet(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	if p.PreferredChannel != carepath.ChannelSMS {
		t.Fatalf("preferred channel changed to %s by an answer", p.PreferredChannel)
	}
}

// Two routers (two api processes) draining one sender's replies together
// hand each reply to the journey once, in the order they arrived.
func TestConcurrentRoutersKeepOrderAndRouteOnce(t *testing.T) {
	ctx := context.Background()
	a, b := newTestEngine(t, true), newTestEngine(t, true)
	pid := newTestPatient(t, a)
	phone := patientPhone(t, a, pid)
	const n = 6
	var open []store.Question
	for i := range n {
		word := fmt.Sprintf("k%d", i)
		open = append(open, store.Question{Key: word, Accepts: answers.Spec{Choices: []answers.Choice{{Value: word, Words: []string{word}}}}})
	}
	wf, _ := waitingJourney(t, a, pid, open...)
	for i := range n {
		if err := a.ReceiveMessage(ctx, sms(phone, fmt.Sprintf("k%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, e := range []*Engine{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if err := e.RouteDue(ctx); err != nil {
					errs <- err
					return
				}
				if msgs := inboundMessages(t, a, pid); msgs[n-1].Status == carepath.MessageRouted {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	msgs := inboundMessages(t, a, pid)
	got := signalledReplies(t, a, wf)
	if len(got) != n {
		t.Fatalf("journey received %d replies, want %d", len(got), n)
	}
	for i := range n {
		if got[i].MessageID != msgs[i].ID {
			t.Fatalf("reply %d out of order: %s, want %s", i, got[i].MessageID, msgs[i].ID)
		}
	}
}

// A router that finds the sender held by another (another api process
// routing the same patient) tries again shortly instead of leaving the
// reply to the next sweep: that router looked behind its route before
// this reply was stored, so it would not route it. And one call routes
// every reply a sender has waiting, looking behind each as it takes it.
func TestRouterWaitsOutAHeldSenderAndRoutesWhatWaitsBehind(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, true)
	pid := newTestPatient(t, e)
	phone := patientPhone(t, e, pid)
	spec := func(w string) store.Question {
		return store.Question{Key: w, Accepts: answers.Spec{Choices: []answers.Choice{{Value: w, Words: []string{w}}}}}
	}
	wf, _ := waitingJourney(t, e, pid, spec("a1"), spec("a2"))
	sender := store.RouteSender(carepath.ChannelSMS, phone)

	// Another router holds the sender while both replies arrive.
	held, release, released := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		released <- e.Store.Tx(ctx, func(q *store.Queries) error {
			if ok, err := q.RouteSenderLock(ctx, sender); err != nil || !ok {
				return fmt.Errorf("hold sender: locked %v: %w", ok, err)
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	for _, w := range []string{"a1", "a2"} {
		if err := e.ReceiveMessage(ctx, sms(phone, w)); err != nil {
			t.Fatal(err)
		}
	}
	time.AfterFunc(2*routeHeldWait, func() { close(release) })
	n, err := e.routeSender(ctx, sender)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-released; err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("routed %d replies once the sender was let go, want 2", n)
	}
	if got := signalledReplies(t, e, wf); len(got) != 2 {
		t.Fatalf("journey received %d replies, want 2", len(got))
	}
}
