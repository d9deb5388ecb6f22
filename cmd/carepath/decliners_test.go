package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath/internal/testenv"
)

// declineOnboarding enrolls a new patient in onboarding and declines it
// by SMS (contact yes, English, NO to check-ins, reason 1: cost), as a
// patient would, through signed Twilio webhooks; it returns the patient's
// and the onboarding enrollment's IDs once onboarding has ended declined.
func declineOnboarding(t *testing.T, in *instance, phone string) (pid, onboardingID string) {
	t.Helper()
	var p item
	if st := in.call("POST", "/v1/patients", item{"given_name": "Dee", "family_name": "Cliner", "birth_date": "1975-05-05",
		"phone": phone, "timezone": testenv.ZoneAt(12)}, &p); st != http.StatusCreated {
		t.Fatalf("create patient: %d %v", st, p)
	}
	pid = p["id"].(string)
	var e item
	if st := in.call("POST", "/v1/patients/"+pid+"/enrollments", item{"journey": "onboarding"}, &e); st != http.StatusCreated {
		t.Fatalf("enroll: %d %v", st, e)
	}
	// welcome + question, then each answer brings the next question.
	for i, r := range []string{"yes", "1", "no", "1"} {
		eventually(t, fmt.Sprintf("onboarding question %d", i+1), func() bool { return len(in.twilio.To(phone)) >= i+2 })
		in.sms(testAuthToken, fmt.Sprintf("SMdec%s%02d", phone[len(phone)-4:], i), phone, r)
	}
	eventually(t, "onboarding ends declined", func() bool {
		var got item
		in.call("GET", "/v1/enrollments/"+e["id"].(string), nil, &got)
		return got["status"] == "completed" && got["outcome"] == "declined"
	})
	eventually(t, "the respect-decline SMS", func() bool { return len(in.twilio.To(phone)) == 6 })
	return pid, e["id"].(string)
}

// engagement reads the engagement report's lines by journey.
type engagementLine struct {
	Journey   string
	Enrolled  int
	Declined  int
	Reengaged int
	Outcomes  map[string]int
	Decliners struct {
		Declined  int
		Reengaged int
		Paths     map[string]int
	}
}

func engagement(t *testing.T, in *instance) map[string]engagementLine {
	t.Helper()
	var report struct{ Journeys []engagementLine }
	if st := in.call("GET", "/v1/reports/engagement", nil, &report); st != http.StatusOK {
		t.Fatalf("report: %d", st)
	}
	out := map[string]engagementLine{}
	for _, l := range report.Journeys {
		out[l.Journey] = l
	}
	return out
}

