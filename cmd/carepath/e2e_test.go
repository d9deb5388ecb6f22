package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/faketwilio"
	"github.com/carepath/carepath/internal/testenv"
)

func TestEndToEndPostVisitWorse(t *testing.T) {
	in := startDev(t)
	phone := "+15551230001"

	var patient item
	if st := in.call("POST", "/v1/patients", item{"given_name": "Grace", "family_name": "Hopper",
		"birth_date": "1956-12-09", "phone": phone, "timezone": testenv.ZoneAt(12)}, &patient); st != http.StatusCreated {
		t.Fatalf("create patient: %d %v", st, patient)
	}
	pid := patient["id"].(string)

	var enr item
	if st := in.call("POST", "/v1/patients/"+pid+"/enrollments", item{"journey": "post_visit_checkin",
		"params": item{"delay": "0s"}}, &enr); st != http.StatusCreated || enr["status"] != "active" {
		t.Fatalf("enroll: %d %v", st, enr)
	}
	eid := enr["id"].(string)
	if strings.Contains(enr["workflow_id"].(string), phone) || strings.Contains(enr["workflow_id"].(string), "Grace") {
		t.Fatal("workflow ID carries PHI")
	}

	// The question reaches the fake Twilio through twilio-go.
	eventually(t, "the check-in SMS at the fake Twilio", func() bool { return len(in.twilio.To(phone)) == 1 })
	sms := in.twilio.To(phone)[0]
	if sms.From != testFrom || !strings.Contains(sms.Body, "How are you feeling") || !strings.Contains(sms.Body, "Grace") {
		t.Fatalf("unexpected SMS: %+v", sms)
	}
	eventually(t, "step asking_how_feeling", func() bool {
		var e item
		in.call("GET", "/v1/enrollments/"+eid, nil, &e)
		return e["step"] == "asking_how_feeling"
	})

	// A tampered signature is refused and changes nothing.
	if st := in.sms("wrong-token", "SMtampered", phone, "3"); st != http.StatusForbidden {
		t.Fatalf("tampered webhook: %d, want 403", st)
	}
	var msgs struct{ Items []item }
	in.call("GET", "/v1/patients/"+pid+"/messages", nil, &msgs)
	for _, m := range msgs.Items {
		if m["direction"] == "inbound" {
			t.Fatal("a webhook with a bad signature stored a message")
		}
	}
	var e item
	in.call("GET", "/v1/enrollments/"+eid, nil, &e)
	if e["status"] != "active" {
		t.Fatalf("a webhook with a bad signature moved the journey: %v", e)
	}

	// A properly signed "3" raises an urgent task and completes the journey.
	if st := in.sms(testAuthToken, "SMreply0001", phone, "3"); st != http.StatusOK {
		t.Fatalf("signed reply: %d", st)
	}
	eventually(t, "enrollment completed", func() bool {
		in.call("GET", "/v1/enrollments/"+eid, nil, &e)
		return e["status"] == "completed"
	})
	if e["outcome"] != "worse" {
		t.Fatalf("outcome %v, want worse", e["outcome"])
	}
	var tasks struct{ Items []item }
	in.call("GET", "/v1/tasks?status=open&patient_id="+pid, nil, &tasks)
	if len(tasks.Items) != 1 || tasks.Items[0]["priority"] != "urgent" ||
		tasks.Items[0]["reason"] != "patient reports feeling worse after visit" {
		t.Fatalf("tasks: %v", tasks.Items)
	}
	eventually(t, "the nurse-will-call SMS", func() bool { return len(in.twilio.To(phone)) == 2 })

	// The nurse works the task: due within 5 minutes, acknowledged, resolved.
	task := tasks.Items[0]
	due, err := time.Parse(time.RFC3339Nano, task["acknowledge_by"].(string))
	if err != nil || time.Until(due) > 5*time.Minute || time.Until(due) < 3*time.Minute {
		t.Fatalf("urgent task due %v (%v), want in about 5 minutes", task["acknowledge_by"], err)
	}
	tid := task["id"].(string)
	var tk item
	if st := in.call("POST", "/v1/tasks/"+tid+"/acknowledge", nil, &tk); st != http.StatusOK || tk["status"] != "acknowledged" {
		t.Fatalf("acknowledge: %d %v", st, tk)
	}
	if st := in.call("POST", "/v1/tasks/"+tid+"/resolve", item{}, &tk); st != http.StatusBadRequest {
		t.Fatalf("resolve without a note: %d", st)
	}
	if st := in.call("POST", "/v1/tasks/"+tid+"/resolve", item{"note": "called; symptoms expected, reassured"}, &tk); st != http.StatusOK || tk["status"] != "resolved" {
		t.Fatalf("resolve: %d %v", st, tk)
	}
	if st := in.call("POST", "/v1/tasks/"+tid+"/resolve", item{"note": "again"}, &tk); st != http.StatusConflict {
		t.Fatalf("resolve twice: %d", st)
	}

	// Twilio re-delivering the same MessageSid is acknowledged, not re-processed.
	if st := in.sms(testAuthToken, "SMreply0001", phone, "3"); st != http.StatusOK {
		t.Fatalf("re-delivery: %d", st)
	}
	in.call("GET", "/v1/patients/"+pid+"/messages", nil, &msgs)
	inbound := 0
	for _, m := range msgs.Items {
		if m["direction"] == "inbound" {
			inbound++
		}
	}
	if inbound != 1 {
		t.Fatalf("%d inbound messages after a re-delivery, want 1", inbound)
	}
	in.call("GET", "/v1/tasks?patient_id="+pid, nil, &tasks)
	if len(tasks.Items) != 1 || tasks.Items[0]["status"] != "resolved" {
		t.Fatalf("re-delivery raised more tasks: %v", tasks.Items)
	}

	// A reply from a number nobody has is kept and becomes an inbox task.
	if st := in.sms(testAuthToken, "SMstranger1", "+15559990000", "hello?"); st != http.StatusOK {
		t.Fatalf("unknown sender: %d", st)
	}
	in.call("GET", "/v1/tasks?status=open", nil, &tasks)
	found := false
	for _, tk := range tasks.Items {
		found = found || strings.Contains(tk["reason"].(string), "unknown number")
	}
	if !found {
		t.Fatalf("no inbox task for an unknown sender: %v", tasks.Items)
	}
}

