package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/carepath/carepath"
)

type outcomeJSON struct {
	ResourceType string `json:"resourceType"`
	Issue        []struct {
		Severity    string   `json:"severity"`
		Code        string   `json:"code"`
		Diagnostics string   `json:"diagnostics"`
		Expression  []string `json:"expression"`
	} `json:"issue"`
}

func decodeOutcome(t *testing.T, body json.RawMessage) outcomeJSON {
	t.Helper()
	var o outcomeJSON
	if err := json.Unmarshal(body, &o); err != nil {
		t.Fatalf("outcome is not JSON: %v: %s", err, body)
	}
	if o.ResourceType != "OperationOutcome" || len(o.Issue) == 0 {
		t.Fatalf("not an OperationOutcome with issues: %s", body)
	}
	return o
}

func TestOutcomeCarepathError(t *testing.T) {
	cases := []struct {
		err    error
		status int
		code   string
	}{
		{carepath.Invalid("Patient.birthDate", "must be a date"), 400, "invalid"},
		{carepath.NotFound("Patient"), 404, "not-found"},
		{carepath.Errorf(carepath.ECONFLICT, "already exists"), 409, "conflict"},
		{carepath.Errorf(carepath.EUNAUTHORIZED, "a token is required"), 401, "login"},
		{carepath.Errorf(carepath.EFORBIDDEN, "read only"), 403, "forbidden"},
		{carepath.Errorf(carepath.EUNAVAILABLE, "database down"), 503, "transient"},
		{fmt.Errorf("write patient: %w", carepath.Invalid("Patient.telecom[0].value", "must be an E.164 phone number")), 400, "invalid"},
		{NotSupported(http.StatusNotFound, "resource type Basic is not supported"), 404, "not-supported"},
		{NotSupported(http.StatusMethodNotAllowed, "Task is read-only"), 405, "not-supported"},
		{PreconditionFailed("If-Match", "version 2 is not current"), 412, "conflict"},
	}
	for _, c := range cases {
		status, body := Outcome(c.err)
		o := decodeOutcome(t, body)
		if status != c.status || o.Issue[0].Code != c.code || o.Issue[0].Severity != "error" {
			t.Errorf("%v: got %d %s %s, want %d %s error", c.err, status, o.Issue[0].Code, o.Issue[0].Severity, c.status, c.code)
		}
	}
	_, body := Outcome(carepath.Invalid("Patient.birthDate", "must be a date"))
	o := decodeOutcome(t, body)
	if len(o.Issue[0].Expression) != 1 || o.Issue[0].Expression[0] != "Patient.birthDate" || o.Issue[0].Diagnostics != "must be a date" {
		t.Errorf("field and message not carried: %s", body)
	}
}

func TestOutcomeProblemsOneIssueEach(t *testing.T) {
	ps := carepath.Problems{
		carepath.Invalid("Bundle.entry[0].resource.Patient.birthDate", "must be a date"),
		carepath.Invalid("Bundle.entry[2].resource.Appointment.start", "is required"),
	}
	status, body := Outcome(fmt.Errorf("transaction: %w", ps))
	o := decodeOutcome(t, body)
	if status != 400 || len(o.Issue) != 2 {
		t.Fatalf("got %d with %d issues, want 400 with 2: %s", status, len(o.Issue), body)
	}
	for i, p := range ps {
		if o.Issue[i].Expression[0] != p.Field || o.Issue[i].Code != "invalid" {
			t.Errorf("issue %d: %+v, want expression %s", i, o.Issue[i], p.Field)
		}
	}
}

func TestOutcomeInternalHidesCause(t *testing.T) {
	for _, err := range []error{
		errors.New("pq: duplicate key value violates unique constraint, phone +15551234567"),
		carepath.Errorf(carepath.EINTERNAL, "decrypt Jane Doe"),
		&StatusError{Status: 502, Message: "upstream said Jane Doe"},
		nil,
	} {
		status, body := Outcome(err)
		o := decodeOutcome(t, body)
		if status != 500 || o.Issue[0].Diagnostics != "internal error" || o.Issue[0].Code != "exception" {
			t.Errorf("%v: got %d %s", err, status, body)
		}
		if strings.Contains(string(body), "Jane") || strings.Contains(string(body), "+1555") {
			t.Errorf("cause leaked: %s", body)
		}
	}
}
