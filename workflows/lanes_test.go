package workflows

import (
	"context"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

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
