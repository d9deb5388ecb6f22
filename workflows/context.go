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
	// A conversation reply sent inside the workflow task (send.go): the
	// send's own timeouts and retries.
	localSendOptions = workflow.LocalActivityOptions{
		StartToCloseTimeout:    sendOptions.StartToCloseTimeout,
		ScheduleToCloseTimeout: sendOptions.ScheduleToCloseTimeout,
		RetryPolicy:            sendOptions.RetryPolicy,
	}
	// SendNow is one quick attempt: any failure sends the message on its
	// lane, whose retries and reconciliation take over.
	localSendNowOptions = workflow.LocalActivityOptions{
		StartToCloseTimeout: sendOptions.StartToCloseTimeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
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
	// onObservation, set by OnObservation (wait.go), handles each
	// observation as it arrives, also while an Ask waits.
	onObservation func(Observation)
	// answeredAt is when the open question's reply last arrived
	// (workflow.Now): send.go puts the next send on the priority lane, as
	// a conversation reply, and clears it.
	answeredAt time.Time
	// sentOn is the channel this run's last message went out on: send.go
	// puts the next one on the email lane when it was email.
	sentOn carepath.Channel
	// baseline: the changeBaseline version this run recorded (baseline.go).
	baseline workflow.Version
	log      log.Logger
}

func newJ(ctx workflow.Context, in Input) (*J, error) {
	baseline := askBaseline(ctx)
	j := &J{
		baseline:     baseline,
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
// (legacy.go says how to check). It wraps workflow.GetVersion; a change
// made before the baseline (baseline.go) is not asked in a run that
// recorded the baseline.
func (j *J) Changed(changeID string) bool { return j.has(j.ctx, changeID) }

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
