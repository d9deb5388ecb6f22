package store

import (
	"context"
	"fmt"
	"time"

	"github.com/carepath/carepath"
)

// OutboxRow is an outbound message as the send path sees it, locked.
type OutboxRow struct {
	OutboxState
	// AttemptToken names the provider call that owns the row while it is
	// "sending"; LeaseUntil is when that call can no longer reach the
	// provider (its client timeout plus a margin).
	AttemptToken string
	LeaseUntil   *time.Time
	EnrollmentID string
	CaregiverID  string
	Purpose      carepath.Purpose
}

// OutboxLock locks an outbound message for the rest of the transaction.
func (q *Queries) OutboxLock(ctx context.Context, id string) (OutboxRow, error) {
	var r OutboxRow
	s := &r.OutboxState
	err := q.db.QueryRow(ctx, stmt("OutboxLock"), id).Scan(&s.Status, &s.StatusReason, &s.Provider,
		&s.ProviderMessageID, &s.Attempts, &s.Channel, &s.To, &s.Body, &s.SendingAt, &s.DeferredUntil,
		&r.AttemptToken, &r.LeaseUntil, &r.EnrollmentID, &r.CaregiverID, &r.Purpose)
	return r, wrapErr("lock outbox message", notFound(err, "message"))
}

// Attempt is one provider call of one message.
type Attempt struct {
	Token      string
	Channel    carepath.Channel
	To         string
	Provider   string
	Body       string
	At         time.Time // hand-off to the provider
	LeaseUntil time.Time
	// Conversational replies do not count against outreach caps.
	Conversational bool
}

// OutboxClaim claims a queued or deferred message for one provider call;
// ok=false when the row is not claimable (another attempt has it, or it
// is settled). The caller holds the row's lock.
func (q *Queries) OutboxClaim(ctx context.Context, id string, a Attempt) (ok bool, err error) {
	tag, err := q.db.Exec(ctx, stmt("OutboxClaim"), id, a.Channel, a.To, a.Provider, a.Body, a.Conversational,
		a.Token, a.At, a.LeaseUntil)
	if err != nil {
		return false, fmt.Errorf("claim outbox message: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// OutboxAttemptSent records the provider's acceptance for the attempt that
// owns the row; ok=false when the row has moved on (settled by a callback
// or event, or by another attempt after this one's lease ran out).
func (q *Queries) OutboxAttemptSent(ctx context.Context, id, token, provider, providerID string) (ok bool, err error) {
	tag, err := q.db.Exec(ctx, stmt("OutboxAttemptSent"), id, nullable(token), provider, providerID)
	if err != nil {
		return false, fmt.Errorf("record attempt sent: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// OutboxAttemptSettle ends the attempt that owns the row without a
// provider message: status queued (surely not accepted), failed,
// suppressed or held, with a reason. ok=false when the row has moved on.
func (q *Queries) OutboxAttemptSettle(ctx context.Context, id, token, status, reason string) (ok bool, err error) {
	tag, err := q.db.Exec(ctx, stmt("OutboxAttemptSettle"), id, nullable(token), status, reason)
	if err != nil {
		return false, fmt.Errorf("settle attempt: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// OutboxProviderIDsTaken returns which of ids already belong to a message.
func (q *Queries) OutboxProviderIDsTaken(ctx context.Context, provider string, ids []string) (map[string]bool, error) {
	taken := map[string]bool{}
	if len(ids) == 0 {
		return taken, nil
	}
	rows, err := q.db.Query(ctx, stmt("OutboxProviderIDsTaken"), provider, ids)
	if err != nil {
		return nil, fmt.Errorf("provider ids taken: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("provider ids taken: %w", err)
		}
		taken[id] = true
	}
	return taken, wrapErr("provider ids taken", rows.Err())
}

// UnknownOutcome is another message to the same address whose provider
// call's outcome is unknown.
type UnknownOutcome struct {
	ID, Body string
}

// OutboxUnknownTo lists the other messages to address (not exclude) whose
// outcome is unknown and whose attempt window overlaps [since, until].
func (q *Queries) OutboxUnknownTo(ctx context.Context, address, exclude string, since, until time.Time) ([]UnknownOutcome, error) {
	rows, err := q.db.Query(ctx, stmt("OutboxUnknownTo"), address, exclude, since, until)
	if err != nil {
		return nil, fmt.Errorf("unknown outcomes to address: %w", err)
	}
	defer rows.Close()
	var out []UnknownOutcome
	for rows.Next() {
		var u UnknownOutcome
		if err := rows.Scan(&u.ID, &u.Body); err != nil {
			return nil, fmt.Errorf("unknown outcomes to address: %w", err)
		}
		out = append(out, u)
	}
	return out, wrapErr("unknown outcomes to address", rows.Err())
}

// ConversationReplyDue reports whether a message of this enrollment is the
// reply to a question the patient answered at or after since (when the
// answer was received): the first message the enrollment sends after it.
func (q *Queries) ConversationReplyDue(ctx context.Context, enrollmentID, messageID string, since time.Time) (bool, error) {
	if enrollmentID == "" {
		return false, nil
	}
	var due bool
	err := q.db.QueryRow(ctx, stmt("ConversationReplyDue"), enrollmentID, since, messageID).Scan(&due)
	return due, wrapErr("conversation reply due", err)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// OutreachSince counts outreach messages sent (or being sent) to a patient
// since a time, other than exclude, and returns the oldest one's time.
func (q *Queries) OutreachSince(ctx context.Context, patientID string, since time.Time, exclude string) (int, *time.Time, error) {
	var n int
	if err := q.db.QueryRow(ctx, stmt("OutreachCountSince"), patientID, since, exclude).Scan(&n); err != nil {
		return 0, nil, fmt.Errorf("count outreach: %w", err)
	}
	var oldest *time.Time
	if err := q.db.QueryRow(ctx, stmt("OutreachOldestSince"), patientID, since, exclude).Scan(&oldest); err != nil {
		return 0, nil, fmt.Errorf("oldest outreach: %w", err)
	}
	return n, oldest, nil
}
