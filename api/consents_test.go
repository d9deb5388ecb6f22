package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// current finds one channel/purpose in a Consents response.
func current(t *testing.T, body map[string]any, channel, purpose string) map[string]any {
	t.Helper()
	items, _ := body["current"].([]any)
	for _, it := range items {
		m := it.(map[string]any)
		if m["channel"] == channel && m["purpose"] == purpose {
			return m
		}
	}
	t.Fatalf("no current state for %s/%s in %v", channel, purpose, body)
	return nil
}

func TestConsentAPIRoundTrip(t *testing.T) {
	srv := newServer(t)
	st, p := do(t, srv, "POST", "/v1/patients", adminKey, strings.Replace(goodPatient, "+15551234567", "+15557650001", 1))
	if st != http.StatusCreated {
		t.Fatalf("create patient: %d %v", st, p)
	}
	pid := p["id"].(string)
	base := "/v1/patients/" + pid + "/consents"

	st, got := do(t, srv, "GET", base, adminKey, "")
	if st != http.StatusOK || current(t, got, "sms", "outreach")["granted"] != true {
		t.Fatalf("fresh patient: %d %v", st, got)
	}
	// A paper opt-out of outreach by SMS, dated yesterday.
	yesterday := time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)
	st, got = do(t, srv, "POST", base, adminKey,
		fmt.Sprintf(`{"channel":"sms","purpose":"outreach","granted":false,"source":"paper","reason":"signed form","effective_at":%q}`, yesterday))
	if st != http.StatusCreated || current(t, got, "sms", "outreach")["granted"] != false || current(t, got, "sms", "care")["granted"] != true {
		t.Fatalf("record outreach opt-out: %d %v", st, got)
	}
	// A verbal blanket opt-out, then a blanket grant lifts it.
	for _, body := range []string{`{"channel":"email","purpose":"all","granted":false,"source":"verbal"}`,
		`{"channel":"email","purpose":"all","granted":true,"source":"portal","reason":"re-subscribed"}`} {
		if st, got = do(t, srv, "POST", base, adminKey, body); st != http.StatusCreated {
			t.Fatalf("record %s: %d %v", body, st, got)
		}
	}
	if c := current(t, got, "email", "care"); c["granted"] != true || c["revoked_all"] != false {
		t.Fatalf("blanket grant did not lift blanket revocation: %v", c)
	}
	st, got = do(t, srv, "GET", base, adminKey, "")
	h, _ := got["history"].([]any)
	if st != http.StatusOK || len(h) != 3 {
		t.Fatalf("history: %d %v", st, got)
	}
	newest := h[0].(map[string]any)
	if newest["source"] != "portal" || newest["reason"] != "re-subscribed" || newest["scope"] != "patient" {
		t.Fatalf("newest entry: %v", newest)
	}
	if oldest := h[2].(map[string]any); oldest["source"] != "paper" || !strings.HasPrefix(oldest["effective_at"].(string), yesterday[:10]) {
		t.Fatalf("oldest entry (the paper form, effective yesterday): %v", oldest)
	}

	// A caregiver's own consent: recorded and read on the caregiver, never the patient.
	st, cg := do(t, srv, "POST", "/v1/patients/"+pid+"/caregivers", adminKey,
		`{"given_name":"Rosa","family_name":"L","relationship":"daughter","phone":"+15557650002","authorized_by_patient":true}`)
	if st != http.StatusCreated {
		t.Fatalf("create caregiver: %d %v", st, cg)
	}
	cbase := "/v1/caregivers/" + cg["id"].(string) + "/consents"
	st, got = do(t, srv, "POST", cbase, adminKey, `{"channel":"sms","purpose":"all","granted":false,"source":"phone","reason":"asked us to stop texting"}`)
	if st != http.StatusCreated || current(t, got, "sms", "care")["granted"] != false || got["caregiver_id"] != cg["id"] {
		t.Fatalf("caregiver opt-out: %d %v", st, got)
	}
	if _, pg := do(t, srv, "GET", base, adminKey, ""); current(t, pg, "sms", "care")["granted"] != true {
		t.Fatalf("a caregiver's opt-out changed the patient's consent: %v", pg)
	}
	_, list := do(t, srv, "GET", "/v1/patients/"+pid+"/caregivers", adminKey, "")
	if item := list["items"].([]any)[0].(map[string]any); item["sms_consent"] != false {
		t.Fatalf("caregiver list does not show the caregiver's own consent: %v", item)
	}
	st, got = do(t, srv, "GET", cbase, adminKey, "")
	if h, _ := got["history"].([]any); st != http.StatusOK || len(h) != 1 || h[0].(map[string]any)["scope"] != "caregiver" {
		t.Fatalf("caregiver history: %d %v", st, got)
	}

	// Every read and change is audited under the caller.
	_, audit := do(t, srv, "GET", "/v1/audit?patient_id="+pid, adminKey, "")
	actions := map[string]int{}
	for _, it := range audit["items"].([]any) {
		actions[it.(map[string]any)["action"].(string)]++
	}
	if actions["consent.revoke"] != 2 || actions["consent.grant"] != 1 || actions["consent.read"] < 2 ||
		actions["caregiver.consent.revoke"] != 1 || actions["caregiver.consent.read"] != 1 {
		t.Fatalf("audit trail: %v", actions)
	}
}

