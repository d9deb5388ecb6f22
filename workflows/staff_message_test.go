package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
)

// runStaffMessage runs the workflow against a send that answers with
// answers in turn; it returns each request and its task queue.
func runStaffMessage(t *testing.T, in StaffMessageInput, answers ...activities.SendMessageResult) (StaffMessageResult, []activities.SendMessageRequest, []string) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(&activities.Activities{})
	var reqs []activities.SendMessageRequest
	var queues []string
	env.OnActivity(acts.SendMessage, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, req activities.SendMessageRequest) (activities.SendMessageResult, error) {
			reqs = append(reqs, req)
			queues = append(queues, activity.GetInfo(ctx).TaskQueue)
			return answers[len(reqs)-1], nil
		})
	env.ExecuteWorkflow(StaffMessage, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res StaffMessageResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return res, reqs, queues
}

// Not urgent: the bulk lane; deferred by quiet hours, it waits on a timer
// and asks again with the same message ID.
func TestStaffMessageWaitsOutQuietHours(t *testing.T) {
	until := time.Now().Add(9 * time.Hour)
	in := StaffMessageInput{MessageID: "m1", PatientID: "p1", Text: "Call us back please", Author: "user:u1"}
	res, reqs, queues := runStaffMessage(t, in,
		activities.SendMessageResult{Outcome: activities.OutcomeDeferred, Reason: activities.ReasonQuietHours, DeferredUntil: &until},
		activities.SendMessageResult{Outcome: activities.OutcomeSent, Channel: carepath.ChannelSMS})
	if res.Outcome != activities.OutcomeSent || len(reqs) != 2 || reqs[0].MessageID != "m1" || reqs[1].MessageID != "m1" {
		t.Fatalf("result %+v after %d sends", res, len(reqs))
	}
	for _, q := range queues {
		if q != SendTaskQueue {
			t.Fatalf("queues %v, want %s", queues, SendTaskQueue)
		}
	}
	r := reqs[0]
	if r.Template != TemplateStaffReply || r.Vars[StaffReplyText] != "Call us back please" || r.Purpose != carepath.PurposeCare ||
		r.Urgent || r.NoFallback || r.Author != "user:u1" || r.PatientID != "p1" {
		t.Fatalf("request %+v", r)
	}
}

// Urgent: the priority lane, flagged for the send policy; a chosen channel
// does not fall back; a suppression is the workflow's result, not an error.
func TestStaffMessageUrgentOnThePriorityLane(t *testing.T) {
	in := StaffMessageInput{MessageID: "m2", PatientID: "p1", Text: "Please call now", Channel: carepath.ChannelSMS, Urgent: true, Author: "user:u1"}
	res, reqs, queues := runStaffMessage(t, in,
		activities.SendMessageResult{Outcome: activities.OutcomeSuppressed, Reason: activities.ReasonOptedOut})
	if len(reqs) != 1 || queues[0] != SendPriorityTaskQueue || !reqs[0].Urgent || !reqs[0].NoFallback || reqs[0].Channel != carepath.ChannelSMS {
		t.Fatalf("%d sends on %v: %+v", len(reqs), queues, reqs)
	}
	if res.Outcome != activities.OutcomeSuppressed || res.Reason != activities.ReasonOptedOut {
		t.Fatalf("result %+v", res)
	}
}

// The template renders the staff member's text as written.
func TestStaffReplyTemplate(t *testing.T) {
	reg, err := NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	for _, loc := range []string{"en", "es"} {
		subj, body, _, err := reg.Templates().Render(TemplateStaffReply, loc, map[string]string{"given_name": "Ada", StaffReplyText: "Take 2 <tablets> & rest"})
		if err != nil || body != "Take 2 <tablets> & rest" || subj == "" {
			t.Fatalf("%s: %q %q %v", loc, subj, body, err)
		}
	}
}
