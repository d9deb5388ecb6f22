package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// auditFixture is a database of the test's own with six audit rows in one
// partition, written under the audit key the command is given.
type auditFixture struct {
	pool *pgxpool.Pool
	env  map[string]string
	rows []auditRowPlace
}

type auditRowPlace struct {
	ID        int64
	Partition int16
	Seq       int64
	Hash      []byte
}

func newAuditFixture(t *testing.T) *auditFixture {
	t.Helper()
	ctx := context.Background()
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	line := "audit1:" + base64.StdEncoding.EncodeToString(raw)
	keys, err := store.ParseAuditKeys(line)
	if err != nil {
		t.Fatal(err)
	}
	prev := store.UseAuditKeys(keys)
	t.Cleanup(func() { store.UseAuditKeys(prev) })
	url := testenv.Database(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		q := store.NewQueries(tx)
		for range 6 {
			if err := q.AuditAppend(ctx, store.AuditEntry{Actor: "api_key:cmd", Action: "patient.read", Resource: "patient/x",
				Outcome: "success"}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query(ctx, `SELECT id, partition, seq, hash FROM audit_log WHERE actor = 'api_key:cmd' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	places, err := pgx.CollectRows(rows, pgx.RowToStructByPos[auditRowPlace])
	if err != nil || len(places) != 6 {
		t.Fatal(places, err)
	}
	// Tamper as someone who can switch the append-only triggers off.
	for _, sql := range []string{`ALTER TABLE audit_log DISABLE TRIGGER USER`, `ALTER TABLE audit_checkpoints DISABLE TRIGGER USER`,
		`ALTER TABLE audit_log DROP CONSTRAINT audit_log_legacy_closed`} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	return &auditFixture{pool: pool, rows: places,
		env: map[string]string{"DATABASE_URL": url, "CAREPATH_DATA_DIR": t.TempDir(), "CAREPATH_AUDIT_KEYS": line}}
}

func (f *auditFixture) audit(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"audit"}, args...), func(k string) string { return f.env[k] }, &out, os.Stderr)
	return out.String(), err
}

func (f *auditFixture) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := f.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestAuditVerifyCommand(t *testing.T) {
	f := newAuditFixture(t)
	if out, err := f.audit(t, "verify"); err != nil || !strings.Contains(out, "audit trail intact: 6 entries") {
		t.Fatalf("intact trail: %q %v", out, err)
	}
	// The key is required: without it nothing can be told apart from a forgery.
	delete(f.env, "CAREPATH_AUDIT_KEYS")
	if out, err := f.audit(t, "verify"); err == nil || !strings.Contains(err.Error(), "CAREPATH_AUDIT_KEYS") {
		t.Fatalf("verify without a key: %q %v", out, err)
	}
}

func TestAuditVerifyCommandDetectsTampering(t *testing.T) {
	for _, c := range []struct {
		name   string
		tamper func(t *testing.T, f *auditFixture)
		want   string
	}{
		{"edited", func(t *testing.T, f *auditFixture) {
			f.exec(t, `UPDATE audit_log SET outcome = 'denied' WHERE id = $1`, f.rows[1].ID)
		}, "modified"},
		{"deleted", func(t *testing.T, f *auditFixture) {
			f.exec(t, `DELETE FROM audit_log WHERE id = $1`, f.rows[2].ID)
		}, "deleted"},
		{"reordered", func(t *testing.T, f *auditFixture) {
			a, b := f.rows[2], f.rows[3]
			f.exec(t, `UPDATE audit_log SET seq = 1000000000000 WHERE id = $1`, a.ID)
			f.exec(t, `UPDATE audit_log SET seq = $2 WHERE id = $1`, b.ID, a.Seq)
			f.exec(t, `UPDATE audit_log SET seq = $2 WHERE id = $1`, a.ID, b.Seq)
		}, "reordered"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newAuditFixture(t)
			c.tamper(t, f)
			out, err := f.audit(t, "verify")
			if err == nil || !strings.Contains(out, "audit trail BROKEN at entry") || !strings.Contains(out, c.want) {
				t.Fatalf("%s row: %q %v", c.name, out, err)
			}
		})
	}
}

// A tail cut with the head rewound and the stored checkpoints deleted
// leaves valid, shorter chains: the checkpoint kept outside shows it.
func TestAuditCheckpointCommandShowsACutTail(t *testing.T) {
	f := newAuditFixture(t)
	line, err := f.audit(t, "checkpoint")
	if err != nil || !strings.HasPrefix(line, `{"checkpoint":`) {
		t.Fatalf("checkpoint: %q %v", line, err)
	}
	kept := filepath.Join(t.TempDir(), "audit-checkpoints.jsonl")
	if err := os.WriteFile(kept, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := f.audit(t, "verify", "--checkpoint", kept); err != nil || !strings.Contains(out, "1 kept checkpoints found") {
		t.Fatalf("verify against the kept checkpoint before the cut: %q %v", out, err)
	}
	keep := f.rows[2]
	f.exec(t, `DELETE FROM audit_log WHERE partition = $1 AND seq > $2`, keep.Partition, keep.Seq)
	f.exec(t, `UPDATE audit_partitions SET seq = $2, hash = $3 WHERE partition = $1`, keep.Partition, keep.Seq, keep.Hash)
	f.exec(t, `DELETE FROM audit_checkpoints`)
	if out, err := f.audit(t, "verify"); err != nil || !strings.Contains(out, "intact") {
		t.Fatalf("the shorter chain verifies on its own: %q %v", out, err)
	}
	out, err := f.audit(t, "verify", "--checkpoint", kept)
	if err == nil || !strings.Contains(out, "BROKEN") || !strings.Contains(out, "cut from its tail") {
		t.Fatalf("cut tail against the kept checkpoint: %q %v", out, err)
	}
}

// Rows MACed under the public built-in key (a process given no key, or a
// database writer forging) are refused once the real key is given.
func TestAuditVerifyCommandRefusesTheBuiltinKey(t *testing.T) {
	f := newAuditFixture(t)
	prev := store.UseAuditKeys(nil)
	defer store.UseAuditKeys(prev)
	if err := store.NewQueries(f.pool).AuditAppend(context.Background(), store.AuditEntry{Actor: "system:test", Action: "patient.read",
		Outcome: "success"}); err != nil {
		t.Fatal(err)
	}
	out, err := f.audit(t, "verify")
	if err == nil || !strings.Contains(out, "built-in key") {
		t.Fatalf("a built-in-key row: %q %v", out, err)
	}
}
