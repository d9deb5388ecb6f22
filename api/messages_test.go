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

// A text from a number no patient uses belongs to no timeline: the task it
// raises names the message, and the care team reads it by that ID (the
// read audited). Without the link a nurse could not see what was said.
func TestTaskLinksTheMessageBehindIt(t *testing.T) {
	srv := newServer(t)
	from := fmt.Sprintf("+1555%07d", uuid.New().ID()%10000000)
	sid := "SM" + strings.ReplaceAll(uuid.NewString(), "-", "")
	params := map[string]string{"MessageSid": sid, "From": from, "To": "+15550009999", "Body": "who is this?"}
	req := signedTwilioRequest(t, srv.URL, params)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook: %d", resp.StatusCode)
	}

	var msgID string
	if err := testenv.Pool(t).QueryRow(context.Background(),
		`SELECT id::text FROM messages WHERE provider_message_id = $1`, sid).Scan(&msgID); err != nil {
		t.Fatal(err)
	}
	status, body := do(t, srv, "GET", "/v1/tasks?limit=500", adminKey, "")
	if status != http.StatusOK {
		t.Fatalf("tasks: %d %v", status, body)
	}
	found := false
	for _, it := range body["items"].([]any) {
		if task := it.(map[string]any); task["message_id"] == msgID {
			found = true
		}
	}
	if !found {
		t.Fatalf("no task names message %s", msgID)
	}

	status, body = do(t, srv, "GET", "/v1/messages/"+msgID, adminKey, "")
	if status != http.StatusOK || body["body"] != "who is this?" || body["provider_message_id"] != sid || body["direction"] != "inbound" {
		t.Fatalf("get message: %d %v", status, body)
	}
	var reads int
	if err := testenv.Pool(t).QueryRow(context.Background(),
		`SELECT count(*) FROM audit_log WHERE action = 'message.read' AND resource = $1`, "message/"+msgID).Scan(&reads); err != nil {
		t.Fatal(err)
	}
	if reads != 1 {
		t.Fatalf("message.read audited %d times, want 1", reads)
	}

	for _, id := range []string{uuid.NewString(), "not-a-uuid"} {
		if status, _ := do(t, srv, "GET", "/v1/messages/"+id, adminKey, ""); status != http.StatusNotFound {
			t.Errorf("GET /v1/messages/%s: %d, want 404", id, status)
		}
	}
}
