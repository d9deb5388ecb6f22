package workflows

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
)

// sendQueues runs a workflow and returns the task queue of every send it
// scheduled, in order.
func sendQueues(t *testing.T, setup func(*testsuite.TestWorkflowEnvironment), wf any, args ...any) []string {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(&activities.Activities{})
	var queues []string
	env.OnActivity(acts.SendMessage, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, _ activities.SendMessageRequest) (activities.SendMessageResult, error) {
			queues = append(queues, activity.GetInfo(ctx).TaskQueue)
			return activities.SendMessageResult{Outcome: activities.OutcomeSent}, nil
		})
	env.OnActivity(acts.SendCaregiverReply, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, _ activities.CaregiverReplyRequest) (activities.SendMessageResult, error) {
			queues = append(queues, activity.GetInfo(ctx).TaskQueue)
			return activities.SendMessageResult{Outcome: activities.OutcomeSent}, nil
		})
	if setup != nil {
		setup(env)
	}
	env.ExecuteWorkflow(wf, args...)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	return queues
}

func TestComplianceReplyGoesOnThePriorityLane(t *testing.T) {
	for name, in := range map[string]ComplianceReplyInput{
		"patient":   {PatientID: "p1", InboundMessageID: "m1", Template: TemplateHelp},
		"caregiver": {PatientID: "p1", InboundMessageID: "m2", Template: TemplateHelp, CaregiverID: "c1"},
	} {
		t.Run(name, func(t *testing.T) {
			got := sendQueues(t, nil, ComplianceReply, in)
			if len(got) != 1 || got[0] != SendPriorityTaskQueue {
				t.Fatalf("sends on %v, want one on %s", got, SendPriorityTaskQueue)
			}
		})
	}
}

// A compliance reply that reached its send before the change (no marker in
// its history) schedules it on the bulk queue, as it did then.
func TestComplianceReplyBeforeTheLaneStaysOnTheBulkQueue(t *testing.T) {
	got := sendQueues(t, func(env *testsuite.TestWorkflowEnvironment) {
		env.OnGetVersion(changeCompliancePriority, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	}, ComplianceReply, ComplianceReplyInput{PatientID: "p1", InboundMessageID: "m1", Template: TemplateHelp})
	if len(got) != 1 || got[0] != SendTaskQueue {
		t.Fatalf("sends on %v, want one on %s", got, SendTaskQueue)
	}
}

// laneJourney asks one question, then sends after wait: twice.
func laneJourney(wait time.Duration) *Journey[startParams] {
	return &Journey[startParams]{Name: "test_lane", Version: 1, Run: func(j *J, _ startParams) (string, error) {
		j.Send("lane.before") // nothing answered yet
		a := j.Ask(Question{Key: "how", Template: "lane.ask", Timeout: time.Hour,
			Choices: []Choice{{Value: "better", Words: []string{"1"}}}})
		if !a.Answered() {
			return "", fmt.Errorf("answer: %s", a.Status)
		}
		j.Sleep(wait)
		j.Send("lane.reply")
		j.Send("lane.after")
		return "done", nil
	}}
}

// conversationQueues runs laneJourney, answering its question a minute in,
// and returns each send's template and queue ("now" for SendNow, which
// finds every slot free).
func conversationQueues(t *testing.T, wait time.Duration, setup func(*testsuite.TestWorkflowEnvironment)) []string {
	t.Helper()
	sends, _ := laneSends(t, wait, setup, func(activities.SendMessageRequest) (activities.SendMessageResult, error) {
		return activities.SendMessageResult{Outcome: activities.OutcomeSent, Channel: carepath.ChannelSMS}, nil
	})
	return sends
}

// laneSends is conversationQueues with SendNow answering as now says; it
// also returns the message ID each template was sent with on a lane.
func laneSends(t *testing.T, wait time.Duration, setup func(*testsuite.TestWorkflowEnvironment),
	now func(activities.SendMessageRequest) (activities.SendMessageResult, error)) ([]string, map[string]string) {
	t.Helper()
	laneIDs := map[string]string{}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	d := laneJourney(wait)
	env.RegisterWorkflowWithOptions(d.WorkflowFunc(), workflow.RegisterOptions{Name: d.Name})
	env.RegisterActivity(&activities.Activities{})
	var sends []string
	questionID := ""
	env.OnActivity(acts.SendMessage, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, req activities.SendMessageRequest) (activities.SendMessageResult, error) {
			if req.Question != nil {
				questionID = req.Question.ID
			}
			sends = append(sends, req.Template+"@"+activity.GetInfo(ctx).TaskQueue)
			laneIDs[req.Template] = req.MessageID
			return activities.SendMessageResult{Outcome: activities.OutcomeSent, Channel: carepath.ChannelSMS}, nil
		})
	env.OnActivity(acts.SendNow, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, req activities.SendMessageRequest) (activities.SendMessageResult, error) {
			if !activity.GetInfo(ctx).IsLocalActivity {
				t.Errorf("%s: SendNow ran as a regular activity", req.Template)
			}
			res, err := now(req)
			if err == nil && res.Outcome == activities.OutcomeSent {
				if req.Question != nil {
					questionID = req.Question.ID
				}
				sends = append(sends, req.Template+"@now")
			}
			return res, err
		})
	env.OnActivity(acts.SendReply, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, req activities.SendMessageRequest) (activities.SendMessageResult, error) {
			if !activity.GetInfo(ctx).IsLocalActivity {
				t.Errorf("%s: SendReply ran as a regular activity", req.Template)
			}
			sends = append(sends, req.Template+"@local")
			return activities.SendMessageResult{Outcome: activities.OutcomeSent, Channel: carepath.ChannelSMS}, nil
		})
	env.OnActivity(acts.FinishEnrollment, mock.Anything, mock.Anything).Return(nil)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalReply, Reply{QuestionID: questionID, MessageID: "in1", Channel: carepath.ChannelSMS, Body: "1"})
	}, time.Minute)
	if setup != nil {
		setup(env)
	}
	env.ExecuteWorkflow(d.Name, Input{EnrollmentID: "e1", PatientID: "p1", Journey: d.Name})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	return sends, laneIDs
}

