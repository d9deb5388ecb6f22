package engine

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/safety"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// safetyRoute is what a red flag sets off once the webhook's transaction
// has committed: the on-call page for the urgent task, and the safety
// message (nil when there is no one carepath can answer: an unknown
// sender).
type safetyRoute struct {
	TaskID string                          `json:"task_id"`
	Reply  *workflows.ComplianceReplyInput `json:"reply,omitempty"`
}

// screen reads every inbound message for red flags before it is routed,
// whoever sent it and whatever journey waits (safety.Screen). A red flag
// raises an urgent task holding the message and naming what matched, in
// this transaction, and returns what the reply router does next: page the
// on-call person and send the safety message (988 for crisis language).
// Routing goes on as usual afterwards: the reply still reaches its journey.
func (e *Engine) screen(ctx context.Context, q *store.Queries, in inbound, caregivers []store.Caregiver) (*safetyRoute, error) {
	flag, ok := safety.Screen(in.Subject + "\n" + in.Body)
	if !ok {
		return nil, nil
	}
	patientID := in.patientID
	if patientID == "" && len(in.patients) == 0 && len(caregivers) > 0 {
		patientID = caregiversPatient(caregivers)
	}
	note := fmt.Sprintf("red flag: %s (matched %q)", flag.Category, flag.Phrase)
	taskID, err := q.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), PatientID: patientID, MessageID: in.id,
		Priority: carepath.PriorityUrgent, Reason: carepath.ReasonRedFlag, Note: note,
		DedupeKey: carepath.TaskKeyRedFlag(in.id), Swept: true})
	if err != nil {
		return nil, fmt.Errorf("raise red-flag task: %w", err)
	}
	tmpl := workflows.TemplateSafetyEmergency
	if flag.Crisis {
		tmpl = workflows.TemplateSafetyCrisis
	}
	reply := complianceAnswer(in, caregivers, tmpl)
	if reply != nil {
		reply.Channel = in.Channel
	}
	// The category only: what the patient wrote stays out of logs.
	e.Log.Warn("red flag in inbound message: urgent task raised", "message_id", in.id, "task_id", taskID,
		"category", string(flag.Category))
	return &safetyRoute{TaskID: taskID, Reply: reply}, nil
}
