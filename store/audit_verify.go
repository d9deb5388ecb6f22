package store

import (
	"bytes"
	"context"
	"crypto/hmac"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditReport is the result of verifying the trail.
type AuditReport struct {
	Rows        int64            // entries checked, legacy ones included
	Heads       []AuditHead      // every partition's head
	Legacy      LegacyHead       // the legacy chain as migration 0032 closed it
	Checkpoints int              // stored checkpoints, their chain checked
	Anchors     int              // checkpoints kept elsewhere, checked against the live chains
	ByKey       map[string]int64 // partitioned entries by the key their MAC is under
	BrokenAt    int64            // ID of the first entry that does not verify; 0 if none
	Problem     string           // the first problem found; "" if none
	Problems    []string         // every problem found, up to maxProblems
}

const maxProblems = 50

// Intact reports whether nothing failed.
func (r *AuditReport) Intact() bool { return len(r.Problems) == 0 }

// problem records a failure, tied to an entry when id is not 0.
func (r *AuditReport) problem(id int64, msg string) {
	if id != 0 {
		msg = fmt.Sprintf("entry %d %s", id, msg)
		if r.BrokenAt == 0 {
			r.BrokenAt = id
		}
	}
	if r.Problem == "" {
		r.Problem = msg
	}
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, msg)
	}
}

// AuditVerifyOptions say what to verify with.
type AuditVerifyOptions struct {
	Keys    *AuditKeys        // nil: the process's (UseAuditKeys)
	Anchors []AuditCheckpoint // checkpoints kept outside the database
}

// AuditVerify verifies the trail with the process's keys.
func (q *Queries) AuditVerify(ctx context.Context) (AuditReport, error) {
	return q.AuditVerifyWith(ctx, AuditVerifyOptions{})
}

// AuditVerifyWith walks every chain and recomputes every MAC. An edited
// row fails its MAC; a deleted row leaves a gap in its partition's seqs;
// a row moved (another id, partition or seq) fails its MAC and its
// successor's link; a partition cut at its tail no longer contains a
// checkpoint's head (compare with a checkpoint kept elsewhere: Anchors).
// On a pool it reads one snapshot of the database.
func (q *Queries) AuditVerifyWith(ctx context.Context, o AuditVerifyOptions) (AuditReport, error) {
	if _, inTx := q.db.(pgx.Tx); !inTx {
		if b, ok := q.db.(interface {
			BeginTx(context.Context, pgx.TxOptions) (pgx.Tx, error)
		}); ok {
			var r AuditReport
			err := pgx.BeginTxFunc(ctx, b, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
				func(tx pgx.Tx) error {
					var err error
					r, err = NewQueries(tx).AuditVerifyWith(ctx, o)
					return err
				})
			return r, err
		}
	}
	if o.Keys == nil {
		o.Keys = processAuditKeys.Load()
	}
	r := AuditReport{ByKey: map[string]int64{}}
	if err := q.verifyLegacy(ctx, &r); err != nil {
		return r, err
	}
	// Checkpoints first: one committed before the partitions are read
	// names only rows that read sees.
	stored, err := q.auditCheckpoints(ctx)
	if err != nil {
		return r, err
	}
	r.Checkpoints = len(stored)
	want := r.checkCheckpoints(o.Keys, stored, o.Anchors)
	if err := q.verifyPartitions(ctx, o.Keys, want, &r); err != nil {
		return r, err
	}
	return r, nil
}

// verifyingKey returns the key named id, or why it cannot be used: a
// verification given real keys refuses the public built-in one, which a
// database writer could MAC a forged row with.
func verifyingKey(keys *AuditKeys, id string) ([]byte, string) {
	if id == BuiltinAuditKeyID && keys != nil {
		return nil, "is MACed under the public built-in key, not this deployment's (written by a process given no audit key, or forged)"
	}
	key, ok := keys.key(id)
	if !ok {
		return nil, "is MACed under key " + id + ", which this verification was not given"
	}
	return key, ""
}

// expectation is a checkpoint's head for one partition, to be found in the
// live chain.
type expectation struct {
	checkpoint int64
	hash       []byte
	found      bool
}

