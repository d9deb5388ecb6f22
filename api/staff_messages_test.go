package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// A staff reply is checked before anything is queued: 400 naming the
// field, 404 for an unknown patient. (Sending it is the engine's
// TestStaffReplyThroughTheSendPath, with Temporal and the fake Twilio.)
func TestStaffMessageValidation(t *testing.T) {
	srv := newServer(t)
	careTeam, _ := newKey(t, srv, "care_team")
	st, p := do(t, srv, "POST", "/v1/patients", adminKey, goodPatient)
	if st != http.StatusCreated {
		t.Fatalf("create patient: %d %v", st, p)
	}
	path := "/v1/patients/" + p["id"].(string) + "/messages"
	for name, c := range map[string]struct{ body, field string }{
		"no client_id":   {`{"text":"hi"}`, "client_id"},
		"blank text":     {`{"text":"  ","client_id":"k1"}`, "text"},
		"text too long":  {`{"text":"` + strings.Repeat("a", 1601) + `","client_id":"k1"}`, "text"},
		"bad channel":    {`{"text":"hi","channel":"fax","client_id":"k1"}`, "channel"},
		"urgent as text": {`{"text":"hi","urgent":"yes","client_id":"k1"}`, "urgent"},
		"unknown field":  {`{"text":"hi","client_id":"k1","to":"+15550000000"}`, "to"},
	} {
		if st, b := do(t, srv, "POST", path, careTeam, c.body); st != http.StatusBadRequest || errField(b) != c.field {
			t.Errorf("%s: %d %v, want 400 naming %s", name, st, b, c.field)
		}
	}
	if st, _ := do(t, srv, "POST", "/v1/patients/"+uuid.NewString()+"/messages", careTeam, `{"text":"hi","client_id":"k1"}`); st != http.StatusNotFound {
		t.Errorf("unknown patient: %d, want 404", st)
	}
}
