package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/internal/testenv"
)

// consentOf reads one channel/purpose of a patient's or caregiver's
// current consent through the API.
func (in *instance) consentOf(path string, channel carepath.Channel, purpose carepath.Purpose) bool {
	in.t.Helper()
	var got struct {
		Current []struct {
			Channel, Purpose string
			Granted          bool
		}
	}
	if st := in.call("GET", path+"/consents", nil, &got); st != http.StatusOK {
		in.t.Fatalf("GET %s/consents: %d", path, st)
	}
	for _, c := range got.Current {
		if c.Channel == string(channel) && c.Purpose == string(purpose) {
			return c.Granted
		}
	}
	in.t.Fatalf("%s: no %s/%s consent", path, channel, purpose)
	return false
}

func (in *instance) newPatient(phone string) string {
	in.t.Helper()
	var p item
	if st := in.call("POST", "/v1/patients", item{"given_name": "Pat", "family_name": "Ient", "birth_date": "1960-01-01",
		"phone": phone, "timezone": testenv.ZoneAt(12)}, &p); st != http.StatusCreated {
		in.t.Fatalf("patient: %d %v", st, p)
	}
	return p["id"].(string)
}

// A caregiver's STOP, START, HELP and other texts are the caregiver's: they
// change the caregiver's own consent, are confirmed to the caregiver, and
// never touch the patient.
func TestEndToEndCaregiverKeywords(t *testing.T) {
	in := startDev(t)
	patientPhone, cgPhone := "+15551240001", "+15551240002"
	pid := in.newPatient(patientPhone)
	var cg item
	if st := in.call("POST", "/v1/patients/"+pid+"/caregivers", item{"given_name": "Rosa", "family_name": "L",
		"relationship": "daughter", "phone": cgPhone, "authorized_by_patient": true}, &cg); st != http.StatusCreated {
		t.Fatalf("caregiver: %d %v", st, cg)
	}
	cgPath := "/v1/caregivers/" + cg["id"].(string)

	if st := in.sms(testAuthToken, "SMcgstop01", cgPhone, "STOP"); st != http.StatusOK {
		t.Fatalf("caregiver STOP: %d", st)
	}
	eventually(t, "STOP confirmation to the caregiver", func() bool { return len(in.twilio.To(cgPhone)) == 1 })
	if body := in.twilio.To(cgPhone)[0].Body; !strings.Contains(body, "unsubscribed") {
		t.Fatalf("caregiver's confirmation: %q", body)
	}
	if in.consentOf(cgPath, "sms", "care") {
		t.Fatal("caregiver's STOP did not revoke the caregiver's consent")
	}
	if !in.consentOf("/v1/patients/"+pid, "sms", "care") || !in.consentOf("/v1/patients/"+pid, "sms", "outreach") {
		t.Fatal("caregiver's STOP revoked the patient's consent")
	}

	if st := in.sms(testAuthToken, "SMcghelp01", cgPhone, "HELP"); st != http.StatusOK {
		t.Fatalf("caregiver HELP: %d", st)
	}
	eventually(t, "HELP answer to the caregiver", func() bool { return len(in.twilio.To(cgPhone)) == 2 })
	if st := in.sms(testAuthToken, "SMcgstart1", cgPhone, "START"); st != http.StatusOK {
		t.Fatalf("caregiver START: %d", st)
	}
	eventually(t, "START confirmation to the caregiver", func() bool { return len(in.twilio.To(cgPhone)) == 3 })
	if !in.consentOf(cgPath, "sms", "care") {
		t.Fatal("caregiver's START did not restore the caregiver's consent")
	}

	// Anything else a caregiver writes is a task saying so.
	if st := in.sms(testAuthToken, "SMcgtext01", cgPhone, "how is mum doing?"); st != http.StatusOK {
		t.Fatalf("caregiver text: %d", st)
	}
	eventually(t, "caregiver's message held as a caregiver task", func() bool {
		var tasks struct{ Items []item }
		in.call("GET", "/v1/tasks?patient_id="+pid, nil, &tasks)
		for _, tk := range tasks.Items {
			if tk["reason"] == engine.ReasonCaregiverSender {
				return true
			}
		}
		return false
	})
	if n := len(in.twilio.To(patientPhone)); n != 0 {
		t.Fatalf("%d messages to the patient because of their caregiver", n)
	}
}

