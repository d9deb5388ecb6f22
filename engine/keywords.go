package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// keyword handles, in the webhook's transaction, what a message means
// before any journey may take it as an answer: a compliance keyword (on
// SMS: STOP, START, HELP, or YES from a number that opted out; by email:
// STOP, UNSUBSCRIBE, START or HELP as the subject or the reply's first
// line), an opt-out in the sender's own words ("please stop texting me"),
// or anything a caregiver (and no patient) sent. handled=false means an
// ordinary reply. A message that may be an opt-out but does not say so
// clearly raises a review task and is then routed as usual.
//
// STOP and START apply to whoever uses the sending number or address:
// every patient on it, however many; every caregiver on it (their own
// consent, never the patient's); and the number or address itself, so an
// opt-out from one no one uses yet is kept for patients and caregivers
// created with it later. They take effect when the message was received
// (this transaction's time), on the channel it came by. The confirmation
// goes to a patient on it, else to the caregiver; a sender carepath does
// not know gets none (the provider's own opt-out handling answers it).
func (e *Engine) keyword(ctx context.Context, q *store.Queries, in inbound, caregivers []store.Caregiver) (r route, handled bool, err error) {
	kw, err := e.parseKeyword(ctx, q, in, caregivers)
	if err != nil {
		return route{}, false, err
	}
	switch kw {
	case messaging.KeywordNone:
		if len(in.patients) == 0 && len(caregivers) > 0 {
			return route{Inbox: &inboxRoute{PatientID: caregiversPatient(caregivers), Reason: ReasonCaregiverSender}}, true, nil
		}
		return route{}, false, nil
	case messaging.KeywordHelp:
		answer := complianceAnswer(in, caregivers, workflows.TemplateHelp)
		if answer == nil {
			return route{}, false, nil // an unknown sender's HELP: the care team sees it
		}
		return route{Compliance: answer}, true, nil
	case messaging.KeywordStop, messaging.KeywordStart:
		granted := kw == messaging.KeywordStart
		if err := e.recordKeywordConsent(ctx, q, in, caregivers, granted, string(in.Channel)+":"+string(kw)); err != nil {
			return route{}, false, err
		}
		r := route{Compliance: complianceAnswer(in, caregivers, confirmTemplate(in.Channel, granted))}
		if !granted && len(in.patients) > 0 {
			r.OptOut = &optOutRoute{Channel: in.Channel, PatientIDs: in.patients}
		}
		return r, true, nil
	}
	return route{}, false, nil
}

// parseKeyword reads the message's keyword: an exact one (SMS) or the
// subject or first line (email), else an opt-out in the sender's own
// words, which counts as STOP when clear. One that is not clear raises a
// review task here and reads as no keyword.
func (e *Engine) parseKeyword(ctx context.Context, q *store.Queries, in inbound, caregivers []store.Caregiver) (messaging.Keyword, error) {
	kw := messaging.KeywordNone
	switch in.Channel {
	case carepath.ChannelSMS:
		kw = messaging.ParseKeyword(in.Body)
	case carepath.ChannelEmail:
		kw = messaging.ParseEmailKeyword(in.Subject, in.Body)
	}
	if kw == messaging.KeywordYes {
		// YES is an answer, unless the sender opted out: then it is START.
		granted, err := senderConsent(ctx, q, in, caregivers)
		if err != nil || granted {
			return messaging.KeywordNone, err
		}
		return messaging.KeywordStart, nil
	}
	if kw != messaging.KeywordNone {
		return kw, nil
	}
	switch messaging.ParseRevocation(strings.TrimSpace(in.Subject + "\n" + in.Body)) {
	case messaging.RevocationClear:
		return messaging.KeywordStop, nil
	case messaging.RevocationUnclear:
		patientID := in.patientID
		if patientID == "" && len(in.patients) == 0 && len(caregivers) > 0 {
			patientID = caregiversPatient(caregivers)
		}
		if _, err := q.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), PatientID: patientID, MessageID: in.id,
			Priority: carepath.PriorityNormal, Reason: carepath.ReasonPossibleOptOut,
			DedupeKey: carepath.TaskKeyPossibleOptOut(in.id), Swept: true}); err != nil {
			return kw, fmt.Errorf("raise possible opt-out task: %w", err)
		}
	}
	return messaging.KeywordNone, nil
}