// Issue 12, item 7, end to end: a patient declines onboarding; a visit
// event arrives; the post-visit check-in runs; re-engagement then sends
// the decliner a care message offering a nurse's call; the patient says
// yes. The report counts one decliner, re-engaged, by the after-visit touch.
func TestEndToEndDeclinerReengagedAfterAVisit(t *testing.T) {
	in := startDev(t)
	phone := "+15551230041"
	pid, _ := declineOnboarding(t, in, phone)

	before := engagement(t, in)["onboarding"].Decliners
	if before.Declined != 1 || before.Reengaged != 0 || len(before.Paths) != 0 {
		t.Fatalf("decliners after the decline: %+v", before)
	}

	// The visit: the EHR's event starts the check-in (asked at once here).
	var ev item
	if st := in.call("POST", "/v1/events", item{"id": "ehr-visit-41", "type": "appointment.completed", "patient_id": pid,
		"occurred_at": time.Now().UTC().Format(time.RFC3339),
		"data":        item{"visit_id": "visit-41", "params": item{"delay": "0s", "decliner_touch_delay": "0s"}}}, &ev); st != http.StatusCreated {
		t.Fatalf("event: %d %v", st, ev)
	}
	eventually(t, "the check-in", func() bool { return len(in.twilio.To(phone)) == 7 })
	if body := in.twilio.To(phone)[6].Body; !strings.Contains(body, "How are you feeling") {
		t.Fatalf("check-in: %q", body)
	}
	in.sms(testAuthToken, "SMdec0041v1", phone, "1")
	eventually(t, "the score question", func() bool { return len(in.twilio.To(phone)) == 9 }) // glad, score
	in.sms(testAuthToken, "SMdec0041v2", phone, "9")

	// thanks, then the touch: a care message, so the outreach the patient
	// refused does not suppress it.
	eventually(t, "the re-engagement touch", func() bool { return len(in.twilio.To(phone)) == 11 })
	touch := in.twilio.To(phone)[10].Body
	if !strings.Contains(touch, "call with a nurse") {
		t.Fatalf("touch: %q", touch)
	}
	var msgs struct{ Items []item }
	in.call("GET", "/v1/patients/"+pid+"/messages", nil, &msgs)
	touchEnrollment := ""
	for _, m := range msgs.Items {
		if m["direction"] == "outbound" && m["template"] == "reengagement.after_visit" {
			touchEnrollment, _ = m["enrollment_id"].(string)
		}
	}
	if touchEnrollment == "" {
		t.Fatalf("no touch message with its enrollment: %v", msgs.Items)
	}

	in.sms(testAuthToken, "SMdec0041v3", phone, "yes")
	var enr item
	eventually(t, "re-engagement ends reengaged", func() bool {
		in.call("GET", "/v1/enrollments/"+touchEnrollment, nil, &enr)
		return enr["status"] == "completed"
	})
	if enr["journey"] != "reengagement" || enr["outcome"] != "reengaged" {
		t.Fatalf("touch enrollment: %v", enr)
	}
	eventually(t, "a nurse will call", func() bool { return len(in.twilio.To(phone)) == 12 })
	var tasks struct{ Items []item }
	in.call("GET", "/v1/tasks?status=open&patient_id="+pid, nil, &tasks)
	if len(tasks.Items) != 1 || tasks.Items[0]["priority"] != "high" ||
		!strings.Contains(tasks.Items[0]["reason"].(string), "asked for a call with a nurse") || tasks.Items[0]["message_id"] == nil {
		t.Fatalf("tasks: %v", tasks.Items)
	}

	report := engagement(t, in)
	onb := report["onboarding"]
	if onb.Enrolled != 1 || onb.Declined != 1 || onb.Decliners.Declined != 1 || onb.Decliners.Reengaged != 1 ||
		len(onb.Decliners.Paths) != 1 || onb.Decliners.Paths["reengagement:after_visit"] != 1 {
		t.Fatalf("onboarding line: %+v", onb)
	}
	re := report["reengagement"]
	if re.Enrolled != 1 || re.Reengaged != 1 || re.Outcomes["reengaged"] != 1 || re.Decliners.Declined != 0 {
		t.Fatalf("re-engagement line: %+v", re)
	}
	if pv := report["post_visit_checkin"]; pv.Outcomes["better"] != 1 || pv.Decliners.Declined != 0 {
		t.Fatalf("post-visit line: %+v", pv)
	}
}

