package activities

import (
	"context"
	"testing"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// A message a staff member marked urgent goes at once in quiet hours, the
// same message not marked urgent waits for the morning, and urgent is no
// way past a STOP or a cap. The author is recorded on the outbox row.
func TestUrgentIsExemptFromQuietHoursOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	night := f.patient(3, false) // 3 a.m. where the patient lives

	if res, err := f.send(night, carepath.PurposeCare, 1); err != nil || res.Outcome != OutcomeDeferred || res.Reason != ReasonQuietHours {
		t.Fatalf("not urgent at 3 a.m.: %+v %v", res, err)
	}
	var urgentID string
	res, err := f.send(night, carepath.PurposeCare, 2, func(r *SendMessageRequest) {
		r.Urgent, r.Author, urgentID = true, "user:nurse-1", r.MessageID
	})
	if err != nil || res.Outcome != OutcomeSent || len(f.twilio.To(night.Phone)) != 1 {
		t.Fatalf("urgent at 3 a.m.: %+v %v (%d sent)", res, err, len(f.twilio.To(night.Phone)))
	}
	if author, err := f.store.MessageAuthor(ctx, urgentID); err != nil || author != "user:nurse-1" {
		t.Fatalf("author %q %v", author, err)
	}

	// Outreach over its cap stays capped when urgent (one a day: the first
	// goes, urgent at midday, and the second is held for tomorrow).
	noon := f.patient(12, false)
	if res, err := f.send(noon, carepath.PurposeOutreach, 1); err != nil || res.Outcome != OutcomeSent {
		t.Fatalf("first outreach: %+v %v", res, err)
	}
	res, err = f.send(noon, carepath.PurposeOutreach, 2, func(r *SendMessageRequest) { r.Urgent = true })
	if err != nil || res.Outcome != OutcomeDeferred || res.Reason != ReasonCapped {
		t.Fatalf("urgent outreach over the cap: %+v %v", res, err)
	}

	if err := f.store.ConsentAppend(ctx, store.Recipient{PatientID: night.ID}, store.ConsentChange{Channel: carepath.ChannelSMS,
		Purpose: carepath.PurposeAll, Granted: false, Source: "sms:STOP"}); err != nil {
		t.Fatal(err)
	}
	res, err = f.send(night, carepath.PurposeCare, 3, func(r *SendMessageRequest) { r.Urgent = true })
	if err != nil || res.Outcome != OutcomeSuppressed || res.Reason != ReasonOptedOut {
		t.Fatalf("urgent after STOP: %+v %v", res, err)
	}
	if n := len(f.twilio.To(night.Phone)); n != 1 {
		t.Fatalf("%d SMS to the patient, want the one urgent before STOP", n)
	}
}
