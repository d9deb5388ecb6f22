package oidc_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath/internal/oidc"
	"github.com/carepath/carepath/internal/oidctest"
)

const redirect = "https://carepath.example/v1/sessions/oidc/callback"

func setup(t *testing.T, secret string) (*oidctest.Provider, *oidc.Client) {
	t.Helper()
	p := oidctest.New(t, "carepath", "s3cret")
	p.RedirectURL = redirect
	p.SetUser(oidctest.User{Subject: "u-1", Email: "nurse@example.org", Name: "Nurse"})
	c, err := oidc.New(oidc.Config{Issuer: p.URL, ClientID: "carepath", ClientSecret: secret, RedirectURL: redirect})
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

// authorize walks the browser's part: the auth URL, the provider's redirect
// back, and returns the code (checking the state came back).
func authorize(t *testing.T, c *oidc.Client, state, nonce, verifier string) string {
	t.Helper()
	u, err := c.AuthURL(context.Background(), state, nonce, verifier)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := parsed.Query()
	if q.Get("response_type") != "code" || q.Get("scope") != "openid email profile" || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") != oidc.Challenge(verifier) || q.Get("redirect_uri") != redirect || q.Get("nonce") != nonce {
		t.Fatalf("auth URL %s", u)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || loc.Query().Get("state") != state {
		t.Fatalf("authorize: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

func TestCodeFlowWithPKCE(t *testing.T) {
	p, c := setup(t, "s3cret")
	ctx := context.Background()
	code := authorize(t, c, "st", "n-1", "verifier-verifier-verifier-verifier-verifier")
	raw, err := c.Exchange(ctx, code, "verifier-verifier-verifier-verifier-verifier")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := c.Verify(ctx, raw, "n-1")
	if err != nil || cl.Email != "nurse@example.org" || cl.Subject != "u-1" || cl.EmailVerified != nil {
		t.Fatalf("claims %+v %v", cl, err)
	}
	if _, err := c.Exchange(ctx, code, "verifier-verifier-verifier-verifier-verifier"); err == nil {
		t.Fatal("a code exchanged twice")
	}
	if p.Redeemed() != 1 {
		t.Fatalf("redeemed %d", p.Redeemed())
	}
}

func TestExchangeRefusals(t *testing.T) {
	_, c := setup(t, "s3cret")
	ctx := context.Background()
	code := authorize(t, c, "st", "n", "the-right-verifier-the-right-verifier-0000")
	if _, err := c.Exchange(ctx, code, "another-verifier-another-verifier-00000000"); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("wrong PKCE verifier: %v", err)
	}
	_, wrong := setup(t, "not-the-secret")
	code = authorize(t, wrong, "st", "n", "the-right-verifier-the-right-verifier-0000")
	if _, err := wrong.Exchange(ctx, code, "the-right-verifier-the-right-verifier-0000"); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("wrong client secret: %v", err)
	}
}

func TestVerifyRefusesBentTokens(t *testing.T) {
	cases := map[string]func(p *oidctest.Provider){
		"audience": func(p *oidctest.Provider) { p.Mutate(func(c map[string]any) { c["aud"] = "someone-else" }) },
		"azp": func(p *oidctest.Provider) {
			p.Mutate(func(c map[string]any) { c["aud"] = []string{"carepath", "other"} })
		},
		"issuer": func(p *oidctest.Provider) { p.Mutate(func(c map[string]any) { c["iss"] = "https://evil.example" }) },
		"expired": func(p *oidctest.Provider) {
			p.Mutate(func(c map[string]any) { c["exp"] = time.Now().Add(-2 * time.Minute).Unix() })
		},
		"no exp": func(p *oidctest.Provider) { p.Mutate(func(c map[string]any) { delete(c, "exp") }) },
		"future": func(p *oidctest.Provider) {
			p.Mutate(func(c map[string]any) { c["iat"] = time.Now().Add(10 * time.Minute).Unix() })
		},
		"nonce":     func(p *oidctest.Provider) { p.Mutate(func(c map[string]any) { c["nonce"] = "replayed" }) },
		"signature": func(p *oidctest.Provider) { p.WrongKey(true) },
	}
	for name, bend := range cases {
		t.Run(name, func(t *testing.T) {
			p, c := setup(t, "s3cret")
			bend(p)
			ctx := context.Background()
			code := authorize(t, c, "st", "n-1", "verifier-verifier-verifier-verifier-verifier")
			raw, err := c.Exchange(ctx, code, "verifier-verifier-verifier-verifier-verifier")
			if err != nil {
				t.Fatal(err)
			}
			if cl, err := c.Verify(ctx, raw, "n-1"); !errors.Is(err, oidc.ErrInvalidToken) {
				t.Fatalf("accepted: %+v %v", cl, err)
			}
		})
	}
}

func TestVerifyRefusesAlgNoneAndHS256(t *testing.T) {
	_, c := setup(t, "s3cret")
	ctx := context.Background()
	code := authorize(t, c, "st", "n-1", "verifier-verifier-verifier-verifier-verifier")
	raw, err := c.Exchange(ctx, code, "verifier-verifier-verifier-verifier-verifier")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(raw, ".")
	for _, alg := range []string{"none", "HS256"} {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"` + alg + `","kid":"test-key-1"}`))
		for _, forged := range []string{h + "." + parts[1] + ".", h + "." + parts[1] + "." + parts[2]} {
			if _, err := c.Verify(ctx, forged, "n-1"); !errors.Is(err, oidc.ErrInvalidToken) {
				t.Fatalf("alg %s accepted: %v", alg, err)
			}
		}
	}
	// The untouched token is good: the refusals above are the header's.
	if _, err := c.Verify(ctx, raw, "n-1"); err != nil {
		t.Fatal(err)
	}
}

func TestDiscoveryIssuerMustMatch(t *testing.T) {
	p, _ := setup(t, "s3cret")
	c, err := oidc.New(oidc.Config{Issuer: p.URL + "/", ClientID: "carepath", RedirectURL: redirect})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AuthURL(context.Background(), "s", "n", "v"); err == nil || !strings.Contains(err.Error(), "issuer") {
		t.Fatalf("issuer with a trailing slash accepted: %v", err)
	}
	for _, bad := range []oidc.Config{{Issuer: "not a url", ClientID: "x", RedirectURL: redirect}, {Issuer: p.URL, RedirectURL: redirect}, {Issuer: p.URL, ClientID: "x", RedirectURL: "/relative"}} {
		if _, err := oidc.New(bad); err == nil {
			t.Errorf("config %+v accepted", bad)
		}
	}
}