// A decliner who answers the touch NO stays a decliner, and a patient who
// never declined gets no touch after a visit.
func TestEndToEndDeclinerSaysNoAndOthersGetNoTouch(t *testing.T) {
	in := startDev(t)
	phone := "+15551230042"
	pid, _ := declineOnboarding(t, in, phone)

	other := "+15551230043"
	var p item
	in.call("POST", "/v1/patients", item{"given_name": "Not", "family_name": "Decliner", "birth_date": "1980-01-01",
		"phone": other, "timezone": testenv.ZoneAt(12)}, &p)
	for i, id := range []string{pid, p["id"].(string)} {
		if st := in.call("POST", "/v1/events", item{"id": fmt.Sprintf("ehr-visit-42-%d", i), "type": "appointment.completed",
			"patient_id": id, "occurred_at": time.Now().UTC().Format(time.RFC3339),
			"data": item{"visit_id": fmt.Sprintf("visit-42-%d", i), "params": item{"delay": "0s", "decliner_touch_delay": "0s"}}}, nil); st != http.StatusCreated {
			t.Fatalf("event %d: %d", i, st)
		}
	}
	eventually(t, "both check-ins", func() bool { return len(in.twilio.To(phone)) == 7 && len(in.twilio.To(other)) == 1 })
	in.sms(testAuthToken, "SMdec0042v1", phone, "2")
	in.sms(testAuthToken, "SMdec0043v1", other, "2")
	eventually(t, "the self-care offers", func() bool { return len(in.twilio.To(phone)) == 8 && len(in.twilio.To(other)) == 2 })
	in.sms(testAuthToken, "SMdec0042v2", phone, "no")
	in.sms(testAuthToken, "SMdec0043v2", other, "no")

	eventually(t, "the touch for the decliner", func() bool { return len(in.twilio.To(phone)) == 9 })
	in.sms(testAuthToken, "SMdec0042v3", phone, "no")
	eventually(t, "the touch's goodbye", func() bool { return len(in.twilio.To(phone)) == 10 })
	eventually(t, "both check-ins done", func() bool {
		l := engagement(t, in)
		return l["post_visit_checkin"].Outcomes["about_the_same"] == 2 && l["reengagement"].Outcomes["declined"] == 1
	})
	if n := len(in.twilio.To(other)); n != 2 {
		t.Fatalf("a patient who never declined got %d messages, want the check-in and the offer only", n)
	}
	onb := engagement(t, in)["onboarding"].Decliners
	if onb.Declined != 1 || onb.Reengaged != 0 || len(onb.Paths) != 0 {
		t.Fatalf("decliners: %+v", onb)
	}
}

// "Who is this?" in onboarding, end to end: one clarification saying who
// we are, then a normal task holding the message; the enrollment ends
// needs_review, never no_response (issue 12, item 6).
func TestEndToEndOnboardingWhoIsThis(t *testing.T) {
	in := startDev(t)
	phone := "+15551230044"
	var p, e item
	in.call("POST", "/v1/patients", item{"given_name": "Who", "family_name": "Asks", "birth_date": "1985-01-01",
		"phone": phone, "timezone": testenv.ZoneAt(12)}, &p)
	pid := p["id"].(string)
	if st := in.call("POST", "/v1/patients/"+pid+"/enrollments", item{"journey": "onboarding"}, &e); st != http.StatusCreated {
		t.Fatalf("enroll: %d %v", st, e)
	}
	eventually(t, "welcome and the contact question", func() bool { return len(in.twilio.To(phone)) == 2 })
	in.sms(testAuthToken, "SMwho00001", phone, "Who is this?")
	eventually(t, "the clarification", func() bool { return len(in.twilio.To(phone)) == 3 })
	if body := in.twilio.To(phone)[2].Body; !strings.Contains(body, "care team") {
		t.Fatalf("clarification: %q", body)
	}
	in.sms(testAuthToken, "SMwho00002", phone, "I never signed up for anything")
	var got item
	eventually(t, "onboarding ends", func() bool {
		in.call("GET", "/v1/enrollments/"+e["id"].(string), nil, &got)
		return got["status"] == "completed"
	})
	if got["outcome"] != "needs_review" {
		t.Fatalf("outcome %v, want needs_review", got["outcome"])
	}
	var tasks struct{ Items []item }
	in.call("GET", "/v1/tasks?status=open&patient_id="+pid, nil, &tasks)
	if len(tasks.Items) != 1 || tasks.Items[0]["priority"] != "normal" || tasks.Items[0]["message_id"] == nil ||
		!strings.Contains(tasks.Items[0]["reason"].(string), "not understood") {
		t.Fatalf("tasks: %v", tasks.Items)
	}
	var msg item
	if st := in.call("GET", "/v1/messages/"+tasks.Items[0]["message_id"].(string), nil, &msg); st != http.StatusOK ||
		msg["body"] != "I never signed up for anything" {
		t.Fatalf("the task's message: %d %v", st, msg)
	}
}