func TestEndToEndStopStartHelp(t *testing.T) {
	in := startDev(t)
	phone := "+15551230002"
	var patient item
	if st := in.call("POST", "/v1/patients", item{"given_name": "Ida", "family_name": "B", "birth_date": "1960-01-01",
		"phone": phone, "timezone": testenv.ZoneAt(12)}, &patient); st != http.StatusCreated {
		t.Fatalf("patient: %d", st)
	}
	pid := patient["id"].(string)
	enroll := func(key string) string {
		var e item
		if st := in.call("POST", "/v1/patients/"+pid+"/enrollments", item{"journey": "post_visit_checkin",
			"key": key, "params": item{"delay": "0s"}}, &e); st != http.StatusCreated {
			t.Fatalf("enroll %s: %d %v", key, st, e)
		}
		return e["id"].(string)
	}
	e1 := enroll("visit-1")
	eventually(t, "first question", func() bool { return len(in.twilio.To(phone)) == 1 })

	// STOP (in any case and spacing) is not an answer: consent goes, one
	// confirmation comes back, even if Twilio delivers the webhook twice.
	for range 2 {
		if st := in.sms(testAuthToken, "SMstop0001", phone, "  stop "); st != http.StatusOK {
			t.Fatalf("STOP: %d", st)
		}
	}
	eventually(t, "STOP confirmation", func() bool { return len(in.twilio.To(phone)) == 2 })
	// The journey that was waiting for an answer stops at once.
	eventually(t, "waiting journey ends opted_out", func() bool {
		var got item
		in.call("GET", "/v1/enrollments/"+e1, nil, &got)
		return got["status"] == "completed" && got["outcome"] == "opted_out"
	})
	if body := in.twilio.To(phone)[1].Body; !strings.Contains(body, "unsubscribed") {
		t.Fatalf("confirmation: %q", body)
	}
	// A new journey's message is suppressed, visibly, and never sent.
	e2 := enroll("visit-2")
	eventually(t, "suppressed message on the timeline", func() bool {
		var msgs struct{ Items []item }
		in.call("GET", "/v1/patients/"+pid+"/messages", nil, &msgs)
		for _, m := range msgs.Items {
			if m["enrollment_id"] == e2 && m["status"] == "suppressed" && m["status_reason"] == "opted_out" {
				return true
			}
		}
		return false
	})
	time.Sleep(300 * time.Millisecond)
	if n := len(in.twilio.To(phone)); n != 2 {
		t.Fatalf("%d SMS after STOP, want only the confirmation", n)
	}

	if st := in.sms(testAuthToken, "SMstart001", phone, "START"); st != http.StatusOK {
		t.Fatalf("START: %d", st)
	}
	eventually(t, "START confirmation", func() bool { return len(in.twilio.To(phone)) == 3 })
	if st := in.sms(testAuthToken, "SMhelp0001", phone, "help"); st != http.StatusOK {
		t.Fatalf("HELP: %d", st)
	}
	eventually(t, "HELP text", func() bool { return len(in.twilio.To(phone)) == 4 })
	if body := in.twilio.To(phone)[3].Body; !strings.Contains(body, "STOP") {
		t.Fatalf("help text: %q", body)
	}
	// YES restores consent only for a patient who opted out.
	if st := in.sms(testAuthToken, "SMstop0002", phone, "STOP"); st != http.StatusOK {
		t.Fatalf("STOP: %d", st)
	}
	eventually(t, "second STOP confirmation", func() bool { return len(in.twilio.To(phone)) == 5 })
	if st := in.sms(testAuthToken, "SMyes00001", phone, "Yes"); st != http.StatusOK {
		t.Fatalf("YES: %d", st)
	}
	eventually(t, "YES taken as START", func() bool { return len(in.twilio.To(phone)) == 6 })
	if body := in.twilio.To(phone)[5].Body; !strings.Contains(body, "subscribed again") {
		t.Fatalf("YES answer: %q", body)
	}
	var tasks struct{ Items []item }
	in.call("GET", "/v1/tasks?patient_id="+pid, nil, &tasks)
	for _, tk := range tasks.Items {
		if strings.Contains(tk["reason"].(string), "needs review") {
			t.Fatalf("a keyword was treated as a reply: %v", tk)
		}
	}
}

