package workflows

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
)

// acts is the nil pointer journeys call activities through; Temporal only
// needs the method values to resolve names.
var acts *activities.Activities

// Retry policies, chosen per kind of side effect.
var (
	// Sends retry provider outages and rate limits with backoff for up to a
	// day; configuration errors (unknown template) fail at once.
	sendOptions = workflow.ActivityOptions{
		TaskQueue:              SendTaskQueue,
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        2 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        5 * time.Minute,
			NonRetryableErrorTypes: []string{activities.ErrTypeSendConfig},
		},
	}
	// Record-keeping (tasks, questions, feedback) only touches PostgreSQL:
	// retry briskly, for as long as a database outage may last.
	recordOptions = workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	}
	// Raising a task and recording an enrollment's end run inside the
	// workflow task (local activities): one server round trip sooner than
	// through the activity queue.
	localRecordOptions = workflow.LocalActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy:            recordOptions.RetryPolicy,
	}
)

// J is a running journey: the handle a journey's Run function uses for
// every step. All its methods are deterministic workflow code.
//
// A step that fails (an activity out of retries, the journey cancelled)
// ends the journey there, as t.Fatal ends a test: the runtime records the
// enrollment failed or cancelled with the step's error, exactly as if Run
// had returned it. So a journey reads as its care path, without an error
// check after every step, and no code after a failed step ever runs.
// Call steps only from Run and the functions it calls.
type J struct {
	ctx          workflow.Context
	in           Input
	state        State
	replies      workflow.ReceiveChannel
	observations workflow.ReceiveChannel
	optOuts      workflow.ReceiveChannel
	pendingObs   []Observation
	seenObs      map[string]bool
	detail       string
	askedOn      carepath.Channel // the channel the open question went out on
	log          log.Logger
}

func newJ(ctx workflow.Context, in Input) (*J, error) {
	j := &J{
		ctx:          ctx,
		in:           in,
		state:        in.State,
		replies:      workflow.GetSignalChannel(ctx, SignalReply),
		observations: workflow.GetSignalChannel(ctx, SignalObservation),
		optOuts:      workflow.GetSignalChannel(ctx, SignalOptOut),
		seenObs:      map[string]bool{},
		pendingObs:   in.State.Observations,
		// Only IDs go to the log: never names, numbers or replies.
		log: log.With(workflow.GetLogger(ctx), "enrollment_id", in.EnrollmentID, "journey", in.Journey),
	}
	for _, o := range in.State.Observations {
		j.seenObs[o.ID] = true
	}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (State, error) { return j.state, nil }); err != nil {
		return nil, fmt.Errorf("register state query: %w", err)
	}
	return j, nil
}

// Step records the journey's current step, visible live through the API.
func (j *J) Step(name string) {
	j.state.Step = name
	j.log.Debug("step", "step", name)
}

// Changed reports whether this run takes the new steps of a change to a
// running journey, named by changeID ("onboarding-asks-pronouns"): true
// for a run that reaches the change after it was deployed, false for one
// that already recorded the old steps there, and must replay them. Keep
// the old branch until every run started before the deploy has closed
// (legacy.go says how to check). It wraps workflow.GetVersion.
func (j *J) Changed(changeID string) bool {
	return workflow.GetVersion(j.ctx, changeID, workflow.DefaultVersion, 1) == 1
}

// Now returns the workflow's deterministic clock.
func (j *J) Now() time.Time { return workflow.Now(j.ctx) }

// Sleep waits on a durable timer; zero or negative returns at once.
func (j *J) Sleep(d time.Duration) { j.must(j.sleep(d)) }

func (j *J) sleep(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	if err := workflow.Sleep(j.ctx, d); err != nil {
		return fmt.Errorf("sleep: %w", err)
	}
	return nil
}

// stepFailed carries a failed step's error out of the journey's Run to the
// runtime (Journey.run), which ends the journey with it.
type stepFailed struct{ err error }

// must ends the journey with err, if there is one.
func (j *J) must(err error) {
	if err != nil {
		panic(stepFailed{err})
	}
}

// nextID derives a new ID, stable across replays and retries.
func (j *J) nextID(kind string) string {
	j.state.Seq++
	return uuid.NewSHA1(carepath.NamespaceJourney, fmt.Appendf(nil, "%s/%s/%d", j.in.EnrollmentID, kind, j.state.Seq)).String()
}

// Vars are template variables. The patient's own details (given_name) are
// filled in by the send activity, so they never enter workflow history.
type Vars map[string]string

// Send sends a care message (treatment or safety content). A message that
// could not be sent (no consent, no contact point) is recorded with its
// reason and is not an error: the journey goes on.
func (j *J) Send(template string, vars ...Vars) {
	_, err := j.send(carepath.PurposeCare, template, merge(vars), nil)
	j.must(err)
}

// SendOutreach sends an engagement message (subject to outreach consent,
// caps and quiet hours).
func (j *J) SendOutreach(template string, vars ...Vars) {
	_, err := j.send(carepath.PurposeOutreach, template, merge(vars), nil)
	j.must(err)
}

// send sends one message, waiting out quiet hours and caps, and returns
// its outcome: sent, suppressed or failed (with a reason for the last two).
func (j *J) send(purpose carepath.Purpose, template string, vars Vars, q *activities.QuestionRef) (activities.SendMessageResult, error) {
	req := activities.SendMessageRequest{
		MessageID: j.nextID("message"), EnrollmentID: j.in.EnrollmentID, PatientID: j.in.PatientID,
		Template: template, Vars: vars, Purpose: purpose, Question: q,
	}
	var res activities.SendMessageResult
	for {
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, sendOptions), acts.SendMessage, req).Get(j.ctx, &res)
		if err != nil {
			return activities.SendMessageResult{}, fmt.Errorf("send %s: %w", template, err)
		}
		if res.Outcome != activities.OutcomeDeferred || res.DeferredUntil == nil {
			break
		}
		// Quiet hours or a frequency cap: wait on a durable timer, then ask
		// again with the same message ID (consent is checked again then).
		// At least a second, so a clock skew between worker and activity
		// host can never spin this loop.
		if err := j.sleep(max(res.DeferredUntil.Sub(workflow.Now(j.ctx)), time.Second)); err != nil {
			return activities.SendMessageResult{}, fmt.Errorf("send %s: deferred: %w", template, err)
		}
	}
	if res.Outcome != activities.OutcomeSent {
		j.log.Warn("message not sent", "template", template, "outcome", res.Outcome, "reason", res.Reason)
	}
	return res, nil
}

// merge combines vars, later ones winning. It ranges over maps, which
// workflowcheck flags, but the map it builds is the same in any order.
//
//workflowcheck:ignore
func merge(vs []Vars) Vars {
	if len(vs) == 0 {
		return nil
	}
	out := Vars{}
	for _, v := range vs {
		for k, val := range v {
			out[k] = val
		}
	}
	return out
}

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

// RecordFeedback stores a survey score (e.g. satisfaction 0–10).
func (j *J) RecordFeedback(kind string, score int) {
	req := activities.RecordFeedbackRequest{FeedbackID: j.nextID("feedback"), PatientID: j.in.PatientID,
		EnrollmentID: j.in.EnrollmentID, Kind: kind, Score: score}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.RecordFeedback, req).Get(j.ctx, nil); err != nil {
		j.must(fmt.Errorf("record feedback: %w", err))
	}
}

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
	if workflow.GetVersion(ctx, changeFinishInTask, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
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
