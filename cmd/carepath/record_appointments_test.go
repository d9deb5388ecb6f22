//go:build record

package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/workflows"
)

// TestRecordAppointmentHistories records appointment_reminders' replay
// history on a real `dev` stack, as TestRecordHistories does for the other
// journeys: an appointment two minutes away (one prompt reminder), the
// patient confirms, the journey follows it until it starts. The
// appointment is not on record (the activities report it not found), which
// changes nothing the journey asks for. Run:
// go test -tags record -count=1 -run TestRecordAppointmentHistories ./cmd/carepath/
func TestRecordAppointmentHistories(t *testing.T) {
	in, dir, bin := startRecordingDev(t)
	const phone = "+15557779001"
	var p, e item
	if st := in.call("POST", "/v1/patients", item{"given_name": "Rec", "family_name": "Order", "birth_date": "1970-01-01",
		"phone": phone, "timezone": testenv.ZoneAt(12)}, &p); st != http.StatusCreated {
		t.Fatalf("patient %d", st)
	}
	start := time.Now().Add(2 * time.Minute).UTC().Format(time.RFC3339)
	if st := in.call("POST", "/v1/patients/"+p["id"].(string)+"/enrollments", item{"journey": "appointment_reminders",
		"params": item{"appointment_id": uuid.NewString(), "start": start, "offsets": []string{"1h"}}}, &e); st != http.StatusCreated {
		t.Fatalf("enroll %d %v", st, e)
	}
	eid := e["id"].(string)
	eventually(t, "reminder", func() bool { return len(in.twilio.To(phone)) >= 1 })
	if st := in.sms(testAuthToken, "SMrecappt1", phone, "C"); st != http.StatusOK {
		t.Fatalf("reply %d", st)
	}
	deadline := time.Now().Add(4 * time.Minute)
	for {
		var got item
		in.call("GET", "/v1/enrollments/"+eid, nil, &got)
		if got["status"] == "completed" {
			if got["outcome"] != "confirmed" {
				t.Fatalf("outcome %v", got["outcome"])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not completed: %v", got)
		}
		time.Sleep(time.Second)
	}
	out, err := exec.Command(bin, "workflow", "show", "--address", in.temporal, "--namespace", in.namespace, "-w",
		workflows.WorkflowID(eid), "-o", "json").Output()
	if err != nil {
		t.Fatalf("workflow show: %v", err)
	}
	path := filepath.Join(dir, "appointment_reminders_v1_confirmed.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s", path)
}
