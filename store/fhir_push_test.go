package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

func TestFHIRPushCursorPagesAndSkipsEHRReadings(t *testing.T) {
	ctx := context.Background()
	tx := testenv.Tx(t)
	q := store.NewQueries(tx)
	p := newPatient(t, q, "+15550007777")
	mine, theirs := uuid.NewString(), uuid.NewString()
	for _, o := range []struct{ id, source string }{{theirs, "fhir:Observation/o1"}, {mine, "sms:1"}} {
		if _, err := tx.Exec(ctx, `INSERT INTO observations (id, patient_id, code, value, unit, effective_at, source_id, original_value, original_unit)
			VALUES ($1, $2, 'heart_rate', 70, '/min', now(), $3, 70, '/min')`, o.id, p.ID, o.source); err != nil {
			t.Fatal(err)
		}
	}
	c, err := q.FHIRPushCursorLock(ctx, "Observation")
	if err != nil || !c.Due || c.Attempts != 0 {
		t.Fatalf("new cursor %+v %v", c, err)
	}
	row, ok, err := q.FHIRPushNext(ctx, c, 0)
	if err != nil || !ok || row.RowID != mine || row.FHIRID != mine {
		t.Fatalf("next = %+v %v %v; want the patient-reported reading only", row, ok, err)
	}
	if _, ok, err := q.FHIRPushNext(ctx, c, time.Hour); ok || err != nil {
		t.Fatalf("a row younger than the settle time was offered: %v", err)
	}
	if n, err := q.FHIRPushFailed(ctx, "Observation", "503 Observation/x", time.Minute); n != 1 || err != nil {
		t.Fatalf("failed = %d %v", n, err)
	}
	if c, err = q.FHIRPushCursorLock(ctx, "Observation"); err != nil || c.Due || c.Attempts != 1 {
		t.Fatalf("backing-off cursor %+v %v", c, err)
	}
	if err := q.FHIRPushAdvance(ctx, "Observation", row, 1); err != nil {
		t.Fatal(err)
	}
	if c, err = q.FHIRPushCursorLock(ctx, "Observation"); err != nil || !c.Due || c.Pushed != 1 || c.AfterID != mine {
		t.Fatalf("advanced cursor %+v %v", c, err)
	}
	if _, ok, err := q.FHIRPushNext(ctx, c, 0); ok || err != nil {
		t.Fatalf("a row was offered twice: %v", err)
	}
	if ok, err := q.FHIRPushLock(ctx); !ok || err != nil {
		t.Fatalf("lock %v %v", ok, err)
	}
}