func TestEndToEndDeliveryStatus(t *testing.T) {
	in := startDev(t)
	phones := []string{"+15551230003", "+15551230004"}
	pids := make([]string, 2)
	for i, phone := range phones {
		var p item
		in.call("POST", "/v1/patients", item{"given_name": "D", "family_name": "S", "birth_date": "1970-01-01",
			"phone": phone, "email": fmt.Sprintf("d%d@example.org", i), "timezone": testenv.ZoneAt(12)}, &p)
		pids[i] = p["id"].(string)
		var e item
		in.call("POST", "/v1/patients/"+pids[i]+"/enrollments", item{"journey": "post_visit_checkin", "params": item{"delay": "0s"}}, &e)
	}
	eventually(t, "both questions sent", func() bool { return len(in.twilio.To(phones[0])) == 1 && len(in.twilio.To(phones[1])) == 1 })
	ok, bad := in.twilio.To(phones[0])[0], in.twilio.To(phones[1])[0]
	if !strings.HasPrefix(ok.StatusCallback, "https://carepath.example.org/webhooks/twilio/status?message_id=") || ok.CarepathID() == "" {
		t.Fatalf("status callback URL %q: want one per message, naming it", ok.StatusCallback)
	}
	status := func(m faketwilio.Message, st, code string) int {
		return in.twilioPost(testAuthToken, "/webhooks/twilio/status", map[string]string{"MessageSid": m.SID,
			"MessageStatus": st, "ErrorCode": code, "To": m.To})
	}
	if st := in.twilioPost("forged", "/webhooks/twilio/status", map[string]string{"MessageSid": ok.SID, "MessageStatus": "failed"}); st != http.StatusForbidden {
		t.Fatalf("forged callback: %d", st)
	}
	for _, s := range []int{status(ok, "sent", ""), status(ok, "delivered", ""), status(ok, "sent", ""), status(bad, "undelivered", "30006"), status(bad, "undelivered", "30006")} {
		if s != http.StatusNoContent {
			t.Fatalf("callback: %d", s)
		}
	}
	msgStatus := func(pid string) string {
		var msgs struct{ Items []item }
		in.call("GET", "/v1/patients/"+pid+"/messages", nil, &msgs)
		for _, m := range msgs.Items {
			if m["direction"] == "outbound" {
				reason, _ := m["status_reason"].(string)
				return m["status"].(string) + " " + reason
			}
		}
		return ""
	}
	// A callback can beat the send's own record: it is kept and applied
	// when the send records the provider's ID, so wait for that.
	eventually(t, "both delivery reports applied", func() bool {
		return msgStatus(pids[0]) != "sending " && msgStatus(pids[0]) != "sent " && msgStatus(pids[1]) != "sending " && msgStatus(pids[1]) != "sent "
	})
	if s := msgStatus(pids[0]); s != "delivered " {
		t.Fatalf("delivered message shows %q (a late 'sent' must not downgrade it)", s)
	}
	if s := msgStatus(pids[1]); s != "undelivered twilio code 30006" {
		t.Fatalf("undelivered message shows %q", s)
	}
	var report struct{ Items []item }
	in.call("GET", "/v1/reports/contact-hygiene", nil, &report)
	invalid := map[string]string{}
	for _, r := range report.Items {
		invalid[r["patient_id"].(string)] = r["phone_status"].(string)
	}
	if invalid[pids[1]] != "invalid" || invalid[pids[0]] == "invalid" {
		t.Fatalf("hygiene report: %v", report.Items)
	}
	var tasks struct{ Items []item }
	in.call("GET", "/v1/tasks?patient_id="+pids[1], nil, &tasks)
	if len(tasks.Items) != 1 || !strings.HasPrefix(tasks.Items[0]["reason"].(string), "contact details need updating") {
		t.Fatalf("hygiene tasks: %v", tasks.Items)
	}
}

