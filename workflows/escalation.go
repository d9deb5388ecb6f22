package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
)

// TaskEscalationWorkflow watches one task's acknowledgement deadline.
const TaskEscalationWorkflow = "carepath.task_escalation"

// TaskEscalationWorkflowID is keyed by the task, so a task is watched once.
func TaskEscalationWorkflowID(taskID string) string { return "task-escalation-" + taskID }

// TaskEscalationInput names the task and its priority.
type TaskEscalationInput struct {
	TaskID   string            `json:"task_id"`
	Priority carepath.Priority `json:"priority"`
}

// TaskEscalation waits out the task's acknowledgement deadline; if nobody
// has acknowledged it, the task escalates one level (care team → charge
// nurse → on-call clinician) with a fresh deadline, until acknowledged or
// at the last level.
func TaskEscalation(ctx workflow.Context, in TaskEscalationInput) error {
	deadline := carepath.AckDeadline[in.Priority]
	for {
		if err := workflow.Sleep(ctx, deadline); err != nil {
			return fmt.Errorf("task escalation: %w", err)
		}
		req := activities.EscalateTaskRequest{TaskID: in.TaskID, NextDue: workflow.Now(ctx).Add(deadline)}
		var res activities.EscalateTaskResult
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), acts.EscalateTask, req).Get(ctx, &res); err != nil {
			return fmt.Errorf("task escalation: %w", err)
		}
		if !res.Escalated || res.Level >= carepath.MaxEscalationLevel {
			return nil
		}
	}
}
