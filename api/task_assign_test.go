package api_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// raiseTasks raises one task per priority under a reason of their own, so
// a listing filtered by it sees only them; it returns their IDs.
func raiseTasks(t *testing.T, reason string, priorities ...carepath.Priority) []string {
	t.Helper()
	q := store.NewQueries(testenv.Pool(t))
	var ids []string
	for _, p := range priorities {
		id, err := q.TaskInsert(context.Background(), store.NewTask{ID: uuid.NewString(), Priority: p, Reason: reason})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func listIDs(t *testing.T, body map[string]any) []string {
	t.Helper()
	var ids []string
	for _, it := range body["items"].([]any) {
		ids = append(ids, it.(map[string]any)["id"].(string))
	}
	return ids
}

// A nurse assigns a task to herself, the inbox filters by assignee,
// priority and reason, urgent first with escalated tasks marked, and an
// unassignment is recorded; "me" from an API key and unknown or inactive
// people are 400 naming user_id.
func TestTaskAssignmentAndInboxFilters(t *testing.T) {
	srv := newServer(t)
	nurse := signedIn(t, srv, "care_team")
	careTeam, _ := newKey(t, srv, "care_team")
	reason := "assignment test " + uuid.NewString()
	ids := raiseTasks(t, reason, carepath.PriorityNormal, carepath.PriorityLow, carepath.PriorityUrgent)
	normal, low, urgent := ids[0], ids[1], ids[2]
	if _, ok, err := store.NewQueries(testenv.Pool(t)).TaskEscalate(context.Background(), low, time.Now().Add(time.Hour)); !ok || err != nil {
		t.Fatalf("escalate: %v %v", ok, err)
	}

	inactive, _ := newUser(t, srv, "care_team", "correct horse battery")
	if st, b := do(t, srv, "PATCH", "/v1/users/"+inactive, adminKey, `{"active":false}`); st != http.StatusOK {
		t.Fatalf("deactivate: %d %v", st, b)
	}
	reader, _ := newUser(t, srv, "read_only", "correct horse battery")
	for name, c := range map[string]struct {
		key, body, field string
	}{
		"me from a key":   {careTeam, `{"user_id":"me"}`, "user_id"},
		"unknown user":    {careTeam, `{"user_id":"` + uuid.NewString() + `"}`, "user_id"},
		"not an ID":       {careTeam, `{"user_id":"nurse"}`, "user_id"},
		"inactive user":   {careTeam, `{"user_id":"` + inactive + `"}`, "user_id"},
		"read-only user":  {careTeam, `{"user_id":"` + reader + `"}`, "user_id"},
		"user_id missing": {careTeam, `{}`, "user_id"},
	} {
		if st, b := do(t, srv, "POST", "/v1/tasks/"+normal+"/assign", c.key, c.body); st != http.StatusBadRequest || errField(b) != c.field {
			t.Errorf("%s: %d %v, want 400 naming %s", name, st, b, c.field)
		}
	}
	if st, _ := do(t, srv, "POST", "/v1/tasks/"+uuid.NewString()+"/assign", careTeam, `{"user_id":""}`); st != http.StatusNotFound {
		t.Errorf("unknown task: %d, want 404", st)
	}

	st, task := nurse.send(t, srv, "POST", "/v1/tasks/"+normal+"/assign", `{"user_id":"me"}`, true)
	if st != http.StatusOK || task["assigned_to"] != nurse.userID || task["assigned_name"] != "Nurse" || task["assigned_at"] == nil {
		t.Fatalf("assign to me: %d %v", st, task)
	}
	if got := historyKinds(task); got != "raised,assigned" {
		t.Fatalf("history %q, want raised,assigned", got)
	}
	if ev := task["history"].([]any)[1].(map[string]any); ev["actor"] != "user:"+nurse.userID {
		t.Fatalf("assigned event: %v", ev)
	}
	// Assigning again to the same person records nothing new.
	if st, again := do(t, srv, "POST", "/v1/tasks/"+normal+"/assign", careTeam, `{"user_id":"`+nurse.userID+`"}`); st != http.StatusOK || historyKinds(again) != "raised,assigned" {
		t.Fatalf("assign again: %d %v", st, again)
	}
	if n := auditCount(t, "task.assign", "task/"+normal); n != 2 {
		t.Fatalf("task.assign audited %d times, want 2", n)
	}

	list := func(query string) []string {
		t.Helper()
		st, body := nurse.send(t, srv, "GET", "/v1/tasks?reason="+url.QueryEscape(reason)+query, "", false)
		if st != http.StatusOK {
			t.Fatalf("list %s: %d %v", query, st, body)
		}
		return listIDs(t, body)
	}
	if got := list(""); len(got) != 3 || got[0] != urgent || got[1] != normal || got[2] != low {
		t.Fatalf("order %v, want urgent %s, normal %s, low %s", got, urgent, normal, low)
	}
	if got := list("&assigned_to=me"); len(got) != 1 || got[0] != normal {
		t.Fatalf("mine: %v, want %s", got, normal)
	}
	if got := list("&assigned_to=" + nurse.userID); len(got) != 1 || got[0] != normal {
		t.Fatalf("by user ID: %v, want %s", got, normal)
	}
	if got := list("&assigned_to=none"); len(got) != 2 || got[0] != urgent || got[1] != low {
		t.Fatalf("unassigned: %v, want %s, %s", got, urgent, low)
	}
	if got := list("&priority=low"); len(got) != 1 || got[0] != low {
		t.Fatalf("low: %v, want %s", got, low)
	}
	_, body := nurse.send(t, srv, "GET", "/v1/tasks?reason="+url.QueryEscape(reason), "", false)
	for _, it := range body["items"].([]any) {
		m := it.(map[string]any)
		if want := m["id"] == low; m["escalated"] != want || m["due_at"] == nil || m["due_at"] != m["acknowledge_by"] {
			t.Errorf("task %v: escalated %v, want %v; due_at %v", m["id"], m["escalated"], want, m["due_at"])
		}
		if m["id"] == normal && (m["assigned_to"] != nurse.userID || m["assigned_name"] != "Nurse") {
			t.Errorf("listed assignment: %v", m)
		}
	}

	for q, field := range map[string]string{"?assigned_to=me": "assigned_to", "?assigned_to=someone": "assigned_to",
		"?reason=a%0Ab": "reason", "?priority=soon": "priority"} {
		if st, b := do(t, srv, "GET", "/v1/tasks"+q, careTeam, ""); st != http.StatusBadRequest || errField(b) != field {
			t.Errorf("%s: %d %v, want 400 naming %s", q, st, b, field)
		}
	}

	st, task = nurse.send(t, srv, "POST", "/v1/tasks/"+normal+"/assign", `{"user_id":""}`, true)
	if st != http.StatusOK || task["assigned_to"] != nil || historyKinds(task) != "raised,assigned,unassigned" {
		t.Fatalf("unassign: %d %v", st, task)
	}
	if n := auditCount(t, "task.unassign", "task/"+normal); n != 1 {
		t.Fatalf("task.unassign audited %d times, want 1", n)
	}
	if got := list("&assigned_to=none"); len(got) != 3 {
		t.Fatalf("unassigned after unassigning: %v", got)
	}
}