func TestEndToEndEventTriggersJourney(t *testing.T) {
	in := startDev(t)
	phone := "+15551230005"
	var p item
	in.call("POST", "/v1/patients", item{"given_name": "Tri", "family_name": "Gger", "birth_date": "1970-01-01",
		"phone": phone, "timezone": testenv.ZoneAt(12)}, &p)
	pid := p["id"].(string)
	post := func(id, visit string) item {
		var out item
		st := in.call("POST", "/v1/events", item{"id": id, "type": "appointment.completed", "patient_id": pid,
			"occurred_at": time.Now().UTC().Format(time.RFC3339), "data": item{"visit_id": visit}}, &out)
		if st != http.StatusCreated && st != http.StatusOK {
			t.Fatalf("event %s: %d %v", id, st, out)
		}
		return out
	}
	first := post("ehr-1", "visit-A")
	enrs := first["enrollments"].([]any)
	if len(enrs) != 1 {
		t.Fatalf("appointment.completed started %v", enrs)
	}
	var e item
	in.call("GET", "/v1/enrollments/"+enrs[0].(string), nil, &e)
	if e["journey"] != "post_visit_checkin" || e["key"] != "visit-A" || e["status"] != "active" {
		t.Fatalf("triggered enrollment: %v", e)
	}
	// The same event again: no second journey, the same enrollment named.
	again := post("ehr-1", "visit-A")
	if again["duplicate"] != true || again["enrollments"].([]any)[0] != enrs[0] {
		t.Fatalf("duplicate event: %v", again)
	}
	// Another visit: its own check-in.
	other := post("ehr-2", "visit-B")
	if o := other["enrollments"].([]any); len(o) != 1 || o[0] == enrs[0] {
		t.Fatalf("second visit: %v", other)
	}
}

