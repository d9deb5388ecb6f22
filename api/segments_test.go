package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/carepath/carepath/internal/testenv"
)

func TestPatientSegments(t *testing.T) {
	srv := newServer(t)
	st, p := do(t, srv, "POST", "/v1/patients", adminKey, `{"given_name":"Seg","family_name":"Ment","birth_date":"1960-01-01",
		"phone":"+15557770001","timezone":"Europe/London","tags":["Diabetes-Panel","clinic:north","diabetes-panel"],"conditions":["e11.9","I10"]}`)
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, p)
	}
	id := p["id"].(string)
	if fmt.Sprint(p["tags"]) != "[clinic:north diabetes-panel]" || fmt.Sprint(p["conditions"]) != "[E11.9 I10]" {
		t.Fatalf("tags/conditions not normalised: %v %v", p["tags"], p["conditions"])
	}
	if st, got := do(t, srv, "GET", "/v1/patients/"+id, adminKey, ""); st != http.StatusOK || fmt.Sprint(got["tags"]) != "[clinic:north diabetes-panel]" {
		t.Fatalf("get: %d %v", st, got)
	}

	// A list left out stays; one given replaces.
	st, got := do(t, srv, "PATCH", "/v1/patients/"+id, adminKey, `{"tags":["copd-panel"]}`)
	if st != http.StatusOK || fmt.Sprint(got["tags"]) != "[copd-panel]" || fmt.Sprint(got["conditions"]) != "[E11.9 I10]" {
		t.Fatalf("patch tags: %d %v", st, got)
	}

	// Bad input names the field and changes nothing.
	for body, field := range map[string]string{
		`{"conditions":["E11.9","diabetes"]}`: "conditions[1]",
		`{"tags":["has space"]}`:              "tags[0]",
		`{}`:                                  "tags",
		`{"tags":"copd"}`:                     "tags",
		`{"birth_date":"1970-01-01"}`:         "birth_date",
	} {
		if st, e := do(t, srv, "PATCH", "/v1/patients/"+id, adminKey, body); st != http.StatusBadRequest || errField(e) != field {
			t.Errorf("PATCH %s: %d %q, want 400 naming %s", body, st, errField(e), field)
		}
	}
	var tags, conds []string
	if err := testenv.Pool(t).QueryRow(context.Background(), `SELECT tags, conditions FROM patients WHERE id = $1`, id).Scan(&tags, &conds); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(tags, conds) != "[copd-panel] [E11.9 I10]" {
		t.Fatalf("rejected patches changed the patient: %v %v", tags, conds)
	}
	if st, _ := do(t, srv, "PATCH", "/v1/patients/00000000-0000-4000-8000-000000000000", adminKey, `{"tags":[]}`); st != http.StatusNotFound {
		t.Fatalf("PATCH unknown patient: %d, want 404", st)
	}

	// A bulk launch takes patient IDs or a segment, and a segment must be
	// valid and match someone; all decided before a workflow is touched.
	jobs := func() (n int) {
		if err := testenv.Pool(t).QueryRow(context.Background(), `SELECT count(*) FROM batch_jobs`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := jobs()
	for body, field := range map[string]string{
		`{"journey":"post_visit_checkin"}`: "patient_ids",
		`{"journey":"post_visit_checkin","patient_ids":["` + id + `"],"segment":{"tag":"copd-panel"}}`: "patient_ids",
		`{"journey":"post_visit_checkin","segment":{}}`:                                                "segment",
		`{"journey":"post_visit_checkin","segment":{"tag":"Bad Tag"}}`:                                 "segment.tag",
		`{"journey":"post_visit_checkin","segment":{"condition":"diabetes"}}`:                          "segment.condition",
		`{"journey":"post_visit_checkin","segment":{"tag":"nobody-has-this"}}`:                         "segment",
		`{"journey":"post_visit_checkin","segment":{"tag":"copd-panel","condition":"J44"}}`:            "segment",
		`{"journey":"post_visit_checkin","segment":{"tag":"copd-panel","extra":1}}`:                    "segment.extra",
	} {
		if st, e := do(t, srv, "POST", "/v1/enrollments/batch", adminKey, body); st != http.StatusBadRequest || errField(e) != field {
			t.Errorf("batch %s: %d %q, want 400 naming %s", body, st, errField(e), field)
		}
	}
	if n := jobs() - before; n != 0 {
		t.Fatalf("%d batch jobs stored by rejected requests", n)
	}
}
