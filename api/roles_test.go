package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/api"
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// allowed is the intended role table: the roles (besides admin) each /v1
// route admits. Every served /v1 route must appear here.
var allowed = map[string][]carepath.Role{
	"GET /v1/journeys":                       {carepath.RoleCareTeam},
	"POST /v1/patients":                      {carepath.RoleCareTeam},
	"GET /v1/patients":                       {carepath.RoleCareTeam},
	"GET /v1/patients/{id}":                  {carepath.RoleCareTeam},
	"PATCH /v1/patients/{id}":                {carepath.RoleCareTeam},
	"GET /v1/patients/{id}/messages":         {carepath.RoleCareTeam},
	"POST /v1/patients/{id}/messages":        {carepath.RoleCareTeam},
	"GET /v1/patients/{id}/timeline":         {carepath.RoleCareTeam},
	"GET /v1/patients/{id}/observations":     {carepath.RoleCareTeam},
	"GET /v1/messages/{id}":                  {carepath.RoleCareTeam},
	"POST /v1/patients/{id}/enrollments":     {carepath.RoleCareTeam},
	"GET /v1/patients/{id}/enrollments":      {carepath.RoleCareTeam},
	"GET /v1/enrollments/{id}":               {carepath.RoleCareTeam},
	"POST /v1/enrollments/{id}/cancel":       {carepath.RoleCareTeam},
	"POST /v1/patients/{id}/caregivers":      {carepath.RoleCareTeam},
	"GET /v1/patients/{id}/caregivers":       {carepath.RoleCareTeam},
	"POST /v1/caregivers/{id}/authorization": {carepath.RoleCareTeam},
	"GET /v1/patients/{id}/consents":         {carepath.RoleCareTeam},
	"POST /v1/patients/{id}/consents":        {carepath.RoleCareTeam},
	"GET /v1/caregivers/{id}/consents":       {carepath.RoleCareTeam},
	"POST /v1/caregivers/{id}/consents":      {carepath.RoleCareTeam},
	"POST /v1/enrollments/batch":             {carepath.RoleCareTeam},
	"GET /v1/enrollments/batch/{job}":        {carepath.RoleCareTeam},
	"GET /v1/tasks":                          {carepath.RoleCareTeam},
	"POST /v1/tasks/{id}/acknowledge":        {carepath.RoleCareTeam},
	"POST /v1/tasks/{id}/resolve":            {carepath.RoleCareTeam},
	"POST /v1/tasks/{id}/assign":             {carepath.RoleCareTeam},
	"GET /v1/reports/engagement":             {carepath.RoleCareTeam},
	"GET /v1/reports/contact-hygiene":        {carepath.RoleCareTeam},
	"POST /v1/events":                        {carepath.RoleIntegration},
	"POST /v1/patients/{id}/observations":    {carepath.RoleIntegration},
	"POST /v1/api-keys":                      {},
	"GET /v1/api-keys":                       {},
	"POST /v1/api-keys/{id}/revoke":          {},
	"GET /v1/audit":                          {},
	"POST /v1/fhir-clients":                  {},
	"GET /v1/fhir-clients":                   {},
	"POST /v1/fhir-clients/{id}/revoke":      {},
	"POST /v1/staff":                         {},
	"GET /v1/staff":                          {carepath.RoleCareTeam},
	"GET /v1/staff/{id}":                     {carepath.RoleCareTeam},
	"PATCH /v1/staff/{id}":                   {},
	"DELETE /v1/staff/{id}":                  {},
	"GET /v1/oncall":                         {carepath.RoleCareTeam},
	"PUT /v1/oncall":                         {},
	"GET /v1/oncall/now":                     {carepath.RoleCareTeam},
	"GET /v1/tasks/{id}":                     {carepath.RoleCareTeam},
	"GET /v1/sessions/current":               {carepath.RoleCareTeam, carepath.RoleIntegration, carepath.RoleReadOnly},
	"DELETE /v1/sessions/current":            {carepath.RoleCareTeam, carepath.RoleIntegration, carepath.RoleReadOnly},
	"POST /v1/users":                         {},
	"GET /v1/users":                          {},
	"PATCH /v1/users/{id}":                   {},
	"DELETE /v1/users/{id}/totp":             {},
	"GET /v1/users/me/totp":                  {carepath.RoleCareTeam, carepath.RoleIntegration, carepath.RoleReadOnly},
	"POST /v1/users/me/totp":                 {carepath.RoleCareTeam, carepath.RoleIntegration, carepath.RoleReadOnly},
	"DELETE /v1/users/me/totp":               {carepath.RoleCareTeam, carepath.RoleIntegration, carepath.RoleReadOnly},
	"POST /v1/users/me/totp/confirm":         {carepath.RoleCareTeam, carepath.RoleIntegration, carepath.RoleReadOnly},
}

