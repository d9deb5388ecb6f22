package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/internal/totp"
)

// code is the TOTP code steps after the current one (the server accepts
// one step either side).
func code(t *testing.T, secret string, steps int64) string {
	t.Helper()
	c, err := totp.Code(secret, totp.Step(time.Now())+steps)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// laterStep stands for the clock moving on: a code is refused at or below
// the last step used, so the test forgets that step instead of waiting 30 s.
func laterStep(t *testing.T, userID string) {
	t.Helper()
	if _, err := testenv.Pool(t).Exec(context.Background(), `UPDATE user_totp SET last_step = 0 WHERE user_id = $1`, userID); err != nil {
		t.Fatal(err)
	}
}

func totpSignIn(t *testing.T, srv *httptest.Server, token, code string) (int, map[string]any, *http.Cookie) {
	t.Helper()
	body, err := json.Marshal(map[string]string{"mfa_token": token, "code": code})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.URL+"/v1/sessions/totp", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "carepath_session" {
			return resp.StatusCode, out, c
		}
	}
	return resp.StatusCode, out, nil
}

// enableTOTP sets up and confirms a second factor for the browser's person;
// it returns the secret.
func enableTOTP(t *testing.T, srv *httptest.Server, b browser) string {
	t.Helper()
	st, en := b.send(t, srv, "POST", "/v1/users/me/totp", "", true)
	if st != http.StatusCreated {
		t.Fatalf("enrol: %d %v", st, en)
	}
	secret := en["secret"].(string)
	if st, body := b.send(t, srv, "POST", "/v1/users/me/totp/confirm", fmt.Sprintf(`{"code":%q}`, code(t, secret, 0)), true); st != http.StatusOK || body["enabled"] != true {
		t.Fatalf("confirm: %d %v", st, body)
	}
	return secret
}

func auditActions(t *testing.T, srv *httptest.Server, userID string) map[string][]string {
	t.Helper()
	_, all := do(t, srv, "GET", "/v1/audit?limit=500", adminKey, "")
	out := map[string][]string{}
	for _, it := range all["items"].([]any) {
		e := it.(map[string]any)
		if e["resource"] == "user/"+userID {
			out[e["action"].(string)] = append(out[e["action"].(string)], e["outcome"].(string))
		}
	}
	return out
}

func TestTOTPEnrolSignInAndRemove(t *testing.T) {
	srv := newServer(t)
	id, email := newUser(t, srv, "care_team", "correct horse battery")
	_, body, ck := signIn(t, srv, email, "correct horse battery")
	b := browser{cookie: ck, csrf: body["csrf_token"].(string), userID: id}

	if st, s := b.send(t, srv, "GET", "/v1/users/me/totp", "", false); st != http.StatusOK || s["enabled"] != false {
		t.Fatalf("status before: %d %v", st, s)
	}
	if st, _ := b.send(t, srv, "POST", "/v1/users/me/totp", "", false); st != http.StatusForbidden {
		t.Fatalf("enrol without CSRF: %d, want 403", st)
	}
	st, en := b.send(t, srv, "POST", "/v1/users/me/totp", "", true)
	if st != http.StatusCreated || !strings.HasPrefix(en["otpauth_uri"].(string), "otpauth://totp/carepath:") {
		t.Fatalf("enrol: %d %v", st, en)
	}
	secret := en["secret"].(string)
	// Pending is not on: the password alone still signs in.
	if st, _, ck := signIn(t, srv, email, "correct horse battery"); st != http.StatusCreated || ck == nil {
		t.Fatalf("sign-in with a pending second factor: %d", st)
	}
	wrong := fmt.Sprintf("%06d", (mustAtoi(code(t, secret, 0))+500_000)%1_000_000)
	if st, body := b.send(t, srv, "POST", "/v1/users/me/totp/confirm", fmt.Sprintf(`{"code":%q}`, wrong), true); st != http.StatusBadRequest || errField(body) != "code" {
		t.Fatalf("confirm with a wrong code: %d %v", st, body)
	}
	if st, body := b.send(t, srv, "POST", "/v1/users/me/totp/confirm", fmt.Sprintf(`{"code":%q}`, code(t, secret, 0)), true); st != http.StatusOK || body["enabled"] != true {
		t.Fatalf("confirm: %d %v", st, body)
	}
	if st, _ := b.send(t, srv, "POST", "/v1/users/me/totp", "", true); st != http.StatusConflict {
		t.Fatalf("enrol while on: %d, want 409", st)
	}

	// The password now answers a challenge, without a cookie.
	st, ch, ck := signIn(t, srv, email, "correct horse battery")
	if st != http.StatusOK || ch["mfa_required"] != true || ch["mfa_token"] == "" || ck != nil || ch["user"] != nil {
		t.Fatalf("sign-in with TOTP on: %d %v cookie %v", st, ch, ck)
	}
	token := ch["mfa_token"].(string)
	if st, body, ck := totpSignIn(t, srv, token, wrong); st != http.StatusUnauthorized || ck != nil || errField(body) != "code" {
		t.Fatalf("wrong code: %d %v", st, body)
	}
	// The code that confirmed the set-up was used: it does not sign in.
	if st, body, ck := totpSignIn(t, srv, token, code(t, secret, 0)); st != http.StatusUnauthorized || ck != nil {
		t.Fatalf("reused code: %d %v", st, body)
	}
	st, sess, ck := totpSignIn(t, srv, token, code(t, secret, 1))
	if st != http.StatusCreated || ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
		t.Fatalf("right code: %d %v %+v", st, sess, ck)
	}
	b2 := browser{cookie: ck, csrf: sess["csrf_token"].(string), userID: id}
	if st, cur := b2.send(t, srv, "GET", "/v1/sessions/current", "", false); st != http.StatusOK || cur["user"].(map[string]any)["id"] != id {
		t.Fatalf("session after TOTP: %d %v", st, cur)
	}
	laterStep(t, id)
	if st, body, _ := totpSignIn(t, srv, token, code(t, secret, 0)); st != http.StatusUnauthorized || !strings.Contains(fmt.Sprint(body), "expired") {
		t.Fatalf("the mfa_token a second time: %d %v", st, body)
	}

	// Removing it needs a current code.
	if st, body := b2.send(t, srv, "DELETE", "/v1/users/me/totp", `{"code":""}`, true); st != http.StatusBadRequest || errField(body) != "code" {
		t.Fatalf("remove without a code: %d %v", st, body)
	}
	laterStep(t, id)
	if st, body := b2.send(t, srv, "DELETE", "/v1/users/me/totp", fmt.Sprintf(`{"code":%q}`, code(t, secret, 0)), true); st != http.StatusNoContent {
		t.Fatalf("remove: %d %v", st, body)
	}
	if st, _, ck := signIn(t, srv, email, "correct horse battery"); st != http.StatusCreated || ck == nil {
		t.Fatalf("sign-in after removing TOTP: %d", st)
	}
	got := auditActions(t, srv, id)
	for _, want := range []string{"user.totp_enrol", "user.totp_enable", "session.mfa_challenge", "session.create_mfa", "user.totp_disable"} {
		if len(got[want]) == 0 {
			t.Errorf("audit lacks %s: %v", want, got)
		}
	}
	if strings.Join(got["session.create_mfa"], ",") != "success,denied,denied" {
		t.Errorf("session.create_mfa outcomes (newest first): %v, want success after two denials", got["session.create_mfa"])
	}
}

