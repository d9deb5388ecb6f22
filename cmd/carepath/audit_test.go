package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

func TestAuditVerifyCommand(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Pool(t)
	q := store.NewQueries(pool)
	for range 4 {
		if err := q.AuditAppend(ctx, store.AuditEntry{Actor: "api_key:cmd", Action: "patient.read", Resource: "patient/x", Outcome: "success"}); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"DATABASE_URL": testenv.Get(t).DatabaseURL, "CAREPATH_DATA_DIR": t.TempDir()}
	verify := func() (string, error) {
		var out bytes.Buffer
		err := run(ctx, []string{"audit", "verify"}, func(k string) string { return env[k] }, &out, os.Stderr)
		return out.String(), err
	}
	out, err := verify()
	if err != nil || !strings.Contains(out, "audit trail intact") {
		t.Fatalf("intact chain: %q %v", out, err)
	}
	// Tamper as someone who can switch the append-only trigger off.
	if _, err := pool.Exec(ctx, `ALTER TABLE audit_log DISABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	_, err = pool.Exec(ctx, `UPDATE audit_log SET outcome = 'denied' WHERE id = (SELECT min(id) + 1 FROM audit_log WHERE actor = 'api_key:cmd')`)
	if _, terr := pool.Exec(ctx, `ALTER TABLE audit_log ENABLE TRIGGER USER`); terr != nil || err != nil {
		t.Fatal(err, terr)
	}
	out, err = verify()
	if err == nil || !strings.Contains(out, "BROKEN") || !strings.Contains(out, "modified") {
		t.Fatalf("tampered chain: %q %v", out, err)
	}
}
