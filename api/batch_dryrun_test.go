package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/carepath/carepath/internal/testenv"
)

// POST /v1/enrollments/batch with dry_run answers 200 with the plan and
// records no job; the catalogue says how many messages each journey opens
// with.
func TestBatchDryRunAnswersThePlan(t *testing.T) {
	srv := newServer(t)
	st, p := do(t, srv, "POST", "/v1/patients", adminKey, `{"given_name":"Dry","family_name":"Run","birth_date":"1960-01-01",
		"phone":"+15557770301","timezone":"UTC","tags":["dry-run-api"]}`)
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, p)
	}
	id := p["id"].(string)
	jobs := func() (n int) {
		if err := testenv.Pool(t).QueryRow(context.Background(), `SELECT count(*) FROM batch_jobs`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := jobs()
	st, plan := do(t, srv, "POST", "/v1/enrollments/batch", adminKey, `{"journey":"onboarding","segment":{"tag":"dry-run-api"},"dry_run":true}`)
	if st != http.StatusOK || plan["dry_run"] != true || plan["expected_messages"] != float64(2) {
		t.Fatalf("dry run: %d %v", st, plan)
	}
	would := plan["would_message"].([]any)
	if len(would) != 1 || fmt.Sprint(would[0]) != fmt.Sprint(map[string]any{"patient_id": id, "display_name": "Dry Run", "channel": "sms"}) {
		t.Fatalf("would_message %v", would)
	}
	if jobs() != before {
		t.Fatal("a dry run recorded a job")
	}
	st, cat := do(t, srv, "GET", "/v1/journeys", adminKey, "")
	if st != http.StatusOK {
		t.Fatalf("catalogue: %d", st)
	}
	for _, it := range cat["items"].([]any) {
		item := it.(map[string]any)
		if item["name"] == "onboarding" && item["opening_messages"] != float64(2) {
			t.Fatalf("onboarding opening_messages %v, want 2", item["opening_messages"])
		}
	}
}
