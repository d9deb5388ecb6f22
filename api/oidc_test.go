package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath/api"
	"github.com/carepath/carepath/internal/oidc"
	"github.com/carepath/carepath/internal/oidctest"
	"github.com/carepath/carepath/internal/testenv"
)

// newOIDCServer is newServer with single sign-on through a local provider
// that has this server's callback registered.
func newOIDCServer(t *testing.T) (*httptest.Server, *oidctest.Provider) {
	t.Helper()
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	p := oidctest.New(t, "carepath-console", "client-secret-for-tests")
	p.RedirectURL = srv.URL + "/v1/sessions/oidc/callback"
	rp, err := oidc.New(oidc.Config{Issuer: p.URL, ClientID: p.ClientID, ClientSecret: p.ClientSecret, RedirectURL: p.RedirectURL})
	if err != nil {
		t.Fatal(err)
	}
	eng := newEngine(t)
	eng.OIDC = rp
	// Plain http here, so the cookies are not Secure and the jar sends them.
	handler = api.New(eng, api.Config{PublicURL: srv.URL, TwilioAuthToken: "tok"}, eng.Log).Handler()
	return srv, p
}

// jarClient is a browser: it keeps cookies and follows redirects.
func jarClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 20 * time.Second}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// callbackURL runs start and the provider's authorize in this browser and
// stops before the callback, returning its URL.
func callbackURL(t *testing.T, c *http.Client, srv *httptest.Server, returnTo string) string {
	t.Helper()
	stop := *c
	var cb string
	stop.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), srv.URL+"/v1/sessions/oidc/callback") {
			cb = req.URL.String()
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, body := get(t, &stop, srv.URL+"/v1/sessions/oidc/start?return_to="+url.QueryEscape(returnTo))
	if cb == "" {
		t.Fatalf("start did not reach the callback: %d %s", resp.StatusCode, body)
	}
	return cb
}

func sessionsOf(t *testing.T, userID string) int {
	t.Helper()
	var n int
	if err := testenv.Pool(t).QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE user_id = $1`, userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func currentUser(t *testing.T, c *http.Client, srv *httptest.Server) (int, string) {
	t.Helper()
	resp, body := get(t, c, srv.URL+"/v1/sessions/current")
	var s struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &s); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, s.User.ID
}

func verified(v bool) *bool { return &v }

func TestOIDCSignInFlow(t *testing.T) {
	srv, p := newOIDCServer(t)
	id, email := newUser(t, srv, "care_team", "correct horse battery")
	p.SetUser(oidctest.User{Subject: "idp-" + id, Email: strings.ToUpper(email), EmailVerified: verified(true), Name: "Nurse"})

	if st, m := do(t, srv, "GET", "/v1/sessions/methods", "", ""); st != http.StatusOK || m["password"] != true || m["oidc"] != true {
		t.Fatalf("methods: %d %v", st, m)
	}

	// The start redirect: what the provider is asked, and the binding cookie.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, _ := get(t, noFollow, srv.URL+"/v1/sessions/oidc/start?return_to=/console/patients")
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), p.URL+"/authorize?") {
		t.Fatalf("start: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	q := loc.Query()
	for k, want := range map[string]string{"response_type": "code", "client_id": p.ClientID, "redirect_uri": p.RedirectURL,
		"scope": "openid email profile", "code_challenge_method": "S256"} {
		if q.Get(k) != want {
			t.Errorf("authorize %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if len(q.Get("state")) < 40 || len(q.Get("nonce")) < 40 || len(q.Get("code_challenge")) != 43 || q.Get("state") == q.Get("nonce") {
		t.Errorf("state, nonce, challenge: %v", q)
	}
	var binding *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "carepath_oidc" {
			binding = ck
		}
	}
	if binding == nil || !binding.HttpOnly || binding.SameSite != http.SameSiteLaxMode || binding.Path != "/v1/sessions/oidc" {
		t.Fatalf("binding cookie: %+v", binding)
	}

	// The whole flow in one browser: start → provider → callback → console.
	b := jarClient(t)
	resp, page := get(t, b, srv.URL+"/v1/sessions/oidc/start?return_to=/console/patients")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<meta http-equiv="refresh" content="0;url=/console/patients">`) ||
		strings.Contains(page, "<script") || resp.Header.Get("Referrer-Policy") != "no-referrer" || resp.Request.URL.Path != "/v1/sessions/oidc/callback" {
		t.Fatalf("callback: %d %s %s", resp.StatusCode, resp.Request.URL, page)
	}
	var sess *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "carepath_session" {
			sess = ck
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/" {
		t.Fatalf("session cookie: %+v", sess)
	}
	if st, who := currentUser(t, b, srv); st != http.StatusOK || who != id {
		t.Fatalf("current session after single sign-on: %d %q, want %s", st, who, id)
	}
	got := auditActions(t, srv, id)
	if strings.Join(got["session.create_oidc"], ",") != "success" {
		t.Fatalf("audit: %v", got)
	}

	// A person with TOTP on is not asked for a code: the provider owns MFA.
	if _, err := testenv.Pool(t).Exec(context.Background(), `INSERT INTO user_totp (user_id, secret, active) VALUES ($1, 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', true)`, id); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := signIn(t, srv, email, "correct horse battery"); st != http.StatusOK {
		t.Fatalf("password sign-in with TOTP on: %d, want 200 (a code is due)", st)
	}
	b2 := jarClient(t)
	if resp, page := get(t, b2, srv.URL+"/v1/sessions/oidc/start"); resp.StatusCode != http.StatusOK || !strings.Contains(page, "url=/console/tasks") {
		t.Fatalf("default return_to with TOTP on: %d %s", resp.StatusCode, page)
	}
	if st, who := currentUser(t, b2, srv); st != http.StatusOK || who != id {
		t.Fatalf("single sign-on of a TOTP user: %d %q", st, who)
	}
}

