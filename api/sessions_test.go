package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath/internal/testenv"
)

// browser is a signed-in person: the session cookie and the CSRF token.
type browser struct {
	cookie *http.Cookie
	csrf   string
	userID string
}

// send makes a request with the session cookie; csrf sends X-CSRF-Token.
func (b browser) send(t *testing.T, srv *httptest.Server, method, path, body string, csrf bool) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if b.cookie != nil {
		req.AddCookie(&http.Cookie{Name: b.cookie.Name, Value: b.cookie.Value})
	}
	if csrf {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(resp.Body)
	if err = errors.Join(err, resp.Body.Close()); err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: not JSON: %s", method, path, raw)
		}
	}
	return resp.StatusCode, out
}

// signIn posts the credentials; it returns the status, the body and the
// session cookie, if one was set.
func signIn(t *testing.T, srv *httptest.Server, email, password string) (int, map[string]any, *http.Cookie) {
	t.Helper()
	body, err := json.Marshal(map[string]string{"email": email, "password": password})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.URL+"/v1/sessions", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(resp.Body)
	if err = errors.Join(err, resp.Body.Close()); err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("sign in: not JSON: %s", raw)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "carepath_session" {
			return resp.StatusCode, out, c
		}
	}
	return resp.StatusCode, out, nil
}

// newUser creates an account with the admin key; the email is unique.
func newUser(t *testing.T, srv *httptest.Server, role, password string) (id, email string) {
	t.Helper()
	email = "Nurse." + uuid.NewString()[:8] + "@Example.org"
	st, body := do(t, srv, "POST", "/v1/users", adminKey, fmt.Sprintf(`{"email":%q,"name":"Nurse","role":%q,"password":%q}`, email, role, password))
	if st != http.StatusCreated {
		t.Fatalf("create user: %d %v", st, body)
	}
	return body["id"].(string), email
}

func signedIn(t *testing.T, srv *httptest.Server, role string) browser {
	t.Helper()
	id, email := newUser(t, srv, role, "correct horse battery")
	st, body, ck := signIn(t, srv, strings.ToLower(email), "correct horse battery")
	if st != http.StatusCreated || ck == nil {
		t.Fatalf("sign in: %d %v", st, body)
	}
	return browser{cookie: ck, csrf: body["csrf_token"].(string), userID: id}
}

func TestUsersAdminAPIValidatesAndHidesHashes(t *testing.T) {
	srv := newServer(t)
	for field, body := range map[string]string{
		"password": `{"email":"a@example.org","name":"A","role":"care_team","password":"short"}`,
		"email":    `{"email":"not an email","name":"A","role":"care_team","password":"long enough pass"}`,
		"role":     `{"email":"a@example.org","name":"A","role":"integration","password":"long enough pass"}`,
		"name":     `{"email":"a@example.org","name":"","role":"care_team","password":"long enough pass"}`,
	} {
		if st, b := do(t, srv, "POST", "/v1/users", adminKey, body); st != http.StatusBadRequest || errField(b) != field {
			t.Errorf("bad %s: %d %v", field, st, b)
		}
	}
	id, email := newUser(t, srv, "care_team", "correct horse battery")
	if st, b := do(t, srv, "POST", "/v1/users", adminKey, fmt.Sprintf(`{"email":%q,"name":"B","role":"admin","password":"another long one"}`, strings.ToUpper(email))); st != http.StatusConflict {
		t.Fatalf("same email in another case: %d %v", st, b)
	}
	_, list := do(t, srv, "GET", "/v1/users?limit=500", adminKey, "")
	raw, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), id) || strings.Contains(string(raw), "argon2") || strings.Contains(string(raw), "password") {
		t.Fatalf("user list must name the user and never a hash: %s", raw)
	}
	if st, b := do(t, srv, "PATCH", "/v1/users/"+id, adminKey, `{"password":"tiny"}`); st != http.StatusBadRequest || errField(b) != "password" {
		t.Fatalf("short reset: %d %v", st, b)
	}
	if st, b := do(t, srv, "PATCH", "/v1/users/"+id, adminKey, `{"role":"read_only"}`); st != http.StatusOK || b["role"] != "read_only" {
		t.Fatalf("role change: %d %v", st, b)
	}
	// Only admins manage accounts: a care_team person is refused.
	care := signedIn(t, srv, "care_team")
	if st, _ := care.send(t, srv, "GET", "/v1/users", "", false); st != http.StatusForbidden {
		t.Fatalf("care_team lists users: %d", st)
	}
}

