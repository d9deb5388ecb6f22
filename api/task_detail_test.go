package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath/internal/testenv"
)

func historyKinds(body map[string]any) string {
	var kinds []string
	for _, it := range body["history"].([]any) {
		kinds = append(kinds, it.(map[string]any)["kind"].(string))
	}
	return strings.Join(kinds, ",")
}

// A task raised by a text from an unknown number: GET /v1/tasks/{id}
// shows the message and the history (an audited read); acknowledging
// through the API records which key did it, and when.
func TestTaskDetailAndAcknowledgement(t *testing.T) {
	srv := newServer(t)
	careTeam, keyID := newKey(t, srv, "care_team")
	from := fmt.Sprintf("+1555%07d", uuid.New().ID()%10000000)
	sid := "SM" + strings.ReplaceAll(uuid.NewString(), "-", "")
	resp, err := http.DefaultClient.Do(signedTwilioRequest(t, srv.URL,
		map[string]string{"MessageSid": sid, "From": from, "To": "+15550009999", "Body": "who is this?"}))
	if err != nil {
		t.Fatal(err)
	}
	closeBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook: %d", resp.StatusCode)
	}
	var taskID, msgID string
	if err := testenv.Pool(t).QueryRow(context.Background(),
		`SELECT t.id::text, m.id::text FROM tasks t JOIN messages m ON m.id = t.message_id WHERE m.provider_message_id = $1`, sid).Scan(&taskID, &msgID); err != nil {
		t.Fatal(err)
	}

	st, task := do(t, srv, "GET", "/v1/tasks/"+taskID, careTeam, "")
	if st != http.StatusOK || task["id"] != taskID || task["status"] != "open" {
		t.Fatalf("get task: %d %v", st, task)
	}
	msg, _ := task["message"].(map[string]any)
	if msg["id"] != msgID || msg["body"] != "who is this?" || msg["received_at"] == nil || msg["direction"] != "inbound" {
		t.Fatalf("task message: %v", task["message"])
	}
	if got := historyKinds(task); got != "raised" {
		t.Fatalf("history %q, want raised", got)
	}
	if n := auditCount(t, "task.read", "task/"+taskID); n != 1 {
		t.Fatalf("task.read audited %d times, want 1", n)
	}

	st, task = do(t, srv, "POST", "/v1/tasks/"+taskID+"/acknowledge", careTeam, "")
	if st != http.StatusOK || task["status"] != "acknowledged" || task["acknowledged_by"] != "api_key:"+keyID || task["acknowledged_at"] == nil {
		t.Fatalf("acknowledge: %d %v", st, task)
	}
	if task["message"] != nil {
		t.Fatal("the acknowledgement's answer carries the message body")
	}
	// A second acknowledgement (another key) changes nothing.
	if st, again := do(t, srv, "POST", "/v1/tasks/"+taskID+"/acknowledge", adminKey, ""); st != http.StatusOK ||
		again["acknowledged_by"] != "api_key:"+keyID || again["acknowledged_at"] != task["acknowledged_at"] {
		t.Fatalf("second acknowledgement: %d %v", st, again)
	}
	st, task = do(t, srv, "POST", "/v1/tasks/"+taskID+"/resolve", careTeam, `{"note":"wrong number"}`)
	if st != http.StatusOK || task["status"] != "resolved" || historyKinds(task) != "raised,acknowledged,resolved" {
		t.Fatalf("resolve: %d %v", st, task)
	}
	ev := task["history"].([]any)[1].(map[string]any)
	if ev["actor"] != "api_key:"+keyID || ev["at"] != task["acknowledged_at"] {
		t.Fatalf("acknowledged event: %v", ev)
	}
	if st, _ := do(t, srv, "POST", "/v1/tasks/"+taskID+"/acknowledge", careTeam, ""); st != http.StatusConflict {
		t.Fatalf("acknowledge a resolved task: %d, want 409", st)
	}
	for _, id := range []string{uuid.NewString(), "not-a-uuid"} {
		if st, _ := do(t, srv, "GET", "/v1/tasks/"+id, careTeam, ""); st != http.StatusNotFound {
			t.Errorf("GET /v1/tasks/%s: %d, want 404", id, st)
		}
	}
}
