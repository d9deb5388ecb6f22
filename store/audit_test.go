package store_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// testAuditKey is the audit key the tests write with.
var testAuditKey = func() []byte {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		panic(err)
	}
	return raw
}()

// useAuditKey gives the process the test audit key for one test.
func useAuditKey(t *testing.T) (*store.AuditKeys, []byte) {
	t.Helper()
	raw := testAuditKey
	k, err := store.ParseAuditKeys("t1:" + base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		t.Fatal(err)
	}
	prev := store.UseAuditKeys(k)
	t.Cleanup(func() { store.UseAuditKeys(prev) })
	return k, raw
}

func appendN(t *testing.T, q *store.Queries, n int) { appendAs(t, q, "api_key:k", n) }

func appendAs(t *testing.T, q *store.Queries, actor string, n int) {
	t.Helper()
	for i := range n {
		if err := q.AuditAppend(context.Background(), store.AuditEntry{Actor: actor, Action: "patient.read",
			Resource: "patient/x", RequestID: "r", Outcome: "success"}); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
}

// auditRow is a row as a tamperer sees it.
type auditRow struct {
	ID        int64
	Partition int16
	Seq       int64
	At        time.Time
	Prev      []byte
	Hash      []byte
}

// rowsOf returns an actor's rows in chain order.
func rowsOf(t *testing.T, db store.DBTX, actor string) []auditRow {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT id, partition, seq, occurred_at, prev_hash, hash FROM audit_log
		WHERE actor = $1 ORDER BY partition, seq`, actor)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[auditRow])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func verify(t *testing.T, q *store.Queries, o store.AuditVerifyOptions) store.AuditReport {
	t.Helper()
	r, err := q.AuditVerifyWith(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// freshTx is a transaction on a database of the test's own, rolled back
// at its end: verification reads every chain, so no other test's rows.
func freshTx(t *testing.T) pgx.Tx {
	t.Helper()
	tx, err := openPool(t, testenv.Database(t), 4).Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tx.Rollback(context.Background()); err != nil && err != pgx.ErrTxClosed {
			t.Error(err)
		}
	})
	return tx
}

func TestAuditChainVerifies(t *testing.T) {
	useAuditKey(t)
	tx := freshTx(t)
	q := store.NewQueries(tx)
	appendN(t, q, 5)
	r := verify(t, q, store.AuditVerifyOptions{})
	if !r.Intact() || r.BrokenAt != 0 || r.Rows < 5 || r.ByKey["t1"] < 5 || len(r.Heads) != 32 {
		t.Fatalf("verify: %+v", r)
	}
	// One transaction's rows share a partition (no transaction ever waits
	// for a second one), consecutively.
	rows := rowsOf(t, tx, "api_key:k")
	for i, row := range rows {
		if row.Partition != rows[0].Partition || row.Seq != rows[0].Seq+int64(i) {
			t.Fatalf("rows of one transaction: %+v", rows)
		}
	}
}

func TestAuditAppendOnPoolRunsItsOwnTransaction(t *testing.T) {
	useAuditKey(t)
	q := store.NewQueries(openPool(t, testenv.Database(t), 4))
	appendAs(t, q, "api_key:pool", 3)
	if r := verify(t, q, store.AuditVerifyOptions{}); !r.Intact() {
		t.Fatalf("verify: %+v", r.Problems)
	}
}

func TestAuditRefusesUpdateAndDelete(t *testing.T) {
	ctx := context.Background()
	for _, sql := range []string{`UPDATE audit_log SET outcome = 'x'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`,
		`UPDATE audit_checkpoints SET key_id = 'x'`, `DELETE FROM audit_checkpoints`, `DELETE FROM audit_legacy`} {
		f := strings.Fields(sql)
		t.Run(strings.Join(f[:min(3, len(f))], "_"), func(t *testing.T) {
			tx := testenv.Tx(t)
			q := store.NewQueries(tx)
			appendN(t, q, 1)
			if _, err := q.AuditCheckpoint(ctx); err != nil {
				t.Fatal(err)
			}
			_, err := tx.Exec(ctx, sql)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refusal", sql, err)
			}
		})
	}
}

// Someone with the table owner's rights can disable the triggers; the
// chains still show what they did.
func TestAuditDetectsTampering(t *testing.T) {
	_, rawKey := useAuditKey(t)
	const actor = "api_key:tamper"
	cases := []struct {
		name   string
		tamper func(t *testing.T, tx pgx.Tx, rows []auditRow)
		want   string // in the first problem
	}{
		{"modified", func(t *testing.T, tx pgx.Tx, rows []auditRow) {
			exec(t, tx, `UPDATE audit_log SET action = 'patient.create' WHERE id = $1`, rows[2].ID)
		}, "modified"},
		{"deleted", func(t *testing.T, tx pgx.Tx, rows []auditRow) {
			exec(t, tx, `DELETE FROM audit_log WHERE id = $1`, rows[2].ID)
		}, "deleted"},
		{"seqs swapped", func(t *testing.T, tx pgx.Tx, rows []auditRow) {
			a, b := rows[1], rows[2]
			exec(t, tx, `UPDATE audit_log SET seq = 1000000000000 WHERE id = $1`, a.ID)
			exec(t, tx, `UPDATE audit_log SET seq = $2 WHERE id = $1`, b.ID, a.Seq)
			exec(t, tx, `UPDATE audit_log SET seq = $2 WHERE id = $1`, a.ID, b.Seq)
		}, "reordered"},
		{"ids swapped", func(t *testing.T, tx pgx.Tx, rows []auditRow) {
			a, b := rows[1], rows[2]
			exec(t, tx, `UPDATE audit_log SET id = 9000000000000000 WHERE id = $1`, a.ID)
			exec(t, tx, `UPDATE audit_log SET id = $2 WHERE id = $1`, b.ID, a.ID)
			exec(t, tx, `UPDATE audit_log SET id = $2 WHERE id = $1`, 9000000000000000, b.ID)
		}, "reordered"},
		{"moved to another partition", func(t *testing.T, tx pgx.Tx, rows []auditRow) {
			// Re-link it at the tail of another partition, head and all:
			// its MAC names the partition it was written in.
			last := rows[len(rows)-1]
			other := (last.Partition + 1) % 32
			var seq int64
			var head []byte
			if err := tx.QueryRow(context.Background(), `SELECT seq, hash FROM audit_partitions WHERE partition = $1`, other).Scan(&seq, &head); err != nil {
				t.Fatal(err)
			}
			exec(t, tx, `UPDATE audit_log SET partition = $2, seq = $3, prev_hash = $4 WHERE id = $1`, last.ID, other, seq+1, head)
			exec(t, tx, `UPDATE audit_partitions SET seq = $2, hash = $3 WHERE partition = $1`, other, seq+1, last.Hash)
			exec(t, tx, `UPDATE audit_partitions SET seq = $2, hash = $3 WHERE partition = $1`, last.Partition, last.Seq-1, last.Prev)
		}, "moved"},
		{"tail cut, head left", func(t *testing.T, tx pgx.Tx, rows []auditRow) {
			exec(t, tx, `DELETE FROM audit_log WHERE id = $1`, rows[len(rows)-1].ID)
		}, "cut"},
		{"re-chained under the public built-in key", func(t *testing.T, tx pgx.Tx, rows []auditRow) {
			builtin := sha256.Sum256([]byte("carepath built-in audit key: public, no protection against a database writer"))
			rechain(t, tx, rows, "builtin", builtin[:])
		}, "built-in"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx := freshTx(t)
			q := store.NewQueries(tx)
			appendAs(t, q, actor, 5)
			exec(t, tx, `ALTER TABLE audit_log DISABLE TRIGGER USER`)
			exec(t, tx, `ALTER TABLE audit_log DROP CONSTRAINT audit_log_legacy_closed`) // so ids and seqs can be swapped through a temporary value
			c.tamper(t, tx, rowsOf(t, tx, actor))
			r := verify(t, q, store.AuditVerifyOptions{})
			if r.Intact() || !strings.Contains(r.Problem, c.want) {
				t.Errorf("tampering not detected as %q: %+v", c.want, r.Problems)
			}
		})
	}
	// What a keyed chain cannot show: someone holding the key re-chains
	// an edited row and its successors, and every MAC is valid again.
	t.Run("re-chained by someone with the key", func(t *testing.T) {
		tx := freshTx(t)
		q := store.NewQueries(tx)
		appendAs(t, q, actor, 5)
		exec(t, tx, `ALTER TABLE audit_log DISABLE TRIGGER USER`)
		rechain(t, tx, rowsOf(t, tx, actor), "t1", rawKey)
		if r := verify(t, q, store.AuditVerifyOptions{}); !r.Intact() {
			t.Errorf("a re-chain under the real key should verify (the documented limit): %+v", r.Problems)
		}
	})
}

// rechain edits rows[2] and recomputes its MAC and its successors' (and
// the head) under the given key, as the algorithm in store/audit.go does:
// what an attacker who read the source and holds that key can do.
func rechain(t *testing.T, tx pgx.Tx, rows []auditRow, keyID string, key []byte) {
	t.Helper()
	ctx := context.Background()
	exec(t, tx, `UPDATE audit_log SET action = 'patient.create' WHERE id = $1`, rows[2].ID)
	prev := rows[1].Hash
	for _, row := range rows[2:] {
		var actor, action, resource, request, outcome string
		if err := tx.QueryRow(ctx, `SELECT actor, action, resource, request_id, outcome FROM audit_log WHERE id = $1`, row.ID).
			Scan(&actor, &action, &resource, &request, &outcome); err != nil {
			t.Fatal(err)
		}
		m := hmac.New(sha256.New, key)
		for _, f := range [][]byte{[]byte("carepath audit row v2"), []byte(keyID), be(int64(row.Partition)), be(row.Seq), prev,
			be(row.ID), []byte(row.At.UTC().Format(time.RFC3339Nano)), []byte(actor), []byte(action), nil, []byte(resource),
			[]byte(request), []byte(outcome)} {
			m.Write(be(int64(len(f))))
			m.Write(f)
		}
		hash := m.Sum(nil)
		exec(t, tx, `UPDATE audit_log SET key_id = $2, prev_hash = $3, hash = $4 WHERE id = $1`, row.ID, keyID, prev, hash)
		prev = hash
	}
	last := rows[len(rows)-1]
	exec(t, tx, `UPDATE audit_partitions SET hash = $2 WHERE partition = $1`, last.Partition, prev)
}

func be(v int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(v)) }

func exec(t *testing.T, db store.DBTX, sql string, args ...any) {
	t.Helper()
	if _, err := db.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// A partition cut at its tail, head rewound, is a valid shorter chain:
// only a checkpoint shows it, the stored one until it too is deleted, then
// the one kept outside the database.
func TestAuditCutTailAgainstCheckpoint(t *testing.T) {
	useAuditKey(t)
	ctx := context.Background()
	pool := openPool(t, testenv.Database(t), 4)
	const actor = "api_key:cut"
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		appendAs(t, store.NewQueries(tx), actor, 6)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	q := store.NewQueries(pool)
	kept, err := q.AuditCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	line, err := json.Marshal(kept)
	if err != nil {
		t.Fatal(err)
	}
	anchors, err := store.ParseAuditCheckpoints(strings.NewReader("# kept elsewhere\n" + string(line) + "\n"))
	if err != nil || len(anchors) != 1 {
		t.Fatalf("checkpoint line %s: %v", line, err)
	}
	if r := verify(t, q, store.AuditVerifyOptions{Anchors: anchors}); !r.Intact() || r.Checkpoints != 1 || r.Anchors != 1 {
		t.Fatalf("before the cut: %+v", r)
	}

	rows := rowsOf(t, pool, actor)
	keep := rows[2]
	exec(t, pool, `ALTER TABLE audit_log DISABLE TRIGGER USER`)
	exec(t, pool, `DELETE FROM audit_log WHERE partition = $1 AND seq > $2`, keep.Partition, keep.Seq)
	exec(t, pool, `UPDATE audit_partitions SET seq = $2, hash = $3 WHERE partition = $1`, keep.Partition, keep.Seq, keep.Hash)

	r := verify(t, q, store.AuditVerifyOptions{})
	if r.Intact() || !strings.Contains(r.Problem, "cut") {
		t.Errorf("cut against the stored checkpoint: %+v", r.Problems)
	}
	exec(t, pool, `ALTER TABLE audit_checkpoints DISABLE TRIGGER USER`)
	exec(t, pool, `DELETE FROM audit_checkpoints`)
	if r := verify(t, q, store.AuditVerifyOptions{}); !r.Intact() {
		t.Errorf("with every checkpoint deleted the shorter chain still verifies on its own: %+v", r.Problems)
	}
	r = verify(t, q, store.AuditVerifyOptions{Anchors: anchors})
	if r.Intact() || !strings.Contains(strings.Join(r.Problems, "\n"), "cut from its tail") ||
		!strings.Contains(strings.Join(r.Problems, "\n"), "missing from the database") {
		t.Errorf("cut against the kept checkpoint: %+v", r.Problems)
	}
}

// Rows from before migration 0032 are verified with the old unkeyed
// chain and must end where the migration recorded.
func TestAuditLegacyChain(t *testing.T) {
	tx := freshTx(t)
	q := store.NewQueries(tx)
	exec(t, tx, `ALTER TABLE audit_log DROP CONSTRAINT audit_log_legacy_closed`)
	exec(t, tx, `ALTER TABLE audit_legacy DISABLE TRIGGER USER`)
	// Three rows as the old code wrote them, below every partitioned id.
	prev := make([]byte, 32)
	at := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	for id := int64(-3); id < 0; id++ {
		h := sha256.New()
		for _, f := range [][]byte{prev, []byte(strconv.FormatInt(id, 10)), []byte(at.Format(time.RFC3339Nano)),
			[]byte("system:old"), []byte("patient.read"), nil, []byte("patient/x"), []byte("r"), []byte("success")} {
			h.Write(be(int64(len(f))))
			h.Write(f)
		}
		hash := h.Sum(nil)
		exec(t, tx, `INSERT INTO audit_log (id, occurred_at, actor, action, resource, request_id, outcome, prev_hash, hash)
			VALUES ($1, $2, 'system:old', 'patient.read', 'patient/x', 'r', 'success', $3, $4)`, id, at, prev, hash)
		prev = hash
	}
	exec(t, tx, `UPDATE audit_legacy SET rows = 3, last_id = -1, head = $1`, prev)
	if r := verify(t, q, store.AuditVerifyOptions{}); !r.Intact() || r.Legacy.Rows != 3 {
		t.Fatalf("legacy chain: %+v", r.Problems)
	}
	exec(t, tx, `ALTER TABLE audit_log DISABLE TRIGGER USER`)
	exec(t, tx, `UPDATE audit_log SET outcome = 'denied' WHERE id = -2`)
	if r := verify(t, q, store.AuditVerifyOptions{}); r.Intact() || r.BrokenAt != -2 || !strings.Contains(r.Problem, "modified") {
		t.Errorf("modified legacy row: %+v", r.Problems)
	}
}
