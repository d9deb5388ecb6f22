package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
)

// finish records the enrollment's end. A reply nobody asked for by then is
// turned into a care-team task, so it is never lost.
func (j *J) finish(outcome string, runErr error) (Result, error) {
	status := carepath.EnrollmentCompleted
	ctx := j.ctx
	if runErr != nil {
		status, outcome = carepath.EnrollmentFailed, "error"
		if temporal.IsCanceledError(runErr) {
			status, outcome = carepath.EnrollmentCancelled, "cancelled"
		}
		// Record the end even though the journey's own context is done.
		ctx, _ = workflow.NewDisconnectedContext(ctx)
	}
	req := activities.FinishEnrollmentRequest{EnrollmentID: j.in.EnrollmentID, Status: status, Outcome: outcome, Detail: j.detail}
	// Version 1 records the end inside the workflow task (a local
	// activity): one activity dispatch and one workflow task fewer per
	// enrollment, which the server feels at volume.
	var err error
	if !j.has(ctx, changeFinishInTask) {
		err = finishBeforeInTask(ctx, req)
	} else {
		err = workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localRecordOptions), acts.FinishEnrollment, req).Get(ctx, nil)
	}
	if err != nil {
		return Result{}, fmt.Errorf("finish enrollment: %w (journey error: %v)", err, runErr)
	}
	// Only now: "finished" promises the record says how it ended.
	j.Step("finished")
	if err := j.drainReplies(ctx); err != nil {
		return Result{}, err
	}
	if runErr != nil {
		return Result{}, runErr
	}
	return Result{Outcome: outcome}, nil
}

// drainReplies turns every reply still queued into an inbox task. It runs
// last: a reply signalled after it makes Temporal re-run this code.
func (j *J) drainReplies(ctx workflow.Context) error {
	var r Reply
	for j.replies.ReceiveAsync(&r) {
		if err := j.unmatched(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// unmatched raises a task for a reply no open question took.
func (j *J) unmatched(ctx workflow.Context, r Reply) error {
	req := activities.CreateTaskRequest{TaskID: j.nextID("task"), DedupeKey: carepath.TaskKeyReply(r.MessageID), Swept: true,
		PatientID: j.in.PatientID, EnrollmentID: j.in.EnrollmentID, MessageID: r.MessageID,
		Priority: carepath.PriorityNormal, Reason: carepath.ReasonUnmatchedReply}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), acts.CreateTask, req).Get(ctx, nil); err != nil {
		return fmt.Errorf("raise task for unmatched reply: %w", err)
	}
	return nil
}
