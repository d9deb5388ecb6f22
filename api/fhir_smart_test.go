package api_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath/internal/jose"
)

// The token URL newServer's PublicURL makes: assertions' aud.
const testTokenURL = "https://example.org/fhir/R4/auth/token"

// smartClient is a client registered through the admin API with one key.
type smartClient struct {
	id  string
	kid string
	key crypto.Signer
}

func newECKey(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newRSAKey(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// registerClient registers key as a client allowed scopes.
func registerClient(t *testing.T, srv *httptest.Server, key crypto.Signer, scopes ...string) smartClient {
	t.Helper()
	kid := "k-" + uuid.NewString()[:8]
	jwk, err := jose.PublicJWK(key, kid)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(map[string]any{"name": "EHR test", "jwks": map[string]any{"keys": []any{jwk}}, "scopes": scopes})
	if err != nil {
		t.Fatal(err)
	}
	st, out := do(t, srv, "POST", "/v1/fhir-clients", adminKey, string(body))
	if st != http.StatusCreated {
		t.Fatalf("register client: %d %v", st, out)
	}
	if out["token_url"] != testTokenURL || out["client_id"] != out["id"] {
		t.Fatalf("registration answer: %v", out)
	}
	return smartClient{id: out["id"].(string), kid: kid, key: key}
}

// assertion signs claims for the client; change bends them.
func (c smartClient) assertion(t *testing.T, change func(map[string]any)) string {
	t.Helper()
	claims := map[string]any{"iss": c.id, "sub": c.id, "aud": testTokenURL, "jti": uuid.NewString(),
		"exp": time.Now().Add(4 * time.Minute).Unix()}
	if change != nil {
		change(claims)
	}
	tok, err := jose.Sign(c.key, c.kid, claims)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// tokenRequest posts a token request and returns the status and JSON.
func tokenRequest(t *testing.T, srv *httptest.Server, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(srv.URL+"/fhir/R4/auth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err = errors.Join(err, resp.Body.Close()); err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("token endpoint answered %s: %s", ct, b)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("token answer is cacheable")
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("token answer is not JSON: %s", b)
	}
	return resp.StatusCode, out
}

func tokenForm(assertion, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "scope": {scope},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion}}
}

// getToken gets an access token or fails the test.
func getToken(t *testing.T, srv *httptest.Server, c smartClient, scope string) (string, map[string]any) {
	t.Helper()
	st, out := tokenRequest(t, srv, tokenForm(c.assertion(t, nil), scope))
	if st != http.StatusOK {
		t.Fatalf("token: %d %v", st, out)
	}
	return out["access_token"].(string), out
}

func TestSMARTConfiguration(t *testing.T) {
	srv := newServer(t)
	resp, err := http.Get(srv.URL + "/fhir/R4/.well-known/smart-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	err = errors.Join(json.NewDecoder(resp.Body).Decode(&cfg), resp.Body.Close())
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	if cfg["token_endpoint"] != testTokenURL {
		t.Errorf("token_endpoint %v", cfg["token_endpoint"])
	}
	want := map[string]string{"token_endpoint_auth_methods_supported": "private_key_jwt",
		"token_endpoint_auth_signing_alg_values_supported": "RS384 ES384", "grant_types_supported": "client_credentials",
		"capabilities": "client-confidential-asymmetric"}
	for k, v := range want {
		var got []string
		for _, x := range cfg[k].([]any) {
			got = append(got, x.(string))
		}
		if strings.Join(got, " ") != v {
			t.Errorf("%s: %v, want %s", k, got, v)
		}
	}
	if !strings.Contains(strings.Join(toStrings(cfg["scopes_supported"]), " "), "system/Observation.write") {
		t.Errorf("scopes_supported: %v", cfg["scopes_supported"])
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestSMARTTokenHappyPathES384AndRS384(t *testing.T) {
	srv := newServer(t)
	for name, key := range map[string]crypto.Signer{"ES384": newECKey(t), "RS384": newRSAKey(t)} {
		c := registerClient(t, srv, key, "system/*.read", "system/Observation.write")
		tok, out := getToken(t, srv, c, "system/Patient.read system/Observation.write")
		if out["token_type"] != "bearer" || out["expires_in"] != float64(300) ||
			out["scope"] != "system/Patient.read system/Observation.write" || !strings.HasPrefix(tok, "cpat_") {
			t.Errorf("%s: token answer %v", name, out)
		}
		// The token reads what it was granted...
		if st, _ := fhirDo(t, srv, "GET", "/fhir/R4/Patient?_count=1", tok, "", ""); st == http.StatusUnauthorized || st == http.StatusForbidden {
			t.Errorf("%s: token refused for Patient search: %d", name, st)
		}
		// ...and nothing else.
		if st, oo := fhirDo(t, srv, "GET", "/fhir/R4/Communication", tok, "", ""); st != http.StatusForbidden || issueCode(oo) != "forbidden" {
			t.Errorf("%s: Communication search with a Patient-only token: %d %v", name, st, oo)
		}
		if st, _ := fhirDo(t, srv, "POST", "/fhir/R4/Patient", tok, "application/fhir+json", `{"resourceType":"Patient"}`); st != http.StatusForbidden {
			t.Errorf("%s: Patient create with a read token: %d", name, st)
		}
	}
}

func TestSMARTTokenScopesNarrowedToAllowed(t *testing.T) {
	srv := newServer(t)
	c := registerClient(t, srv, newECKey(t), "system/*.read")
	cases := map[string]string{
		"system/*.*":                           "system/*.read",
		"system/Patient.read system/*.write":   "system/Patient.read",
		"system/Task.rs system/Task.cud":       "system/Task.rs",
		"system/Observation.cruds":             "system/Observation.rs",
		"system/Patient.read system/Patient.*": "system/Patient.read",
	}
	for asked, granted := range cases {
		_, out := getToken(t, srv, c, asked)
		if out["scope"] != granted {
			t.Errorf("asked %q with system/*.read allowed: granted %q, want %q", asked, out["scope"], granted)
		}
	}
}

func TestSMARTTokenRefusals(t *testing.T) {
	srv := newServer(t)
	c := registerClient(t, srv, newECKey(t), "system/*.read")
	other := registerClient(t, srv, newRSAKey(t), "system/*.*")
	stranger := smartClient{id: c.id, kid: c.kid, key: newECKey(t)} // c's kid, another key

	replayed := c.assertion(t, nil)
	if st, out := tokenRequest(t, srv, tokenForm(replayed, "system/*.read")); st != http.StatusOK {
		t.Fatalf("first use: %d %v", st, out)
	}
	cases := []struct {
		name   string
		form   url.Values
		status int
		code   string
	}{
		{"replayed jti", tokenForm(replayed, "system/*.read"), 401, "invalid_client"},
		{"same jti, new assertion", tokenForm(c.assertion(t, func(m map[string]any) {
			m["jti"] = mustClaim(t, replayed, "jti")
		}), "system/*.read"), 401, "invalid_client"},
		{"wrong aud", tokenForm(c.assertion(t, func(m map[string]any) { m["aud"] = srv.URL + "/fhir/R4/auth/token" }), "system/*.read"), 401, "invalid_client"},
		{"aud array without the URL", tokenForm(c.assertion(t, func(m map[string]any) { m["aud"] = []string{"https://other.example/token"} }), "system/*.read"), 401, "invalid_client"},
		{"expired", tokenForm(c.assertion(t, func(m map[string]any) { m["exp"] = time.Now().Add(-time.Minute).Unix() }), "system/*.read"), 401, "invalid_client"},
		{"exp too far ahead", tokenForm(c.assertion(t, func(m map[string]any) { m["exp"] = time.Now().Add(20 * time.Minute).Unix() }), "system/*.read"), 401, "invalid_client"},
		{"no exp", tokenForm(c.assertion(t, func(m map[string]any) { delete(m, "exp") }), "system/*.read"), 401, "invalid_client"},
		{"no jti", tokenForm(c.assertion(t, func(m map[string]any) { delete(m, "jti") }), "system/*.read"), 401, "invalid_client"},
		{"iss is not sub", tokenForm(c.assertion(t, func(m map[string]any) { m["sub"] = other.id }), "system/*.read"), 401, "invalid_client"},
		{"iss of another client", tokenForm(c.assertion(t, func(m map[string]any) { m["iss"], m["sub"] = other.id, other.id }), "system/*.read"), 401, "invalid_client"},
		{"unknown kid", tokenForm(smartClient{id: c.id, kid: "nope", key: c.key}.assertion(t, nil), "system/*.read"), 401, "invalid_client"},
		{"signed by another key", tokenForm(stranger.assertion(t, nil), "system/*.read"), 401, "invalid_client"},
		{"not a JWS", tokenForm("abc.def", "system/*.read"), 401, "invalid_client"},
		{"scope beyond allowed", tokenForm(c.assertion(t, nil), "system/*.write"), 400, "invalid_scope"},
		{"patient scope", tokenForm(c.assertion(t, nil), "patient/*.read"), 400, "invalid_scope"},
		{"no scope", tokenForm(c.assertion(t, nil), ""), 400, "invalid_scope"},
		{"password grant", func() url.Values {
			f := tokenForm(c.assertion(t, nil), "system/*.read")
			f.Set("grant_type", "password")
			return f
		}(), 400, "unsupported_grant_type"},
		{"secret-based auth", func() url.Values {
			f := tokenForm(c.assertion(t, nil), "system/*.read")
			f.Del("client_assertion_type")
			return f
		}(), 400, "invalid_request"},
	}
	for _, tc := range cases {
		st, out := tokenRequest(t, srv, tc.form)
		if st != tc.status || out["error"] != tc.code {
			t.Errorf("%s: %d %v, want %d %s", tc.name, st, out, tc.status, tc.code)
		}
		if _, ok := out["access_token"]; ok {
			t.Errorf("%s: got a token", tc.name)
		}
	}

	// The token endpoint takes forms only.
	resp, err := http.Post(srv.URL+"/fhir/R4/auth/token", "application/json", strings.NewReader(`{"grant_type":"client_credentials"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("JSON token request: %d %v", resp.StatusCode, err)
	}
}

func TestSMARTRevokedClient(t *testing.T) {
	srv := newServer(t)
	c := registerClient(t, srv, newECKey(t), "system/*.*")
	tok, _ := getToken(t, srv, c, "system/*.read")
	if st, _ := fhirDo(t, srv, "GET", "/fhir/R4/Task", tok, "", ""); st == http.StatusUnauthorized || st == http.StatusForbidden {
		t.Fatalf("live token refused: %d", st)
	}
	if st, out := do(t, srv, "POST", "/v1/fhir-clients/"+c.id+"/revoke", adminKey, ""); st != http.StatusOK {
		t.Fatalf("revoke: %d %v", st, out)
	}
	if st, oo := fhirDo(t, srv, "GET", "/fhir/R4/Task", tok, "", ""); st != http.StatusUnauthorized || issueCode(oo) != "login" {
		t.Errorf("token of a revoked client: %d %v", st, oo)
	}
	if st, out := tokenRequest(t, srv, tokenForm(c.assertion(t, nil), "system/*.read")); st != http.StatusUnauthorized || out["error"] != "invalid_client" {
		t.Errorf("revoked client gets a token: %d %v", st, out)
	}
	_, list := do(t, srv, "GET", "/v1/fhir-clients", adminKey, "")
	found := false
	for _, it := range list["items"].([]any) {
		m := it.(map[string]any)
		if m["id"] == c.id {
			found = m["revoked_at"] != nil && len(m["keys"].([]any)) == 1
		}
	}
	if !found {
		t.Errorf("listing does not show the client revoked with its key: %v", list)
	}
	if st, _ := do(t, srv, "POST", "/v1/fhir-clients/"+uuid.NewString()+"/revoke", adminKey, ""); st != http.StatusNotFound {
		t.Errorf("revoke unknown client: %d", st)
	}
}

func TestFHIRClientRegistrationValidation(t *testing.T) {
	srv := newServer(t)
	ec, err := jose.PublicJWK(newECKey(t), "e1")
	if err != nil {
		t.Fatal(err)
	}
	good, err := json.Marshal(map[string]any{"keys": []any{ec}})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		`{"name":"","jwks":` + string(good) + `,"scopes":["system/*.read"]}`:                              "name",
		`{"name":"EHR","scopes":["system/*.read"]}`:                                                       "jwks",
		`{"name":"EHR","jwks":{"keys":[]},"scopes":["system/*.read"]}`:                                    "jwks",
		`{"name":"EHR","jwks":{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"}]},"scopes":["x"]}`:          "jwks",
		`{"name":"EHR","jwks":` + string(good) + `,"scopes":[]}`:                                          "scopes",
		`{"name":"EHR","jwks":` + string(good) + `,"scopes":["system/*.read","user/*.read"]}`:             "scopes[1]",
		`{"name":"EHR","jwks":` + string(good) + `,"scopes":["system/Patient.rsc"]}`:                      "scopes[0]",
		`{"name":"EHR","jwks":` + string(good) + `,"scopes":["system/*.read"],"client_secret":"hunter2"}`: "client_secret",
	}
	for body, field := range cases {
		if st, out := do(t, srv, "POST", "/v1/fhir-clients", adminKey, body); st != http.StatusBadRequest || errField(out) != field {
			t.Errorf("%s: %d %v, want 400 naming %s", body, st, out, field)
		}
	}
	// A care_team key may not register clients.
	careKey, _ := newKey(t, srv, "care_team")
	if st, _ := do(t, srv, "POST", "/v1/fhir-clients", careKey, `{"name":"EHR","jwks":`+string(good)+`,"scopes":["system/*.read"]}`); st != http.StatusForbidden {
		t.Errorf("care_team registers a client: %d", st)
	}
}

// mustClaim reads one claim of a signed token.
func mustClaim(t *testing.T, token, name string) any {
	t.Helper()
	j, err := jose.Parse(token)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(j.Payload, &m); err != nil {
		t.Fatal(err)
	}
	return m[name]
}
