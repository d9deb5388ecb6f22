package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath/activities"
)

// TaskPageInput names the task to page for.
type TaskPageInput struct {
	TaskID string `json:"task_id"`
}

const (
	// PageRepeats is how many pages go out once the chain is exhausted
	// (the last reachable person and the webhook again, or the webhook
	// alone when no one is on call) before paging stops with a note.
	PageRepeats = 3
	// pageFailedWait is how long a step whose page failed for good (no
	// channel worked for pageSendOptions' schedule-to-close) waits before
	// the next step; it counts as a repeat.
	pageFailedWait = time.Minute
)

// pageSendOptions: the page goes on the priority lane and retries briskly;
// after five minutes of nothing reaching anyone the step counts as failed
// and the chain moves on.
var pageSendOptions = workflow.ActivityOptions{
	TaskQueue:              SendPriorityTaskQueue,
	StartToCloseTimeout:    30 * time.Second,
	ScheduleToCloseTimeout: 5 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        15 * time.Second,
		NonRetryableErrorTypes: []string{activities.ErrTypeInvalidRequest, activities.ErrTypeSendConfig},
	},
}

// Retired: pages are driven from the database by package paging, which
// follows the same rules without a workflow per task (issue 15). TaskPage
// stays registered, unchanged, so that pages started by an older build run
// to their end; remove it once no carepath.task_page workflow is running
// (docs/operations.md).
//
// TaskPage (TaskPageWorkflow) pages for a task along the on-call chain in
// the clinic's time zone. Step 0 pages first call at once (no timer before
// the first send: a red flag's page is the measured path); then each step
// waits its acknowledgement deadline, escalates the task (TaskEscalate
// records the "escalated" event, and finds it acknowledged or resolved:
// then the page ends), and pages the next person. A person no channel
// reached is skipped at once. Past the end of the chain (or with no one on
// call) the last reachable person and the webhook are paged again at each
// deadline, PageRepeats times, then a note ends the page. The on-call
// chain is read at each step, so a shift change mid-page is followed.
func TaskPage(ctx workflow.Context, in TaskPageInput) error {
	send := workflow.WithActivityOptions(ctx, pageSendOptions)
	rec := workflow.WithActivityOptions(ctx, recordOptions)
	log := workflow.GetLogger(ctx)
	repeats := 0
	for step := 0; ; step++ {
		var res activities.PageSendResult
		req := activities.PageSendRequest{TaskID: in.TaskID, Step: step}
		if err := workflow.ExecuteActivity(send, acts.PageSend, req).Get(ctx, &res); err != nil {
			log.Warn("page failed", "task_id", in.TaskID, "level", step+1, "error", err)
			res = activities.PageSendResult{Repeat: true, AckWithin: pageFailedWait}
			if err := pageNote(ctx, rec, in.TaskID, fmt.Sprintf("page at level %d failed: no channel worked", step+1)); err != nil {
				return err
			}
		}
		if res.Closed {
			return nil
		}
		if res.Repeat {
			repeats++
		}
		// A person no channel reached has no time to acknowledge in: the
		// next is paged now.
		if res.Reached || res.Repeat {
			if err := workflow.Sleep(ctx, res.AckWithin); err != nil {
				return fmt.Errorf("task page: %w", err)
			}
		}
		if repeats >= PageRepeats {
			return pageNote(ctx, rec, in.TaskID, fmt.Sprintf("paging stopped after %d pages: nobody acknowledged", step+1))
		}
		var esc activities.EscalateTaskResult
		next := activities.EscalateTaskRequest{TaskID: in.TaskID, NextDue: workflow.Now(ctx).Add(res.AckWithin)}
		if err := workflow.ExecuteActivity(rec, acts.EscalateTask, next).Get(ctx, &esc); err != nil {
			return fmt.Errorf("task page: escalate: %w", err)
		}
		if !esc.Escalated {
			return nil // acknowledged or resolved
		}
	}
}

// pageNote records a note in the task's history (if still open).
func pageNote(ctx, rec workflow.Context, taskID, detail string) error {
	err := workflow.ExecuteActivity(rec, acts.PageNote, activities.PageNoteRequest{TaskID: taskID, Detail: detail}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("task page: note: %w", err)
	}
	return nil
}