// confirmTemplate is the confirmation of an opt-out or opt-in on a channel.
func confirmTemplate(channel carepath.Channel, granted bool) string {
	switch {
	case granted:
		return workflows.TemplateStartConfirm
	case channel == carepath.ChannelEmail:
		return workflows.TemplateStopConfirmEmail
	}
	return workflows.TemplateStopConfirm
}

// recordKeywordConsent records a STOP or START on the message's channel
// for the number or address, every patient and every caregiver using it,
// each audited.
func (e *Engine) recordKeywordConsent(ctx context.Context, q *store.Queries, in inbound, caregivers []store.Caregiver, granted bool, source string) error {
	change := store.ConsentChange{Channel: in.Channel, Purpose: carepath.PurposeAll, Granted: granted, Source: source,
		Reason: "message " + in.id}
	if err := q.AddressConsentAppend(ctx, in.Channel, in.From, change); err != nil {
		return err
	}
	actor := carepath.Actor{Kind: carepath.ActorWebhook, ID: in.Provider, RequestID: in.RequestID}
	action := consentAction(granted)
	for _, pid := range in.patients {
		if err := q.ConsentAppend(ctx, store.Recipient{PatientID: pid}, change); err != nil {
			return err
		}
		if err := audit(ctx, q, actor, action, pid, "message/"+in.id); err != nil {
			return err
		}
	}
	for _, cg := range caregivers {
		if err := q.ConsentAppend(ctx, store.Recipient{PatientID: cg.PatientID, CaregiverID: cg.ID}, change); err != nil {
			return err
		}
		if err := audit(ctx, q, actor, "caregiver."+action, cg.PatientID, "caregiver/"+cg.ID); err != nil {
			return err
		}
	}
	e.Log.Info("consent changed by keyword", "channel", string(in.Channel), "message_id", in.id, "source", source,
		"patients", len(in.patients), "caregivers", len(caregivers))
	return nil
}

// senderConsent is the sender's current consent on the message's channel:
// a patient's on it, else a caregiver's, else the number's or address's own.
func senderConsent(ctx context.Context, q *store.Queries, in inbound, caregivers []store.Caregiver) (bool, error) {
	switch {
	case len(in.patients) > 0:
		return q.ConsentGranted(ctx, in.patients[0], in.Channel, carepath.PurposeCare)
	case len(caregivers) > 0:
		return q.CaregiverConsentGranted(ctx, caregivers[0].ID, in.Channel)
	}
	return q.AddressConsentGranted(ctx, in.Channel, in.From)
}

// complianceAnswer addresses the one answer to a keyword (or a red flag),
// on the channel it came by: to a patient on the number or address, else
// to the caregiver who sent it; nil for a sender carepath does not know.
func complianceAnswer(in inbound, caregivers []store.Caregiver, tmpl string) *workflows.ComplianceReplyInput {
	switch {
	case len(in.patients) > 0:
		return &workflows.ComplianceReplyInput{PatientID: in.patients[0], InboundMessageID: in.id, Template: tmpl,
			Channel: in.Channel}
	case len(caregivers) > 0:
		return &workflows.ComplianceReplyInput{PatientID: caregivers[0].PatientID, CaregiverID: caregivers[0].ID,
			InboundMessageID: in.id, Template: tmpl, Channel: in.Channel}
	}
	return nil
}

// caregiversPatient is the patient a caregiver's message is filed under:
// theirs when every caregiver on the number is one patient's, else none.
func caregiversPatient(caregivers []store.Caregiver) string {
	for _, cg := range caregivers[1:] {
		if cg.PatientID != caregivers[0].PatientID {
			return ""
		}
	}
	return caregivers[0].PatientID
}

// caregiversFor finds the caregivers a message came from, by phone or email.
func caregiversFor(ctx context.Context, q *store.Queries, m InboundMessage) ([]store.Caregiver, error) {
	if m.Channel == carepath.ChannelEmail {
		return q.CaregiversByEmail(ctx, m.From)
	}
	return q.CaregiversByPhone(ctx, m.From)
}
