package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
)

// The legacy chain: rows written before migration 0032, one unkeyed
// SHA-256 chain in id order. Migration 0032 closed it, recording its
// length, last id and head in audit_legacy, and every checkpoint MACs
// that record: after the first checkpoint is kept elsewhere, rewriting
// the legacy rows and the record together shows too.

// legacyHash chains a legacy row to its predecessor: SHA-256 over the
// previous hash and every field, each length-prefixed.
func legacyHash(prev []byte, e AuditEntry) []byte {
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

// LegacyHead is the legacy chain as migration 0032 closed it.
type LegacyHead struct {
	Rows   int64
	LastID int64
	Head   []byte
}

func (q *Queries) legacyHead(ctx context.Context) (LegacyHead, error) {
	var l LegacyHead
	if err := q.db.QueryRow(ctx, stmt("AuditLegacyHead")).Scan(&l.Rows, &l.LastID, &l.Head); err != nil {
		return l, fmt.Errorf("audit: read the legacy head: %w", err)
	}
	return l, nil
}

// verifyLegacy walks the legacy chain with the old algorithm and checks it
// ends where migration 0032 recorded.
func (q *Queries) verifyLegacy(ctx context.Context, r *AuditReport) error {
	want, err := q.legacyHead(ctx)
	if err != nil {
		return err
	}
	r.Legacy = want
	rows, err := q.db.Query(ctx, stmt("AuditScanLegacy"))
	if err != nil {
		return fmt.Errorf("audit: scan the legacy chain: %w", err)
	}
	defer rows.Close()
	prev := genesis
	var n, lastID int64
	for rows.Next() {
		var e AuditEntry
		var prevHash, hash []byte
		if err := rows.Scan(&e.ID, &e.OccurredAt, &e.Actor, &e.Action, &e.PatientID, &e.Resource, &e.RequestID,
			&e.Outcome, &prevHash, &hash); err != nil {
			return fmt.Errorf("audit: scan the legacy chain: %w", err)
		}
		n++
		r.Rows++
		lastID = e.ID
		switch {
		case e.ID > want.LastID:
			r.problem(e.ID, "is a legacy-form row after the legacy chain was closed (a row was inserted)")
		case !bytes.Equal(prevHash, prev):
			r.problem(e.ID, "does not link to the legacy row before it (a row was deleted, inserted or reordered)")
		case !bytes.Equal(legacyHash(prevHash, e), hash):
			r.problem(e.ID, "its contents do not match its hash (the legacy row was modified)")
		}
		prev = hash
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit: scan the legacy chain: %w", err)
	}
	if n != want.Rows || (n > 0 && (lastID != want.LastID || !bytes.Equal(prev, want.Head))) {
		r.problem(0, fmt.Sprintf("the legacy chain has %d rows ending at entry %d, but was closed at %d rows ending at entry %d (legacy rows were cut or rewritten)",
			n, lastID, want.Rows, want.LastID))
	}
	return nil
}