// Two journeys wait at once: a 0–10 score (older) and a 1/2/3 question
// (newer). "8" fits only the score and must reach the older journey.
func TestEndToEndTwoJourneysWaiting(t *testing.T) {
	in := startDev(t)
	phone := "+15551230006"
	var p item
	in.call("POST", "/v1/patients", item{"given_name": "Two", "family_name": "Ways", "birth_date": "1970-01-01",
		"phone": phone, "timezone": testenv.ZoneAt(12)}, &p)
	pid := p["id"].(string)
	enroll := func(key string) string {
		var e item
		in.call("POST", "/v1/patients/"+pid+"/enrollments", item{"journey": "post_visit_checkin", "key": key, "params": item{"delay": "0s"}}, &e)
		return e["id"].(string)
	}
	// step reports "finished" only once the enrollment is completed.
	step := func(id string) (string, string) {
		var e item
		in.call("GET", "/v1/enrollments/"+id, nil, &e)
		outcome, _ := e["outcome"].(string)
		if e["status"] == "completed" {
			return "finished", outcome
		}
		if e["step"] == "finished" {
			return "finishing", outcome
		}
		return e["step"].(string), outcome
	}
	a := enroll("visit-A")
	// The patient answers what reached the phone (the question is open by then).
	eventually(t, "A asks", func() bool { return len(in.twilio.To(phone)) == 1 })
	in.sms(testAuthToken, "SMtwo00001", phone, "1")
	eventually(t, "A asks for a score", func() bool { return len(in.twilio.To(phone)) == 3 }) // question, glad, score
	b := enroll("visit-B")
	eventually(t, "B asks", func() bool { return len(in.twilio.To(phone)) == 4 })

	in.sms(testAuthToken, "SMtwo00002", phone, "8")
	eventually(t, "A completes with the score", func() bool { s, _ := step(a); return s == "finished" })
	if _, outcome := step(a); outcome != "better" {
		t.Fatalf("A outcome %q", outcome)
	}
	if s, _ := step(b); s != "asking_how_feeling" {
		t.Fatalf("B moved on a reply meant for A: %s", s)
	}
	in.sms(testAuthToken, "SMtwo00003", phone, "3")
	eventually(t, "B completes", func() bool { s, _ := step(b); return s == "finished" })
	if _, outcome := step(b); outcome != "worse" {
		t.Fatalf("B outcome %q", outcome)
	}

	var report struct {
		Journeys []struct {
			Journey                                           string
			Enrolled, Messaged, Responded, Completed, Reached int
			Outcomes                                          map[string]int
			Satisfaction                                      struct {
				Mean  *float64
				Count int
			}
		}
	}
	if st := in.call("GET", "/v1/reports/engagement", nil, &report); st != http.StatusOK || len(report.Journeys) != 1 {
		t.Fatalf("report: %d %+v", st, report)
	}
	r := report.Journeys[0]
	if r.Journey != "post_visit_checkin" || r.Enrolled != 2 || r.Messaged != 2 || r.Responded != 2 || r.Completed != 2 ||
		r.Reached != 0 || r.Outcomes["better"] != 1 || r.Outcomes["worse"] != 1 ||
		r.Satisfaction.Count != 1 || r.Satisfaction.Mean == nil || *r.Satisfaction.Mean != 8 {
		t.Fatalf("engagement report: %+v (mean %v)", r, r.Satisfaction.Mean)
	}
	if st := in.call("GET", "/v1/reports/engagement?from=2026-02-01&to=2026-01-01", nil, nil); st != http.StatusBadRequest {
		t.Fatalf("inverted range: %d", st)
	}
}

// Declining onboarding is recorded as a program decline, apart from
// consent: outreach refused as the patient answered, care kept; the
// decliner is not put in outreach re-engagement, whose every message that
// refusal would suppress (review §2: it ended no_response after six weeks
// of suppressed sends). The after-visit touch reaches them instead
// (decliners_test.go).
func TestEndToEndOnboardingDeclineIsRecordedApartFromConsent(t *testing.T) {
	in := startDev(t)
	phone := "+15551230007"
	pid, _ := declineOnboarding(t, in, phone)

	var consents struct {
		Current []struct {
			Channel, Purpose string
			Granted          bool
			RevokedAll       bool `json:"revoked_all"`
		}
	}
	if st := in.call("GET", "/v1/patients/"+pid+"/consents", nil, &consents); st != http.StatusOK {
		t.Fatalf("consents: %d", st)
	}
	for _, c := range consents.Current {
		want := c.Purpose == "care"
		if c.Granted != want || c.RevokedAll {
			t.Fatalf("after declining, %s/%s granted=%v revoked_all=%v; want outreach refused, care kept", c.Channel, c.Purpose, c.Granted, c.RevokedAll)
		}
	}
	if d := engagement(t, in)["onboarding"]; d.Declined != 1 || d.Decliners.Declined != 1 || d.Decliners.Reengaged != 0 {
		t.Fatalf("report after a decline: %+v", d)
	}
	// No re-engagement holds the patient: launching it creates a new one.
	var r item
	if st := in.call("POST", "/v1/patients/"+pid+"/enrollments", item{"journey": "reengagement"}, &r); st != http.StatusCreated {
		t.Fatalf("re-engagement already active after a declined onboarding: %d %v", st, r)
	}
}

