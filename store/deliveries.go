package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath"
)

// DeliveredMessage is an outbound message a provider reported on.
type DeliveredMessage struct {
	ID, PatientID, CaregiverID, Status, To string
	Channel                                carepath.Channel
	Provider, ProviderMessageID            string
}

// Recipient is who the message went to: the caregiver when CaregiverID is
// set, never the patient then.
func (m DeliveredMessage) Recipient() Recipient {
	return Recipient{PatientID: m.PatientID, CaregiverID: m.CaregiverID}
}

// DeliveryReport is a provider's word on an outbound message, already
// classified by the engine.
type DeliveryReport struct {
	Provider          string
	ProviderMessageID string
	EventKey          string         // deduplicates the provider's re-posts
	Status            string         // carepath status (sent, delivered, undelivered, failed); "" changes none
	ErrorCode         int            // the provider's code, 0 if none
	Reason            string         // status reason for a failure
	Failure           ContactFailure // what it says about the contact point; "" nothing
	RequestID         string
}

// finalStatuses are never overwritten by a later (or late) report.
var finalStatuses = []string{carepath.MessageDelivered, carepath.MessageUndelivered, carepath.MessageFailed}

// DeliveryMessageByProviderID locks the message a provider callback is
// about; ok=false if no sent message has that provider ID (yet).
func (q *Queries) DeliveryMessageByProviderID(ctx context.Context, provider, providerID string) (DeliveredMessage, bool, error) {
	return q.deliveredMessage(ctx, "DeliveryMessageByProviderID", provider, providerID)
}

// DeliveryMessageByID locks an outbound message by carepath's own ID;
// ok=false if unknown.
func (q *Queries) DeliveryMessageByID(ctx context.Context, id string) (DeliveredMessage, bool, error) {
	return q.deliveredMessage(ctx, "DeliveryMessageByID", id)
}

func (q *Queries) deliveredMessage(ctx context.Context, query string, args ...any) (m DeliveredMessage, ok bool, err error) {
	err = q.db.QueryRow(ctx, stmt(query), args...).Scan(&m.ID, &m.PatientID, &m.CaregiverID, &m.Status, &m.Channel, &m.To,
		&m.Provider, &m.ProviderMessageID)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, false, nil
	}
	return m, err == nil, wrapErr("find reported message", err)
}

// DeliveryApply applies a report to a message locked by one of the
// lookups above: its status (a final status is never overwritten), then
// what the report says about the recipient's contact point, through the one
// rule for contact failures. A caregiver's failure is the caregiver's.
func (q *Queries) DeliveryApply(ctx context.Context, m DeliveredMessage, r DeliveryReport) error {
	changesStatus := r.Status != "" && r.Status != carepath.MessageSent
	switch {
	case changesStatus && slices.Contains(finalStatuses, m.Status):
		return nil // the first final report wins; later or repeated ones change nothing
	case !changesStatus && r.Failure == "":
		return nil // "sent" and its kin: the lookup already settled the send
	}
	if changesStatus {
		var code any
		if r.ErrorCode != 0 {
			code = r.ErrorCode
		}
		if _, err := q.db.Exec(ctx, stmt("DeliveryRecord"), m.ID, r.Status, r.Reason, code); err != nil {
			return fmt.Errorf("record delivery: %w", err)
		}
	}
	actor := carepath.Actor{Kind: carepath.ActorWebhook, ID: r.Provider, RequestID: r.RequestID}
	if changesStatus {
		if err := q.AuditAppend(ctx, AuditEntry{Actor: actor.Name(), Action: "message.delivery", PatientID: m.PatientID,
			Resource: "message/" + m.ID, RequestID: r.RequestID, Outcome: "success"}); err != nil {
			return err
		}
	}
	if r.Failure == FailureOptedOut {
		resource := "patient/" + m.PatientID
		if m.CaregiverID != "" {
			resource = "caregiver/" + m.CaregiverID
		}
		if err := q.AuditAppend(ctx, AuditEntry{Actor: actor.Name(), Action: "consent.revoke", PatientID: m.PatientID,
			Resource: resource, RequestID: r.RequestID, Outcome: "success"}); err != nil {
			return err
		}
	}
	switch {
	case m.PatientID == "" && m.CaregiverID == "":
		return nil
	case r.Status == carepath.MessageDelivered:
		return q.ContactReached(ctx, m.Recipient(), m.Channel, m.To)
	case r.Failure != "":
		return q.ContactFailed(ctx, m.Recipient(), m.Channel, m.To, r.Failure, fmt.Sprintf("%s:%d", r.Provider, r.ErrorCode))
	}
	return nil
}

