package engine

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// outbound stores an outbound SMS the way the outbox leaves it: "sending"
// (its outcome not yet known), or "sent" with a provider ID when sid is set.
func outbound(t *testing.T, patientID, caregiverID, to, sid string) string {
	t.Helper()
	id := uuid.NewString()
	status, providerID := carepath.MessageSending, any(nil)
	if sid != "" {
		status, providerID = carepath.MessageSent, sid
	}
	var caregiver any
	if caregiverID != "" {
		caregiver = caregiverID
	}
	_, err := testenv.Pool(t).Exec(context.Background(), `INSERT INTO messages (id, patient_id, caregiver_id, direction,
		channel, body, to_address, status, provider, provider_message_id) VALUES ($1, $2, $3, 'outbound', 'sms', 'hello', $4, $5, 'twilio', $6)`,
		id, patientID, caregiver, to, status, providerID)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func messageState(t *testing.T, id string) (status, providerID string) {
	t.Helper()
	err := testenv.Pool(t).QueryRow(context.Background(), `SELECT status, coalesce(provider_message_id, '') FROM messages WHERE id = $1`,
		id).Scan(&status, &providerID)
	if err != nil {
		t.Fatal(err)
	}
	return status, providerID
}

func newSID() string { return "SM" + uuid.NewString()[:8] + uuid.NewString()[:8] }

func report(sid, messageID, status string, code int) DeliveryReport {
	return DeliveryReport{Provider: messaging.ProviderTwilio, ProviderMessageID: sid, MessageID: messageID, Status: status,
		ErrorCode: code, EventKey: sid + "/" + status}
}

// A status callback that beats the send's record (no message ID in its URL,
// its SID not yet stored) is kept and applied when the send records the
// SID. Before, its dedupe key was consumed, no row matched, and it was lost.
func TestEarlyStatusCallbackIsKeptAndApplied(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, false)
	pid := newTestPatient(t, e)
	id := outbound(t, pid, "", patientPhone(t, e, pid), "")
	sid := newSID()
	if err := e.RecordDelivery(ctx, report(sid, "", "delivered", 0)); err != nil {
		t.Fatal(err)
	}
	if st, _ := messageState(t, id); st != carepath.MessageSending {
		t.Fatalf("status %s before the send is recorded", st)
	}
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := q.MessageMarkSent(ctx, id, messaging.ProviderTwilio, sid); err != nil {
			return err
		}
		return q.ApplyPendingDeliveryReports(ctx, messaging.ProviderTwilio, sid)
	})
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := messageState(t, id); st != carepath.MessageDelivered {
		t.Fatalf("status %s after the send was recorded, want delivered", st)
	}
	if p, _ := e.Store.PatientGet(ctx, pid); p.PhoneStatus != "valid" {
		t.Fatalf("phone status %s after a delivery", p.PhoneStatus)
	}
}

// The sweep applies kept reports whose send was recorded by a path that
// did not apply them itself.
func TestKeptReportsSweptOnceTheSendIsRecorded(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, false)
	pid := newTestPatient(t, e)
	id := outbound(t, pid, "", patientPhone(t, e, pid), "")
	sid := newSID()
	if err := e.RecordDelivery(ctx, report(sid, "", "delivered", 0)); err != nil {
		t.Fatal(err)
	}
	if err := e.Store.MessageMarkSent(ctx, id, messaging.ProviderTwilio, sid); err != nil {
		t.Fatal(err)
	}
	if err := e.ApplyKeptDeliveryReports(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := messageState(t, id); st != carepath.MessageDelivered {
		t.Fatalf("status %s after the sweep, want delivered", st)
	}
}

// A callback whose URL names carepath's message settles a send whose
// outcome was unknown: the provider has it, so it is recorded as sent with
// the provider's ID (no resend), and the report applies.
func TestCallbackWithMessageIDSettlesUnknownSend(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, false)
	pid := newTestPatient(t, e)
	id := outbound(t, pid, "", patientPhone(t, e, pid), "")
	sid := newSID()
	if err := e.RecordDelivery(ctx, report(sid, id, "sent", 0)); err != nil {
		t.Fatal(err)
	}
	if st, got := messageState(t, id); st != carepath.MessageSent || got != sid {
		t.Fatalf("after the sent callback: %s %s, want sent %s", st, got, sid)
	}
	id2 := outbound(t, pid, "", patientPhone(t, e, pid), "")
	sid2 := newSID()
	if err := e.RecordDelivery(ctx, report(sid2, id2, "delivered", 0)); err != nil {
		t.Fatal(err)
	}
	if st, got := messageState(t, id2); st != carepath.MessageDelivered || got != sid2 {
		t.Fatalf("after a delivered callback first: %s %s, want delivered %s", st, got, sid2)
	}
}