// An EHR event starts a treatment follow-up; a reading that comes in from a
// device drives an escalation to the care team.
func TestEndToEndEventStartsFollowupAndReadingEscalates(t *testing.T) {
	in := startDev(t)
	phone := "+15551230009"
	var p item
	in.call("POST", "/v1/patients", item{"given_name": "Gly", "family_name": "Cemia", "birth_date": "1960-01-01",
		"phone": phone, "timezone": testenv.ZoneAt(12)}, &p)
	pid := p["id"].(string)
	var ev item
	if st := in.call("POST", "/v1/events", item{"id": "ehr-plan-1", "type": "care_plan.started", "patient_id": pid,
		"occurred_at": time.Now().UTC().Format(time.RFC3339),
		"data":        item{"care_plan_id": "plan-7", "params": item{"first_checkin": "now", "checkin_every": "24h", "high": 250}}}, &ev); st != http.StatusCreated {
		t.Fatalf("event: %d %v", st, ev)
	}
	eid := ev["enrollments"].([]any)[0].(string)
	var e item
	in.call("GET", "/v1/enrollments/"+eid, nil, &e)
	if e["journey"] != "treatment_followup" || e["key"] != "plan-7" {
		t.Fatalf("enrollment: %v", e)
	}
	eventually(t, "medication check-in", func() bool { return len(in.twilio.To(phone)) == 1 })
	in.sms(testAuthToken, "SMtreat001", phone, "yes")
	eventually(t, "reading request", func() bool { return len(in.twilio.To(phone)) == 2 })
	eventually(t, "waiting for the reading", func() bool {
		var got item
		in.call("GET", "/v1/enrollments/"+eid, nil, &got)
		return got["step"] == "waiting_for_reading"
	})
	var obs item
	if st := in.call("POST", "/v1/patients/"+pid+"/observations", item{"id": "meter-1", "code": "blood_glucose", "value": 320,
		"unit": "mg/dL", "effective_at": time.Now().UTC().Format(time.RFC3339)}, &obs); st != http.StatusCreated {
		t.Fatalf("observation: %d %v", st, obs)
	}
	var tasks struct{ Items []item }
	eventually(t, "high-priority task", func() bool {
		in.call("GET", "/v1/tasks?patient_id="+pid, nil, &tasks)
		return len(tasks.Items) == 1
	})
	if tasks.Items[0]["priority"] != "high" || tasks.Items[0]["reason"] != carepath.ReasonReadingOutOfRange {
		t.Fatalf("task: %v", tasks.Items[0])
	}
	eventually(t, "advice to the patient", func() bool { return len(in.twilio.To(phone)) == 3 })
}

func TestEndToEndMetrics(t *testing.T) {
	in := startDev(t)
	phone := "+15551230010"
	var p item
	in.call("POST", "/v1/patients", item{"given_name": "Met", "family_name": "Rics", "birth_date": "1970-01-01",
		"phone": phone, "timezone": testenv.ZoneAt(12)}, &p)
	in.call("POST", "/v1/patients/"+p["id"].(string)+"/enrollments", item{"journey": "post_visit_checkin", "params": item{"delay": "0s"}}, nil)
	eventually(t, "question", func() bool { return len(in.twilio.To(phone)) == 1 })
	in.sms(testAuthToken, "SMmetrics01", phone, "3")
	in.sms("forged", "SMmetrics02", phone, "3")
	var body string
	eventually(t, "metrics", func() bool {
		resp, err := http.Get(in.base + "/metrics")
		if err != nil {
			return false
		}
		defer closeBody(resp.Body)
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return strings.Contains(body, `carepath_messages_total{channel="sms",otel_scope_name="carepath"`) &&
			strings.Contains(body, `outcome="sent"`)
	})
	for _, want := range []string{
		`carepath_webhook_duration_seconds_bucket{`, `status="403"`, `status="200"`,
		`carepath_enrollments{journey="post_visit_checkin"`,
		`carepath_replies_waiting{`, `carepath_replies_waiting_oldest_seconds{`, // replies not yet routed
		`temporal_`, // the SDK's own metrics
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, phone) || strings.Contains(body, "Met") && strings.Contains(body, "Rics") {
		t.Fatal("metrics carry PHI")
	}
}

