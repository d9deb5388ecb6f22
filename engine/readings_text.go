package engine

import (
	"context"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// textReading records a reading a patient texted or emailed ("BG 182",
// "BP 150/95", "glucosa 9,8 mmol") in the webhook's transaction
// (readingFromText: stored once, judged against its safe range, a task
// raised when outside it), hands it to the patient's journeys through the
// route, and acknowledges it when the patient consents to care messages
// on that channel. handled=false: not a reading, or not from one known
// patient.
func (e *Engine) textReading(ctx context.Context, q *store.Queries, in inbound) (route, bool, error) {
	if in.patientID == "" || len(in.patients) != 1 {
		return route{}, false, nil
	}
	actor := carepath.Actor{Kind: carepath.ActorWebhook, ID: in.Provider, RequestID: in.RequestID}
	obs, flagged, err := e.readingFromText(ctx, q, actor, in.patientID, in.id, in.Body)
	if err != nil || obs == nil {
		return route{}, false, err
	}
	r := route{Reading: &readingRoute{PatientID: in.patientID, Observation: observationSignal(*obs)}}
	granted, err := q.ConsentGranted(ctx, in.patientID, in.Channel, carepath.PurposeCare)
	if err != nil || !granted {
		return r, true, err
	}
	tmpl := workflows.TemplateReadingAck
	if flagged {
		tmpl = workflows.TemplateReadingAckFlagged
	}
	r.Compliance = &workflows.ComplianceReplyInput{PatientID: in.patientID, InboundMessageID: in.id, Template: tmpl,
		Channel: in.Channel}
	return r, true, nil
}
