package engine

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// deliver hands one route to Temporal: a red flag's page and safety
// message first, then opt-outs (so a waiting journey stops before the
// confirmation goes out), then the compliance answer, a texted reading to
// the patient's journeys, then the reply to its journey. Every step is safe
// to repeat after a partial failure.
func (e *Engine) deliver(ctx context.Context, q *store.Queries, r store.InboundRoute, rt route) (enrollmentID string, err error) {
	if rt.Safety != nil {
		if err := e.deliverSafety(ctx, *rt.Safety); err != nil {
			return "", err
		}
	}
	if rt.OptOut != nil {
		if err := e.signalOptOut(ctx, q, *rt.OptOut); err != nil {
			return "", err
		}
	}
	if rt.Compliance != nil {
		if err := e.startComplianceReply(ctx, *rt.Compliance); err != nil {
			return "", err
		}
	}
	if rt.Reading != nil {
		if err := e.signalObservation(ctx, q, rt.Reading.PatientID, rt.Reading.Observation); err != nil {
			return "", err
		}
	}
	switch {
	case rt.Reply != nil:
		return e.signalReply(ctx, q, r, *rt.Reply)
	case rt.Inbox != nil:
		return rt.Inbox.EnrollmentID, routeToInbox(ctx, q, r.MessageID, *rt.Inbox)
	}
	return "", nil
}

// signalReply hands a reply to the journey waiting for it. A journey that
// has ended cannot take it: the reply becomes an inbox task instead.
func (e *Engine) signalReply(ctx context.Context, q *store.Queries, r store.InboundRoute, to replyRoute) (string, error) {
	reply := workflows.Reply{QuestionID: to.QuestionID, MessageID: r.MessageID, Channel: r.Channel, Body: r.Body,
		ReceivedAt: r.ReceivedAt.UTC(), RedFlag: to.RedFlag}
	cctx, cancel := context.WithTimeout(ctx, routeCallTimeout)
	defer cancel()
	err := e.Temporal.SignalWorkflow(cctx, to.WorkflowID, "", workflows.SignalReply, reply)
	switch {
	case err == nil:
		e.Log.Info("reply routed to journey", "message_id", r.MessageID, "enrollment_id", to.EnrollmentID)
		return to.EnrollmentID, nil
	case errNotFound(err):
		return to.EnrollmentID, routeToInbox(ctx, q, r.MessageID, unmatchedReply(to.PatientID, to.EnrollmentID))
	}
	return "", fmt.Errorf("signal journey %s: %w", to.WorkflowID, err)
}

// startComplianceReply starts the one answer to a keyword or preference
// change, keyed by the inbound message so it is never sent twice.
func (e *Engine) startComplianceReply(ctx context.Context, in workflows.ComplianceReplyInput) error {
	cctx, cancel := context.WithTimeout(ctx, routeCallTimeout)
	defer cancel()
	return e.startOnce(cctx, workflows.ComplianceReplyStartOptions(in.InboundMessageID), workflows.ComplianceReplyWorkflow, in)
}

// startOnce starts a workflow whose ID makes it once-only (its options
// reject duplicates): one already started, or already ended, is success.
func (e *Engine) startOnce(ctx context.Context, opts client.StartWorkflowOptions, workflowType string, in any) error {
	_, err := e.Temporal.ExecuteWorkflow(ctx, opts, workflowType, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("start %s: %w", workflowType, err)
	}
	return nil
}

// signalOptOut tells the patients' running journeys they opted out of a
// channel, so a journey waiting for an answer there stops at once.
func (e *Engine) signalOptOut(ctx context.Context, q *store.Queries, o optOutRoute) error {
	for _, pid := range o.PatientIDs {
		wfs, err := q.EnrollmentWorkflowsActive(ctx, pid)
		if err != nil {
			return fmt.Errorf("signal opt-out: %w", err)
		}
		for _, wf := range wfs {
			cctx, cancel := context.WithTimeout(ctx, routeCallTimeout)
			err := e.Temporal.SignalWorkflow(cctx, wf, "", workflows.SignalOptOut, workflows.OptOut{Channel: o.Channel})
			cancel()
			if err != nil && !errNotFound(err) {
				return fmt.Errorf("signal opt-out to %s: %w", wf, err)
			}
		}
	}
	return nil
}

// transient reports a Temporal error that means "not reachable now" rather
// than "refused": such routes are retried for as long as it takes.
func transient(err error) bool {
	var unavailable *serviceerror.Unavailable
	var exhausted *serviceerror.ResourceExhausted
	var deadline *serviceerror.DeadlineExceeded
	var canceled *serviceerror.Canceled
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.As(err, &unavailable) || errors.As(err, &exhausted) || errors.As(err, &deadline) || errors.As(err, &canceled)
}

// deliverSafety pages the on-call person for a red flag's urgent task, then
// starts the safety message; both are keyed so a retry does neither twice.
func (e *Engine) deliverSafety(ctx context.Context, s safetyRoute) error {
	cctx, cancel := context.WithTimeout(ctx, routeCallTimeout)
	defer cancel()
	if err := e.StartPage(cctx, s.TaskID); err != nil {
		return fmt.Errorf("page for red flag: %w", err)
	}
	if s.Reply == nil {
		return nil
	}
	return e.startOnce(cctx, workflows.SafetyReplyStartOptions(s.Reply.InboundMessageID), workflows.SafetyReplyWorkflow, *s.Reply)
}

// signalObservation hands an observation to the patient's running journeys
// (those following its code judge it at once); a journey counts each
// observation once, so a repeat is harmless.
func (e *Engine) signalObservation(ctx context.Context, q *store.Queries, patientID string, sig workflows.Observation) error {
	wfs, err := q.EnrollmentWorkflowsActive(ctx, patientID)
	if err != nil {
		return fmt.Errorf("deliver observation: %w", err)
	}
	for _, wf := range wfs {
		cctx, cancel := context.WithTimeout(ctx, routeCallTimeout)
		err := e.Temporal.SignalWorkflow(cctx, wf, "", workflows.SignalObservation, sig)
		cancel()
		if err != nil && !errNotFound(err) {
			return fmt.Errorf("deliver observation to journey: %w", err)
		}
	}
	return nil
}
