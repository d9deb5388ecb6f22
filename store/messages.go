package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath"
)

// OutboxMessage is an outbound message as the outbox first records it.
type OutboxMessage struct {
	ID           string
	PatientID    string
	EnrollmentID string
	Channel      carepath.Channel
	Template     string
	Body         string
	To           string
	From         string
	Status       string // queued, or suppressed with a reason
	StatusReason string
	Provider     string
	Purpose      carepath.Purpose
}

// OutboxState is where an outbox row stands.
type OutboxState struct {
	Status            string
	StatusReason      string
	Provider          string
	ProviderMessageID string
	Attempts          int
	Channel           carepath.Channel
	To                string
	Body              string
	SendingAt         *time.Time
	DeferredUntil     *time.Time
}

// MessageOutboxInsert records m unless a row with its ID exists already
// (pipelined: in a transaction it goes with the next statement).
func (q *Queries) MessageOutboxInsert(ctx context.Context, m OutboxMessage) error {
	var enrollment any
	if m.EnrollmentID != "" {
		enrollment = m.EnrollmentID
	}
	return q.execLater(ctx, "insert outbox message", stmt("MessageOutboxInsert"), m.ID, m.PatientID, enrollment, m.Channel, m.Template, m.Body,
		m.To, m.From, m.Status, m.StatusReason, m.Provider, m.Purpose)
}

// MessageDefer holds a message until a time (quiet hours, caps).
func (q *Queries) MessageDefer(ctx context.Context, id, reason string, until time.Time) error {
	_, err := q.db.Exec(ctx, stmt("MessageDefer"), id, reason, until)
	return wrapErr("defer message", err)
}

// MessageMarkSent records the provider's acceptance.
func (q *Queries) MessageMarkSent(ctx context.Context, id, provider, providerID string) error {
	_, err := q.db.Exec(ctx, stmt("MessageMarkSent"), id, provider, providerID)
	return wrapErr("mark message sent", err)
}

// MessageMarkFailed records a final failure or suppression with its reason.
func (q *Queries) MessageMarkFailed(ctx context.Context, id, status, reason string) error {
	_, err := q.db.Exec(ctx, stmt("MessageMarkFailed"), id, status, reason)
	return wrapErr("mark message failed", err)
}

// InboundMessage is a message a patient (or anyone) sent us.
type InboundMessage struct {
	ID                string
	PatientID         string // empty when the sender matches no patient
	Channel           carepath.Channel
	Body              string
	To, From          string
	Provider          string
	ProviderMessageID string
}

// MessageInboundInsert stores an inbound message once per provider message
// ID. It returns the stored row's ID and status, and whether this call
// inserted it (false for a provider's re-delivery).
func (q *Queries) MessageInboundInsert(ctx context.Context, m InboundMessage) (id, status string, inserted bool, err error) {
	var patient any
	if m.PatientID != "" {
		patient = m.PatientID
	}
	err = q.db.QueryRow(ctx, stmt("MessageInboundInsert"), m.ID, patient, m.Channel, m.Body, m.To, m.From,
		m.Provider, m.ProviderMessageID).Scan(&id)
	if err == nil {
		return id, carepath.MessageReceived, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return "", "", false, fmt.Errorf("insert inbound message: %w", err)
	}
	var patientID string
	if err := q.db.QueryRow(ctx, stmt("MessageByProviderID"), m.Provider, m.ProviderMessageID).Scan(&id, &patientID, &status); err != nil {
		return "", "", false, fmt.Errorf("find re-delivered inbound message: %w", err)
	}
	return id, status, false, nil
}

// MessageRouted marks an inbound message as handed on (to a journey, when
// enrollmentID is set, or to the care team's inbox); pipelined.
func (q *Queries) MessageRouted(ctx context.Context, id, enrollmentID string) error {
	var enrollment any
	if enrollmentID != "" {
		enrollment = enrollmentID
	}
	return q.execLater(ctx, "mark message routed", stmt("MessageRouted"), id, enrollment)
}

// MessagesByPatient returns a patient's timeline, newest first.
func (q *Queries) MessagesByPatient(ctx context.Context, patientID string, limit int) ([]carepath.Message, error) {
	rows, err := q.db.Query(ctx, stmt("MessagesByPatient"), patientID, limit)
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	out := []carepath.Message{}
	for rows.Next() {
		var m carepath.Message
		var sent *time.Time
		if err := rows.Scan(&m.ID, &m.PatientID, &m.EnrollmentID, &m.Direction, &m.Channel, &m.Template, &m.Body,
			&m.Status, &m.StatusReason, &m.Provider, &m.ProviderMessageID, &m.CreatedAt, &sent, &m.Author, &m.AuthorName); err != nil {
			return nil, fmt.Errorf("scan message: %w", err)
		}
		m.SentAt = sent
		out = append(out, m)
	}
	return out, wrapErr("list messages", rows.Err())
}

// MessageGet returns one message (inbound or outbound) or ENOTFOUND.
func (q *Queries) MessageGet(ctx context.Context, id string) (carepath.Message, error) {
	var m carepath.Message
	err := q.db.QueryRow(ctx, stmt("MessageGet"), id).Scan(&m.ID, &m.PatientID, &m.EnrollmentID, &m.Direction,
		&m.Channel, &m.Template, &m.Body, &m.Status, &m.StatusReason, &m.Provider, &m.ProviderMessageID,
		&m.CreatedAt, &m.SentAt, &m.Author, &m.AuthorName)
	return m, wrapErr("get message", notFound(err, "message"))
}

// InboundReceivedAt is when carepath received an inbound message: the
// moment a decision carried by that reply takes effect.
func (q *Queries) InboundReceivedAt(ctx context.Context, messageID string) (time.Time, error) {
	var at time.Time
	err := q.db.QueryRow(ctx, stmt("InboundReceivedAt"), messageID).Scan(&at)
	return at, wrapErr("reply receipt time", notFound(err, "message"))
}
