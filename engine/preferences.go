package engine

import (
	"context"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// preferences applies a reply such as "email me instead", "text in
// Spanish" or "less often" to the patient's record (every journey honours
// it from the next message), audited, and returns the acknowledgement to
// send. It returns nil for any other reply, or when the sender is not one
// known patient.
func (e *Engine) preferences(ctx context.Context, q *store.Queries, in inbound) (*workflows.ComplianceReplyInput, error) {
	change := messaging.ParsePreference(in.Body)
	if !change.Any() || in.patientID == "" {
		return nil, nil
	}
	if change.Channel != "" || change.Locale != "" {
		if err := q.PatientPreferences(ctx, in.patientID, change.Locale, change.Channel); err != nil {
			return nil, err
		}
	}
	if change.LessOften {
		if err := q.PatientLessOften(ctx, in.patientID); err != nil {
			return nil, err
		}
	}
	actor := carepath.Actor{Kind: carepath.ActorWebhook, ID: in.Provider, RequestID: in.RequestID}
	if err := audit(ctx, q, actor, "patient.preferences", in.patientID, "message/"+in.id); err != nil {
		return nil, err
	}
	return &workflows.ComplianceReplyInput{PatientID: in.patientID, InboundMessageID: in.id,
		Template: workflows.TemplatePreferences, Channel: in.Channel}, nil
}