func TestOIDCRefusals(t *testing.T) {
	srv, p := newOIDCServer(t)
	id, email := newUser(t, srv, "care_team", "correct horse battery")
	person := oidctest.User{Subject: "idp-" + id, Email: email, Name: "Nurse"}
	p.SetUser(person)

	// Each case runs the flow in a fresh browser and must leave no session.
	cases := []struct {
		name   string
		bend   func()
		status int
	}{
		{"wrong nonce", func() { p.Mutate(func(c map[string]any) { c["nonce"] = "another-sign-in" }) }, http.StatusUnauthorized},
		{"bad signature", func() { p.WrongKey(true) }, http.StatusUnauthorized},
		{"wrong audience", func() { p.Mutate(func(c map[string]any) { c["aud"] = "another-client" }) }, http.StatusUnauthorized},
		{"expired token", func() {
			p.Mutate(func(c map[string]any) {
				c["iat"], c["exp"] = time.Now().Add(-time.Hour).Unix(), time.Now().Add(-30*time.Minute).Unix()
			})
		}, http.StatusUnauthorized},
		{"wrong issuer", func() { p.Mutate(func(c map[string]any) { c["iss"] = "https://elsewhere.example" }) }, http.StatusUnauthorized},
		{"unknown email", func() {
			p.SetUser(oidctest.User{Subject: "stranger", Email: "stranger-" + uuid.NewString()[:8] + "@example.org"})
		}, http.StatusForbidden},
		{"unverified email", func() { u := person; u.EmailVerified = verified(false); p.SetUser(u) }, http.StatusForbidden},
	}
	for _, c := range cases {
		c.bend()
		b := jarClient(t)
		resp, body := get(t, b, srv.URL+"/v1/sessions/oidc/start?return_to=/console/tasks")
		if resp.StatusCode != c.status || resp.Request.URL.Path != "/v1/sessions/oidc/callback" {
			t.Errorf("%s: %d at %s %s, want %d", c.name, resp.StatusCode, resp.Request.URL.Path, body, c.status)
		}
		if st, _ := currentUser(t, b, srv); st != http.StatusUnauthorized {
			t.Errorf("%s: the browser has a session (%d)", c.name, st)
		}
		if n := sessionsOf(t, id); n != 0 {
			t.Fatalf("%s: %d sessions opened", c.name, n)
		}
		p.Mutate(nil)
		p.WrongKey(false)
		p.SetUser(person)
	}
	// Refusals are audited; the unknown email is not written down.
	_, all := do(t, srv, "GET", "/v1/audit?limit=500", adminKey, "")
	denied := map[string]int{}
	for _, it := range all["items"].([]any) {
		e := it.(map[string]any)
		if e["action"] == "session.create_oidc" && e["outcome"] == "denied" {
			denied[e["resource"].(string)]++
		}
		if strings.Contains(fmt.Sprint(e), "stranger-") {
			t.Errorf("audit holds the unknown email: %v", e)
		}
	}
	if denied["oidc/token"] < 5 || denied["oidc/unknown-user"] < 1 || denied["oidc/email"] < 1 {
		t.Errorf("denied sign-ons in the audit: %v", denied)
	}
	// A browser asking for HTML gets a page that says why.
	req, err := http.NewRequest("GET", srv.URL+"/v1/sessions/oidc/callback?state=nope&code=x", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(resp.Body)
	if err = errors.Join(err, resp.Body.Close()); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(page), "Back to sign-in") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("HTML refusal: %d %s", resp.StatusCode, page)
	}
}

