package chaos

import (
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath"
)

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

const phone = "+15550100001"

// clean is a run where one question went out once and its answer was routed.
func clean() Observed {
	return Observed{
		Sends: []Send{{Channel: "sms", To: phone, Body: "How are you?", CarepathID: "m1", At: t0}},
		Replies: []Reply{{Channel: "sms", From: phone, ProviderID: "SMr1", PatientIDs: []string{"p1"},
			AckedAt: t0.Add(time.Second)}},
		Patients: []PatientView{{ID: "p1", Phone: phone, Messages: []carepath.Message{
			{ID: "m1", PatientID: "p1", EnrollmentID: "e1", Direction: "outbound", Channel: "sms", Body: "How are you?", Status: "delivered"},
			{ID: "m2", PatientID: "p1", Direction: "inbound", Channel: "sms", Body: "1", Status: "routed", ProviderMessageID: "SMr1"},
		}}},
		Enrollments: []carepath.Enrollment{{ID: "e1", PatientID: "p1", Status: "completed", Outcome: "better"}},
		StopGrace:   time.Second,
	}
}

func kinds(r *Report) []string {
	var out []string
	for _, v := range r.Violations {
		out = append(out, v.Kind)
	}
	return out
}

func TestCheckerPassesACleanRun(t *testing.T) {
	r := Check(clean())
	if r.Failed() {
		t.Fatalf("clean run flagged: %v", r.Violations)
	}
	if r.Sends != 1 || r.Replies != 1 {
		t.Fatalf("counts: %+v", r)
	}
}

func TestCheckerFlagsADuplicateByMessageID(t *testing.T) {
	o := clean()
	o.Sends = append(o.Sends, Send{Channel: "sms", To: phone, Body: "How are you?", CarepathID: "m1", At: t0.Add(2 * time.Second)})
	r := Check(o)
	if r.Duplicates != 1 || strings.Join(kinds(r), ",") != "duplicate" {
		t.Fatalf("want one duplicate, got %+v", r.Violations)
	}
}

// Without per-message IDs (an older carepath), identical bodies beyond the
// rows carepath wrote are duplicates; as many as it wrote (a shared family
// phone) are not.
func TestCheckerFlagsDuplicateBodiesBeyondTheRows(t *testing.T) {
	o := clean()
	o.Sends[0].CarepathID = ""
	o.Sends = append(o.Sends, Send{Channel: "sms", To: phone, Body: "How are you?", At: t0.Add(time.Second)})
	if r := Check(o); r.Duplicates != 1 {
		t.Fatalf("want one duplicate, got %+v", r.Violations)
	}
	o.Patients = append(o.Patients, PatientView{ID: "p2", Phone: phone, Messages: []carepath.Message{
		{ID: "m3", PatientID: "p2", Direction: "outbound", Channel: "sms", Body: "How are you?", Status: "sent"}}})
	if r := Check(o); r.Failed() {
		t.Fatalf("two rows, two identical sends to a shared phone flagged: %v", r.Violations)
	}
}

func TestCheckerFlagsALostReply(t *testing.T) {
	o := clean()
	o.Patients[0].Messages[1].Status = carepath.MessageReceived // stored, never routed
	if r := Check(o); r.RepliesLost != 1 {
		t.Fatalf("want one lost reply, got %+v", r.Violations)
	}
	o = clean()
	o.Patients[0].Messages = o.Patients[0].Messages[:1] // acknowledged, never stored
	if r := Check(o); r.RepliesLost != 1 {
		t.Fatalf("want one lost reply, got %+v", r.Violations)
	}
}

func TestCheckerFlagsAMessageAfterStop(t *testing.T) {
	o := clean()
	o.OptOuts = []OptOut{{Address: phone, Stop: t0.Add(10 * time.Second)}}
	o.Sends = append(o.Sends,
		Send{Channel: "sms", To: phone, Body: "You're unsubscribed from your care team's texts", CarepathID: "c1", At: t0.Add(11 * time.Second)},
		Send{Channel: "sms", To: phone, Body: "Just checking in", CarepathID: "m9", At: t0.Add(20 * time.Second)})
	r := Check(o)
	if r.AfterStop != 1 || !strings.Contains(r.Violations[0].Detail, "m9") {
		t.Fatalf("want one message after STOP (m9), got %+v", r.Violations)
	}
	// After START, messages are allowed again.
	o.OptOuts[0].Start = t0.Add(15 * time.Second)
	if r := Check(o); r.AfterStop != 0 {
		t.Fatalf("a message after START flagged: %v", r.Violations)
	}
}

func TestCheckerFlagsASecondStopConfirmation(t *testing.T) {
	o := clean()
	o.OptOuts = []OptOut{{Address: phone, Stop: t0.Add(10 * time.Second)}}
	for i, id := range []string{"c1", "c2"} {
		o.Sends = append(o.Sends, Send{Channel: "sms", To: phone, Body: "You're unsubscribed from your care team's texts",
			CarepathID: id, At: t0.Add(time.Duration(11+i) * time.Second)})
	}
	if r := Check(o); r.AfterStop != 1 {
		t.Fatalf("want the second confirmation flagged, got %+v", r.Violations)
	}
}