func TestSignInCookieCSRFAuditAndSignOut(t *testing.T) {
	srv := newServer(t)
	id, email := newUser(t, srv, "care_team", "correct horse battery")
	st, body, ck := signIn(t, srv, strings.ToUpper(email), "correct horse battery")
	if st != http.StatusCreated || ck == nil {
		t.Fatalf("sign in: %d %v", st, body)
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || !ck.Secure || len(ck.Value) < 43 {
		t.Fatalf("cookie flags: %+v", ck)
	}
	user, _ := body["user"].(map[string]any)
	if user["id"] != id || body["csrf_token"] == "" {
		t.Fatalf("sign-in body: %v", body)
	}
	b := browser{cookie: ck, csrf: body["csrf_token"].(string), userID: id}
	if st, cur := b.send(t, srv, "GET", "/v1/sessions/current", "", false); st != http.StatusOK || cur["csrf_token"] != b.csrf {
		t.Fatalf("current session: %d %v", st, cur)
	}
	patient := strings.Replace(goodPatient, "+15551234567", fmt.Sprintf("+1555%07d", rand.IntN(10_000_000)), 1)
	if st, _ := b.send(t, srv, "POST", "/v1/patients", patient, false); st != http.StatusForbidden {
		t.Fatalf("POST with the cookie and no CSRF token: %d, want 403", st)
	}
	wrong := b
	wrong.csrf = "not-the-token"
	if st, _ := wrong.send(t, srv, "POST", "/v1/patients", patient, true); st != http.StatusForbidden {
		t.Fatalf("POST with a wrong CSRF token: %d, want 403", st)
	}
	st, p := b.send(t, srv, "POST", "/v1/patients", patient, true)
	if st != http.StatusCreated {
		t.Fatalf("POST with the CSRF token: %d %v", st, p)
	}
	_, audit := do(t, srv, "GET", "/v1/audit?patient_id="+p["id"].(string), adminKey, "")
	found := false
	for _, it := range audit["items"].([]any) {
		e := it.(map[string]any)
		if e["action"] == "patient.create" {
			found = e["actor"] == "user:"+id
		}
	}
	if !found {
		t.Fatalf("patient.create is not audited under user:%s: %v", id, audit)
	}
	// A bearer key wins over a cookie: the key's own rules apply.
	req, err := http.NewRequest("GET", srv.URL+"/v1/sessions/current", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminKey)
	req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("bearer plus cookie: %d, want 404 (a key has no session)", resp.StatusCode)
	}
	if st, _ := b.send(t, srv, "DELETE", "/v1/sessions/current", "", false); st != http.StatusForbidden {
		t.Fatalf("sign out without CSRF: %d", st)
	}
	if st, _ := b.send(t, srv, "DELETE", "/v1/sessions/current", "", true); st != http.StatusNoContent {
		t.Fatalf("sign out: %d", st)
	}
	if st, _ := b.send(t, srv, "GET", "/v1/sessions/current", "", false); st != http.StatusUnauthorized {
		t.Fatalf("after sign-out: %d, want 401", st)
	}
}

func TestFiveWrongPasswordsLockTheAccount(t *testing.T) {
	srv := newServer(t)
	_, email := newUser(t, srv, "care_team", "correct horse battery")
	_, unknown, _ := signIn(t, srv, "nobody-"+uuid.NewString()+"@example.org", "whatever it is")
	for i := 1; i <= 5; i++ {
		st, body, ck := signIn(t, srv, email, "wrong horse battery")
		if st != http.StatusUnauthorized || ck != nil {
			t.Fatalf("wrong password %d: %d %v", i, st, body)
		}
		if fmt.Sprint(body["error"].(map[string]any)["message"]) != fmt.Sprint(unknown["error"].(map[string]any)["message"]) {
			t.Fatalf("a wrong password and an unknown email must answer alike: %v vs %v", body, unknown)
		}
	}
	st, body, ck := signIn(t, srv, email, "correct horse battery")
	if st != http.StatusUnauthorized || ck != nil || !strings.Contains(fmt.Sprint(body["error"]), "locked") {
		t.Fatalf("right password on a locked account: %d %v", st, body)
	}
}

func TestReadOnlyMayOnlyRead(t *testing.T) {
	srv := newServer(t)
	b := signedIn(t, srv, "read_only")
	if st, body := b.send(t, srv, "GET", "/v1/tasks", "", false); st != http.StatusOK {
		t.Fatalf("read_only GET /v1/tasks: %d %v", st, body)
	}
	if st, _ := b.send(t, srv, "POST", "/v1/patients", goodPatient, true); st != http.StatusForbidden {
		t.Fatalf("read_only POST /v1/patients: %d, want 403", st)
	}
	if st, _ := b.send(t, srv, "GET", "/v1/api-keys", "", false); st != http.StatusForbidden {
		t.Fatalf("read_only GET /v1/api-keys (admin only): %d, want 403", st)
	}
	if st, _ := b.send(t, srv, "POST", "/v1/events", `{}`, true); st != http.StatusForbidden {
		t.Fatalf("read_only POST /v1/events: %d, want 403", st)
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	srv := newServer(t)
	b := signedIn(t, srv, "care_team")
	pool := testenv.Pool(t)
	ctx := context.Background()
	// The database's clock is the session's: 29 idle minutes keep it.
	if _, err := pool.Exec(ctx, `UPDATE sessions SET last_seen_at = now() - interval '29 minutes' WHERE user_id = $1`, b.userID); err != nil {
		t.Fatal(err)
	}
	if st, _ := b.send(t, srv, "GET", "/v1/sessions/current", "", false); st != http.StatusOK {
		t.Fatalf("29 minutes idle: %d, want 200", st)
	}
	if _, err := pool.Exec(ctx, `UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE user_id = $1`, b.userID); err != nil {
		t.Fatal(err)
	}
	if st, _ := b.send(t, srv, "GET", "/v1/sessions/current", "", false); st != http.StatusUnauthorized {
		t.Fatalf("31 minutes idle: %d, want 401", st)
	}
}

func TestDeactivatingAUserEndsTheirSessions(t *testing.T) {
	srv := newServer(t)
	b := signedIn(t, srv, "care_team")
	if st, body := do(t, srv, "PATCH", "/v1/users/"+b.userID, adminKey, `{"active":false}`); st != http.StatusOK || body["active"] != false {
		t.Fatalf("deactivate: %d %v", st, body)
	}
	if st, _ := b.send(t, srv, "GET", "/v1/tasks", "", false); st != http.StatusUnauthorized {
		t.Fatalf("deactivated user's session: %d, want 401", st)
	}
}
