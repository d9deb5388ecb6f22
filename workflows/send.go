package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
)

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
	opts := sendOptions
	reply, local := j.conversationReply(), false
	if reply {
		opts.TaskQueue = SendPriorityTaskQueue
		local = j.has(j.ctx, changeLocalReply)
	} else {
		local = j.has(j.ctx, changeLocalSend)
		if j.lastChannel() == carepath.ChannelEmail && j.emailLane() {
			opts.TaskQueue = SendEmailTaskQueue
		}
	}
	var res activities.SendMessageResult
	var err error
	switch {
	case reply && local:
		res, err = sendReplyLocal(j.ctx, req)
	case local:
		req.Likely = j.lastChannel()
		res, err = sendNowOrOnLane(j.ctx, opts, req)
	default:
		res, err = sendDeferrable(j.ctx, opts, req)
	}
	if err != nil {
		return activities.SendMessageResult{}, err
	}
	if res.Outcome == activities.OutcomeSent {
		j.sentOn = res.Channel
	}
	if res.Outcome != activities.OutcomeSent {
		j.log.Warn("message not sent", "template", template, "outcome", res.Outcome, "reason", res.Reason)
	}
	return res, nil
}

// sendDeferrable runs SendMessage until the message is decided: sent,
// suppressed, failed or held. Deferred (quiet hours or a frequency cap),
// it waits on a durable timer, then asks again with the same message ID
// (consent is checked again then). At least a second, so a clock skew
// between worker and activity host can never spin this loop.
func sendDeferrable(ctx workflow.Context, opts workflow.ActivityOptions, req activities.SendMessageRequest) (activities.SendMessageResult, error) {
	return untilDecided(ctx, req, func(ctx workflow.Context) workflow.Future {
		return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), acts.SendMessage, req)
	})
}

// sendReplyLocal is sendDeferrable for a conversation reply run as a local
// activity (changeLocalReply): SendReply, the priority lane's send, runs in
// this workflow task on this worker, so nothing queues on the server
// between the patient's answer and the reply, and the journey needs no
// second workflow task for it. The outbox keeps it exactly once: a worker
// that dies mid-send leaves the workflow task to time out, and the send
// run again finds its row (sent, or its provider call reconciled).
func sendReplyLocal(ctx workflow.Context, req activities.SendMessageRequest) (activities.SendMessageResult, error) {
	return untilDecided(ctx, req, func(ctx workflow.Context) workflow.Future {
		return workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localSendOptions), acts.SendReply, req)
	})
}

// sendNowOrOnLane sends a message that is not a conversation reply in
// this workflow task when it can go at once (changeLocalSend): SendNow, a
// local activity, sends it if its slot is free now and returns
// OutcomeQueued otherwise; a queued message, or one whose quick attempt
// failed, is sent by SendMessage on its lane (opts), which takes it from
// the outbox row SendNow left, with the same message ID. An idle number
// so spends one workflow task per send where the lane spends two and an
// activity task; a busy one pays one outbox transaction more.
func sendNowOrOnLane(ctx workflow.Context, opts workflow.ActivityOptions, req activities.SendMessageRequest) (activities.SendMessageResult, error) {
	res, err := untilDecided(ctx, req, func(ctx workflow.Context) workflow.Future {
		return workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localSendNowOptions), acts.SendNow, req)
	})
	switch {
	case err != nil && temporal.IsCanceledError(err):
		return activities.SendMessageResult{}, err
	case err == nil && res.Outcome != activities.OutcomeQueued:
		return res, nil
	}
	// Queued, or the one quick attempt failed (the lane's retries and
	// reconciliation take it from there): not an error of the journey's.
	return sendDeferrable(ctx, opts, req)
}

// untilDecided runs send until its result is not deferred, sleeping out
// each deferral (sendDeferrable).
func untilDecided(ctx workflow.Context, req activities.SendMessageRequest, send func(workflow.Context) workflow.Future) (activities.SendMessageResult, error) {
	var res activities.SendMessageResult
	for {
		if err := send(ctx).Get(ctx, &res); err != nil {
			return activities.SendMessageResult{}, fmt.Errorf("send %s: %w", req.Template, err)
		}
		if res.Outcome != activities.OutcomeDeferred || res.DeferredUntil == nil {
			return res, nil
		}
		if err := workflow.Sleep(ctx, max(res.DeferredUntil.Sub(workflow.Now(ctx)), time.Second)); err != nil {
			return activities.SendMessageResult{}, fmt.Errorf("send %s: deferred: sleep: %w", req.Template, err)
		}
	}
}

// changeLocalSend (baseline version 3, 2026-12-01) sends a journey's
// messages other than its conversation reply through sendNowOrOnLane:
// in the workflow task when the slot is free, else on the lane as before.
// DefaultVersion: always on the lane. A run that recorded baseline version
// 3 takes it without a marker of its own; older runs ask it at their next
// send.
const changeLocalSend = "send-local-first"

// changeLocalReply (baseline version 2, 2026-12-01) sends a journey's
// conversation reply as a local activity (sendReplyLocal) instead of on
// SendPriorityTaskQueue. DefaultVersion: the priority lane's queue. A run
// that recorded baseline version 2 takes it without a marker of its own;
// one that recorded version 1 asks it at its next conversation reply.
const changeLocalReply = "conversation-reply-local"

// changeConversationLane (version 1, 2026-11-30) sends a journey's
// conversation reply on SendPriorityTaskQueue. DefaultVersion: SendTaskQueue,
// as every send was. Asked only for a conversation reply, so journeys that
// never get an answer record no marker. Deletable (keeping the GetVersion
// call with its minimum raised to 1) once every run started before the
// deploy has closed.
const changeConversationLane = "conversation-priority-lane"

// conversationReply reports whether the send about to be made is the
// journey's reply to the patient's answer: its first send within
// activities.DefaultPolicy.Conversation of the answer arriving, the one
// message the send policy exempts as conversational. It goes on the
// priority lane, ahead of bulk and scheduled sends; later sends do not.
func (j *J) conversationReply() bool {
	at := j.answeredAt
	if at.IsZero() {
		return false
	}
	j.answeredAt = time.Time{} // only the first send after the answer
	if workflow.Now(j.ctx).Sub(at) > activities.DefaultPolicy.Conversation {
		return false
	}
	return j.has(j.ctx, changeConversationLane)
}

// changeEmailLane (version 1, 2026-12-01) sends a journey's message on
// SendEmailTaskQueue when the run's last message went out by email, so
// email does not queue behind the SMS rate limit of SendTaskQueue (the
// activity still picks the channel; an SMS sent from the email lane takes
// its slot from the same fleet-wide limiter). DefaultVersion: SendTaskQueue.
// Asked only when the last message went by email, so runs that never sent
// an email record no marker. Deletable (keeping the GetVersion call with
// its minimum raised to 1) once every run started before the deploy has
// closed.
const changeEmailLane = "email-send-lane"

// lastChannel is the channel this run's last message went out on or,
// before its first, the start's hint (Input.Channel). A run started
// without a hint (before it existed) sends its first message on the SMS
// lane, as its history says.
func (j *J) lastChannel() carepath.Channel {
	if j.sentOn != "" {
		return j.sentOn
	}
	return j.in.Channel
}

// emailLane reports whether this run takes the email lane (changeEmailLane).
func (j *J) emailLane() bool {
	return j.has(j.ctx, changeEmailLane)
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
