package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

func newCaregiver(t *testing.T, q *store.Queries, patientID, phone, email string) store.Caregiver {
	t.Helper()
	c, err := q.CaregiverInsert(context.Background(), store.Caregiver{ID: uuid.NewString(), PatientID: patientID,
		GivenName: "Grace", FamilyName: "Hopper", Relationship: "daughter", Phone: phone, Email: email,
		PreferredChannel: carepath.ChannelSMS, Locale: "en"}, true)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func consentState(t *testing.T, q *store.Queries, patientID string, channel carepath.Channel, purpose carepath.Purpose) (bool, bool) {
	t.Helper()
	granted, all, err := q.ConsentState(context.Background(), patientID, channel, purpose)
	if err != nil {
		t.Fatal(err)
	}
	return granted, all
}

// A YES the patient sent before STOP, recorded after it (onboarding's
// outreach=true arrives in a later activity), must not resume outreach;
// nor does a purpose grant made after the STOP. Only START lifts it.
func TestEarlierGrantRecordedAfterStopDoesNotLiftIt(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	p := newPatient(t, q, "+15550100001")
	yesAt := time.Now().Add(-time.Minute)
	stopAt := yesAt.Add(30 * time.Second)
	if err := q.ConsentAppend(ctx, store.Recipient{PatientID: p.ID}, store.ConsentChange{Channel: "sms", Purpose: carepath.PurposeAll,
		Granted: false, Source: "sms:STOP", EffectiveAt: stopAt}); err != nil {
		t.Fatal(err)
	}
	if err := q.ConsentAppend(ctx, store.Recipient{PatientID: p.ID}, store.ConsentChange{Channel: "sms", Purpose: "outreach",
		Granted: true, Source: "journey:onboarding", EffectiveAt: yesAt}); err != nil {
		t.Fatal(err)
	}
	if granted, all := consentState(t, q, p.ID, "sms", "outreach"); granted || !all {
		t.Fatalf("YES sent before STOP resumed outreach: granted=%v revokedAll=%v", granted, all)
	}
	// A purpose-level grant after the STOP does not lift a blanket STOP either.
	if err := q.ConsentAppend(ctx, store.Recipient{PatientID: p.ID}, store.ConsentChange{Channel: "sms", Purpose: "outreach",
		Granted: true, Source: "journey:onboarding"}); err != nil {
		t.Fatal(err)
	}
	if granted, _ := consentState(t, q, p.ID, "sms", "outreach"); granted {
		t.Fatal("a purpose-level grant lifted a blanket STOP")
	}
	if err := q.ConsentAppend(ctx, store.Recipient{PatientID: p.ID}, store.ConsentChange{Channel: carepath.ChannelSMS, Purpose: carepath.PurposeAll, Granted: true, Source: "sms:START"}); err != nil {
		t.Fatal(err)
	}
	if granted, all := consentState(t, q, p.ID, "sms", "outreach"); !granted || all {
		t.Fatalf("START did not lift STOP: granted=%v revokedAll=%v", granted, all)
	}
	h, err := q.ConsentHistory(ctx, p.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 4 || h[0].Source != "sms:START" || h[len(h)-1].Source != "journey:onboarding" || h[0].Scope != "patient" {
		t.Fatalf("history not ordered by when the patient acted: %+v", h)
	}
}

func TestPatientsByPhoneHasNoLimit(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	for range 12 {
		newPatient(t, q, "+15550100002")
	}
	ids, err := q.PatientIDsByPhone(ctx, "+15550100002")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 12 {
		t.Fatalf("got %d patients on the shared phone, want 12", len(ids))
	}
}

// A STOP from a number no one uses yet is kept: a patient or caregiver
// created later with it may not be texted until START from that number.
func TestAddressStopHonouredForLaterPatientAndCaregiver(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	const phone = "+15550100003"
	if err := q.AddressConsentAppend(ctx, "sms", phone, store.ConsentChange{Granted: false, Source: "sms:STOP"}); err != nil {
		t.Fatal(err)
	}
	p := newPatient(t, q, phone)
	if granted, all := consentState(t, q, p.ID, "sms", "care"); granted || !all {
		t.Fatalf("a patient created after STOP from their number may be texted: granted=%v revokedAll=%v", granted, all)
	}
	// A verbal grant to the patient does not override the number's STOP.
	if err := q.ConsentAppend(ctx, store.Recipient{PatientID: p.ID}, store.ConsentChange{Channel: carepath.ChannelSMS, Purpose: carepath.PurposeAll, Granted: true, Source: "verbal"}); err != nil {
		t.Fatal(err)
	}
	if granted, _ := consentState(t, q, p.ID, "sms", "care"); granted {
		t.Fatal("a patient-level grant overrode the number's STOP")
	}
	other := newPatient(t, q, "+15550100004")
	cg := newCaregiver(t, q, other.ID, phone, "")
	if cg.SMSConsent {
		t.Fatal("a caregiver created after STOP from their number may be texted")
	}
	if err := q.AddressConsentAppend(ctx, "sms", phone, store.ConsentChange{Granted: true, Source: "sms:START"}); err != nil {
		t.Fatal(err)
	}
	if granted, _ := consentState(t, q, p.ID, "sms", "care"); !granted {
		t.Fatal("START from the number did not lift its STOP")
	}
	if ok, err := q.CaregiverConsentGranted(ctx, cg.ID, "sms"); err != nil || !ok {
		t.Fatalf("caregiver after START: %v %v", ok, err)
	}
}

// Every provider failure on a caregiver's message changes the caregiver,
// never the patient.
func TestCaregiverContactFailuresLeaveThePatientAlone(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		channel carepath.Channel
		f       store.ContactFailure
		times   int
	}{
		{"sms", store.FailureOptedOut, 1},                         // 30004 / 21610
		{"sms", store.FailureInvalid, 1},                          // 30005
		{"sms", store.FailureUnreachable, store.UnreachableLimit}, // 30003 x limit
		{"email", store.FailureOptedOut, 1},                       // unsubscribe / spam report
		{"email", store.FailureInvalid, 1},                        // bounce
	} {
		t.Run(fmt.Sprintf("%s/%s", tc.channel, tc.f), func(t *testing.T) {
			q := store.NewQueries(testenv.Tx(t))
			// The caregiver shares nothing with the patient but the record.
			np := carepath.NewPatient{GivenName: "Ada", FamilyName: "Lovelace", BirthDate: "1970-01-02", Phone: "+15550100005",
				Email: "ada@example.org", Timezone: "America/New_York"}
			if err := np.Validate(); err != nil {
				t.Fatal(err)
			}
			p, err := q.PatientInsert(ctx, uuid.NewString(), np)
			if err != nil {
				t.Fatal(err)
			}
			cg := newCaregiver(t, q, p.ID, "+15550100006", "grace@example.org")
			addr := cg.Phone
			if tc.channel == "email" {
				addr = cg.Email
			}
			for range tc.times {
				if err := q.ContactFailed(ctx, store.Recipient{PatientID: p.ID, CaregiverID: cg.ID}, tc.channel, addr, tc.f, "test"); err != nil {
					t.Fatal(err)
				}
			}
			for _, ch := range carepath.Channels {
				if granted, _ := consentState(t, q, p.ID, ch, "care"); !granted {
					t.Fatalf("caregiver's %s revoked the patient's %s consent", tc.f, ch)
				}
			}
			got, err := q.PatientGet(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.PhoneStatus != "unverified" || got.EmailStatus != "unverified" {
				t.Fatalf("caregiver's %s changed the patient's contact status: %s/%s", tc.f, got.PhoneStatus, got.EmailStatus)
			}
			after, err := q.CaregiverGet(ctx, cg.ID)
			if err != nil {
				t.Fatal(err)
			}
			consent, status := after.SMSConsent, after.PhoneStatus
			if tc.channel == "email" {
				consent, status = after.EmailConsent, after.EmailStatus
			}
			if tc.f == store.FailureOptedOut && consent {
				t.Fatal("caregiver's own consent not revoked")
			}
			if tc.f != store.FailureOptedOut && status != "invalid" {
				t.Fatalf("caregiver's contact point not marked invalid: %s", status)
			}
		})
	}
}