func TestConsentAPIRejectsBadInputNamingTheField(t *testing.T) {
	srv := newServer(t)
	st, p := do(t, srv, "POST", "/v1/patients", adminKey, strings.Replace(goodPatient, "+15551234567", "+15557650003", 1))
	if st != http.StatusCreated {
		t.Fatalf("create patient: %d %v", st, p)
	}
	base := "/v1/patients/" + p["id"].(string) + "/consents"
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	for body, field := range map[string]string{
		`{"purpose":"care","granted":true,"source":"verbal"}`:                                                             "channel",
		`{"channel":"fax","purpose":"care","granted":true,"source":"verbal"}`:                                             "channel",
		`{"channel":"sms","purpose":"marketing","granted":true,"source":"verbal"}`:                                        "purpose",
		`{"channel":"sms","purpose":"care","source":"verbal"}`:                                                            "granted",
		`{"channel":"sms","purpose":"care","granted":"yes","source":"verbal"}`:                                            "granted",
		`{"channel":"sms","purpose":"care","granted":true}`:                                                               "source",
		`{"channel":"sms","purpose":"care","granted":true,"source":"sms:START"}`:                                          "source",
		`{"channel":"sms","purpose":"care","granted":true,"source":"verbal","x":1}`:                                       "x",
		`{"channel":"sms","purpose":"care","granted":true,"source":"verbal","reason":"` + strings.Repeat("r", 501) + `"}`: "reason",
		`{"channel":"sms","purpose":"care","granted":true,"source":"verbal","effective_at":"` + future + `"}`:             "effective_at",
		`{"channel":"sms","purpose":"care","granted":true,"source":"verbal","effective_at":"yesterday"}`:                  "effective_at",
	} {
		if st, b := do(t, srv, "POST", base, adminKey, body); st != http.StatusBadRequest || errField(b) != field {
			t.Errorf("%s: %d field %q, want 400 naming %q (%v)", body, st, errField(b), field, b)
		}
	}
	// Caregivers get care messages only: outreach is not theirs to decide.
	if st, b := do(t, srv, "POST", "/v1/caregivers/00000000-0000-4000-8000-000000000000/consents", adminKey,
		`{"channel":"sms","purpose":"outreach","granted":true,"source":"verbal"}`); st != http.StatusBadRequest || errField(b) != "purpose" {
		t.Errorf("caregiver outreach: %d %v", st, b)
	}
	for _, path := range []string{"/v1/patients/00000000-0000-4000-8000-000000000000/consents", "/v1/caregivers/00000000-0000-4000-8000-000000000000/consents", "/v1/caregivers/nope/consents"} {
		if st, _ := do(t, srv, "GET", path, adminKey, ""); st != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, st)
		}
		if st, _ := do(t, srv, "POST", path, adminKey, `{"channel":"sms","purpose":"care","granted":true,"source":"verbal"}`); st != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, st)
		}
	}
}
