package engine

import (
	"context"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// Audit outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeDenied  = "denied"
)

// audit appends one entry in q's transaction.
func audit(ctx context.Context, q *store.Queries, a carepath.Actor, action, patientID, resource string) error {
	return q.AuditAppend(ctx, store.AuditEntry{Actor: a.Name(), Action: action, PatientID: patientID,
		Resource: resource, RequestID: a.RequestID, Outcome: OutcomeSuccess})
}

// AuditDenied records a refused attempt (wrong role) on its own.
func (e *Engine) AuditDenied(ctx context.Context, a carepath.Actor, action, resource string) error {
	return e.Store.AuditAppend(ctx, store.AuditEntry{Actor: a.Name(), Action: action, Resource: resource,
		RequestID: a.RequestID, Outcome: OutcomeDenied})
}

// ListAudit returns audit entries, newest first.
func (e *Engine) ListAudit(ctx context.Context, a carepath.Actor, patientID string, before int64, limit int) ([]store.AuditEntry, error) {
	if patientID != "" {
		if err := validID(patientID, "patient"); err != nil {
			return nil, carepath.Invalid("patient_id", "must be a patient ID")
		}
	}
	var out []store.AuditEntry
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if out, err = q.AuditList(ctx, patientID, before, limit); err != nil {
			return err
		}
		// Reading the trail is itself recorded.
		return audit(ctx, q, a, "audit.read", patientID, "audit")
	})
	return out, err
}