func mustAtoi(s string) int {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil {
		panic(err)
	}
	return n
}

func TestTOTPWrongCodesLockTheAccount(t *testing.T) {
	srv := newServer(t)
	id, email := newUser(t, srv, "care_team", "correct horse battery")
	_, body, ck := signIn(t, srv, email, "correct horse battery")
	secret := enableTOTP(t, srv, browser{cookie: ck, csrf: body["csrf_token"].(string), userID: id})
	laterStep(t, id)
	wrong := fmt.Sprintf("%06d", (mustAtoi(code(t, secret, 0))+500_000)%1_000_000)
	// A right password between wrong codes does not clear the count.
	for i := 1; i <= 5; i++ {
		st, ch, _ := signIn(t, srv, email, "correct horse battery")
		if st != http.StatusOK {
			t.Fatalf("password %d: %d %v", i, st, ch)
		}
		if st, body, ck := totpSignIn(t, srv, ch["mfa_token"].(string), wrong); st != http.StatusUnauthorized || ck != nil {
			t.Fatalf("wrong code %d: %d %v", i, st, body)
		}
	}
	st, body, ck := signIn(t, srv, email, "correct horse battery")
	if st != http.StatusUnauthorized || ck != nil || !strings.Contains(fmt.Sprint(body["error"]), "locked") {
		t.Fatalf("password after five wrong codes: %d %v", st, body)
	}
}

func TestAdminResetsTOTP(t *testing.T) {
	srv := newServer(t)
	id, email := newUser(t, srv, "care_team", "correct horse battery")
	_, body, ck := signIn(t, srv, email, "correct horse battery")
	enableTOTP(t, srv, browser{cookie: ck, csrf: body["csrf_token"].(string), userID: id})
	if st, _, _ := signIn(t, srv, email, "correct horse battery"); st != http.StatusOK {
		t.Fatalf("sign-in with TOTP on: %d, want 200 (challenge)", st)
	}
	care := signedIn(t, srv, "care_team")
	if st, _ := care.send(t, srv, "DELETE", "/v1/users/"+id+"/totp", "", true); st != http.StatusForbidden {
		t.Fatalf("care_team resets another's TOTP: %d, want 403", st)
	}
	if st, b := do(t, srv, "DELETE", "/v1/users/"+id+"/totp", adminKey, ""); st != http.StatusNoContent {
		t.Fatalf("admin reset: %d %v", st, b)
	}
	if st, _, ck := signIn(t, srv, email, "correct horse battery"); st != http.StatusCreated || ck == nil {
		t.Fatalf("sign-in after the reset: %d", st)
	}
	if got := auditActions(t, srv, id); len(got["user.totp_disable"]) != 1 {
		t.Fatalf("reset not audited: %v", got)
	}
}