// DeliveryKeep keeps a report whose message carepath has not yet recorded
// as sent; ApplyPendingDeliveryReports applies it when it is.
func (q *Queries) DeliveryKeep(ctx context.Context, r DeliveryReport) error {
	_, err := q.db.Exec(ctx, stmt("DeliveryKeep"), r.Provider, r.ProviderMessageID, r.EventKey, r.Status, r.ErrorCode, string(r.Failure))
	return wrapErr("keep delivery report", err)
}

// ApplyPendingDeliveryReports applies the reports kept for a provider
// message, so a callback that beat the API response is not lost. Call it
// once the provider's ID is recorded: the webhooks' reconciliation does in
// the same transaction (MessageMarkSent), the send path right after its own
// (OutboxAttemptSent), and the reply router's sweep (DeliveryPendingRecorded)
// applies any a crash in between left kept.
func (q *Queries) ApplyPendingDeliveryReports(ctx context.Context, provider, providerMessageID string) error {
	rows, err := q.db.Query(ctx, stmt("DeliveryTakePending"), provider, providerMessageID)
	if err != nil {
		return fmt.Errorf("take kept delivery reports: %w", err)
	}
	type kept struct {
		r  DeliveryReport
		at time.Time
	}
	var reports []kept
	for rows.Next() {
		k := kept{r: DeliveryReport{Provider: provider, ProviderMessageID: providerMessageID}}
		var failure string
		if err := rows.Scan(&k.r.EventKey, &k.r.Status, &k.r.ErrorCode, &failure, &k.at); err != nil {
			rows.Close()
			return fmt.Errorf("scan kept delivery report: %w", err)
		}
		k.r.Failure = ContactFailure(failure)
		if k.r.Status != carepath.MessageDelivered && k.r.Status != carepath.MessageSent {
			k.r.Reason = fmt.Sprintf("%s code %d", provider, k.r.ErrorCode)
		}
		reports = append(reports, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("take kept delivery reports: %w", err)
	}
	if len(reports) == 0 {
		return nil
	}
	slices.SortStableFunc(reports, func(a, b kept) int { return a.at.Compare(b.at) })
	m, ok, err := q.DeliveryMessageByProviderID(ctx, provider, providerMessageID)
	if err != nil || !ok {
		return err
	}
	for _, k := range reports {
		if err := q.DeliveryApply(ctx, m, k.r); err != nil {
			return err
		}
		if k.r.Status != "" && k.r.Status != carepath.MessageSent && !slices.Contains(finalStatuses, m.Status) {
			m.Status = k.r.Status
		}
	}
	return nil
}

// ProviderMessage names a message at its provider.
type ProviderMessage struct{ Provider, ProviderMessageID string }

// DeliveryPendingRecorded lists provider messages with kept reports that
// can now be applied.
func (q *Queries) DeliveryPendingRecorded(ctx context.Context, limit int) ([]ProviderMessage, error) {
	rows, err := q.db.Query(ctx, stmt("DeliveryPendingRecorded"), limit)
	if err != nil {
		return nil, fmt.Errorf("find kept delivery reports to apply: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ProviderMessage, error) {
		var m ProviderMessage
		err := r.Scan(&m.Provider, &m.ProviderMessageID)
		return m, err
	})
	return out, wrapErr("find kept delivery reports to apply", err)
}

// DeliveryPendingPrune drops kept reports no send claimed within a week.
func (q *Queries) DeliveryPendingPrune(ctx context.Context) error {
	_, err := q.db.Exec(ctx, stmt("DeliveryPendingPrune"))
	return wrapErr("prune kept delivery reports", err)
}
