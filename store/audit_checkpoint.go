package store

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// A checkpoint is every partition's head (seq and MAC) and the legacy
// chain's record at one moment, chained to the checkpoint before and MACed
// under the audit key. Kept in audit_checkpoints and, to count, outside the
// database too: a later verification that no longer finds a kept
// checkpoint's heads in the live chains has found rows cut from a tail
// (which a chain alone cannot show: a shorter chain is still a chain).

// Hash is a MAC or hash, written as hex in a checkpoint line.
type Hash []byte

// MarshalText writes h as hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(h)), nil }

// UnmarshalText reads hex.
func (h *Hash) UnmarshalText(b []byte) error {
	v, err := hex.DecodeString(string(b))
	if err != nil {
		return errors.New("not hex")
	}
	*h = v
	return nil
}

// String is the hex form.
func (h Hash) String() string { return hex.EncodeToString(h) }

// AuditCheckpoint is one checkpoint; its JSON is the line an operator keeps.
type AuditCheckpoint struct {
	ID           int64     `json:"checkpoint"`
	MadeAt       time.Time `json:"made_at"`
	KeyID        string    `json:"key_id"`
	Seqs         []int64   `json:"seqs"`   // by partition number
	Hashes       []Hash    `json:"hashes"` // by partition number
	LegacyRows   int64     `json:"legacy_rows"`
	LegacyLastID int64     `json:"legacy_last_id"`
	LegacyHead   Hash      `json:"legacy_head"`
	Prev         Hash      `json:"prev"`
	MAC          Hash      `json:"mac"`
}

func checkpointMAC(key []byte, c AuditCheckpoint) []byte {
	fields := [][]byte{[]byte(c.KeyID), i64(c.ID), []byte(c.MadeAt.UTC().Format(time.RFC3339Nano)), i64(int64(len(c.Seqs)))}
	for i, s := range c.Seqs {
		var h []byte
		if i < len(c.Hashes) {
			h = c.Hashes[i]
		}
		fields = append(fields, i64(s), h)
	}
	fields = append(fields, i64(int64(len(c.Hashes))), i64(c.LegacyRows), i64(c.LegacyLastID), c.LegacyHead, c.Prev)
	return mac(key, "carepath audit checkpoint v1", fields...)
}

// AuditCheckpoint records every partition's head now, chained to the last
// checkpoint and MACed under the process's audit key, and returns it.
func (q *Queries) AuditCheckpoint(ctx context.Context) (AuditCheckpoint, error) {
	if b, ok := q.db.(interface {
		Begin(context.Context) (pgx.Tx, error)
	}); ok {
		if _, inTx := q.db.(pgx.Tx); !inTx {
			var c AuditCheckpoint
			err := pgx.BeginFunc(ctx, b, func(tx pgx.Tx) error {
				var err error
				c, err = NewQueries(tx).AuditCheckpoint(ctx)
				return err
			})
			return c, err
		}
	}
	if _, err := q.db.Exec(ctx, stmt("AuditCheckpointLock")); err != nil {
		return AuditCheckpoint{}, fmt.Errorf("audit checkpoint: lock: %w", err)
	}
	c := AuditCheckpoint{Prev: genesis}
	var lastID int64
	if err := q.db.QueryRow(ctx, stmt("AuditCheckpointLast")).Scan(&lastID, (*[]byte)(&c.Prev)); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("audit checkpoint: read the last: %w", err)
	}
	heads, err := q.auditHeads(ctx)
	if err != nil {
		return c, err
	}
	for _, h := range heads {
		c.Seqs, c.Hashes = append(c.Seqs, h.Seq), append(c.Hashes, h.Hash)
	}
	legacy, err := q.legacyHead(ctx)
	if err != nil {
		return c, err
	}
	c.LegacyRows, c.LegacyLastID, c.LegacyHead = legacy.Rows, legacy.LastID, Hash(legacy.Head)
	if err := q.db.QueryRow(ctx, stmt("AuditCheckpointNextID")).Scan(&c.ID); err != nil {
		return c, fmt.Errorf("audit checkpoint: next id: %w", err)
	}
	keys := processAuditKeys.Load()
	c.KeyID = keys.Active()
	key, _ := keys.key(c.KeyID)
	c.MadeAt = time.Now().UTC().Truncate(time.Microsecond)
	c.MAC = checkpointMAC(key, c)
	if _, err := q.db.Exec(ctx, stmt("AuditCheckpointInsert"), c.ID, c.MadeAt, c.KeyID, c.Seqs, hashBytes(c.Hashes),
		c.LegacyRows, c.LegacyLastID, []byte(c.LegacyHead), []byte(c.Prev), []byte(c.MAC)); err != nil {
		return c, fmt.Errorf("audit checkpoint: insert: %w", err)
	}
	return c, nil
}

// AuditHead is one partition's head: its last seq and that row's MAC.
type AuditHead struct {
	Partition int16
	Seq       int64
	Hash      Hash
}

func (q *Queries) auditHeads(ctx context.Context) ([]AuditHead, error) {
	rows, err := q.db.Query(ctx, stmt("AuditHeads"))
	if err != nil {
		return nil, fmt.Errorf("audit: read heads: %w", err)
	}
	heads, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditHead, error) {
		var h AuditHead
		err := r.Scan(&h.Partition, &h.Seq, (*[]byte)(&h.Hash))
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: read heads: %w", err)
	}
	return heads, nil
}

// auditCheckpoints reads the stored checkpoints, oldest first.
func (q *Queries) auditCheckpoints(ctx context.Context) ([]AuditCheckpoint, error) {
	rows, err := q.db.Query(ctx, stmt("AuditCheckpoints"))
	if err != nil {
		return nil, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditCheckpoint, error) {
		var c AuditCheckpoint
		var hashes [][]byte
		err := r.Scan(&c.ID, &c.MadeAt, &c.KeyID, &c.Seqs, &hashes, &c.LegacyRows, &c.LegacyLastID,
			(*[]byte)(&c.LegacyHead), (*[]byte)(&c.Prev), (*[]byte)(&c.MAC))
		for _, h := range hashes {
			c.Hashes = append(c.Hashes, h)
		}
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	return out, nil
}

func hashBytes(hs []Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i, h := range hs {
		out[i] = h
	}
	return out
}

// ParseAuditCheckpoints reads checkpoint lines as `carepath audit
// checkpoint` prints them (blank lines and # comments skipped).
func ParseAuditCheckpoints(r io.Reader) ([]AuditCheckpoint, error) {
	var out []AuditCheckpoint
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var c AuditCheckpoint
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return nil, fmt.Errorf("checkpoint line %d: %w", n, err)
		}
		if c.ID <= 0 || len(c.Seqs) != len(c.Hashes) || len(c.MAC) == 0 {
			return nil, fmt.Errorf("checkpoint line %d: not a checkpoint", n)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	return out, nil
}
