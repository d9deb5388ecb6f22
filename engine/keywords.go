package engine

import (
	"context"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// keyword applies an SMS compliance keyword (STOP, START, YES when opted
// out, HELP) for every patient using the sending number, in the webhook's
// transaction, and says what to answer. It returns nil for an ordinary reply.
func (e *Engine) keyword(ctx context.Context, q *store.Queries, m InboundMessage, msgID string, patients []string, first bool) (*workflows.ComplianceReplyInput, error) {
	if m.Channel != carepath.ChannelSMS || len(patients) == 0 {
		return nil, nil
	}
	kw := messaging.ParseKeyword(m.Body)
	if kw == messaging.KeywordYes && first {
		granted, err := q.ConsentGranted(ctx, patients[0], carepath.ChannelSMS, "care")
		if err != nil {
			return nil, err
		}
		kw = messaging.KeywordNone // YES is an answer, unless the patient opted out
		if !granted {
			kw = messaging.KeywordStart
		}
	}
	template := ""
	switch kw {
	case messaging.KeywordNone:
		return nil, nil
	case messaging.KeywordHelp:
		template = workflows.TemplateHelp
	case messaging.KeywordStop, messaging.KeywordStart:
		granted := kw == messaging.KeywordStart
		template, action := workflows.TemplateStopConfirm, "consent.revoke"
		if granted {
			template, action = workflows.TemplateStartConfirm, "consent.grant"
		}
		actor := carepath.Actor{Kind: carepath.ActorWebhook, ID: m.Provider, RequestID: m.RequestID}
		for _, pid := range patients {
			if !first {
				break // recorded with the message by the first delivery
			}
			if err := q.ConsentRecord(ctx, pid, carepath.ChannelSMS, store.PurposeAll, granted, "sms:"+string(kw)); err != nil {
				return nil, err
			}
			if err := audit(ctx, q, actor, action, pid, "message/"+msgID); err != nil {
				return nil, err
			}
		}
		e.Log.Info("sms consent changed by keyword", "message_id", msgID, "keyword", string(kw), "patients", len(patients))
		return &workflows.ComplianceReplyInput{PatientID: patients[0], InboundMessageID: msgID, Template: template}, nil
	}
	return &workflows.ComplianceReplyInput{PatientID: patients[0], InboundMessageID: msgID, Template: template}, nil
}
