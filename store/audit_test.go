package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

func appendN(t *testing.T, q *store.Queries, n int) {
	t.Helper()
	for i := range n {
		if err := q.AuditAppend(context.Background(), store.AuditEntry{Actor: "api_key:k", Action: "patient.read",
			Resource: "patient/x", RequestID: "r", Outcome: "success", PatientID: ""}); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
}

func TestAuditChainVerifies(t *testing.T) {
	tx := testenv.Tx(t)
	q := store.NewQueries(tx)
	appendN(t, q, 5)
	r, err := q.AuditVerify(context.Background())
	if err != nil || r.BrokenAt != 0 || r.Rows < 5 || len(r.Head) != 32 {
		t.Fatalf("verify: %+v %v", r, err)
	}
}

func TestAuditRefusesUpdateAndDelete(t *testing.T) {
	ctx := context.Background()
	for _, sql := range []string{`UPDATE audit_log SET outcome = 'x'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		// A subtest each: its transaction (and the audit lock) ends with it.
		t.Run(strings.Fields(sql)[0], func(t *testing.T) {
			tx := testenv.Tx(t)
			appendN(t, store.NewQueries(tx), 1)
			_, err := tx.Exec(ctx, sql)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refusal", sql, err)
			}
		})
	}
}

// Someone with the table owner's rights can disable the trigger; the chain
// still shows what they did.
func TestAuditDetectsTampering(t *testing.T) {
	cases := map[string]string{
		"modified": `UPDATE audit_log SET action = 'patient.create' WHERE id = (SELECT min(id) + 2 FROM audit_log WHERE actor = 'api_key:k')`,
		"deleted":  `DELETE FROM audit_log WHERE id = (SELECT min(id) + 2 FROM audit_log WHERE actor = 'api_key:k')`,
	}
	for name, sql := range cases {
		t.Run(name, func(t *testing.T) { tamper(t, sql) })
	}
}

func tamper(t *testing.T, sql string) {
	ctx := context.Background()
	{
		tx := testenv.Tx(t)
		q := store.NewQueries(tx)
		appendN(t, q, 5)
		if _, err := tx.Exec(ctx, `ALTER TABLE audit_log DISABLE TRIGGER USER`); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
		r, err := q.AuditVerify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r.BrokenAt == 0 {
			t.Errorf("tampering not detected: %+v", r)
		}
	}
}
