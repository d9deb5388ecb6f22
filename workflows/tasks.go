package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
)

// Task is a care-team work item a journey raises.
type Task struct {
	Priority  carepath.Priority
	Reason    string // shown to the care team; no PHI beyond what the team sees anyway
	MessageID string // the reply that prompted it, if any
}

// Escalate raises a care-team task; the deployment's task sweeper escalates
// it further if nobody acknowledges it in time. A retry never raises a
// second task.
func (j *J) Escalate(t Task) {
	if !t.Priority.Valid() {
		j.must(temporal.NewNonRetryableApplicationError("unknown task priority "+string(t.Priority), "InvalidTask", nil))
	}
	id := j.nextID("task")
	req := activities.CreateTaskRequest{TaskID: id, DedupeKey: carepath.TaskKeyJourney(id), PatientID: j.in.PatientID,
		EnrollmentID: j.in.EnrollmentID, MessageID: t.MessageID, Priority: t.Priority, Reason: t.Reason}
	// Version 1 raises the task inside the workflow task (a local
	// activity) and leaves its deadline to the task sweeper: the nurse's
	// task and the patient's next message are each one server round trip
	// away from the reply, and no watcher workflow is started per task.
	if workflow.GetVersion(j.ctx, changeEscalateInTask, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		j.must(j.escalateBeforeInTask(req))
		return
	}
	req.Swept = true
	err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(j.ctx, localRecordOptions), acts.CreateTask, req).Get(j.ctx, nil)
	if err != nil {
		j.must(fmt.Errorf("escalate: %w", err))
	}
}
