package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// CaregiverReplyRequest answers a caregiver's own STOP, START or HELP.
type CaregiverReplyRequest struct {
	MessageID   string `json:"message_id"`
	CaregiverID string `json:"caregiver_id"`
	Template    string `json:"template"`
	// Channel is the one the caregiver wrote on ("" means SMS).
	Channel carepath.Channel `json:"channel,omitempty"`
}

// SendCaregiverReply sends the one answer to a caregiver's compliance
// keyword, to the caregiver (never the patient), in their language,
// through the outbox like every send. Like the patient's compliance
// replies it is exempt from consent (they may just have opted out) and
// quiet hours, and from the patient's authorisation: the caregiver wrote
// to us and is owed the answer.
func (a *Activities) SendCaregiverReply(ctx context.Context, req CaregiverReplyRequest) (SendMessageResult, error) {
	if req.Channel == "" {
		req.Channel = carepath.ChannelSMS
	}
	cg, err := a.Store.CaregiverGet(ctx, req.CaregiverID)
	if err != nil {
		return SendMessageResult{}, fmt.Errorf("caregiver reply: %w", notFoundIsFinal(err, "caregiver"))
	}
	to := cg.Phone
	if req.Channel == carepath.ChannelEmail {
		to = cg.Email
	}
	if to == "" {
		return SendMessageResult{Outcome: OutcomeSuppressed, Reason: ReasonNoContact, Channel: req.Channel}, nil
	}
	if a.senderFor(req.Channel) == nil {
		return SendMessageResult{}, temporal.NewNonRetryableApplicationError("no sender configured for "+string(req.Channel), ErrTypeSendConfig, nil)
	}
	subject, body, _, err := a.Templates.Render(req.Template, cg.Locale, nil)
	if err != nil {
		return SendMessageResult{}, temporal.NewNonRetryableApplicationError("render failed", ErrTypeSendConfig, err)
	}
	res, err := a.deliver(ctx, &caregiverReplyJob{a: a, req: req, patientID: cg.PatientID, to: to, subject: subject, body: body})
	if err == nil {
		a.Metrics.Message(ctx, res.Channel, res.Outcome)
	}
	return res, err
}

// caregiverReplyJob is a compliance answer to one caregiver. Its
// failures go to the caregiver's own consent and contact points.
type caregiverReplyJob struct {
	a                 *Activities
	req               CaregiverReplyRequest
	patientID         string
	to, subject, body string
}

func (j *caregiverReplyJob) key() jobKey {
	return jobKey{messageID: j.req.MessageID, recipient: store.Recipient{PatientID: j.patientID, CaregiverID: j.req.CaregiverID}}
}

// fallback: the answer goes where the keyword came from, or not at all.
func (j *caregiverReplyJob) fallback() bool { return false }

func (j *caregiverReplyJob) insert(ctx context.Context, q *store.Queries) error {
	return q.CaregiverOutboxInsert(ctx, store.OutboxMessage{ID: j.req.MessageID, PatientID: j.patientID,
		Channel: j.req.Channel, Template: j.req.Template, Body: j.body, To: j.to, Status: carepath.MessageQueued,
		Provider: j.a.senderFor(j.req.Channel).Provider()}, j.req.CaregiverID)
}

func (j *caregiverReplyJob) claimed(context.Context, *store.Queries) error { return nil }

// evaluate checks only that the caregiver can still be reached there.
func (j *caregiverReplyJob) evaluate(ctx context.Context, q *store.Queries) (verdict, error) {
	cg, err := q.CaregiverGet(ctx, j.req.CaregiverID)
	if err != nil {
		return verdict{}, err
	}
	to, status := cg.Phone, cg.PhoneStatus
	if j.req.Channel == carepath.ChannelEmail {
		to, status = cg.Email, cg.EmailStatus
	}
	reason := ""
	switch {
	case to == "":
		reason = ReasonNoContact
	case status == store.ContactInvalid:
		reason = ReasonInvalidContact
	}
	if reason != "" {
		res := &SendMessageResult{Outcome: OutcomeSuppressed, Reason: reason, Channel: j.req.Channel}
		return verdict{result: res}, q.MessageMarkFailed(ctx, j.req.MessageID, carepath.MessageSuppressed, reason)
	}
	return verdict{plan: sendPlan{channel: j.req.Channel, to: to, subject: j.subject, body: j.body,
		sender: j.a.senderFor(j.req.Channel)}}, nil
}
