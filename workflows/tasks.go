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
	// DedupeKey, when set, is the task's key instead of its derived ID's
	// (carepath.TaskKeyJourney), so the task the engine raises for one
	// cause (a reading: carepath.TaskKeyReading) and the journey's are one.
	DedupeKey string
}

// Escalate raises a care-team task; the deployment's task sweeper escalates
// it further if nobody acknowledges it in time. A retry never raises a
// second task.
func (j *J) Escalate(t Task) {
	if !t.Priority.Valid() {
		j.must(temporal.NewNonRetryableApplicationError("unknown task priority "+string(t.Priority), "InvalidTask", nil))
	}
	id := j.nextID("task")
	key := carepath.TaskKeyJourney(id)
	if t.DedupeKey != "" {
		key = t.DedupeKey
	}
	req := activities.CreateTaskRequest{TaskID: id, DedupeKey: key, PatientID: j.in.PatientID,
		EnrollmentID: j.in.EnrollmentID, MessageID: t.MessageID, Priority: t.Priority, Reason: t.Reason}
	// Version 1 raises the task inside the workflow task (a local
	// activity) and leaves its deadline to the task sweeper: the nurse's
	// task and the patient's next message are each one server round trip
	// away from the reply, and no watcher workflow is started per task.
	if !j.has(j.ctx, changeEscalateInTask) {
		j.must(j.escalateBeforeInTask(req))
		return
	}
	req.Swept = true
	err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(j.ctx, localRecordOptions), acts.CreateTask, req).Get(j.ctx, nil)
	if err != nil {
		j.must(fmt.Errorf("escalate: %w", err))
	}
}
