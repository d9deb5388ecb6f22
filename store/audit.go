package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// The audit trail is a set of keyed hash chains, one per partition
// (audit_partitions, 32 of them). An append locks one partition's head row
// (the one its transaction already holds, else a free one), so concurrent
// writers rarely wait on each other; the row carries its partition, its
// seq there (gapless: the head moves in the same transaction), the
// previous row's MAC and its own HMAC-SHA256 under the process's audit key
// over all of that and every field. Editing, deleting, moving or
// renumbering a row breaks its partition's chain; cutting a partition's
// tail shows against a checkpoint kept elsewhere (audit_checkpoint.go).
// Rows from before migration 0032 are the legacy chain (audit_legacy.go).

// AuditEntry is one row of the audit trail.
type AuditEntry struct {
	ID         int64     `json:"id"`
	OccurredAt time.Time `json:"occurred_at"`
	Actor      string    `json:"actor"`  // api_key:<id>, webhook:twilio, system:<component>
	Action     string    `json:"action"` // patient.read, enrollment.create, ...
	PatientID  string    `json:"patient_id,omitempty"`
	Resource   string    `json:"resource"` // e.g. enrollment/<id>; IDs only, never PHI
	RequestID  string    `json:"request_id"`
	Outcome    string    `json:"outcome"` // success, denied, not_found, ...
}

// link is a row's place in its partition's chain.
type link struct {
	partition int16
	seq       int64
	keyID     string
	prev      []byte
}

// rowMAC is a partitioned row's MAC: it binds the row's content, its id,
// its place and the row before it.
func rowMAC(key []byte, l link, e AuditEntry) []byte {
	return mac(key, "carepath audit row v2", []byte(l.keyID), i64(int64(l.partition)), i64(l.seq), l.prev, i64(e.ID),
		[]byte(e.OccurredAt.UTC().Format(time.RFC3339Nano)), []byte(e.Actor), []byte(e.Action), []byte(e.PatientID),
		[]byte(e.Resource), []byte(e.RequestID), []byte(e.Outcome))
}

// genesis is the "previous MAC" of a partition's first row.
var genesis = make([]byte, 32)

// AuditAppend adds an entry to the trail. Call it inside the transaction
// that makes the change it records, so both commit or neither does; on a
// pool it runs in a transaction of its own.
func (q *Queries) AuditAppend(ctx context.Context, e AuditEntry) error {
	if _, inTx := q.db.(pgx.Tx); !inTx {
		if b, ok := q.db.(interface {
			Begin(context.Context) (pgx.Tx, error)
		}); ok {
			return pgx.BeginFunc(ctx, b, func(tx pgx.Tx) error { return NewQueries(tx).AuditAppend(ctx, e) })
		}
	}
	if e.PatientID != "" {
		// The canonical form is what PostgreSQL gives back, so the MAC recomputes.
		id, err := uuid.Parse(e.PatientID)
		if err != nil {
			return errors.New("audit: patient id is not a UUID")
		}
		e.PatientID = id.String()
	}
	keys := processAuditKeys.Load()
	keyID := keys.Active()
	key, _ := keys.key(keyID)
	l := link{keyID: keyID}
	var head int64
	claim := func(name string) error {
		var setting string
		return q.db.QueryRow(ctx, stmt(name)).Scan(&l.partition, &head, &l.prev, &setting, &e.ID)
	}
	err := claim("AuditClaim")
	if errors.Is(err, pgx.ErrNoRows) {
		err = claim("AuditClaimWait")
	}
	if err != nil {
		return fmt.Errorf("audit: claim a partition: %w", err)
	}
	l.seq = head + 1
	// Microseconds: what PostgreSQL stores, so the MAC recomputes exactly.
	e.OccurredAt = time.Now().UTC().Truncate(time.Microsecond)
	hash := rowMAC(key, l, e)
	tag, err := q.db.Exec(ctx, stmt("AuditInsert"), e.ID, e.OccurredAt, e.Actor, e.Action, e.PatientID, e.Resource,
		e.RequestID, e.Outcome, l.partition, l.seq, l.keyID, l.prev, hash)
	if err != nil {
		return fmt.Errorf("audit: insert: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("audit: partition %d's head moved under its lock", l.partition)
	}
	return nil
}

// AuditList returns entries newest first, optionally for one patient,
// with IDs below before (0 for the newest).
func (q *Queries) AuditList(ctx context.Context, patientID string, before int64, limit int) ([]AuditEntry, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := q.db.Query(ctx, stmt("AuditList"), patientID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.OccurredAt, &e.Actor, &e.Action, &e.PatientID, &e.Resource, &e.RequestID, &e.Outcome); err != nil {
			return nil, fmt.Errorf("audit: scan: %w", err)
		}
		out = append(out, e)
	}
	return out, wrapErr("audit: list", rows.Err())
}
