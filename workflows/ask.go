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
	// Purpose is carepath.PurposeCare (the default: treatment and safety)
	// or PurposeOutreach (engagement, subject to outreach consent, caps
	// and quiet hours).
	Purpose carepath.Purpose
}

// AnswerStatus is what came of a question. The zero value is no status:
// Ask never returns it.
type AnswerStatus string

// Answer statuses.
const (
	// StatusAnswered: the reply matched a choice, a number or free text.
	StatusAnswered AnswerStatus = "answered"
	// StatusTimedOut: no reply after every reminder.
	StatusTimedOut AnswerStatus = "timed_out"
	// StatusUnrecognised: a reply that fit no choice, even after clarifying.
	StatusUnrecognised AnswerStatus = "unrecognised"
	// StatusUndelivered: the question could not be sent (Reason says why).
	StatusUndelivered AnswerStatus = "undelivered"
	// StatusOptedOut: the patient opted out of the channel, before the
	// question could be sent or while we waited for the reply.
	StatusOptedOut AnswerStatus = "opted_out"
)

// ReasonOptedOut is the Reason of an answer the patient opted out of.
const ReasonOptedOut = activities.ReasonOptedOut

// Answer is what came of a question: its Status, and for an answered one
// the Choice, Number or Text.
type Answer struct {
	Status    AnswerStatus
	Choice    string // the matched Choice.Value
	Number    int    // for Number questions
	Text      string // the reply as written (free text, or unrecognised)
	MessageID string // the reply's message ID (answered or unrecognised)
	Reason    string // why it was not delivered (undelivered, opted out)
	// RedFlag: the reply had a red flag. The engine has already sent the
	// safety message and raised an urgent task holding the reply, so it is
	// not clarified, and a journey need not raise a task of its own for it.
	RedFlag bool
}

// Answered reports whether the patient gave a usable answer.
func (a Answer) Answered() bool { return a.Status == StatusAnswered }

// TimedOut reports whether no reply came after every reminder.
func (a Answer) TimedOut() bool { return a.Status == StatusTimedOut }

// Unrecognised reports whether the reply fit no choice, even after clarifying.
func (a Answer) Unrecognised() bool { return a.Status == StatusUnrecognised }

// Undelivered reports whether the question could not be sent for a reason
// other than an opt-out (no contact point, no consent, provider refusal).
func (a Answer) Undelivered() bool { return a.Status == StatusUndelivered }

// OptedOut reports whether the patient opted out of the channel asked on:
// STOP is an answer, and journeys respect it at once.
func (a Answer) OptedOut() bool { return a.Status == StatusOptedOut }

// notSent is the answer to a question whose send came back not sent.
func notSent(reason string) Answer {
	if reason == ReasonOptedOut {
		return Answer{Status: StatusOptedOut, Reason: reason}
	}
	return Answer{Status: StatusUndelivered, Reason: reason}
}

// Ask sends a question, then waits for the reply that answers it, sending
// reminders and one clarification as configured. Replies to other, older
// questions that arrive meanwhile become care-team tasks.
func (j *J) Ask(q Question) Answer {
	a, err := j.ask(q)
	j.must(err)
	return a
}

// ask asks q. interrupts are signals that may end the wait early by
// returning errInterrupted (a followed appointment changed, appointment.go):
// the question is closed and the answer is StatusInterrupted, unless a
// reply had already been routed to it.
func (j *J) ask(q Question, interrupts ...signal) (Answer, error) {
	if q.Timeout <= 0 {
		return Answer{}, fmt.Errorf("ask %s: timeout must be positive", q.Key)
	}
	purpose := q.Purpose
	switch purpose {
	case "":
		purpose = carepath.PurposeCare
	case carepath.PurposeCare, carepath.PurposeOutreach:
	default:
		return Answer{}, fmt.Errorf("ask %s: purpose %q: a question is care or outreach", q.Key, purpose)
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
		return notSent(sent.Reason), nil
	}
	j.askedOn = sent.Channel
	remindersLeft, clarified := q.Reminders, false
	for {
		reply, ok, err := j.awaitReply(ref.ID, q.Timeout, interrupts...)
		if errors.Is(err, errOptedOut) {
			// The patient said STOP while we waited: no reminder, no wait.
			return notSent(ReasonOptedOut), nil
		}
		interrupted := errors.Is(err, errInterrupted)
		if err != nil && !interrupted {
			return Answer{}, fmt.Errorf("ask %s: %w", q.Key, err)
		}
		if !ok && remindersLeft > 0 && !interrupted {
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
			if !ok && interrupted {
				return Answer{Status: StatusInterrupted}, nil
			}
			if !ok {
				return Answer{Status: StatusTimedOut}, nil
			}
		}
		if a, recognised := q.spec().Parse(reply.Body); recognised {
			return Answer{Status: StatusAnswered, Choice: a.Choice, Number: a.Number, Text: a.Text, MessageID: reply.MessageID,
				RedFlag: reply.RedFlag}, nil
		}
		// A red flag is not asked to be clarified: the safety message has
		// answered it and a nurse has the task.
		if !clarified && q.ClarifyTemplate != "" && !reply.RedFlag {
			clarified = true
			if _, err := j.send(purpose, q.ClarifyTemplate, q.Vars, ref); err != nil {
				return Answer{}, fmt.Errorf("ask %s: clarify: %w", q.Key, err)
			}
			continue
		}
		return Answer{Status: StatusUnrecognised, Text: reply.Body, MessageID: reply.MessageID, RedFlag: reply.RedFlag}, nil
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
// any other question are handed to the care team as they arrive; an
// opt-out of the channel asked on ends the wait with errOptedOut.
func (j *J) awaitReply(questionID string, timeout time.Duration, interrupts ...signal) (Reply, bool, error) {
	var got Reply
	matched := false
	ok, err := j.await(timeout, "reply timer", func() bool { return matched },
		signal{j.replies, func(c workflow.ReceiveChannel) error {
			var r Reply
			c.Receive(j.ctx, &r)
			if r.QuestionID != questionID {
				return j.unmatched(j.ctx, r)
			}
			got, matched = r, true
			j.answeredAt = workflow.Now(j.ctx)
			return nil
		}},
		append([]signal{{j.optOuts, func(c workflow.ReceiveChannel) error {
			var o OptOut
			c.Receive(j.ctx, &o)
			if o.Channel == j.askedOn {
				return errOptedOut
			}
			return nil
		}}}, interrupts...)...)
	if !ok {
		return Reply{}, false, err
	}
	return got, true, nil
}

// Choice is one acceptable answer: its value, and the words or numbers a
// patient may reply with.
type Choice = answers.Choice

// NumberRange accepts one whole number between Min and Max.
type NumberRange = answers.NumberRange

func (q Question) spec() answers.Spec { return answers.Spec{Choices: q.Choices, Number: q.Number} }
