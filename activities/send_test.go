package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/internal/faketwilio"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, testenv.Needs{Postgres: true})) }

// fixture is the send activity wired to the test database, the real
// twilio-go client pointed at a fake Twilio (through a fault injector),
// and the email sandbox. Its outbox timing is short, so unknown outcomes
// settle within seconds.
type fixture struct {
	t      *testing.T
	acts   *Activities
	twilio *faketwilio.Server
	faults *faultProxy // in front of twilio
	store  *store.Store
	offset atomic.Int64 // added to the real clock
}

// testTiming keeps leases short: a provider call is bounded by the
// client's timeout (testClientTimeout) plus the margin.
var testTiming = config.SendTiming{ProviderTimeout: testClientTimeout, LeaseMargin: time.Second,
	SettleDelay: 200 * time.Millisecond, HoldWait: time.Second}

const testClientTimeout = 2 * time.Second

func newFixture(t *testing.T) *fixture {
	t.Helper()
	testenv.Pool(t) // migrations
	st, err := store.Open(context.Background(), testenv.Get(t).DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	tw := faketwilio.New()
	t.Cleanup(tw.Close)
	faults := newFaultProxy(t, tw.URL)
	sms, err := messaging.NewTwilio(messaging.TwilioConfig{AccountSID: "ACtest", AuthToken: "token", From: "+15550000000",
		APIURL: faults.URL, Timeout: testClientTimeout})
	if err != nil {
		t.Fatal(err)
	}
	cat := messaging.NewCatalog()
	cat.MustAdd("t.msg", map[string]messaging.Text{"en": {Subject: "s", Body: "Hello {{.given_name}} #{{.n}}"}})
	cat.MustAdd("t.same", map[string]messaging.Text{"en": {Subject: "s", Body: "Your care team has a new message for you."}})
	f := &fixture{t: t, twilio: tw, faults: faults, store: st}
	f.acts = &Activities{Store: st, SMS: sms, Email: messaging.Sandbox{}, Templates: cat,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Policy: DefaultPolicy, Timing: testTiming,
		StatusCallbackURL: "https://carepath.example/webhooks/twilio/status",
		Now:               func() time.Time { return time.Now().Add(time.Duration(f.offset.Load())) }}
	return f
}

var phoneSeq atomic.Int64

func init() { phoneSeq.Store(time.Now().UnixNano() % 1_000_000 * 10) }

// patient creates a patient whose local hour is now localHour.
func (f *fixture) patient(localHour int, withEmail bool) store.PatientRecord {
	f.t.Helper()
	np := carepath.NewPatient{GivenName: "Pat", FamilyName: "Test", BirthDate: "1970-01-01",
		Phone: fmt.Sprintf("+1444%07d", phoneSeq.Add(1)%10_000_000), Timezone: testenv.ZoneAt(localHour)}
	if withEmail {
		np.Email = fmt.Sprintf("p%d@example.org", phoneSeq.Add(1))
	}
	if err := np.Validate(); err != nil {
		f.t.Fatal(err)
	}
	p, err := f.store.PatientInsert(context.Background(), uuid.NewString(), np)
	if err != nil {
		f.t.Fatal(err)
	}
	rec, err := f.store.PatientGet(context.Background(), p.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return rec
}

func (f *fixture) send(p store.PatientRecord, purpose carepath.Purpose, n int, mut ...func(*SendMessageRequest)) (SendMessageResult, error) {
	req := SendMessageRequest{MessageID: uuid.NewString(), PatientID: p.ID, Template: "t.msg",
		Vars: map[string]string{"n": fmt.Sprint(n)}, Purpose: purpose}
	for _, m := range mut {
		m(&req)
	}
	return f.acts.SendMessage(context.Background(), req)
}

func (f *fixture) tasks(patientID string) []carepath.Task {
	ts, err := f.store.TaskList(context.Background(), store.TaskFilter{PatientID: patientID, Limit: 100})
	if err != nil {
		f.t.Fatal(err)
	}
	return ts
}

func TestQuietHoursDeferThenRelease(t *testing.T) {
	f := newFixture(t)
	p := f.patient(3, false) // 3 a.m. where the patient lives
	req := SendMessageRequest{MessageID: uuid.NewString(), PatientID: p.ID, Template: "t.msg", Purpose: carepath.PurposeCare,
		Vars: map[string]string{"n": "1"}}
	res, err := f.acts.SendMessage(context.Background(), req)
	if err != nil || res.Outcome != OutcomeDeferred || res.Reason != ReasonQuietHours || res.DeferredUntil == nil {
		t.Fatalf("at 3 a.m.: %+v %v", res, err)
	}
	loc, _ := time.LoadLocation(p.Timezone)
	if l := res.DeferredUntil.In(loc); l.Hour() != 8 || l.Minute() != 0 {
		t.Fatalf("deferred until local %s, want 08:00", l)
	}
	if len(f.twilio.Messages()) != 0 {
		t.Fatal("a message went out at night")
	}
	f.offset.Store(int64(time.Until(*res.DeferredUntil) + time.Second)) // the timer fires
	res, err = f.acts.SendMessage(context.Background(), req)
	if err != nil || res.Outcome != OutcomeSent || len(f.twilio.To(p.Phone)) != 1 {
		t.Fatalf("after the window opened: %+v %v (%d sent)", res, err, len(f.twilio.To(p.Phone)))
	}
}

func TestOptedOutIsSuppressedOrFallsBack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	smsOnly, both := f.patient(12, false), f.patient(12, true)
	for _, p := range []store.PatientRecord{smsOnly, both} {
		if err := f.store.ConsentAppend(ctx, store.Recipient{PatientID: p.ID}, store.ConsentChange{Channel: carepath.ChannelSMS, Purpose: carepath.PurposeAll, Granted: false, Source: "sms:STOP"}); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := f.send(smsOnly, carepath.PurposeCare, 1); err != nil || res.Outcome != OutcomeSuppressed || res.Reason != ReasonOptedOut {
		t.Fatalf("sms-only patient after STOP: %+v %v", res, err)
	}
	if res, err := f.send(both, carepath.PurposeCare, 1); err != nil || res.Outcome != OutcomeSent || res.Channel != "email" {
		t.Fatalf("patient with email after SMS STOP: %+v %v", res, err)
	}
	if res, err := f.send(both, carepath.PurposeCare, 1, func(r *SendMessageRequest) { r.NoFallback = true }); err != nil || res.Outcome != OutcomeSuppressed {
		t.Fatalf("no fallback allowed: %+v %v", res, err)
	}
	if n := len(f.twilio.To(smsOnly.Phone)) + len(f.twilio.To(both.Phone)); n != 0 {
		t.Fatalf("%d SMS sent after STOP", n)
	}
	// The suppressed message is on the timeline with its reason.
	msgs, err := f.store.MessagesByPatient(ctx, smsOnly.ID, 10)
	if err != nil || len(msgs) != 1 || msgs[0].Status != "suppressed" || msgs[0].StatusReason != ReasonOptedOut {
		t.Fatalf("timeline: %+v %v", msgs, err)
	}
	// START restores it.
	if err := f.store.ConsentAppend(ctx, store.Recipient{PatientID: smsOnly.ID}, store.ConsentChange{Channel: carepath.ChannelSMS, Purpose: carepath.PurposeAll, Granted: true, Source: "sms:START"}); err != nil {
		t.Fatal(err)
	}
	if res, err := f.send(smsOnly, carepath.PurposeCare, 2); err != nil || res.Outcome != OutcomeSent {
		t.Fatalf("after START: %+v %v", res, err)
	}
}

func TestOutreachCapAcrossConcurrentJourneys(t *testing.T) {
	f := newFixture(t)
	p := f.patient(12, false)
	var wg sync.WaitGroup
	results := make([]SendMessageResult, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = f.send(p, carepath.PurposeOutreach, i)
		}()
	}
	wg.Wait()
	sent, deferred := 0, 0
	for i, r := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		switch r.Outcome {
		case OutcomeSent:
			sent++
		case OutcomeDeferred:
			deferred++
			loc, _ := time.LoadLocation(p.Timezone)
			if l := r.DeferredUntil.In(loc); l.Hour() != 8 || !l.After(time.Now()) || r.Reason != ReasonCapped {
				t.Errorf("capped message deferred to %s (%s)", l, r.Reason)
			}
		}
	}
	if sent != 1 || deferred != 1 {
		t.Fatalf("two journeys' outreach on one day: %d sent, %d deferred; want 1 and 1", sent, deferred)
	}
	if r, err := f.send(p, carepath.PurposeOutreach, 3, func(r *SendMessageRequest) { r.OnCap = OnCapSuppress }); err != nil || r.Outcome != OutcomeSuppressed || r.Reason != ReasonCapped {
		t.Fatalf("suppress on cap: %+v %v", r, err)
	}
	// Care messages are not capped.
	if r, err := f.send(p, carepath.PurposeCare, 4); err != nil || r.Outcome != OutcomeSent {
		t.Fatalf("care message after the cap: %+v %v", r, err)
	}
}