// Callbacks repeated and out of order: the first final status stands, a
// late "sent" changes nothing, and a repeated failure counts once.
func TestCallbacksTwiceAndOutOfOrder(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, false)
	pid := newTestPatient(t, e)
	phone := patientPhone(t, e, pid)
	sid := newSID()
	id := outbound(t, pid, "", phone, sid)
	for _, r := range []DeliveryReport{report(sid, id, "delivered", 0), report(sid, id, "sent", 0),
		report(sid, id, "delivered", 0), report(sid, "", "undelivered", 30003)} {
		if err := e.RecordDelivery(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := messageState(t, id); st != carepath.MessageDelivered {
		t.Fatalf("status %s, want delivered", st)
	}

	// 30003 three times on one message is one unreachable report, not the
	// three that mark a phone invalid.
	sid2 := newSID()
	id2 := outbound(t, pid, "", phone, sid2)
	for range 3 {
		if err := e.RecordDelivery(ctx, report(sid2, id2, "undelivered", 30003)); err != nil {
			t.Fatal(err)
		}
	}
	if p, _ := e.Store.PatientGet(ctx, pid); p.PhoneStatus == "invalid" {
		t.Fatal("one message's repeated failure marked the phone invalid")
	}
}

// A caregiver's delivery failures are the caregiver's: blocked (30004)
// revokes the caregiver's SMS consent, unknown handset (30005) marks the
// caregiver's phone, an email unsubscribe revokes the caregiver's email
// consent; the patient's consent and contact points are untouched. Before,
// caregiver messages were treated as the patient's.
func TestCaregiverDeliveryFailureLeavesPatientUntouched(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, false)
	pid := newTestPatient(t, e)
	cg, err := e.Store.CaregiverInsert(ctx, store.Caregiver{ID: uuid.NewString(), PatientID: pid, GivenName: "Care",
		FamilyName: "Giver", Relationship: "daughter", Phone: "+1444" + newSID()[2:9], Email: "cg-" + uuid.NewString()[:8] + "@example.org",
		PreferredChannel: carepath.ChannelSMS, Locale: "en"}, true)
	if err != nil {
		t.Fatal(err)
	}
	blocked, unknown := newSID(), newSID()
	outbound(t, pid, cg.ID, cg.Phone, blocked)
	outbound(t, pid, cg.ID, cg.Phone, unknown)
	for _, r := range []DeliveryReport{report(blocked, "", "undelivered", 30004), report(unknown, "", "undelivered", 30005)} {
		if err := e.RecordDelivery(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	mail := uuid.NewString()
	if _, err := testenv.Pool(t).Exec(ctx, `INSERT INTO messages (id, patient_id, caregiver_id, direction, channel, body,
		to_address, status, provider, provider_message_id) VALUES ($1, $2, $3, 'outbound', 'email', 'hello', $4, 'sent', 'sendgrid', $5)`,
		mail, pid, cg.ID, cg.Email, "sg-"+mail); err != nil {
		t.Fatal(err)
	}
	if err := e.RecordEmailEvents(ctx, []EmailEvent{{Event: "unsubscribe", MessageID: mail, SGMessageID: "sg-" + mail + ".filter"}}, "req"); err != nil {
		t.Fatal(err)
	}

	for _, ch := range carepath.Channels {
		if ok, err := e.Store.ConsentGranted(ctx, pid, ch, "care"); err != nil || !ok {
			t.Errorf("patient's %s consent after the caregiver's failures: %v %v", ch, ok, err)
		}
		if ok, err := e.Store.CaregiverConsentGranted(ctx, cg.ID, ch); err != nil || ok {
			t.Errorf("caregiver's %s consent after their own opt-out: %v %v", ch, ok, err)
		}
	}
	p, err := e.Store.PatientGet(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	if p.PhoneStatus == "invalid" || p.EmailStatus == "invalid" {
		t.Fatalf("patient's contact points marked by the caregiver's failures: %s %s", p.PhoneStatus, p.EmailStatus)
	}
	var tasks int
	if err := testenv.Pool(t).QueryRow(ctx, `SELECT count(*) FROM tasks WHERE patient_id = $1 AND reason = $2`,
		pid, store.HygieneReason).Scan(&tasks); err != nil {
		t.Fatal(err)
	}
	if tasks != 0 {
		t.Fatalf("%d patient hygiene tasks raised by the caregiver's failures", tasks)
	}
	got, err := e.Store.CaregiverGet(ctx, cg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.PhoneStatus != "invalid" {
		t.Fatalf("caregiver's phone status %s after 30005, want invalid", got.PhoneStatus)
	}
}
