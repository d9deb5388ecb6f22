package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// notification is a backport notification Bundle for subscription sub.
func notification(t *testing.T, sub, typ string, event int, resources ...map[string]any) string {
	t.Helper()
	params := []any{
		map[string]any{"name": "subscription", "valueReference": map[string]any{"reference": "Subscription/" + sub}},
		map[string]any{"name": "status", "valueCode": "active"},
		map[string]any{"name": "type", "valueCode": typ},
		map[string]any{"name": "events-since-subscription-start", "valueString": fmt.Sprint(event)},
	}
	if event > 0 {
		params = append(params, map[string]any{"name": "notification-event", "part": []any{
			map[string]any{"name": "event-number", "valueString": fmt.Sprint(event)}}})
	}
	entries := []any{map[string]any{"resource": map[string]any{"resourceType": "Parameters", "parameter": params}}}
	for _, r := range resources {
		entries = append(entries, map[string]any{"fullUrl": "https://ehr.example/fhir/Patient/" + r["id"].(string), "resource": r})
	}
	b, err := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "history", "entry": entries})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func diagnostics(oo map[string]any) string {
	issues, _ := oo["issue"].([]any)
	if len(issues) == 0 {
		return ""
	}
	d, _ := issues[0].(map[string]any)["diagnostics"].(string)
	return d
}

func TestFHIRSubscriptionNotificationEndpoint(t *testing.T) {
	srv := newServer(t)
	const path = "/fhir/R4/subscription-notification"
	const ct = "application/fhir+json"
	sub := "sub-" + uuid.NewString()[:8]
	integrationKey, _ := newKey(t, srv, "integration")
	careKey, _ := newKey(t, srv, "care_team")

	st, oo := fhirDo(t, srv, "POST", path, integrationKey, ct, notification(t, sub, "heartbeat", 0))
	if st != http.StatusOK || oo["resourceType"] != "OperationOutcome" || !strings.Contains(diagnostics(oo), "heartbeat") {
		t.Fatalf("heartbeat: %d %v", st, oo)
	}
	if st, _ := fhirDo(t, srv, "POST", path, careKey, ct, notification(t, sub, "heartbeat", 0)); st != http.StatusForbidden {
		t.Errorf("care_team key: %d, want 403", st)
	}
	if st, _ := fhirDo(t, srv, "POST", path, "", ct, notification(t, sub, "heartbeat", 0)); st != http.StatusUnauthorized {
		t.Errorf("no credentials: %d, want 401", st)
	}
	st, oo = fhirDo(t, srv, "POST", path, integrationKey, ct, `{"resourceType":"Bundle","type":"batch","entry":[]}`)
	if st != http.StatusBadRequest || issueCode(oo) != "invalid" || !strings.Contains(fmt.Sprint(oo["issue"]), "Bundle.type") {
		t.Errorf("not a notification: %d %v", st, oo)
	}

	patient := map[string]any{"resourceType": "Patient", "id": "pt-" + uuid.NewString()[:8],
		"name": []any{map[string]any{"family": "Okafor", "given": []string{"Ngozi"}}}, "birthDate": "1972-08-09",
		"telecom": []any{map[string]any{"system": "phone", "value": fmt.Sprintf("+1555%07d", uuid.New().ID()%10_000_000)}}}
	body := notification(t, sub, "event-notification", 1, patient)

	// A SMART token may write only the types its scopes name.
	c := registerClient(t, srv, newECKey(t), "system/*.*")
	appointmentsOnly, _ := getToken(t, srv, c, "system/Appointment.write")
	if st, oo := fhirDo(t, srv, "POST", path, appointmentsOnly, ct, body); st != http.StatusForbidden {
		t.Errorf("Appointment.write token delivering a Patient: %d %v", st, oo)
	}
	writer, _ := getToken(t, srv, c, "system/*.write")
	st, oo = fhirDo(t, srv, "POST", path, writer, ct, body)
	if st != http.StatusOK || !strings.Contains(diagnostics(oo), "1 applied") {
		t.Fatalf("event: %d %v", st, oo)
	}
	// Delivered again: carepath already has it.
	st, oo = fhirDo(t, srv, "POST", path, writer, ct, body)
	if st != http.StatusOK || !strings.Contains(diagnostics(oo), "already applied") {
		t.Fatalf("re-delivery: %d %v", st, oo)
	}
	if strings.Contains(fmt.Sprint(oo), "Okafor") {
		t.Errorf("the answer carries PHI: %v", oo)
	}
}