func TestCheckerFlagsConsentCrossedByACaregiver(t *testing.T) {
	o := clean()
	o.CaregiverStops = []string{"p1"}
	o.Patients[0].Messages = append(o.Patients[0].Messages, carepath.Message{ID: "m5", PatientID: "p1", Direction: "outbound",
		Channel: "sms", Body: "Next question", Status: "suppressed", StatusReason: "opted_out"})
	r := Check(o)
	if r.ConsentCrossed != 1 || !strings.Contains(r.Violations[0].Detail, "caregiver") {
		t.Fatalf("want consent crossed by a caregiver, got %+v", r.Violations)
	}
}

func TestCheckerFlagsLostAndStuckMessagesAndUnfinishedEnrollments(t *testing.T) {
	o := clean()
	o.Patients[0].Messages = append(o.Patients[0].Messages,
		carepath.Message{ID: "m6", Direction: "outbound", Channel: "sms", Body: "Reminder", Status: "sent"},
		carepath.Message{ID: "m7", Direction: "outbound", Channel: "sms", Body: "Other", Status: "sending"})
	o.Enrollments = append(o.Enrollments, carepath.Enrollment{ID: "e2", Status: "active", Step: "asking_how_feeling"})
	o.Unrecovered = []string{"worker-1 exited"}
	r := Check(o)
	if r.Lost != 2 || r.Unfinished != 1 || r.Unrecovered != 1 {
		t.Fatalf("want 2 lost, 1 unfinished, 1 unrecovered, got %+v", r.Violations)
	}
}

func TestSummaryLine(t *testing.T) {
	got := Check(clean()).Summary(FaultCounts{WorkerKills: 9, TemporalOutages: 1, PGRestarts: 1}, 42)
	if !strings.HasPrefix(got, "chaos: sends=1 duplicates=0 lost=0 replies=1 replies_lost=0 ") ||
		!strings.Contains(got, "worker_kills=9") || !strings.Contains(got, "seed=42") {
		t.Fatalf("summary %q", got)
	}
}

// HELP is answered even after STOP, once per HELP the person sent.
func TestCheckerAllowsAnsweringHelpAfterStop(t *testing.T) {
	o := clean()
	o.OptOuts = []OptOut{{Address: phone, Stop: t0.Add(10 * time.Second), Helps: 1}}
	help := "Your care team's patient messages. Msg frequency varies. Reply STOP to unsubscribe."
	o.Sends = append(o.Sends, Send{Channel: "sms", To: phone, Body: help, CarepathID: "h1", At: t0.Add(20 * time.Second)})
	if r := Check(o); r.Failed() {
		t.Fatalf("a requested HELP text after STOP flagged: %v", r.Violations)
	}
	o.Sends = append(o.Sends, Send{Channel: "sms", To: phone, Body: help, CarepathID: "h2", At: t0.Add(30 * time.Second)})
	if r := Check(o); r.AfterStop != 1 {
		t.Fatalf("an unrequested HELP text after STOP not flagged: %v", r.Violations)
	}
}

// A reply from a shared phone that no journey could take is held by an
// inbox task naming it: not lost. Without such a task it is, and a task
// naming another message (or an outbound one) holds nothing.
func TestCheckerCountsAReplyHeldByATaskAsKept(t *testing.T) {
	o := clean()
	o.Replies = append(o.Replies, Reply{Channel: "sms", From: phone, ProviderID: "SMshared", PatientIDs: []string{"p1", "p2"},
		AckedAt: t0.Add(time.Minute)})
	if r := Check(o); r.RepliesLost != 1 {
		t.Fatalf("an unheld reply not flagged: %v", r.Violations)
	}
	o.Tasks = []carepath.Task{{ID: "t-other", MessageID: "m-other"}, {ID: "t-out", MessageID: "m-out"}}
	o.TaskMessages = map[string]carepath.Message{
		"t-other": {ID: "m-other", Direction: carepath.DirectionInbound, ProviderMessageID: "SMsomethingelse"},
		"t-out":   {ID: "m-out", Direction: carepath.DirectionOutbound, ProviderMessageID: "SMshared"},
	}
	if r := Check(o); r.RepliesLost != 1 {
		t.Fatalf("a reply held by an unrelated task: %v", r.Violations)
	}
	o.Tasks = append(o.Tasks, carepath.Task{ID: "t1", MessageID: "m1"})
	o.TaskMessages["t1"] = carepath.Message{ID: "m1", Direction: carepath.DirectionInbound, ProviderMessageID: "SMshared"}
	if r := Check(o); r.Failed() {
		t.Fatalf("a reply held by a task flagged: %v", r.Violations)
	}
	// A second reply from the phone is not held by the first one's task.
	o.Replies = append(o.Replies, Reply{Channel: "sms", From: phone, ProviderID: "SMshared2", PatientIDs: []string{"p1", "p2"},
		AckedAt: t0.Add(time.Minute)})
	if r := Check(o); r.RepliesLost != 1 {
		t.Fatalf("a reply no task names not flagged: %v", r.Violations)
	}
}
