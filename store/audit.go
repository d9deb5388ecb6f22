package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

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

// auditHash chains a row to its predecessor: SHA-256 over the previous hash
// and every field, each length-prefixed so no two rows encode alike.
func auditHash(prev []byte, e AuditEntry) []byte {
	h := sha256.New()
	write := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	write(prev)
	write(fmt.Appendf(nil, "%d", e.ID))
	write([]byte(e.OccurredAt.UTC().Format(time.RFC3339Nano)))
	for _, s := range []string{e.Actor, e.Action, e.PatientID, e.Resource, e.RequestID, e.Outcome} {
		write([]byte(s))
	}
	return h.Sum(nil)
}

// genesis is the "previous hash" of the first row.
var genesis = make([]byte, sha256.Size)

// AuditAppend adds an entry to the chain. Call it inside the transaction
// that makes the change it records, so both commit or neither does.
func (q *Queries) AuditAppend(ctx context.Context, e AuditEntry) error {
	if _, err := q.db.Exec(ctx, stmt("AuditLock")); err != nil {
		return fmt.Errorf("audit: lock: %w", err)
	}
	prev := genesis
	if err := q.db.QueryRow(ctx, stmt("AuditHead")).Scan(&prev); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("audit: read head: %w", err)
	}
	if err := q.db.QueryRow(ctx, stmt("AuditNextID")).Scan(&e.ID); err != nil {
		return fmt.Errorf("audit: next id: %w", err)
	}
	// Microseconds: what PostgreSQL stores, so the hash recomputes exactly.
	e.OccurredAt = time.Now().UTC().Truncate(time.Microsecond)
	hash := auditHash(prev, e)
	if _, err := q.db.Exec(ctx, stmt("AuditInsert"), e.ID, e.OccurredAt, e.Actor, e.Action, e.PatientID, e.Resource,
		e.RequestID, e.Outcome, prev, hash); err != nil {
		return fmt.Errorf("audit: insert: %w", err)
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

// AuditReport is the result of verifying the chain.
type AuditReport struct {
	Rows     int64
	Head     []byte // hash of the last row: anchor it elsewhere to detect truncation
	BrokenAt int64  // ID of the first row that does not verify; 0 if none
	Problem  string
}

// AuditVerify walks the whole chain in ID order and recomputes every hash.
// A modified row fails its own hash; a deleted row breaks the next row's
// link. (Deleting the newest rows leaves a shorter valid chain: compare
// Head with a copy kept elsewhere.)
func (q *Queries) AuditVerify(ctx context.Context) (AuditReport, error) {
	var r AuditReport
	prev := genesis
	var last int64
	for {
		rows, err := q.db.Query(ctx, stmt("AuditScan"), last, 5000)
		if err != nil {
			return r, fmt.Errorf("audit: scan: %w", err)
		}
		n := 0
		for rows.Next() {
			n++
			var e AuditEntry
			var prevHash, hash []byte
			if err := rows.Scan(&e.ID, &e.OccurredAt, &e.Actor, &e.Action, &e.PatientID, &e.Resource, &e.RequestID,
				&e.Outcome, &prevHash, &hash); err != nil {
				rows.Close()
				return r, fmt.Errorf("audit: scan: %w", err)
			}
			last = e.ID
			r.Rows++
			if r.BrokenAt != 0 {
				continue
			}
			switch {
			case !bytes.Equal(prevHash, prev):
				r.BrokenAt, r.Problem = e.ID, "does not link to the row before it (a row was deleted or inserted)"
			case !bytes.Equal(auditHash(prevHash, e), hash):
				r.BrokenAt, r.Problem = e.ID, "its contents do not match its hash (the row was modified)"
			}
			prev = hash
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return r, fmt.Errorf("audit: scan: %w", err)
		}
		if n == 0 {
			break
		}
	}
	r.Head = prev
	return r, nil
}