// public lists the /v1 routes that take no caller (signing in).
var public = map[string]bool{"POST /v1/sessions": true, "POST /v1/sessions/totp": true, "GET /v1/sessions/methods": true,
	"GET /v1/sessions/oidc/start": true, "GET /v1/sessions/oidc/callback": true}

func TestRoleMatrix(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	st, err := store.Open(ctx, testenv.Get(t).DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys := map[carepath.Role]string{carepath.RoleAdmin: adminKey}
	for _, role := range []carepath.Role{carepath.RoleCareTeam, carepath.RoleIntegration} {
		secret, err := store.NewAPIKeySecret()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.APIKeyInsert(ctx, "matrix "+string(role), role, secret); err != nil {
			t.Fatal(err)
		}
		keys[role] = secret
	}
	routes := api.New(&engine.Engine{}, api.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil))).Routes()
	seen := 0
	for _, r := range routes {
		method, path, _ := strings.Cut(r, " ")
		if !strings.HasPrefix(path, "/v1/") {
			continue
		}
		if public[r] {
			continue
		}
		want, ok := allowed[r]
		if !ok {
			t.Errorf("route %s has no entry in the role table", r)
			continue
		}
		seen++
		concrete := strings.ReplaceAll(strings.ReplaceAll(path, "{id}", "00000000-0000-4000-8000-000000000000"), "{job}", "00000000-0000-4000-8000-000000000000")
		if st, _ := do(t, srv, method, concrete, "", "{}"); st != http.StatusUnauthorized {
			t.Errorf("%s without a key: %d, want 401", r, st)
		}
		for role, key := range keys {
			st, body := do(t, srv, method, concrete, key, "{}")
			admitted := role == carepath.RoleAdmin
			for _, w := range want {
				admitted = admitted || w == role
			}
			switch {
			case admitted && (st == http.StatusUnauthorized || st == http.StatusForbidden):
				t.Errorf("%s as %s: %d, want admitted", r, role, st)
			case !admitted && st != http.StatusForbidden:
				t.Errorf("%s as %s: %d, want 403", r, role, st)
			case st >= 500:
				t.Errorf("%s as %s: %d %v", r, role, st, body)
			}
			if e, ok := body["error"].(map[string]any); ok && strings.Contains(strings.ToLower(e["message"].(string)), "sql") {
				t.Errorf("%s as %s: error echoes internals: %v", r, role, e)
			}
		}
	}
	if seen != len(allowed) {
		t.Errorf("role table lists %d routes, %d are served", len(allowed), seen)
	}
}

func TestAPIKeysLifecycleAndAudit(t *testing.T) {
	srv := newServer(t)
	st, body := do(t, srv, "POST", "/v1/api-keys", adminKey, `{"name":"front desk","role":"care_team"}`)
	if st != http.StatusCreated || !strings.HasPrefix(body["key"].(string), "cp_") {
		t.Fatalf("create key: %d %v", st, body)
	}
	secret, id := body["key"].(string), body["id"].(string)
	if st, _ := do(t, srv, "POST", "/v1/api-keys", adminKey, `{"name":"x","role":"root"}`); st != http.StatusBadRequest {
		t.Fatalf("bad role: %d", st)
	}
	_, list := do(t, srv, "GET", "/v1/api-keys", adminKey, "")
	for _, it := range list["items"].([]any) {
		for k, v := range it.(map[string]any) {
			if s, ok := v.(string); ok && s == secret {
				t.Fatalf("key listing shows the secret in %q", k)
			}
		}
	}
	st, p := do(t, srv, "POST", "/v1/patients", secret, strings.Replace(goodPatient, "+15551234567", "+15551234599", 1))
	if st != http.StatusCreated {
		t.Fatalf("care_team creates patient: %d %v", st, p)
	}
	pid := p["id"].(string)
	if st, _ := do(t, srv, "GET", "/v1/patients/"+pid, secret, ""); st != http.StatusOK {
		t.Fatalf("read patient: %d", st)
	}
	if st, _ := do(t, srv, "GET", "/v1/audit", secret, ""); st != http.StatusForbidden {
		t.Fatalf("care_team reads audit: %d, want 403", st)
	}
	if st, _ := do(t, srv, "POST", "/v1/api-keys/"+id+"/revoke", adminKey, ""); st != http.StatusOK {
		t.Fatalf("revoke: %d", st)
	}
	if st, _ := do(t, srv, "GET", "/v1/patients/"+pid, secret, ""); st != http.StatusUnauthorized {
		t.Fatalf("revoked key: %d, want 401", st)
	}

	_, audit := do(t, srv, "GET", "/v1/audit?patient_id="+pid, adminKey, "")
	var actions []string
	for _, it := range audit["items"].([]any) {
		e := it.(map[string]any)
		if e["actor"] != "api_key:"+id || e["request_id"] == "" || e["outcome"] != "success" {
			t.Errorf("audit entry %v", e)
		}
		actions = append(actions, e["action"].(string))
	}
	if strings.Join(actions, ",") != "patient.read,patient.create" {
		t.Fatalf("audit for patient: %v", actions)
	}
	_, all := do(t, srv, "GET", "/v1/audit?limit=500", adminKey, "")
	denied, revoked := false, false
	for _, it := range all["items"].([]any) {
		e := it.(map[string]any)
		denied = denied || (e["outcome"] == "denied" && e["actor"] == "api_key:"+id)
		revoked = revoked || e["action"] == "api_key.revoke"
	}
	if !denied || !revoked {
		t.Fatalf("audit misses the denied read (%v) or the revocation (%v)", denied, revoked)
	}
	q := store.NewQueries(testenv.Pool(t))
	if r, err := q.AuditVerify(context.Background()); err != nil || r.BrokenAt != 0 || r.Rows == 0 {
		t.Fatalf("chain after API traffic: %+v %v", r, err)
	}
}

