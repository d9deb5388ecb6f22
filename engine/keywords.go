package engine

import (
	"context"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// keyword handles, in the webhook's transaction, what a message means
// before any journey may take it as an answer: an SMS compliance keyword
// (STOP, START, HELP, or YES from a number that opted out), or anything a
// caregiver (and no patient) sent. handled=false means an ordinary reply.
//
// STOP and START apply to whoever uses the sending number: every patient
// on it, however many; every caregiver on it (their own consent, never the
// patient's); and the number itself, so a STOP from a number no one uses
// yet is kept for patients and caregivers created with it later. They take
// effect when the message was received (this transaction's time). The
// confirmation goes to a patient on the number, else to the caregiver; a
// number carepath does not know gets none (the provider's own opt-out
// handling answers it).
func (e *Engine) keyword(ctx context.Context, q *store.Queries, in inbound) (r route, handled bool, err error) {
	caregivers, err := caregiversFor(ctx, q, in.InboundMessage)
	if err != nil {
		return route{}, false, err
	}
	kw := messaging.KeywordNone
	if in.Channel == carepath.ChannelSMS {
		kw = messaging.ParseKeyword(in.Body)
	}
	if kw == messaging.KeywordYes {
		// YES is an answer, unless the sender opted out: then it is START.
		granted, err := senderConsent(ctx, q, in, caregivers)
		if err != nil {
			return route{}, false, err
		}
		kw = messaging.KeywordNone
		if !granted {
			kw = messaging.KeywordStart
		}
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
			return route{}, false, nil // an unknown number's HELP: the care team sees it
		}
		return route{Compliance: answer}, true, nil
	case messaging.KeywordStop, messaging.KeywordStart:
		granted := kw == messaging.KeywordStart
		if err := e.recordKeywordConsent(ctx, q, in, caregivers, granted, "sms:"+string(kw)); err != nil {
			return route{}, false, err
		}
		confirm := workflows.TemplateStartConfirm
		if !granted {
			confirm = workflows.TemplateStopConfirm
		}
		r := route{Compliance: complianceAnswer(in, caregivers, confirm)}
		if !granted && len(in.patients) > 0 {
			r.OptOut = &optOutRoute{Channel: in.Channel, PatientIDs: in.patients}
		}
		return r, true, nil
	}
	return route{}, false, nil
}

// recordKeywordConsent records a STOP or START for the number, every
// patient and every caregiver using it, each audited.
func (e *Engine) recordKeywordConsent(ctx context.Context, q *store.Queries, in inbound, caregivers []store.Caregiver, granted bool, source string) error {
	change := store.ConsentChange{Channel: carepath.ChannelSMS, Purpose: carepath.PurposeAll, Granted: granted, Source: source,
		Reason: "message " + in.id}
	if err := q.AddressConsentAppend(ctx, carepath.ChannelSMS, in.From, change); err != nil {
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
	e.Log.Info("sms consent changed by keyword", "message_id", in.id, "source", source,
		"patients", len(in.patients), "caregivers", len(caregivers))
	return nil
}

// senderConsent is the sending number's current SMS consent: a patient's
// on it, else a caregiver's, else the number's own.
func senderConsent(ctx context.Context, q *store.Queries, in inbound, caregivers []store.Caregiver) (bool, error) {
	switch {
	case len(in.patients) > 0:
		return q.ConsentGranted(ctx, in.patients[0], carepath.ChannelSMS, carepath.PurposeCare)
	case len(caregivers) > 0:
		return q.CaregiverConsentGranted(ctx, caregivers[0].ID, carepath.ChannelSMS)
	}
	return q.AddressConsentGranted(ctx, carepath.ChannelSMS, in.From)
}

// complianceAnswer addresses the one answer to a keyword: to a patient on
// the number, else to the caregiver who sent it; nil for a number carepath
// does not know.
func complianceAnswer(in inbound, caregivers []store.Caregiver, tmpl string) *workflows.ComplianceReplyInput {
	switch {
	case len(in.patients) > 0:
		return &workflows.ComplianceReplyInput{PatientID: in.patients[0], InboundMessageID: in.id, Template: tmpl}
	case len(caregivers) > 0:
		return &workflows.ComplianceReplyInput{PatientID: caregivers[0].PatientID, CaregiverID: caregivers[0].ID,
			InboundMessageID: in.id, Template: tmpl}
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
