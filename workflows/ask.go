package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/answers"
)

// errOptedOut ends a wait: the patient opted out of the channel we asked on.
var errOptedOut = errors.New("patient opted out")

// inFlightGrace bounds the wait for a reply that was routed to a question
// just as its wait timed out (the webhook stored and routed it, the signal
// is on its way). Providers re-deliver webhooks within minutes.
const inFlightGrace = time.Hour

// Question is something a journey asks and waits for an answer to.
type Question struct {
	// Key names the question within the journey ("feeling").
	Key      string
	Template string
	Vars     Vars
	// Choices the answer must match; leave empty for free text or Number.
	Choices []Choice
	// Number accepts a whole number in a range (e.g. a 0–10 score).
	Number *NumberRange
	// Timeout is how long to wait after asking (and after each reminder).
	Timeout time.Duration
	// Reminders re-send ReminderTemplate (or Template) after each timeout.
	Reminders        int
	ReminderTemplate string
	// ClarifyTemplate is sent once when an answer is not recognised;
	// without it an unrecognised answer is returned as such at once.
	ClarifyTemplate string
	// Outreach marks the question as engagement rather than care content.
	Outreach bool
}

// Answer is what came of a question. Exactly one of Choice/Number/Text
// (answered), TimedOut, Unrecognised or Undelivered describes it.
type Answer struct {
	Choice       string // the matched Choice.Value
	Number       int    // for Number questions
	Text         string // the reply as written (free text, or unrecognised)
	MessageID    string // the reply's message ID
	TimedOut     bool   // no answer after every reminder
	Unrecognised bool   // an answer that fit no choice, even after clarifying
	Undelivered  bool   // the question could not be sent (Reason says why)
	Reason       string
}

// Answered reports whether the patient gave a usable answer.
func (a Answer) Answered() bool { return !a.TimedOut && !a.Unrecognised && !a.Undelivered }

// Ask sends a question, then waits for the reply that answers it, sending
// reminders and one clarification as configured. Replies to other, older
// questions that arrive meanwhile become care-team tasks.
func (j *J) Ask(q Question) (Answer, error) {
	if q.Timeout <= 0 {
		return Answer{}, fmt.Errorf("ask %s: timeout must be positive", q.Key)
	}
	purpose := carepath.PurposeCare
	if q.Outreach {
		purpose = carepath.PurposeOutreach
	}
	// An opt-out signalled before this question is already reflected in
	// consent, which the send checks: only later ones end the wait.
	var stale OptOut
	for j.optOuts.ReceiveAsync(&stale) {
	}
	ref := &activities.QuestionRef{ID: j.nextID("question"), Key: q.Key,
		WorkflowID: workflow.GetInfo(j.ctx).WorkflowExecution.ID, Accepts: q.spec()}
	sent, err := j.send(purpose, q.Template, q.Vars, ref)
	if err != nil {
		return Answer{}, fmt.Errorf("ask %s: %w", q.Key, err)
	}
	if sent.Outcome != activities.OutcomeSent {
		return Answer{Undelivered: true, Reason: sent.Reason}, nil
	}
	j.askedOn = sent.Channel
	remindersLeft, clarified := q.Reminders, false
	for {
		reply, ok, err := j.awaitReply(ref.ID, q.Timeout)
		if errors.Is(err, errOptedOut) {
			// The patient said STOP while we waited: no reminder, no wait.
			return Answer{Undelivered: true, Reason: activities.ReasonOptedOut}, nil
		}
		if err != nil {
			return Answer{}, fmt.Errorf("ask %s: %w", q.Key, err)
		}
		if !ok && remindersLeft > 0 {
			remindersLeft--
			tpl := q.ReminderTemplate
			if tpl == "" {
				tpl = q.Template
			}
			if _, err := j.send(purpose, tpl, q.Vars, ref); err != nil {
				return Answer{}, fmt.Errorf("ask %s: reminder: %w", q.Key, err)
			}
			continue
		}
		if !ok {
			if reply, ok, err = j.closeQuestion(ref.ID); err != nil {
				return Answer{}, fmt.Errorf("ask %s: %w", q.Key, err)
			}
			if !ok {
				return Answer{TimedOut: true}, nil
			}
		}
		if a, recognised := q.spec().Parse(reply.Body); recognised {
			return Answer{Choice: a.Choice, Number: a.Number, Text: a.Text, MessageID: reply.MessageID}, nil
		}
		if !clarified && q.ClarifyTemplate != "" {
			clarified = true
			if _, err := j.send(purpose, q.ClarifyTemplate, q.Vars, ref); err != nil {
				return Answer{}, fmt.Errorf("ask %s: clarify: %w", q.Key, err)
			}
			continue
		}
		return Answer{Unrecognised: true, Text: reply.Body, MessageID: reply.MessageID}, nil
	}
}

// closeQuestion closes a timed-out question; if a reply was routed to it
// in the meantime, it waits (bounded) for that reply to arrive.
func (j *J) closeQuestion(questionID string) (Reply, bool, error) {
	var res activities.CloseQuestionResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.CloseQuestion,
		activities.CloseQuestionRequest{QuestionID: questionID}).Get(j.ctx, &res)
	if err != nil {
		return Reply{}, false, fmt.Errorf("close question: %w", err)
	}
	if !res.ReplyInFlight {
		return Reply{}, false, nil
	}
	return j.awaitReply(questionID, inFlightGrace)
}

// awaitReply waits up to timeout for the reply to questionID. Replies to
// any other question are handed to the care team as they arrive.
func (j *J) awaitReply(questionID string, timeout time.Duration) (Reply, bool, error) {
	timerCtx, cancelTimer := workflow.WithCancel(j.ctx)
	defer cancelTimer()
	timer := workflow.NewTimer(timerCtx, timeout)
	var (
		got      Reply
		matched  bool
		timedOut bool
		err      error
	)
	sel := workflow.NewSelector(j.ctx)
	sel.AddReceive(j.replies, func(c workflow.ReceiveChannel, _ bool) {
		var r Reply
		c.Receive(j.ctx, &r)
		if r.QuestionID == questionID {
			got, matched = r, true
			return
		}
		err = j.unmatched(j.ctx, r)
	})
	sel.AddFuture(timer, func(f workflow.Future) {
		if ferr := f.Get(j.ctx, nil); ferr != nil {
			err = fmt.Errorf("reply timer: %w", ferr)
		}
		timedOut = true
	})
	sel.AddReceive(j.optOuts, func(c workflow.ReceiveChannel, _ bool) {
		var o OptOut
		c.Receive(j.ctx, &o)
		if o.Channel == j.askedOn {
			err = errOptedOut
		}
	})
	for !matched && !timedOut && err == nil {
		sel.Select(j.ctx)
	}
	return got, matched, err
}

// Choice is one acceptable answer: its value, and the words or numbers a
// patient may reply with.
type Choice = answers.Choice

// NumberRange accepts one whole number between Min and Max.
type NumberRange = answers.NumberRange

func (q Question) spec() answers.Spec { return answers.Spec{Choices: q.Choices, Number: q.Number} }