func TestEventsAndObservations(t *testing.T) {
	srv := newServer(t)
	_, p := do(t, srv, "POST", "/v1/patients", adminKey, strings.Replace(goodPatient, "+15551234567", "+15551234511", 1))
	pid := p["id"].(string)
	// A type no journey is triggered by: stored only (Temporal is down here).
	ev := `{"id":"ehr-evt-1","type":"lab.resulted","patient_id":"` + pid + `","occurred_at":"2026-01-02T15:04:05Z","data":{"panel":"a1c"}}`
	if st, b := do(t, srv, "POST", "/v1/events", adminKey, ev); st != http.StatusCreated || b["duplicate"] != false {
		t.Fatalf("event: %d %v", st, b)
	}
	if st, b := do(t, srv, "POST", "/v1/events", adminKey, ev); st != http.StatusOK || b["duplicate"] != true {
		t.Fatalf("duplicate event: %d %v", st, b)
	}
	for body, field := range map[string]string{
		`{"id":"e2","type":"Appointment Completed","patient_id":"` + pid + `","occurred_at":"2026-01-02T15:04:05Z"}`: "type",
		`{"id":"e3","type":"appointment.missed","patient_id":"nope","occurred_at":"2026-01-02T15:04:05Z"}`:           "patient_id",
		`{"id":"e4","type":"appointment.missed","patient_id":"` + pid + `","occurred_at":"yesterday"}`:               "occurred_at",
		`{"type":"appointment.missed","patient_id":"` + pid + `","occurred_at":"2026-01-02T15:04:05Z"}`:              "id",
	} {
		if st, b := do(t, srv, "POST", "/v1/events", adminKey, body); st != http.StatusBadRequest || errField(b) != field {
			t.Errorf("%s: %d %v, want 400 naming %s", body, st, b, field)
		}
	}
	obs := `{"id":"lab-1","code":"blood_pressure","value":"142/91","unit":"mmHg","effective_at":"2026-01-02T08:00:00Z"}`
	st, b := do(t, srv, "POST", "/v1/patients/"+pid+"/observations", adminKey, obs)
	if st != http.StatusCreated || b["value"] != 142.0 || b["value2"] != 91.0 {
		t.Fatalf("observation: %d %v", st, b)
	}
	if st, _ := do(t, srv, "POST", "/v1/patients/"+pid+"/observations", adminKey, obs); st != http.StatusOK {
		t.Fatalf("duplicate observation: %d", st)
	}
	for body, field := range map[string]string{
		`{"code":"mood","value":3,"unit":"x","effective_at":"2026-01-02T08:00:00Z"}`:                "code",
		`{"code":"spo2","value":130,"unit":"%","effective_at":"2026-01-02T08:00:00Z"}`:              "value",
		`{"code":"weight","value":80,"unit":"stone","effective_at":"2026-01-02T08:00:00Z"}`:         "unit",
		`{"code":"blood_pressure","value":120,"unit":"mmHg","effective_at":"2026-01-02T08:00:00Z"}`: "value",
		`{"code":"heart_rate","value":70,"unit":"bpm","effective_at":"2999-01-02T08:00:00Z"}`:       "effective_at",
	} {
		if st, b := do(t, srv, "POST", "/v1/patients/"+pid+"/observations", adminKey, body); st != http.StatusBadRequest || errField(b) != field {
			t.Errorf("%s: %d %v, want 400 naming %s", body, st, b, field)
		}
	}
}
