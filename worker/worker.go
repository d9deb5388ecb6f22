// Package worker runs carepath's journeys and activities on Temporal.
package worker

import (
	"context"
	"fmt"
	"math"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/workflows"
)

// Options tune the workers.
type Options struct {
	// SendsPerSecond is the fleet's SMS rate (every sending number's
	// limit together). The bulk send queue's Temporal rate limit, a little
	// above it, keeps a bulk launch's backlog on the server; the
	// fleet-wide limiter in front of the provider (messaging.Shared) keeps
	// each number exactly within its limit. 0 means unlimited.
	SendsPerSecond float64
	// OnFatalError is told when either worker stops itself for good (the
	// SDK gives up after about two minutes of errors such as "namespace not
	// found"); the caller stops this Worker and starts a new one.
	OnFatalError func(error)
	// Deployment is the worker deployment version every worker here polls
	// as (Worker Versioning); the zero value polls unversioned.
	Deployment sdkworker.DeploymentOptions
}

// Worker is the Temporal workers carepath runs: journeys (and their
// record-keeping activities) on one queue, rate-limited bulk sends on
// another, the priority lane's sends on a third, and the email lane's
// (no SMS rate limit) on a fourth.
type Worker struct {
	journeys, sends, priority, email sdkworker.Worker
}

// queueHeadroom lets Temporal dispatch sends a little faster than the
// provider takes them: its task-queue limiter under-delivers by about 10%
// on its own, and the limiter in front of the provider is what keeps the
// limit exact; the worker's concurrency bounds the backlog (measured by `make bench`, docs/performance.md).
const queueHeadroom = 1.5

// New registers every journey and activity. Start it with Start.
func New(c client.Client, reg *workflows.Registry, acts *activities.Activities, o Options) *Worker {
	// Drain in-flight activities on shutdown instead of abandoning them
	// to their timeouts.
	stop := 10 * time.Second
	j := sdkworker.New(c, workflows.TaskQueue, sdkworker.Options{
		WorkerStopTimeout: stop,
		// Thousands of journeys share one worker's sticky queue; with the
		// SDK's two pollers a burst (a bulk launch) left workflow tasks
		// waiting past the sticky timeout (5 s), then re-dispatched through
		// the normal queue: 16% of launches under `make bench`.
		MaxConcurrentWorkflowTaskPollers: 8,
		MaxConcurrentActivityTaskPollers: 4,
		OnFatalError:                     o.OnFatalError,
		DeploymentOptions:                o.Deployment,
	})
	reg.RegisterWorkflows(j)
	j.RegisterActivity(acts)
	so := sdkworker.Options{WorkerStopTimeout: stop, OnFatalError: o.OnFatalError, DeploymentOptions: o.Deployment}
	if o.SendsPerSecond > 0 {
		so.TaskQueueActivitiesPerSecond = o.SendsPerSecond * queueHeadroom
		// Hold about ten seconds of sends: enough to ride out a pause in
		// dispatch (a busy server), few enough that the rest wait on the
		// server's queue, not in the pacer against their start-to-close
		// timeout (a minute).
		so.MaxConcurrentActivityExecutionSize = max(20, int(math.Ceil(10*o.SendsPerSecond)))
		so.MaxConcurrentActivityTaskPollers = 4
	}
	s := sdkworker.New(c, workflows.SendTaskQueue, so)
	s.RegisterActivity(acts.SendMessage)
	s.RegisterActivity(acts.NotifyCaregivers)
	s.RegisterActivity(acts.SendCaregiverReply)
	return &Worker{journeys: j, sends: s, priority: newPriority(c, acts, stop, o), email: newEmail(c, acts, stop, o)}
}

// newEmail is the email lane's worker (workflows.SendEmailTaskQueue): sends
// of journeys whose last message went by email, with no Temporal rate
// limit, so they never queue behind the SMS rate. An SMS sent from here
// (the patient's channel changed) still takes its slot from the fleet-wide
// limiter, on the bulk lane.
func newEmail(c client.Client, acts *activities.Activities, stop time.Duration, o Options) sdkworker.Worker {
	e := sdkworker.New(c, workflows.SendEmailTaskQueue, sdkworker.Options{
		WorkerStopTimeout: stop,
		OnFatalError:      o.OnFatalError,
		DeploymentOptions: o.Deployment,
	})
	e.RegisterActivity(acts.SendMessage)
	return e
}

// newPriority is the priority lane's worker: safety messages, pages to
// staff, STOP/HELP confirmations and conversation replies. It shares acts, and so the
// limiter, with the bulk send worker; its activities take their slots with
// AcquireUrgent (the context marks the lane), ahead of every bulk send
// waiting for the number in any worker. It has no Temporal rate limit and no small
// concurrency bound of its own: either would queue an urgent send behind
// others on the server, while the pacer already keeps both lanes
// together within the provider's limit.
func newPriority(c client.Client, acts *activities.Activities, stop time.Duration, o Options) sdkworker.Worker {
	p := sdkworker.New(c, workflows.SendPriorityTaskQueue, sdkworker.Options{
		WorkerStopTimeout:         stop,
		OnFatalError:              o.OnFatalError,
		BackgroundActivityContext: activities.PriorityLane(context.Background()),
		DeploymentOptions:         o.Deployment,
		// Every conversation reply comes through here: with the SDK's two
		// pollers a busy server's slower polls left replies waiting in the
		// queue's backlog (as many pollers as the bulk lane).
		MaxConcurrentActivityTaskPollers: 4,
	})
	p.RegisterActivity(acts.SendMessage)
	p.RegisterActivity(acts.SendCaregiverReply)
	p.RegisterActivity(acts.PageSend) // pages to staff (workflows.TaskPage)
	return p
}

// Start starts the workers.
func (w *Worker) Start() error {
	if err := w.journeys.Start(); err != nil {
		return fmt.Errorf("start journey worker: %w", err)
	}
	if err := w.priority.Start(); err != nil {
		w.journeys.Stop()
		return fmt.Errorf("start priority send worker: %w", err)
	}
	if err := w.email.Start(); err != nil {
		w.priority.Stop()
		w.journeys.Stop()
		return fmt.Errorf("start email send worker: %w", err)
	}
	if err := w.sends.Start(); err != nil {
		w.email.Stop()
		w.priority.Stop()
		w.journeys.Stop()
		return fmt.Errorf("start send worker: %w", err)
	}
	return nil
}

// Stop stops them, sends last so journeys' in-flight sends can finish.
func (w *Worker) Stop() {
	w.journeys.Stop()
	w.sends.Stop()
	w.email.Stop()
	w.priority.Stop()
}