// checkCheckpoints checks the stored checkpoints' chain and the kept ones'
// MACs, and returns the heads the live chains must contain: the newest
// stored checkpoint's and every kept one's.
func (r *AuditReport) checkCheckpoints(keys *AuditKeys, stored, anchors []AuditCheckpoint) map[int16]map[int64][]*expectation {
	want := map[int16]map[int64][]*expectation{}
	expect := func(c AuditCheckpoint) {
		for i, seq := range c.Seqs {
			p := int16(i)
			if want[p] == nil {
				want[p] = map[int64][]*expectation{}
			}
			want[p][seq] = append(want[p][seq], &expectation{checkpoint: c.ID, hash: c.Hashes[i]})
		}
		if c.LegacyRows != r.Legacy.Rows || c.LegacyLastID != r.Legacy.LastID || !bytes.Equal(c.LegacyHead, r.Legacy.Head) {
			r.problem(0, fmt.Sprintf("checkpoint %d saw a different legacy chain than the database records (legacy rows were rewritten)", c.ID))
		}
	}
	macOK := func(c AuditCheckpoint) bool {
		key, why := verifyingKey(keys, c.KeyID)
		if why != "" {
			r.problem(0, fmt.Sprintf("checkpoint %d %s", c.ID, why))
			return false
		}
		if len(c.Seqs) != len(c.Hashes) || !hmac.Equal(checkpointMAC(key, c), c.MAC) {
			r.problem(0, fmt.Sprintf("checkpoint %d does not match its MAC (it was modified)", c.ID))
			return false
		}
		return true
	}
	byID := map[int64]AuditCheckpoint{}
	prev := AuditCheckpoint{MAC: genesis}
	for _, c := range stored {
		byID[c.ID] = c
		if macOK(c) && !bytes.Equal(c.Prev, prev.MAC) {
			r.problem(0, fmt.Sprintf("checkpoint %d does not link to checkpoint %d before it (a checkpoint was deleted)", c.ID, prev.ID))
		}
		for i := range min(len(c.Seqs), len(prev.Seqs)) {
			if c.Seqs[i] < prev.Seqs[i] {
				r.problem(0, fmt.Sprintf("checkpoint %d has partition %d at seq %d, behind checkpoint %d's %d", c.ID, i, c.Seqs[i], prev.ID, prev.Seqs[i]))
			}
		}
		prev = c
	}
	if len(stored) > 0 {
		expect(stored[len(stored)-1])
	}
	for _, c := range anchors {
		r.Anchors++
		if !macOK(c) {
			continue
		}
		if s, ok := byID[c.ID]; !ok {
			r.problem(0, fmt.Sprintf("checkpoint %d, kept elsewhere, is missing from the database (checkpoints were deleted)", c.ID))
		} else if !bytes.Equal(s.MAC, c.MAC) {
			r.problem(0, fmt.Sprintf("checkpoint %d, kept elsewhere, differs from the database's (it was replaced)", c.ID))
		}
		expect(c)
	}
	return want
}

// verifyPartitions walks every partition's chain in seq order, in one
// statement (one snapshot even inside a READ COMMITTED transaction).
func (q *Queries) verifyPartitions(ctx context.Context, keys *AuditKeys, want map[int16]map[int64][]*expectation, r *AuditReport) error {
	rows, err := q.db.Query(ctx, stmt("AuditScanPartitions"))
	if err != nil {
		return fmt.Errorf("audit: scan partitions: %w", err)
	}
	defer rows.Close()
	var cur *walk
	finish := func() {
		if cur != nil {
			cur.finish(r, want[cur.head.Partition])
		}
	}
	seen := map[int16]bool{}
	for rows.Next() {
		var (
			part              int16
			headSeq           *int64
			headHash          []byte
			id, seq           *int64
			at                *time.Time
			actor, action     *string
			patient           string
			resource, request *string
			outcome, keyID    *string
			prevHash, rowHash []byte
		)
		if err := rows.Scan(&part, &headSeq, &headHash, &id, &at, &actor, &action, &patient, &resource, &request,
			&outcome, &seq, &keyID, &prevHash, &rowHash); err != nil {
			return fmt.Errorf("audit: scan partitions: %w", err)
		}
		if cur == nil || cur.head.Partition != part {
			finish()
			seen[part] = true
			cur = &walk{head: AuditHead{Partition: part, Seq: -1}, prev: genesis}
			if headSeq != nil {
				cur.head.Seq, cur.head.Hash = *headSeq, headHash
				r.Heads = append(r.Heads, cur.head)
			}
		}
		if id == nil {
			continue // a partition with no rows yet
		}
		r.Rows++
		e := AuditEntry{ID: *id, OccurredAt: *at, Actor: *actor, Action: *action, PatientID: patient, Resource: *resource,
			RequestID: *request, Outcome: *outcome}
		cur.step(r, keys, want[part], e, link{partition: part, seq: *seq, keyID: *keyID, prev: prevHash}, rowHash)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit: scan partitions: %w", err)
	}
	finish()
	for p, seqs := range want {
		if !seen[p] && len(seqs) > 0 {
			for seq, xs := range seqs {
				if seq > 0 {
					r.problem(0, fmt.Sprintf("partition %d is gone, but checkpoint %d saw it at seq %d (its rows and head were deleted)", p, xs[0].checkpoint, seq))
					break
				}
			}
		}
	}
	return nil
}

