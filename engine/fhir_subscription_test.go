package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/carepath/carepath"
)

// backport builds an R4 backport notification Bundle (history, first entry
// a Parameters SubscriptionStatus); events are (number, focus) pairs.
func backport(t *testing.T, typ string, since int64, events [][2]string, entries ...map[string]any) []byte {
	t.Helper()
	params := []any{
		map[string]any{"name": "subscription", "valueReference": map[string]any{"reference": "https://ehr.example/fhir/Subscription/sub-1"}},
		map[string]any{"name": "topic", "valueCanonical": "http://example.org/topics/appointment-change"},
		map[string]any{"name": "status", "valueCode": "active"},
		map[string]any{"name": "type", "valueCode": typ},
		map[string]any{"name": "events-since-subscription-start", "valueString": fmt.Sprint(since)},
	}
	for _, ev := range events {
		parts := []any{
			map[string]any{"name": "event-number", "valueString": ev[0]},
			map[string]any{"name": "timestamp", "valueInstant": time.Now().UTC().Format(time.RFC3339)},
		}
		if ev[1] != "" {
			parts = append(parts, map[string]any{"name": "focus", "valueReference": map[string]any{"reference": ev[1]}})
		}
		params = append(params, map[string]any{"name": "notification-event", "part": parts})
	}
	entry := []any{map[string]any{"fullUrl": "urn:uuid:5a8c1e2e-0000-4000-8000-000000000001",
		"resource": map[string]any{"resourceType": "Parameters",
			"meta":      map[string]any{"profile": []string{"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4"}},
			"parameter": params}}}
	for _, en := range entries {
		entry = append(entry, en)
	}
	b, err := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "history", "timestamp": time.Now().UTC().Format(time.RFC3339), "entry": entry})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func notify(t *testing.T, e *Engine, body []byte) SubscriptionResult {
	t.Helper()
	n, err := ParseSubscriptionNotification(body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	res, err := e.FHIRSubscriptionNotify(context.Background(), testActor, n)
	if err != nil {
		t.Fatalf("notify: %v", err)
	}
	return res
}

func subPatient(id string) map[string]any {
	return map[string]any{"resourceType": "Patient", "id": id,
		"meta":      map[string]any{"versionId": "1", "lastUpdated": "2026-11-30T10:00:00Z"},
		"name":      []any{map[string]any{"family": "Rivera", "given": []string{"Ana"}}},
		"birthDate": "1961-04-05",
		"telecom":   []any{map[string]any{"system": "phone", "value": fmt.Sprintf("+1444%07d", phoneSeq.Add(1)%10_000_000), "use": "mobile"}},
	}
}

func subAppointment(id, patientID, status string, version int, start time.Time) map[string]any {
	return map[string]any{"resourceType": "Appointment", "id": id,
		"meta":   map[string]any{"versionId": fmt.Sprint(version), "lastUpdated": time.Date(2026, 11, 30, 10, version, 0, 0, time.UTC).Format(time.RFC3339)},
		"status": status, "start": start.UTC().Format(time.RFC3339), "end": start.Add(30 * time.Minute).UTC().Format(time.RFC3339),
		"participant": []any{map[string]any{"actor": map[string]any{"reference": "Patient/" + patientID}, "status": "needs-action"}},
	}
}

func full(res map[string]any) map[string]any {
	return map[string]any{"fullUrl": "https://ehr.example/fhir/" + res["resourceType"].(string) + "/" + res["id"].(string), "resource": res}
}

func (r *ehrRig) appointmentStatus(t *testing.T, fhirID string) string {
	t.Helper()
	var s string
	if err := r.e.Store.Pool.QueryRow(context.Background(), `SELECT status FROM appointments WHERE fhir_id = $1`, fhirID).Scan(&s); err != nil {
		t.Fatalf("appointment %s: %v", fhirID, err)
	}
	return s
}

func TestSubscriptionHeartbeatAndGaps(t *testing.T) {
	r := newEHRRig(t)
	if res := notify(t, r.e, backport(t, NotifyHandshake, 0, nil)); res.Gaps != 0 || res.Type != NotifyHandshake {
		t.Fatalf("handshake %+v", res)
	}
	if res := notify(t, r.e, backport(t, NotifyHeartbeat, 0, nil)); res.Gaps != 0 {
		t.Fatalf("heartbeat %+v", res)
	}
	s, err := r.e.Store.FHIRSubscriptionGet(context.Background(), "https://ehr.example/fhir/Subscription/sub-1")
	if err != nil || s.LastHeartbeatAt == nil || s.Status != "active" {
		t.Fatalf("subscription %+v %v", s, err)
	}
	// A heartbeat saying 2 events happened that never arrived: 2 missing, counted once.
	if res := notify(t, r.e, backport(t, NotifyHeartbeat, 2, nil)); res.Gaps != 2 {
		t.Fatalf("heartbeat after 2 lost events: %+v", res)
	}
	if res := notify(t, r.e, backport(t, NotifyHeartbeat, 2, nil)); res.Gaps != 0 {
		t.Fatalf("the same gap was counted again: %+v", res)
	}
}

func TestSubscriptionFullResourceOnceOnly(t *testing.T) {
	r := newEHRRig(t)
	pt, ap := fhirID("pt"), fhirID("ap")
	start := time.Now().Add(30 * time.Hour).Truncate(time.Minute)
	body := backport(t, NotifyEvent, 1, [][2]string{{"1", "Appointment/" + ap}},
		full(subPatient(pt)), full(subAppointment(ap, pt, "booked", 1, start)))
	res := notify(t, r.e, body)
	fmt.Printf("full-resource notification: %+v\n", res)
	if res.Applied != 2 || res.Duplicate {
		t.Fatalf("first delivery %+v, want Patient and Appointment applied", res)
	}
	if s := r.appointmentStatus(t, ap); s != "booked" {
		t.Fatalf("appointment status %q", s)
	}
	if _, err := r.e.Store.FHIRPatientOf(context.Background(), pt); err != nil {
		t.Fatalf("patient: %v", err)
	}
	var events int
	if err := r.e.Store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	// The same notification again: nothing is processed.
	again := notify(t, r.e, body)
	if !again.Duplicate || again.Applied+again.Unchanged+again.Stale != 0 {
		t.Fatalf("re-delivery %+v, want a duplicate with nothing processed", again)
	}
	var events2 int
	if err := r.e.Store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events`).Scan(&events2); err != nil {
		t.Fatal(err)
	}
	if events2 != events {
		t.Fatalf("events %d after re-delivery, %d before", events2, events)
	}
}

func TestSubscriptionIDOnlyReadsFromTheEHR(t *testing.T) {
	r := newEHRRig(t)
	pt, ap := fhirID("pt"), fhirID("ap")
	start := time.Now().Add(50 * time.Hour).Truncate(time.Minute)
	for _, res := range []map[string]any{subPatient(pt), subAppointment(ap, pt, "booked", 1, start)} {
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.ehr.Seed(b); err != nil {
			t.Fatal(err)
		}
	}
	// R4B form: a SubscriptionStatus resource; id-only entries carry only fullUrl.
	body, err := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "subscription-notification", "entry": []any{
		map[string]any{"resource": map[string]any{"resourceType": "SubscriptionStatus", "status": "active", "type": "event-notification",
			"eventsSinceSubscriptionStart": "1",
			"notificationEvent": []any{
				map[string]any{"eventNumber": "1", "focus": map[string]any{"reference": r.ehr.FHIRBase() + "/Patient/" + pt}},
				map[string]any{"eventNumber": "2", "focus": map[string]any{"reference": "Appointment/" + ap}},
			},
			"subscription": map[string]any{"reference": "Subscription/sub-2"}, "topic": "http://example.org/topics/appointments"}},
		map[string]any{"fullUrl": r.ehr.FHIRBase() + "/Patient/" + pt},
		map[string]any{"fullUrl": r.ehr.FHIRBase() + "/Appointment/" + ap},
	}})
	if err != nil {
		t.Fatal(err)
	}
	res := notify(t, r.e, body)
	if res.Applied != 2 {
		t.Fatalf("id-only %+v, want both read and applied", res)
	}
	if s := r.appointmentStatus(t, ap); s != "booked" {
		t.Fatalf("appointment status %q", s)
	}
	gets := 0
	for _, q := range r.ehr.Requests() {
		if q.Method == http.MethodGet && q.Status == http.StatusOK {
			gets++
		}
	}
	if gets != 2 {
		t.Fatalf("GETs at the EHR: %d, want 2", gets)
	}

	// A focus on another server is refused: carepath's token is the EHR's.
	n, err := ParseSubscriptionNotification(backport(t, NotifyEvent, 3, [][2]string{{"3", "https://elsewhere.example/fhir/Patient/" + pt}}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.e.FHIRSubscriptionNotify(context.Background(), testActor, n); carepath.ErrorCode(err) != carepath.EINVALID {
		t.Fatalf("foreign focus: %v, want invalid", err)
	}
}

func TestSubscriptionOutOfOrderKeepsTheNewer(t *testing.T) {
	r := newEHRRig(t)
	pt, ap := fhirID("pt"), fhirID("ap")
	start := time.Now().Add(72 * time.Hour).Truncate(time.Minute)
	if res := notify(t, r.e, backport(t, NotifyEvent, 1, [][2]string{{"1", "Patient/" + pt}}, full(subPatient(pt)))); res.Applied != 1 {
		t.Fatalf("patient %+v", res)
	}
	// Event 3 (the appointment cancelled, version 3) arrives before event 2 (booked, version 2).
	newer := notify(t, r.e, backport(t, NotifyEvent, 3, [][2]string{{"3", "Appointment/" + ap}}, full(subAppointment(ap, pt, "cancelled", 3, start))))
	if newer.Applied != 1 || newer.Gaps != 1 {
		t.Fatalf("event 3 %+v, want applied with event 2 missing", newer)
	}
	older := notify(t, r.e, backport(t, NotifyEvent, 3, [][2]string{{"2", "Appointment/" + ap}}, full(subAppointment(ap, pt, "booked", 2, start))))
	fmt.Printf("out of order: newer %+v, older %+v\n", newer, older)
	if older.Stale != 1 || older.Applied != 0 || older.Duplicate || older.Gaps != 0 {
		t.Fatalf("late event 2 %+v, want its older Appointment stale", older)
	}
	if s := r.appointmentStatus(t, ap); s != "cancelled" {
		t.Fatalf("appointment %q after the older version arrived, want cancelled", s)
	}
	s, err := r.e.Store.FHIRSubscriptionGet(context.Background(), "https://ehr.example/fhir/Subscription/sub-1")
	if err != nil || s.LastEventNumber != 3 || s.Gaps != 1 {
		t.Fatalf("subscription %+v %v, want highest 3, one gap", s, err)
	}
}

func TestParseSubscriptionNotificationErrors(t *testing.T) {
	for _, c := range []struct{ body, field string }{
		{`{"resourceType":"Patient"}`, "Bundle.resourceType"},
		{`{"resourceType":"Bundle","type":"transaction","entry":[]}`, "Bundle.type"},
		{`{"resourceType":"Bundle","type":"history","entry":[]}`, "Bundle.entry[0].resource"},
		{`{"resourceType":"Bundle","type":"history","entry":[{"resource":{"resourceType":"Parameters","parameter":[{"name":"type","valueCode":"event-notification"}]}}]}`, "Bundle.entry[0].resource.subscription"},
		{`{"resourceType":"Bundle","type":"history","entry":[{"resource":{"resourceType":"Parameters","parameter":[{"name":"subscription","valueReference":{"reference":"Subscription/1"}},{"name":"type","valueCode":"party"}]}}]}`, "Bundle.entry[0].resource.type"},
	} {
		_, err := ParseSubscriptionNotification([]byte(c.body))
		var ce *carepath.Error
		if !errors.As(err, &ce) || ce.Code != carepath.EINVALID || ce.Field != c.field {
			t.Errorf("%s: %v, want invalid %s", c.body, err, c.field)
		}
	}
}
