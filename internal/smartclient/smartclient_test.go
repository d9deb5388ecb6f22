package smartclient_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carepath/carepath/internal/fakeehr"
	"github.com/carepath/carepath/internal/smartclient"
)

// clock is a shared fake time for the client and the EHR.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func ecKey(t *testing.T) smartclient.Key {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	key, err := smartclient.ParseKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), "ec-1")
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func register(t *testing.T, ehr *fakeehr.Server, clientID string, key smartclient.Key) {
	t.Helper()
	jwks, err := key.JWKS()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(jwks)
	if err != nil {
		t.Fatal(err)
	}
	if err := ehr.Register(clientID, b); err != nil {
		t.Fatal(err)
	}
}

func setup(t *testing.T, key smartclient.Key) (*fakeehr.Server, *smartclient.Client, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)}
	ehr := fakeehr.New()
	t.Cleanup(ehr.Close)
	ehr.Now = clk.Now
	register(t, ehr, "carepath", key)
	c, err := smartclient.New(smartclient.Config{TokenURL: ehr.TokenURL(), ClientID: "carepath", Key: key, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return ehr, c, clk
}

func put(t *testing.T, hc *http.Client, url, body string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPut, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func TestTokenCachedUntilShortlyBeforeExpiry(t *testing.T) {
	ehr, c, clk := setup(t, ecKey(t))
	hc := c.HTTPClient(10 * time.Second)
	for i := range 3 {
		if got := put(t, hc, ehr.FHIRBase()+"/Patient/p1", `{"resourceType":"Patient","id":"p1"}`); got/100 != 2 {
			t.Fatalf("put %d: %d", i, got)
		}
	}
	if n := ehr.TokensIssued(); n != 1 {
		t.Fatalf("tokens issued for three calls within the lifetime: %d, want 1", n)
	}
	// 5-minute tokens are replaced 30 s before they expire.
	clk.Add(4*time.Minute + 29*time.Second)
	put(t, hc, ehr.FHIRBase()+"/Patient/p1", `{"resourceType":"Patient","id":"p1"}`)
	if n := ehr.TokensIssued(); n != 1 {
		t.Fatalf("tokens issued at 4m29s: %d, want 1", n)
	}
	clk.Add(2 * time.Second)
	if got := put(t, hc, ehr.FHIRBase()+"/Patient/p1", `{"resourceType":"Patient","id":"p1"}`); got != http.StatusOK {
		t.Fatalf("put after refresh: %d", got)
	}
	if n := ehr.TokensIssued(); n != 2 {
		t.Fatalf("tokens issued at 4m31s: %d, want 2", n)
	}
	for _, r := range ehr.Requests() {
		if r.Status == http.StatusUnauthorized {
			t.Fatalf("a request went out with an expiring token: %+v", r)
		}
	}
}

func TestUnauthorizedRefetchesOnceAndReplaysTheBody(t *testing.T) {
	ehr, c, _ := setup(t, ecKey(t))
	hc := c.HTTPClient(10 * time.Second)
	if got := put(t, hc, ehr.FHIRBase()+"/Task/t1", `{"resourceType":"Task","id":"t1","status":"requested"}`); got != http.StatusCreated {
		t.Fatalf("first put: %d", got)
	}
	ehr.RevokeTokens()
	if got := put(t, hc, ehr.FHIRBase()+"/Task/t1", `{"resourceType":"Task","id":"t1","status":"completed"}`); got != http.StatusOK {
		t.Fatalf("put after revocation: %d", got)
	}
	if n := ehr.TokensIssued(); n != 2 {
		t.Fatalf("tokens issued: %d, want 2", n)
	}
	var statuses []int
	for _, r := range ehr.Requests() {
		statuses = append(statuses, r.Status)
	}
	if want := []int{201, 401, 200}; !slices.Equal(statuses, want) {
		t.Fatalf("statuses %v, want %v", statuses, want)
	}
	body, _ := ehr.Resource("Task", "t1")
	if !strings.Contains(string(body), `"completed"`) {
		t.Fatalf("the replayed body did not arrive: %s", body)
	}
}

func TestUnauthorizedTwiceIsReturned(t *testing.T) {
	ehr, c, _ := setup(t, ecKey(t))
	hc := c.HTTPClient(10 * time.Second)
	ehr.RefuseNext(2, http.StatusUnauthorized)
	if got := put(t, hc, ehr.FHIRBase()+"/Task/t1", `{"resourceType":"Task","id":"t1"}`); got != http.StatusUnauthorized {
		t.Fatalf("status %d, want the second 401 passed on", got)
	}
	if n := len(ehr.Requests()); n != 2 {
		t.Fatalf("requests %d, want 2 (one retry only)", n)
	}
}

func TestRS384AndAssertionClaims(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	key, err := smartclient.NewKey(rk, "rsa-1")
	if err != nil {
		t.Fatal(err)
	}
	ehr, c, clk := setup(t, key)
	if _, err := c.Token(context.Background()); err != nil {
		t.Fatalf("RS384 token: %v", err)
	}
	a, err := c.Assertion()
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(a, ".")
	var h map[string]any
	var claims map[string]any
	decode(t, parts[0], &h)
	decode(t, parts[1], &claims)
	if h["alg"] != "RS384" || h["kid"] != "rsa-1" || h["typ"] != "JWT" {
		t.Fatalf("header %v", h)
	}
	if claims["iss"] != "carepath" || claims["sub"] != "carepath" || claims["aud"] != ehr.TokenURL() || claims["jti"] == "" {
		t.Fatalf("claims %v", claims)
	}
	if exp := int64(claims["exp"].(float64)); exp != clk.Now().Add(5*time.Minute).Unix() {
		t.Fatalf("exp %d, want now+5min", exp)
	}
}

func TestUnregisteredKeyIsRefused(t *testing.T) {
	ehr, _, clk := setup(t, ecKey(t))
	other := ecKey(t) // same kid, a different key
	c, err := smartclient.New(smartclient.Config{TokenURL: ehr.TokenURL(), ClientID: "carepath", Key: other, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Token(context.Background())
	var te *smartclient.TokenError
	if !errors.As(err, &te) || te.Status != http.StatusUnauthorized || te.Code != "invalid_client" {
		t.Fatalf("err %v, want 401 invalid_client", err)
	}
}

func TestDiscover(t *testing.T) {
	key := ecKey(t)
	ehr, _, clk := setup(t, key)
	got, err := smartclient.Discover(context.Background(), http.DefaultClient, ehr.FHIRBase()+"/")
	if err != nil || got != ehr.TokenURL() {
		t.Fatalf("Discover = %q, %v; want %q", got, err, ehr.TokenURL())
	}
	// Without a token URL the client discovers it at its first token request.
	c, err := smartclient.New(smartclient.Config{FHIRBase: ehr.FHIRBase(), ClientID: "carepath", Key: key, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Assertion(); err == nil {
		t.Fatal("an assertion was signed before the token URL was known")
	}
	if got := put(t, c.HTTPClient(10*time.Second), ehr.FHIRBase()+"/Patient/p1", `{"resourceType":"Patient","id":"p1"}`); got != http.StatusCreated {
		t.Fatalf("put through a discovered token URL: %d", got)
	}
}

func TestParseKeyRefusesWeakKeys(t *testing.T) {
	k256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := smartclient.NewKey(k256, "k"); err == nil {
		t.Fatal("a P-256 key was taken for ES384")
	}
	if _, err := smartclient.ParseKey([]byte("not pem"), "k"); err == nil {
		t.Fatal("garbage was taken for a key")
	}
}

func decode(t *testing.T, seg string, into any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatal(err)
	}
}