func TestOIDCStateIsSingleUseAndBoundToTheBrowser(t *testing.T) {
	srv, p := newOIDCServer(t)
	id, email := newUser(t, srv, "care_team", "correct horse battery")
	p.SetUser(oidctest.User{Subject: "idp-" + id, Email: email})

	// A made-up state.
	b := jarClient(t)
	if resp, body := get(t, b, srv.URL+"/v1/sessions/oidc/callback?code=abc&state=made-up"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad state: %d %s", resp.StatusCode, body)
	}
	// A callback URL carried to another browser (login CSRF): refused, and
	// the state is spent, so the first browser cannot finish either.
	cb := callbackURL(t, b, srv, "/console/tasks")
	other := jarClient(t)
	if resp, body := get(t, other, cb); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "another browser") {
		t.Fatalf("callback in another browser: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, b, cb); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("spent state: %d", resp.StatusCode)
	}
	if n := sessionsOf(t, id); n != 0 {
		t.Fatalf("%d sessions", n)
	}
	// The same browser finishes once; replaying the callback opens nothing.
	cb = callbackURL(t, b, srv, "/console/tasks")
	if resp, body := get(t, b, cb); resp.StatusCode != http.StatusOK {
		t.Fatalf("callback: %d %s", resp.StatusCode, body)
	}
	if resp, body := get(t, b, cb); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "used already") {
		t.Fatalf("reused state: %d %s", resp.StatusCode, body)
	}
	if n := sessionsOf(t, id); n != 1 {
		t.Fatalf("%d sessions after a replay, want 1", n)
	}
	if p.Redeemed() != 1 {
		t.Fatalf("the replay reached the provider: %d codes redeemed", p.Redeemed())
	}
	// An expired state.
	cb = callbackURL(t, b, srv, "/console/tasks")
	if _, err := testenv.Pool(t).Exec(context.Background(), `UPDATE oidc_states SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if resp, _ := get(t, b, cb); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("expired state: %d", resp.StatusCode)
	}
	// A deactivated account cannot sign on.
	if st, _ := do(t, srv, "PATCH", "/v1/users/"+id, adminKey, `{"active":false}`); st != http.StatusOK {
		t.Fatal(st)
	}
	if resp, _ := get(t, jarClient(t), srv.URL+"/v1/sessions/oidc/start"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("deactivated account: %d", resp.StatusCode)
	}
}

func TestOIDCReturnToAndOff(t *testing.T) {
	srv, _ := newOIDCServer(t)
	for _, bad := range []string{"https://evil.example/console", "//evil.example/console", "/v1/users", "/console/../v1", "/consoleevil", `/console\evil`} {
		if st, body := do(t, srv, "GET", "/v1/sessions/oidc/start?return_to="+url.QueryEscape(bad), "", ""); st != http.StatusBadRequest || errField(body) != "return_to" {
			t.Errorf("return_to %q: %d %v", bad, st, body)
		}
	}
	off := newServer(t)
	if st, m := do(t, off, "GET", "/v1/sessions/methods", "", ""); st != http.StatusOK || m["oidc"] != false || m["password"] != true {
		t.Fatalf("methods without OIDC: %d %v", st, m)
	}
	if st, _ := do(t, off, "GET", "/v1/sessions/oidc/start", "", ""); st != http.StatusNotFound {
		t.Fatalf("start without OIDC: %d", st)
	}
}