func TestConversationReplyGoesOnThePriorityLane(t *testing.T) {
	for _, c := range []struct {
		name string
		wait time.Duration
		want string
	}{
		// The journey's first send after the answer, within the
		// conversation (10 minutes): the reply, sent inside the workflow
		// task on the priority lane's slot; the next one is scheduled
		// traffic again.
		{"at once", 0, "lane.before@now lane.ask@now lane.reply@local lane.after@now"},
		{"within the conversation", activities.DefaultPolicy.Conversation, "lane.before@now lane.ask@now lane.reply@local lane.after@now"},
		// Past it the patient is no longer waiting: scheduled traffic
		// (in the workflow task while its slot is free).
		{"after the conversation", activities.DefaultPolicy.Conversation + time.Minute, "lane.before@now lane.ask@now lane.reply@now lane.after@now"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := strings.Join(conversationQueues(t, c.wait, nil), " "); got != c.want {
				t.Fatalf("sends\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

// A run that answered before the change (so started before the baseline)
// replays its reply on the bulk queue.
func TestConversationReplyBeforeTheLaneStaysOnTheBulkQueue(t *testing.T) {
	got := strings.Join(conversationQueues(t, 0, func(env *testsuite.TestWorkflowEnvironment) {
		env.OnGetVersion(changeBaseline, workflow.DefaultVersion, baselineVersion).Return(workflow.DefaultVersion)
		env.OnGetVersion(changeConversationLane, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
		env.OnGetVersion(changeLocalSend, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	}), " ")
	if want := "lane.before@carepath-sends lane.ask@carepath-sends lane.reply@carepath-sends lane.after@carepath-sends"; got != want {
		t.Fatalf("sends\n got %s\nwant %s", got, want)
	}
}

// A run that recorded the baseline takes the baselined changes without
// asking them: the lane's own GetVersion (mocked to the old branch here)
// is never consulted. A run that recorded version 1 asks the local reply
// on its own and sends on the priority lane's queue without it; version 2
// stands for it too. Runs that recorded 1 or 2 ask the local send on its
// own; version 3 stands for it.
func TestBaselineStandsForItsChanges(t *testing.T) {
	const lane, now = "carepath-sends", "now"
	for _, c := range []struct {
		name       string
		baseline   workflow.Version
		local      workflow.Version
		send       workflow.Version
		wantReply  string
		wantOthers string
	}{
		{"version 1, before the local reply", 1, workflow.DefaultVersion, workflow.DefaultVersion, "lane.reply@carepath-sends-priority", lane},
		{"version 1, reaching the local reply", 1, 1, workflow.DefaultVersion, "lane.reply@local", lane},
		{"version 1, reaching the local send", 1, 1, 1, "lane.reply@local", now},
		{"version 2", 2, workflow.DefaultVersion, workflow.DefaultVersion, "lane.reply@local", lane},
		{"version 2, reaching the local send", 2, workflow.DefaultVersion, 1, "lane.reply@local", now},
		{"version 3", 3, workflow.DefaultVersion, workflow.DefaultVersion, "lane.reply@local", now},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := strings.Join(conversationQueues(t, 0, func(env *testsuite.TestWorkflowEnvironment) {
				env.OnGetVersion(changeBaseline, workflow.DefaultVersion, baselineVersion).Return(c.baseline)
				env.OnGetVersion(changeConversationLane, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
				env.OnGetVersion(changeLocalReply, workflow.DefaultVersion, 1).Return(c.local)
				env.OnGetVersion(changeLocalSend, workflow.DefaultVersion, 1).Return(c.send)
			}), " ")
			o := c.wantOthers
			if want := "lane.before@" + o + " lane.ask@" + o + " " + c.wantReply + " lane.after@" + o; got != want {
				t.Fatalf("sends\n got %s\nwant %s", got, want)
			}
		})
	}
}

// A send whose slot is not free at once (SendNow: queued), or whose quick
// attempt failed, goes on its lane with the message ID SendNow had; the
// reply stays local either way.
func TestSendNowFallsBackToTheLane(t *testing.T) {
	for _, c := range []struct {
		name string
		res  activities.SendMessageResult
		err  error
	}{
		{"queued", activities.SendMessageResult{Outcome: activities.OutcomeQueued}, nil},
		{"failed", activities.SendMessageResult{}, fmt.Errorf("provider answered 500")},
	} {
		t.Run(c.name, func(t *testing.T) {
			tried := map[string]string{}
			got, laneIDs := laneSends(t, 0, nil, func(req activities.SendMessageRequest) (activities.SendMessageResult, error) {
				tried[req.Template] = req.MessageID
				return c.res, c.err
			})
			if want := "lane.before@carepath-sends lane.ask@carepath-sends lane.reply@local lane.after@carepath-sends"; strings.Join(got, " ") != want {
				t.Fatalf("sends\n got %s\nwant %s", strings.Join(got, " "), want)
			}
			for _, tpl := range []string{"lane.before", "lane.ask", "lane.after"} {
				if tried[tpl] == "" || tried[tpl] != laneIDs[tpl] {
					t.Errorf("%s: SendNow tried %q, the lane sent %q: want the same message", tpl, tried[tpl], laneIDs[tpl])
				}
			}
		})
	}
}

func TestBaselinedChanges(t *testing.T) {
	for _, id := range []string{changeEscalateInTask, changeFinishInTask, changeConversationLane, changeEmailLane, changeBoundedCarry,
		// journeys/legacy.go's
		"onboarding-clarify-and-decline-record", "reengagement-clarify-and-after-visit",
		"post-visit-clarify-and-decliner-touch", "treatment-readings-on-arrival", "treatment-calendar-days"} {
		if baselined(id) != 1 {
			t.Errorf("%s not in baseline version 1", id)
		}
	}
	if baselined(changeLocalReply) != 2 {
		t.Errorf("%s not in baseline version 2", changeLocalReply)
	}
	if baselined(changeLocalSend) != 3 {
		t.Errorf("%s not in baseline version 3", changeLocalSend)
	}
	// Changes asked outside journeys, one replaced before the baseline,
	// and any change after it are asked on their own.
	for _, id := range []string{changeTaskEscalation, changeCompliancePriority, "a-later-change"} {
		if baselined(id) != 0 {
			t.Errorf("%s baselined", id)
		}
	}
}