func TestInvalidNumberFallsBackWithOneHygieneTask(t *testing.T) {
	f := newFixture(t)
	p := f.patient(12, true)
	var calls atomic.Int32
	f.twilio.Fail = func(m faketwilio.Message) (int, int) {
		if m.To == p.Phone {
			calls.Add(1)
			return http.StatusBadRequest, 21211
		}
		return 0, 0
	}
	for i := range 2 {
		res, err := f.send(p, carepath.PurposeCare, i)
		if err != nil || res.Outcome != OutcomeSent || res.Channel != "email" {
			t.Fatalf("message %d: %+v %v", i, res, err)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("the invalid number was tried %d times; once is enough", calls.Load())
	}
	rec, _ := f.store.PatientGet(context.Background(), p.ID)
	if rec.PhoneStatus != "invalid" {
		t.Fatalf("phone status %s", rec.PhoneStatus)
	}
	hygiene := 0
	for _, tk := range f.tasks(p.ID) {
		if tk.Reason == store.HygieneReason {
			hygiene++
		}
	}
	if hygiene != 1 {
		t.Fatalf("%d hygiene tasks, want one per contact point", hygiene)
	}
	report, err := f.store.ContactHygieneReport(context.Background(), 500)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range report {
		found = found || (r.PatientID == p.ID && r.PhoneStatus == "invalid")
	}
	if !found {
		t.Fatal("patient missing from the contact hygiene report")
	}
}

func TestTwilio21610RevokesSMSConsent(t *testing.T) {
	f := newFixture(t)
	p := f.patient(12, false)
	var calls atomic.Int32
	f.twilio.Fail = func(m faketwilio.Message) (int, int) {
		calls.Add(1)
		return http.StatusBadRequest, 21610
	}
	if res, err := f.send(p, carepath.PurposeCare, 1); err != nil || res.Outcome != OutcomeSuppressed || res.Reason != ReasonOptedOut {
		t.Fatalf("21610: %+v %v", res, err)
	}
	if res, err := f.send(p, carepath.PurposeCare, 2); err != nil || res.Outcome != OutcomeSuppressed {
		t.Fatalf("after 21610: %+v %v", res, err)
	}
	if calls.Load() != 1 {
		t.Fatalf("Twilio called %d times after it reported an opt-out", calls.Load())
	}
}

func TestRateLimitedSendRetries(t *testing.T) {
	f := newFixture(t)
	p := f.patient(12, false)
	var refusals atomic.Int32
	f.twilio.Fail = func(faketwilio.Message) (int, int) {
		if refusals.Add(1) <= 3 {
			return http.StatusTooManyRequests, 20429
		}
		return 0, 0
	}
	var res SendMessageResult
	req := SendMessageRequest{MessageID: uuid.NewString(), PatientID: p.ID, Template: "t.msg", Purpose: carepath.PurposeCare,
		Vars: map[string]string{"n": "1"}}
	attempts := 0
	for {
		attempts++
		var err error
		if res, err = f.acts.SendMessage(context.Background(), req); err == nil {
			break
		}
		var perr *messaging.Error
		if !errors.As(err, &perr) || !perr.Retryable() || attempts > 10 {
			t.Fatalf("attempt %d: %v", attempts, err)
		}
	}
	if res.Outcome != OutcomeSent || attempts != 4 || len(f.twilio.To(p.Phone)) != 1 {
		t.Fatalf("after a 429 storm: %+v, %d attempts, %d delivered", res, attempts, len(f.twilio.To(p.Phone)))
	}
}

func TestLessOftenLowersThePatientsWeeklyCap(t *testing.T) {
	f := newFixture(t)
	normal, less := f.patient(12, false), f.patient(12, false)
	if err := f.store.PatientLessOften(context.Background(), less.ID); err != nil {
		t.Fatal(err)
	}
	for _, p := range []store.PatientRecord{normal, less} {
		if r, err := f.send(p, carepath.PurposeOutreach, 1); err != nil || r.Outcome != OutcomeSent {
			t.Fatalf("first outreach: %+v %v", r, err)
		}
	}
	f.offset.Store(int64(48 * time.Hour)) // two days later, same hour
	if r, err := f.send(normal, carepath.PurposeOutreach, 2); err != nil || r.Outcome != OutcomeSent {
		t.Fatalf("second outreach within the default 3 a week: %+v %v", r, err)
	}
	r, err := f.send(less, carepath.PurposeOutreach, 2)
	if err != nil || r.Outcome != OutcomeDeferred || r.Reason != ReasonCapped || time.Until(*r.DeferredUntil) < 4*24*time.Hour {
		t.Fatalf("second outreach for a patient who asked for less: %+v %v", r, err)
	}
}

func TestNotifyCaregiversOnlyAuthorisedOnTheirOwnTerms(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.acts.Templates.MustAdd("t.cg", map[string]messaging.Text{"en": {Body: "{{.caregiver_name}}: about {{.given_name}}"},
		"es": {Body: "{{.caregiver_name}}: sobre {{.given_name}}"}})
	p := f.patient(12, false)
	add := func(name, phone, email string, channel carepath.Channel, locale string, authorized bool) store.Caregiver {
		c, err := f.store.CaregiverInsert(ctx, store.Caregiver{ID: uuid.NewString(), PatientID: p.ID, GivenName: name,
			FamilyName: "X", Relationship: "daughter", Phone: phone, Email: email, PreferredChannel: channel, Locale: locale}, authorized)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	smsCG := add("Rosa", "+15557770001", "", "sms", "es", true)
	add("Nobody", "+15557770002", "", "sms", "en", false) // not authorised by the patient
	emailCG := add("Eli", "+15557770003", "eli@example.org", "sms", "en", true)
	if err := f.store.ConsentAppend(ctx, store.Recipient{PatientID: p.ID, CaregiverID: emailCG.ID},
		store.ConsentChange{Channel: "sms", Purpose: carepath.PurposeAll, Granted: false, Source: "sms:STOP"}); err != nil {
		t.Fatal(err)
	}
	req := NotifyCaregiversRequest{PatientID: p.ID, Template: "t.cg", MessageIDBase: uuid.NewString()}
	for range 2 { // a retry notifies nobody twice
		res, err := f.acts.NotifyCaregivers(ctx, req)
		if err != nil || res.Notified != 2 || res.Skipped != 1 {
			t.Fatalf("notify: %+v %v", res, err)
		}
	}
	if got := f.twilio.To(smsCG.Phone); len(got) != 1 || got[0].Body != "Rosa: sobre Pat" {
		t.Fatalf("caregiver SMS (in her language): %+v", got)
	}
	if n := len(f.twilio.To("+15557770002")) + len(f.twilio.To(emailCG.Phone)); n != 0 {
		t.Fatalf("%d SMS to caregivers who may not get them", n)
	}
	// A caregiver's opt-out at the provider says nothing about the patient.
	f.twilio.Fail = func(m faketwilio.Message) (int, int) { return http.StatusBadRequest, 21610 }
	res, err := f.acts.NotifyCaregivers(ctx, NotifyCaregiversRequest{PatientID: p.ID, Template: "t.cg", MessageIDBase: uuid.NewString()})
	if err != nil || res.Notified != 1 {
		t.Fatalf("after a caregiver opt-out: %+v %v", res, err)
	}
	if granted, err := f.store.ConsentGranted(ctx, p.ID, "sms", "care"); err != nil || !granted {
		t.Fatalf("the patient's consent changed because of a caregiver: %v %v", granted, err)
	}
}

func TestNotifyCaregiversWaitsForTheWindow(t *testing.T) {
	f := newFixture(t)
	p := f.patient(2, false)
	res, err := f.acts.NotifyCaregivers(context.Background(), NotifyCaregiversRequest{PatientID: p.ID, Template: "t.msg", MessageIDBase: uuid.NewString()})
	if err != nil || res.DeferredUntil == nil || res.Notified != 0 {
		t.Fatalf("at 2 a.m.: %+v %v", res, err)
	}
}
