package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
)

// Replay-only code. Each workflow.GetVersion change below keeps the old
// branch so that a run which recorded it before the change replays the
// same way; live code calls in here only from its GetVersion branch.
// Nothing here runs for a journey started after the change.
//
// A branch can go once no open run can replay through it: every run started
// before the change was deployed has closed (a run that continued as new
// replays from its own history, so only the run's own start counts).
// Check on each Temporal namespace, then delete the branch, its
// DefaultVersion test histories (journeys/testdata/histories/*_before_*)
// and, per Temporal's guidance, keep the GetVersion call with its minimum
// raised to 1 (workflow.GetVersion(ctx, id, 1, 1)) until those runs are
// also gone from retention:
//
//	temporal workflow list --query 'ExecutionStatus="Running" AND StartTime < "<deploy time>"'

// Change IDs. Each is recorded in the history of every run that reached it.
const (
	// changeTaskEscalation (version 1, commit f664694, 2026-11-22) started
	// a watcher workflow (TaskEscalation) per task a journey raised.
	// DefaultVersion: no watcher. Superseded by changeEscalateInTask, so it
	// is only asked on that change's DefaultVersion branch.
	changeTaskEscalation = "task-escalation"
	// changeEscalateInTask (version 1, commit b3b3a28, 2026-11-22) raises
	// the task in a local activity and leaves its deadline to the task
	// sweeper. DefaultVersion (escalateBeforeInTask): a CreateTask
	// activity on the journeys queue, then the watcher per changeTaskEscalation.
	// Deletable with changeTaskEscalation and the TaskEscalation workflow
	// once every run started before b3b3a28 was deployed has closed, and no
	// watcher is running:
	//   temporal workflow list --query 'WorkflowType="carepath.task_escalation" AND ExecutionStatus="Running"'
	changeEscalateInTask = "escalate-in-task"
	// changeFinishInTask (version 1, commit 611e572, 2026-11-22) records
	// an enrollment's end in a local activity. DefaultVersion
	// (finishBeforeInTask): a FinishEnrollment activity. Deletable once
	// every run started before 611e572 was deployed has closed.
	changeFinishInTask = "finish-in-task"
)

// escalateBeforeInTask is Escalate as it was before changeEscalateInTask:
// the task raised by an activity on the journeys queue, then (from
// changeTaskEscalation) a watcher workflow started for it.
func (j *J) escalateBeforeInTask(req activities.CreateTaskRequest) error {
	var res activities.CreateTaskResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.CreateTask, req).Get(j.ctx, &res)
	if err != nil {
		return fmt.Errorf("escalate: %w", err)
	}
	if workflow.GetVersion(j.ctx, changeTaskEscalation, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	// The watcher outlives the journey; wait only until it has started.
	ctx := workflow.WithChildOptions(j.ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        TaskEscalationWorkflowID(res.TaskID),
		TaskQueue:         TaskQueue,
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	child := workflow.ExecuteChildWorkflow(ctx, TaskEscalationWorkflow, TaskEscalationInput{TaskID: res.TaskID, Priority: req.Priority})
	if err := child.GetChildWorkflowExecution().Get(j.ctx, nil); err != nil {
		return fmt.Errorf("escalate: watch task: %w", err)
	}
	return nil
}

// finishBeforeInTask is finish's record of the end as it was before
// changeFinishInTask: an activity on the journeys queue.
func finishBeforeInTask(ctx workflow.Context, req activities.FinishEnrollmentRequest) error {
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), acts.FinishEnrollment, req).Get(ctx, nil)
}

// TaskEscalationWorkflow is the per-task watcher changeTaskEscalation
// started. Workers keep registering it while any such watcher runs.
const TaskEscalationWorkflow = "carepath.task_escalation"

// TaskEscalationWorkflowID is keyed by the task, so a task was watched once.
func TaskEscalationWorkflowID(taskID string) string { return "task-escalation-" + taskID }

// TaskEscalationInput names the task and its priority.
type TaskEscalationInput struct {
	TaskID   string            `json:"task_id"`
	Priority carepath.Priority `json:"priority"`
}

// TaskEscalation waits out the task's acknowledgement deadline; if nobody
// has acknowledged it, the task escalates one level (care team → charge
// nurse → on-call clinician) with a fresh deadline, until acknowledged or
// at the last level. The task sweeper does this for every task now.
func TaskEscalation(ctx workflow.Context, in TaskEscalationInput) error {
	deadline := legacyAckDeadline[in.Priority]
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

// legacyAckDeadline is carepath.AckDeadline as it was when TaskEscalation
// ran, pinned: the watcher's timers replay with the durations recorded.
var legacyAckDeadline = map[carepath.Priority]time.Duration{
	carepath.PriorityUrgent: 15 * time.Minute,
	carepath.PriorityHigh:   2 * time.Hour,
	carepath.PriorityNormal: 24 * time.Hour,
	carepath.PriorityLow:    72 * time.Hour,
}