// STOP reaches every patient on a shared number; a STOP from a number no
// one uses yet is kept for the patient created with it later, until START.
func TestEndToEndStopReachesEveryoneOnTheNumber(t *testing.T) {
	in := startDev(t)
	shared := "+15551240010"
	var family []string
	for range 12 {
		family = append(family, in.newPatient(shared))
	}
	if st := in.sms(testAuthToken, "SMfamstop1", shared, "STOP"); st != http.StatusOK {
		t.Fatalf("STOP: %d", st)
	}
	eventually(t, "one STOP confirmation", func() bool { return len(in.twilio.To(shared)) == 1 })
	for i, pid := range family {
		if in.consentOf("/v1/patients/"+pid, "sms", "care") {
			t.Fatalf("patient %d of 12 on the shared phone still has SMS consent after STOP", i+1)
		}
	}

	unknown := "+15551240011"
	if st := in.sms(testAuthToken, "SMunkstop1", unknown, "STOP"); st != http.StatusOK {
		t.Fatalf("STOP from an unknown number: %d", st)
	}
	pid := in.newPatient(unknown)
	if in.consentOf("/v1/patients/"+pid, "sms", "care") {
		t.Fatal("a patient created with a number that sent STOP may be texted")
	}
	var e item
	if st := in.call("POST", "/v1/patients/"+pid+"/enrollments", item{"journey": "post_visit_checkin",
		"params": item{"delay": "0s"}}, &e); st != http.StatusCreated {
		t.Fatalf("enroll: %d %v", st, e)
	}
	eventually(t, "the check-in is suppressed", func() bool {
		var msgs struct{ Items []item }
		in.call("GET", "/v1/patients/"+pid+"/messages", nil, &msgs)
		for _, m := range msgs.Items {
			if m["status"] == "suppressed" && m["status_reason"] == "opted_out" {
				return true
			}
		}
		return false
	})
	if n := len(in.twilio.To(unknown)); n != 0 {
		t.Fatalf("%d SMS to a number that sent STOP", n)
	}
	if st := in.sms(testAuthToken, "SMunkstart", unknown, "START"); st != http.StatusOK {
		t.Fatalf("START: %d", st)
	}
	eventually(t, "START confirmation", func() bool { return len(in.twilio.To(unknown)) == 1 })
	if !in.consentOf("/v1/patients/"+pid, "sms", "care") {
		t.Fatal("START from the number did not lift its STOP")
	}
}

// A YES to onboarding's outreach question followed at once by STOP: the
// journey records the YES after the STOP was applied, and outreach must
// stay off.
func TestEndToEndYesBeforeStopDoesNotResumeOutreach(t *testing.T) {
	in := startDev(t)
	phone := "+15551240020"
	pid := in.newPatient(phone)
	var e item
	if st := in.call("POST", "/v1/patients/"+pid+"/enrollments", item{"journey": "onboarding"}, &e); st != http.StatusCreated {
		t.Fatalf("enroll: %d %v", st, e)
	}
	// welcome + contact question; contact "yes" brings language; "1" brings the consent question.
	for i, r := range []string{"yes", "1"} {
		eventually(t, fmt.Sprintf("question %d", i+1), func() bool { return len(in.twilio.To(phone)) >= i+2 })
		in.sms(testAuthToken, fmt.Sprintf("SMyb%06d", i), phone, r)
	}
	eventually(t, "outreach consent question", func() bool { return len(in.twilio.To(phone)) >= 4 })
	in.sms(testAuthToken, "SMybyes001", phone, "yes")
	in.sms(testAuthToken, "SMybstop01", phone, "STOP")
	eventually(t, "the journey records the YES", func() bool {
		var got struct{ History []item }
		in.call("GET", "/v1/patients/"+pid+"/consents", nil, &got)
		for _, h := range got.History {
			if h["source"] == "journey:onboarding" && h["channel"] == "sms" {
				return true
			}
		}
		return false
	})
	if in.consentOf("/v1/patients/"+pid, "sms", "outreach") {
		t.Fatal("a YES sent before STOP resumed outreach")
	}
}
