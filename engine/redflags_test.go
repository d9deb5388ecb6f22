package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// tasksOf lists the patient's tasks with a reason.
func tasksOf(t *testing.T, e *Engine, patientID, reason string) []carepath.Task {
	t.Helper()
	all, err := e.Store.TaskList(context.Background(), store.TaskFilter{PatientID: patientID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []carepath.Task
	for _, tk := range all {
		if tk.Reason == reason {
			out = append(out, tk)
		}
	}
	return out
}

// A red flag in a reply to a waiting journey raises an urgent task naming
// what matched in the webhook's transaction, before anything reaches
// Temporal; the router then pages, starts the safety message and still
// hands the reply to the journey, marked red so it is not clarified.
func TestRedFlagRaisesUrgentTaskPagesAnswersAndStillRoutes(t *testing.T) {
	ctx := context.Background()
	down, up := newTestEngine(t, false), newTestEngine(t, true)
	pid := newTestPatient(t, up)
	wf, _ := waitingJourney(t, up, pid, store.Question{Key: "feeling", Accepts: feelingSpec})
	if err := down.ReceiveMessage(ctx, sms(patientPhone(t, up, pid), "I have chest pain and can't breathe")); err != nil {
		t.Fatal(err)
	}
	tasks := tasksOf(t, up, pid, carepath.ReasonRedFlag)
	if len(tasks) != 1 || tasks[0].Priority != carepath.PriorityUrgent || !strings.Contains(tasks[0].Note, "chest pain") {
		t.Fatalf("red-flag tasks with Temporal down: %+v", tasks)
	}
	if n := len(tasksOf(t, up, pid, carepath.ReasonUnmatchedReply)); n != 0 {
		t.Fatalf("%d review tasks beside the urgent one", n)
	}
	msgID := inboundMessages(t, up, pid)[0].ID
	routeUntil(t, up, "the red flag's route", func() bool { return len(signalledReplies(t, up, wf)) == 1 })
	if r := signalledReplies(t, up, wf)[0]; !r.RedFlag {
		t.Fatalf("reply reached the journey without its red flag: %+v", r)
	}
	if !workflowExists(t, up, workflows.SafetyWorkflowID(msgID)) {
		t.Fatal("no safety message started")
	}
	if !pageStarted(t, up, tasks[0].ID) {
		t.Fatal("no page started for the urgent task")
	}
	// A provider's re-delivery raises nothing more.
	again := sms(patientPhone(t, up, pid), "I have chest pain and can't breathe")
	again.ProviderMessageID = inboundMessages(t, up, pid)[0].ProviderMessageID
	if err := up.ReceiveMessage(ctx, again); err != nil {
		t.Fatal(err)
	}
	if n := len(tasksOf(t, up, pid, carepath.ReasonRedFlag)); n != 1 {
		t.Fatalf("%d red-flag tasks after a re-delivery", n)
	}
}

// Negation is not a red flag; an unknown sender's red flag still pages,
// with no one to answer.
func TestRedFlagNegatedAndUnknownSender(t *testing.T) {
	ctx := context.Background()
	up := newTestEngine(t, true)
	pid := newTestPatient(t, up)
	if err := up.ReceiveMessage(ctx, sms(patientPhone(t, up, pid), "no chest pain, feeling better")); err != nil {
		t.Fatal(err)
	}
	if n := len(tasksOf(t, up, pid, carepath.ReasonRedFlag)); n != 0 {
		t.Fatalf("a negated phrase raised %d red-flag tasks", n)
	}
	stranger := sms("+15559871234", "my father collapsed and is not breathing")
	if err := up.ReceiveMessage(ctx, stranger); err != nil {
		t.Fatal(err)
	}
	all, err := up.Store.TaskList(ctx, store.TaskFilter{Priority: carepath.PriorityUrgent, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var task *carepath.Task
	for i, tk := range all {
		if tk.Reason == carepath.ReasonRedFlag && tk.PatientID == "" {
			task = &all[i]
		}
	}
	if task == nil {
		t.Fatal("no urgent task for an unknown sender's red flag")
	}
	routeUntil(t, up, "the unknown sender's page", func() bool { return pageStarted(t, up, task.ID) })
}

// An opt-out in the patient's own words revokes consent and is confirmed
// once; one that is not clear raises a review task and is routed as usual.
func TestFreeTextOptOut(t *testing.T) {
	ctx := context.Background()
	up := newTestEngine(t, true)
	pid := newTestPatient(t, up)
	phone := patientPhone(t, up, pid)
	if err := up.ReceiveMessage(ctx, sms(phone, "can you stop these?")); err != nil {
		t.Fatal(err)
	}
	if n := len(tasksOf(t, up, pid, carepath.ReasonPossibleOptOut)); n != 1 {
		t.Fatalf("%d review tasks for an unclear opt-out, want 1", n)
	}
	if granted, err := up.Store.ConsentGranted(ctx, pid, carepath.ChannelSMS, carepath.PurposeCare); err != nil || !granted {
		t.Fatalf("an unclear opt-out revoked consent: %v %v", granted, err)
	}
	if err := up.ReceiveMessage(ctx, sms(phone, "please stop texting me")); err != nil {
		t.Fatal(err)
	}
	if granted, err := up.Store.ConsentGranted(ctx, pid, carepath.ChannelSMS, carepath.PurposeCare); err != nil || granted {
		t.Fatalf("consent after \"please stop texting me\": %v %v", granted, err)
	}
	msgs := inboundMessages(t, up, pid)
	routeUntil(t, up, "the confirmation", func() bool { return workflowExists(t, up, workflows.ComplianceWorkflowID(msgs[len(msgs)-1].ID)) })
}

// An email whose subject or first line is STOP revokes email consent (not
// SMS) and is confirmed by email.
func TestEmailStopRevokesEmailConsent(t *testing.T) {
	ctx := context.Background()
	up := newTestEngine(t, true)
	pid := uuid.NewString()
	email := "pat-" + pid[:8] + "@example.org"
	if _, err := up.Store.PatientInsert(ctx, pid, carepath.NewPatient{GivenName: "Em", FamilyName: "Ail", BirthDate: "1970-01-01",
		Phone: fmt.Sprintf("+1334%07d", phoneSeq.Add(1)%10_000_000), Email: email, Timezone: "UTC",
		PreferredChannel: "email", Locale: "en"}); err != nil {
		t.Fatal(err)
	}
	m := InboundMessage{Channel: carepath.ChannelEmail, Provider: messaging.ProviderSendGrid, ProviderMessageID: "<" + pid + "@mail>",
		From: email, To: "reply@carepath.example.org", Subject: "Re: STOP", Body: "STOP\n\nOn Mon, Care Team wrote:\n> How are you?"}
	if err := up.ReceiveMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	if granted, err := up.Store.ConsentGranted(ctx, pid, carepath.ChannelEmail, carepath.PurposeCare); err != nil || granted {
		t.Fatalf("email consent after an email STOP: %v %v", granted, err)
	}
	if granted, err := up.Store.ConsentGranted(ctx, pid, carepath.ChannelSMS, carepath.PurposeCare); err != nil || !granted {
		t.Fatalf("sms consent after an email STOP: %v %v", granted, err)
	}
}

// pageStarted reports whether the task's page was handed to the runners.
func pageStarted(t *testing.T, up *Engine, taskID string) bool {
	t.Helper()
	_, ok, err := up.Store.PageRunnerState(context.Background(), taskID)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}