func TestEndToEndBulkLaunch(t *testing.T) {
	in := startDev(t)
	var ids []string
	for i := range 3 {
		var p item
		in.call("POST", "/v1/patients", item{"given_name": "Bulk", "family_name": fmt.Sprint(i), "birth_date": "1970-01-01",
			"phone": fmt.Sprintf("+1555123100%d", i), "timezone": testenv.ZoneAt(12)}, &p)
		ids = append(ids, p["id"].(string))
	}
	// The first patient is already in the journey.
	in.call("POST", "/v1/patients/"+ids[0]+"/enrollments", item{"journey": "post_visit_checkin", "params": item{"delay": "1h"}}, nil)
	unknown := "00000000-0000-4000-8000-00000000beef"
	batch := func() item {
		var job item
		if st := in.call("POST", "/v1/enrollments/batch", item{"journey": "post_visit_checkin", "params": item{"delay": "1h"},
			"patient_ids": []string{ids[0], ids[1], ids[2], unknown, ids[1]}}, &job); st != http.StatusAccepted {
			t.Fatalf("batch: %d %v", st, job)
		}
		eventually(t, "batch completed", func() bool {
			in.call("GET", "/v1/enrollments/batch/"+job["id"].(string), nil, &job)
			return job["status"] == "completed"
		})
		return job
	}
	job := batch()
	counts := job["counts"].(map[string]any)
	if counts["launched"] != 2.0 || counts["skipped"] != 2.0 || counts["failed"] != 0.0 || counts["pending"] != 0.0 {
		t.Fatalf("first batch: %v", job)
	}
	reasons := map[string]string{}
	for _, p := range job["problems"].([]any) {
		pr := p.(map[string]any)
		reasons[pr["patient_id"].(string)] = pr["reason"].(string)
	}
	if reasons[unknown] != "unknown patient" || reasons[ids[0]] != "already active in this journey" {
		t.Fatalf("skip reasons: %v", reasons)
	}
	// Launching the same patients again enrolls nobody twice.
	again := batch()
	if c := again["counts"].(map[string]any); c["launched"] != 0.0 || c["skipped"] != 4.0 {
		t.Fatalf("second batch: %v", again)
	}
	for body, field := range map[string]string{
		`{"journey":"post_visit_checkin","patient_ids":[]}`:    "patient_ids",
		`{"journey":"post_visit_checkin","patient_ids":["x"]}`: "patient_ids[0]",
		`{"journey":"nope","patient_ids":["` + ids[0] + `"]}`:  "journey",
	} {
		req, _ := http.NewRequest("POST", in.base+"/v1/enrollments/batch", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testAdminKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ Error struct{ Field string } }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		closeBody(resp.Body)
		if resp.StatusCode != http.StatusBadRequest || e.Error.Field != field {
			t.Errorf("%s: %d %q, want 400 naming %s", body, resp.StatusCode, e.Error.Field, field)
		}
	}

	// A segment: the patients tagged panel-a with a type 2 diabetes code.
	in.call("PATCH", "/v1/patients/"+ids[1], item{"tags": []string{"panel-a"}}, nil)
	if st := in.call("PATCH", "/v1/patients/"+ids[2], item{"tags": []string{"panel-a"}, "conditions": []string{"E11.9"}}, nil); st != http.StatusOK {
		t.Fatalf("tag patient: %d", st)
	}
	var seg item
	if st := in.call("POST", "/v1/enrollments/batch", item{"journey": "reengagement",
		"segment": item{"tag": "panel-a", "condition": "E11"}}, &seg); st != http.StatusAccepted {
		t.Fatalf("segment batch: %d %v", st, seg)
	}
	eventually(t, "segment batch completed", func() bool {
		in.call("GET", "/v1/enrollments/batch/"+seg["id"].(string), nil, &seg)
		return seg["status"] == "completed"
	})
	if c := seg["counts"].(map[string]any); c["launched"] != 1.0 || c["skipped"] != 0.0 || c["failed"] != 0.0 {
		t.Fatalf("segment batch: %v", seg)
	}
	if s := seg["segment"].(map[string]any); s["tag"] != "panel-a" || s["condition"] != "E11" {
		t.Fatalf("job does not record its segment: %v", seg)
	}
	// The patient it launched is now in the journey: the same segment again skips them.
	var again2 item
	in.call("POST", "/v1/enrollments/batch", item{"journey": "reengagement", "segment": item{"tag": "panel-a", "condition": "E11.9"}}, &again2)
	eventually(t, "second segment batch completed", func() bool {
		in.call("GET", "/v1/enrollments/batch/"+again2["id"].(string), nil, &again2)
		return again2["status"] == "completed"
	})
	if p := again2["problems"].([]any); len(p) != 1 || p[0].(map[string]any)["patient_id"] != ids[2] ||
		p[0].(map[string]any)["reason"] != "already active in this journey" {
		t.Fatalf("second segment batch: %v", again2)
	}
}