// walk is the state of one partition's walk.
type walk struct {
	head AuditHead // Seq -1: the partition has rows but no head
	last int64     // seq of the last row seen
	prev []byte    // MAC of the last row seen
}

func (w *walk) step(r *AuditReport, keys *AuditKeys, want map[int64][]*expectation, e AuditEntry, l link, hash []byte) {
	p := l.partition
	r.ByKey[l.keyID]++
	key, why := verifyingKey(keys, l.keyID)
	switch {
	case l.seq > w.last+1:
		r.problem(e.ID, fmt.Sprintf("(partition %d, seq %d) follows seq %d: the rows between are missing (deleted)", p, l.seq, w.last))
	case l.seq <= w.last:
		r.problem(e.ID, fmt.Sprintf("(partition %d, seq %d) repeats a seq (a row was inserted or reordered)", p, l.seq))
	case why != "":
		r.problem(e.ID, fmt.Sprintf("(partition %d, seq %d) %s", p, l.seq, why))
	case !hmac.Equal(rowMAC(key, l, e), hash):
		r.problem(e.ID, fmt.Sprintf("(partition %d, seq %d): its contents or place do not match its MAC (the row was modified, moved or reordered)", p, l.seq))
	case !bytes.Equal(l.prev, w.prev):
		r.problem(e.ID, fmt.Sprintf("(partition %d, seq %d) does not link to the row before it (rows were reordered, or one deleted)", p, l.seq))
	}
	for _, x := range want[l.seq] {
		x.found = true
		if !bytes.Equal(x.hash, hash) {
			r.problem(e.ID, fmt.Sprintf("(partition %d, seq %d) is not the row checkpoint %d saw there (it was replaced)", p, l.seq, x.checkpoint))
		}
	}
	w.last, w.prev = l.seq, hash
}

func (w *walk) finish(r *AuditReport, want map[int64][]*expectation) {
	p := w.head.Partition
	switch {
	case w.head.Seq < 0:
		r.problem(0, fmt.Sprintf("partition %d has rows but no head (its head row was deleted)", p))
	case w.head.Seq != w.last || !bytes.Equal(w.head.Hash, w.prev):
		r.problem(0, fmt.Sprintf("partition %d's head says seq %d but its chain ends at seq %d (rows were cut from its tail, or its head was altered)", p, w.head.Seq, w.last))
	}
	for seq, xs := range want {
		x := xs[0]
		switch {
		case seq == 0 && !bytes.Equal(x.hash, genesis):
			r.problem(0, fmt.Sprintf("checkpoint %d has a wrong start for partition %d", x.checkpoint, p))
		case seq > w.last:
			r.problem(0, fmt.Sprintf("partition %d ends at seq %d, but checkpoint %d saw it at seq %d (rows were cut from its tail)", p, w.last, x.checkpoint, seq))
		case seq > 0 && !x.found:
			r.problem(0, fmt.Sprintf("partition %d has no row at seq %d, which checkpoint %d saw (rows were deleted)", p, seq, x.checkpoint))
		}
	}
}
