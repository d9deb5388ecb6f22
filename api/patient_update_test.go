package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath/internal/testenv"
)

func TestPatientContactUpdate(t *testing.T) {
	srv := newServer(t)
	careTeam, _ := newKey(t, srv, "care_team")
	phone := fmt.Sprintf("+1555%07d", uuid.New().ID()%10000000)
	st, p := do(t, srv, "POST", "/v1/patients", careTeam, `{"given_name":"Cora","family_name":"Tact","birth_date":"1955-06-07",
		"phone":"`+phone+`","email":"cora@example.org","timezone":"America/Chicago","tags":["cora-panel"]}`)
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, p)
	}
	id := p["id"].(string)
	pool := testenv.Pool(t)
	ctx := context.Background()
	// Deliveries failed: both contact points are marked invalid.
	if _, err := pool.Exec(ctx, `UPDATE patients SET phone_status = 'invalid', email_status = 'invalid', phone_unreachable_count = 3 WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}

	// Bad input names the field and changes nothing.
	for body, field := range map[string]string{
		`{"phone":"555-1234"}`:                   "phone",
		`{"email":"not an address"}`:             "email",
		`{"phone":"","email":""}`:                "phone",
		`{"timezone":"Mars/Base"}`:               "timezone",
		`{"locale":"fr"}`:                        "locale",
		`{"locale":""}`:                          "locale",
		`{"preferred_channel":"fax"}`:            "preferred_channel",
		`{"phone":"","preferred_channel":"sms"}`: "preferred_channel",
		`{"given_name":"  "}`:                    "given_name",
		`{"family_name":""}`:                     "family_name",
		`{"phone":15551234567}`:                  "phone",
		`{"given_name":"Ok","tags":["bad tag"]}`: "tags[0]",
		`{"birth_date":"1970-01-01"}`:            "birth_date",
	} {
		if st, e := do(t, srv, "PATCH", "/v1/patients/"+id, careTeam, body); st != http.StatusBadRequest || errField(e) != field {
			t.Errorf("PATCH %s: %d %q, want 400 naming %s", body, st, errField(e), field)
		}
	}
	var gotPhone, phoneStatus, emailStatus, given string
	var unreachable int
	read := func() {
		t.Helper()
		if err := pool.QueryRow(ctx, `SELECT given_name, coalesce(phone, ''), phone_status, email_status, phone_unreachable_count
			FROM patients WHERE id = $1`, id).Scan(&given, &gotPhone, &phoneStatus, &emailStatus, &unreachable); err != nil {
			t.Fatal(err)
		}
	}
	read()
	if given != "Cora" || gotPhone != phone || phoneStatus != "invalid" {
		t.Fatalf("rejected patches changed the patient: %s %s %s", given, gotPhone, phoneStatus)
	}
	if n := auditCount(t, "patient.contact_change", "patient/"+id+"/phone"); n != 0 {
		t.Fatalf("%d contact changes audited for rejected patches", n)
	}

	// A new phone: its invalid mark and failure count go, the email keeps
	// its own; other fields and the segments stay.
	newPhone := fmt.Sprintf("+1556%07d", uuid.New().ID()%10000000)
	st, got := do(t, srv, "PATCH", "/v1/patients/"+id, careTeam, `{"phone":"`+newPhone+`","given_name":" Corinne ","timezone":"Europe/Madrid","locale":"es"}`)
	if st != http.StatusOK || got["phone"] != newPhone || got["given_name"] != "Corinne" || got["timezone"] != "Europe/Madrid" ||
		got["locale"] != "es" || got["email"] != "cora@example.org" || fmt.Sprint(got["tags"]) != "[cora-panel]" || got["birth_date"] != "1955-06-07" {
		t.Fatalf("patch: %d %v", st, got)
	}
	read()
	if gotPhone != newPhone || phoneStatus != "unverified" || unreachable != 0 || emailStatus != "invalid" {
		t.Fatalf("after the phone change: %s %s unreachable=%d email %s", gotPhone, phoneStatus, unreachable, emailStatus)
	}
	if st, g := do(t, srv, "GET", "/v1/patients/"+id, careTeam, ""); st != http.StatusOK || g["phone"] != newPhone {
		t.Fatalf("get after patch: %d %v", st, g)
	}
	if a, b := auditCount(t, "patient.contact_change", "patient/"+id+"/phone"), auditCount(t, "patient.contact_change", "patient/"+id+"/email"); a != 1 || b != 0 {
		t.Fatalf("contact changes audited: phone %d email %d, want 1 0", a, b)
	}

	// The same email in another case is no change; a new one clears its mark.
	if st, g := do(t, srv, "PATCH", "/v1/patients/"+id, careTeam, `{"email":"CORA@example.org"}`); st != http.StatusOK {
		t.Fatalf("patch email case: %d %v", st, g)
	}
	read()
	if emailStatus != "invalid" {
		t.Fatalf("a case-only email change cleared its mark: %s", emailStatus)
	}
	st, got = do(t, srv, "PATCH", "/v1/patients/"+id, careTeam, `{"email":"cora.new@example.org","preferred_channel":"email","phone":"","conditions":["z99.1"]}`)
	if st != http.StatusOK || got["email"] != "cora.new@example.org" || got["preferred_channel"] != "email" || got["phone"] != nil ||
		fmt.Sprint(got["conditions"]) != "[Z99.1]" || fmt.Sprint(got["tags"]) != "[cora-panel]" {
		t.Fatalf("patch email: %d %v", st, got)
	}
	read()
	if emailStatus != "unverified" || gotPhone != "" {
		t.Fatalf("after the email change: email %s phone %q", emailStatus, gotPhone)
	}
	if a, b := auditCount(t, "patient.contact_change", "patient/"+id+"/phone"), auditCount(t, "patient.contact_change", "patient/"+id+"/email"); a != 2 || b != 1 {
		t.Fatalf("contact changes audited: phone %d email %d, want 2 1", a, b)
	}
	if n := auditCount(t, "patient.update", "patient/"+id); n != 3 {
		t.Fatalf("%d patient.update entries, want 3", n)
	}
	if st, _ := do(t, srv, "PATCH", "/v1/patients/00000000-0000-4000-8000-000000000000", careTeam, `{"phone":"+15550001234"}`); st != http.StatusNotFound {
		t.Fatalf("PATCH unknown patient: %d, want 404", st)
	}
}
