package activities

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// Onboarding records the patient's YES in an activity that may run after a
// STOP the patient sent later: the YES takes effect when it was received,
// so it cannot resume outreach.
func TestRecordConsentFromAReplyBeforeStopDoesNotResumeOutreach(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	p, err := st.PatientInsert(ctx, uuid.NewString(), carepath.NewPatient{GivenName: "Yes", FamilyName: "Then Stop",
		BirthDate: "1970-01-01", Phone: "+14449990101", Timezone: "UTC", PreferredChannel: "sms", Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	yes, _, _, err := st.MessageInboundInsert(ctx, store.InboundMessage{ID: uuid.NewString(), PatientID: p.ID,
		Channel: carepath.ChannelSMS, Body: "yes", From: p.Phone, To: "+15550009999", Provider: "twilio",
		ProviderMessageID: "SM" + uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	receivedAt, err := st.InboundReceivedAt(ctx, yes)
	if err != nil {
		t.Fatal(err)
	}
	// The STOP, sent after the YES, is applied first.
	if err := st.ConsentAppend(ctx, store.Recipient{PatientID: p.ID}, store.ConsentChange{Channel: carepath.ChannelSMS,
		Purpose: carepath.PurposeAll, Granted: false, Source: "sms:STOP", EffectiveAt: receivedAt.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	a := &Activities{Store: st}
	if err := a.RecordConsent(ctx, RecordConsentRequest{PatientID: p.ID, Channel: carepath.ChannelSMS, Purpose: carepath.PurposeOutreach,
		Granted: true, Source: "journey:onboarding", ReplyMessageID: yes}); err != nil {
		t.Fatal(err)
	}
	if granted, err := st.ConsentGranted(ctx, p.ID, carepath.ChannelSMS, carepath.PurposeOutreach); err != nil || granted {
		t.Fatalf("outreach after a YES recorded late: granted=%v err=%v", granted, err)
	}
	h, err := st.ConsentHistory(ctx, p.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Source != "sms:STOP" || !h[1].EffectiveAt.Equal(receivedAt) {
		t.Fatalf("the YES is not dated by its receipt: %+v", h)
	}
}

// openTestStore opens a store on the package's migrated test database.
func openTestStore(t *testing.T) *store.Store {
	t.Helper()
	testenv.Pool(t) // migrations
	st, err := store.Open(context.Background(), testenv.Get(t).DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}
