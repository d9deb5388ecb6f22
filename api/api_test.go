package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/api"
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/store"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, testenv.Needs{Postgres: true})) }

const adminKey = "cp_api_test_admin_key_000000000000"

// newServer builds the API on the real test database. Temporal is a lazy
// client to a closed port: these tests cover everything decided before a
// workflow is touched, and health must notice Temporal is down.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	eng := newEngine(t)
	srv := httptest.NewServer(api.New(eng, api.Config{PublicURL: "https://example.org", TwilioAuthToken: "tok"}, eng.Log).Handler())
	t.Cleanup(srv.Close)
	return srv
}

// newEngine is newServer's engine: the test database with the admin key,
// and a lazy Temporal client to a closed port.
func newEngine(t *testing.T) *engine.Engine {
	t.Helper()
	testenv.Pool(t) // migrations
	st, err := store.Open(context.Background(), testenv.Get(t).DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := st.APIKeyInsert(context.Background(), "test", carepath.RoleAdmin, adminKey); err != nil {
		t.Fatal(err)
	}
	tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := journeys.Registry()
	if err != nil {
		t.Fatal(err)
	}
	return &engine.Engine{Store: st, Temporal: tc, Journeys: reg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func do(t *testing.T, srv *httptest.Server, method, path, key, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err = errors.Join(err, resp.Body.Close()); err != nil {
		t.Fatalf("%s %s: read the response: %v", method, path, err)
	}
	var out map[string]any
	if len(b) > 0 && json.Unmarshal(b, &out) != nil && resp.Header.Get("Content-Type") == "application/json" {
		t.Fatalf("%s %s: response is not JSON: %s", method, path, b)
	}
	return resp.StatusCode, out
}

func errField(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	f, _ := e["field"].(string)
	return f
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	var documented []string
	for p, ops := range doc.Paths {
		for m := range ops {
			documented = append(documented, strings.ToUpper(m)+" "+p)
		}
	}
	srv := api.New(&engine.Engine{}, api.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	served := srv.Routes()
	sort.Strings(documented)
	sort.Strings(served)
	served = slices.Compact(served)
	if !slices.Equal(documented, served) {
		t.Fatalf("routes and openapi.json differ:\nserved:     %v\ndocumented: %v", served, documented)
	}
}

func TestOpenAPIServed(t *testing.T) {
	srv := newServer(t)
	st, body := do(t, srv, "GET", "/openapi.json", "", "")
	if st != http.StatusOK || body["openapi"] == nil {
		t.Fatalf("GET /openapi.json: %d", st)
	}
}

func TestV1NeedsAPIKey(t *testing.T) {
	srv := newServer(t)
	for _, key := range []string{"", "cp_not_a_key"} {
		st, body := do(t, srv, "GET", "/v1/tasks", key, "")
		if st != http.StatusUnauthorized || body["request_id"] == "" {
			t.Fatalf("key %q: %d %v", key, st, body)
		}
	}
	if st, _ := do(t, srv, "GET", "/v1/tasks", adminKey, ""); st != http.StatusOK {
		t.Fatalf("valid key: %d", st)
	}
}

func TestHealthReportsTemporalDown(t *testing.T) {
	srv := newServer(t)
	st, body := do(t, srv, "GET", "/healthz", "", "")
	checks, _ := body["checks"].(map[string]any)
	if st != http.StatusServiceUnavailable || checks["temporal"] != "unavailable" || checks["database"] != "ok" {
		t.Fatalf("healthz with Temporal down: %d %v", st, body)
	}
}

const goodPatient = `{"given_name":"Ada","family_name":"Lovelace","birth_date":"1980-02-03","phone":"+15551234567","email":"ada@example.org","timezone":"Europe/London","locale":"en","preferred_channel":"sms"}`

// with is goodPatient with one field set; it panics only if goodPatient is
// edited into something that is not JSON.
func with(field, value string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(goodPatient), &m); err != nil {
		panic(err)
	}
	var v any
	if err := json.Unmarshal([]byte(value), &v); err != nil {
		v = value
	}
	m[field] = v
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestCreatePatientValidation(t *testing.T) {
	srv := newServer(t)
	cases := []struct{ name, body, field string }{
		{"phone not E.164", with("phone", `"5551234567"`), "phone"},
		{"phone with letters", with("phone", `"+1555ABC4567"`), "phone"},
		{"bad email", with("email", `"ada@"`), "email"},
		{"unknown zone", with("timezone", `"Mars/Olympus"`), "timezone"},
		{"bad channel", with("preferred_channel", `"fax"`), "preferred_channel"},
		{"bad locale", with("locale", `"fr"`), "locale"},
		{"future birth", with("birth_date", `"2999-01-01"`), "birth_date"},
		{"birth not a date", with("birth_date", `"03/02/1980"`), "birth_date"},
		{"no name", with("given_name", `"  "`), "given_name"},
		{"wrong type", with("phone", `15551234567`), "phone"},
		{"unknown field", with("ssn", `"123-45-6789"`), "ssn"},
		{"not json", `{"given_name":`, "body"},
		{"empty", ``, "body"},
		{"two objects", goodPatient + goodPatient, "body"},
	}
	for _, c := range cases {
		st, body := do(t, srv, "POST", "/v1/patients", adminKey, c.body)
		if st != http.StatusBadRequest || errField(body) != c.field {
			t.Errorf("%s: %d field %q (%v), want 400 naming %q", c.name, st, errField(body), body, c.field)
		}
	}
	// Nothing was stored by any of them.
	var n int
	if err := testenv.Pool(t).QueryRow(context.Background(), `SELECT count(*) FROM patients WHERE given_name = 'Ada'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d patients stored by rejected requests", n)
	}
	st, body := do(t, srv, "POST", "/v1/patients", adminKey, goodPatient)
	if st != http.StatusCreated || body["id"] == "" || body["phone"] != "+15551234567" {
		t.Fatalf("valid patient: %d %v", st, body)
	}
	id := body["id"].(string)
	if st, got := do(t, srv, "GET", "/v1/patients/"+id, adminKey, ""); st != http.StatusOK || got["timezone"] != "Europe/London" {
		t.Fatalf("get patient: %d %v", st, got)
	}
	for _, missing := range []string{"/v1/patients/00000000-0000-4000-8000-000000000000", "/v1/patients/not-a-uuid"} {
		if st, _ := do(t, srv, "GET", missing, adminKey, ""); st != http.StatusNotFound {
			t.Fatalf("GET %s: %d, want 404", missing, st)
		}
	}
}

func TestBodyTooLarge(t *testing.T) {
	srv := newServer(t)
	big := `{"given_name":"` + strings.Repeat("a", 2<<20) + `"}`
	st, body := do(t, srv, "POST", "/v1/patients", adminKey, big)
	if st != http.StatusRequestEntityTooLarge || body["error"] == nil {
		t.Fatalf("2 MiB body: %d %v", st, body)
	}
}

func TestEnrollmentValidation(t *testing.T) {
	srv := newServer(t)
	_, p := do(t, srv, "POST", "/v1/patients", adminKey, strings.Replace(goodPatient, "+15551234567", "+15551234568", 1))
	pid := p["id"].(string)
	cases := []struct{ name, body, field string }{
		{"unknown journey", `{"journey":"astrology"}`, "journey"},
		{"no journey", `{}`, "journey"},
		{"bad duration", `{"journey":"post_visit_checkin","params":{"delay":"soon"}}`, "params.delay"},
		{"out of bounds", `{"journey":"post_visit_checkin","params":{"reminders":50}}`, "params.reminders"},
		{"unknown param", `{"journey":"post_visit_checkin","params":{"volume":11}}`, "params.volume"},
	}
	for _, c := range cases {
		st, body := do(t, srv, "POST", "/v1/patients/"+pid+"/enrollments", adminKey, c.body)
		if st != http.StatusBadRequest || errField(body) != c.field {
			t.Errorf("%s: %d %v, want 400 naming %q", c.name, st, body, c.field)
		}
	}
	st, _ := do(t, srv, "POST", "/v1/patients/00000000-0000-4000-8000-000000000000/enrollments", adminKey, `{"journey":"post_visit_checkin"}`)
	if st != http.StatusNotFound {
		t.Fatalf("unknown patient: %d, want 404", st)
	}
	var n int
	if err := testenv.Pool(t).QueryRow(context.Background(), `SELECT count(*) FROM enrollments WHERE patient_id = $1`, pid).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("rejected launches stored %d enrollments", n)
	}
}

func TestTaskListValidation(t *testing.T) {
	srv := newServer(t)
	for q, field := range map[string]string{"?status=lost": "status", "?patient_id=x": "patient_id", "?limit=0": "limit", "?limit=100000": "limit"} {
		st, body := do(t, srv, "GET", "/v1/tasks"+q, adminKey, "")
		if st != http.StatusBadRequest || errField(body) != field {
			t.Errorf("%s: %d %v", q, st, body)
		}
	}
}

func TestTwilioWebhookSignature(t *testing.T) {
	srv := newServer(t)
	form := "MessageSid=SM1&From=%2B15551234567&Body=3"
	for name, sig := range map[string]string{"missing": "", "wrong": "bm90LWl0"} {
		req, err := http.NewRequest("POST", srv.URL+"/webhooks/twilio/messages", bytes.NewBufferString(form))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if sig != "" {
			req.Header.Set("X-Twilio-Signature", sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if err := resp.Body.Close(); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s signature: %d, want 403", name, resp.StatusCode)
		}
	}
	var n int
	if err := testenv.Pool(t).QueryRow(context.Background(), `SELECT count(*) FROM messages WHERE provider_message_id = 'SM1'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("a rejected webhook stored its message")
	}
}

func TestCaregivers(t *testing.T) {
	srv := newServer(t)
	_, p := do(t, srv, "POST", "/v1/patients", adminKey, strings.Replace(goodPatient, "+15551234567", "+15551234522", 1))
	pid := p["id"].(string)
	if st, b := do(t, srv, "POST", "/v1/patients/"+pid+"/caregivers", adminKey, `{"given_name":"Rosa","family_name":"L","relationship":"daughter","phone":"555"}`); st != http.StatusBadRequest || errField(b) != "phone" {
		t.Fatalf("bad phone: %d %v", st, b)
	}
	st, cg := do(t, srv, "POST", "/v1/patients/"+pid+"/caregivers", adminKey,
		`{"given_name":"Rosa","family_name":"L","relationship":"daughter","phone":"+15557771111","locale":"es","authorized_by_patient":true}`)
	if st != http.StatusCreated || cg["authorized_at"] == nil {
		t.Fatalf("create: %d %v", st, cg)
	}
	if st, b := do(t, srv, "POST", "/v1/caregivers/"+cg["id"].(string)+"/authorization", adminKey, `{}`); st != http.StatusBadRequest || errField(b) != "authorized" {
		t.Fatalf("missing authorized: %d %v", st, b)
	}
	if st, _ := do(t, srv, "POST", "/v1/caregivers/"+cg["id"].(string)+"/authorization", adminKey, `{"authorized":false}`); st != http.StatusOK {
		t.Fatalf("withdraw: %d", st)
	}
	_, list := do(t, srv, "GET", "/v1/patients/"+pid+"/caregivers", adminKey, "")
	items := list["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["authorized_at"] != nil {
		t.Fatalf("after withdrawal: %v", items)
	}
	if st, _ := do(t, srv, "POST", "/v1/caregivers/00000000-0000-4000-8000-000000000000/authorization", adminKey, `{"authorized":true}`); st != http.StatusNotFound {
		t.Fatalf("unknown caregiver: %d", st)
	}
}
