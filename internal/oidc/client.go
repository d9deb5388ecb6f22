// Package oidc is the OpenID Connect relying party carepath needs for single
// sign-on, on the standard library alone: discovery, the authorization-code
// flow with PKCE (S256), the token exchange, and ID-token checks (RS256
// signature against the provider's JWKS; iss, aud, azp, exp, iat, nonce).
// It keeps no per-sign-in state: the caller stores state, nonce and verifier.
package oidc

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Config is a registered client of one provider.
type Config struct {
	Issuer       string // exactly as the provider's discovery document names itself
	ClientID     string
	ClientSecret string // empty: a public client (PKCE only), client_id sent in the form
	RedirectURL  string // the callback registered with the provider
	// HTTPClient calls the provider; nil: a client with a 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock for token checks; nil: time.Now.
	Now func() time.Time
}

// Scopes carepath asks for: an ID token with the email to map to a user.
const Scopes = "openid email profile"

// Leeway tolerates clock differences with the provider on exp and iat.
const Leeway = time.Minute

// jwksRefetch bounds how often an unknown key ID refetches the JWKS.
const jwksRefetch = time.Minute

// Discovery is the part of the provider's metadata the flow uses.
type Discovery struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
	TokenAuthMethods      []string `json:"token_endpoint_auth_methods_supported"`
}

// Client talks to one provider. Discovery and keys are fetched when first
// needed and kept; a provider that is down at start does not stop carepath.
type Client struct {
	cfg  Config
	http *http.Client

	mu        sync.Mutex
	disc      *Discovery
	keys      map[string]*rsa.PublicKey
	keysFetch time.Time
}

// New checks the configuration; it does not call the provider.
func New(cfg Config) (*Client, error) {
	if u, err := url.Parse(cfg.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("oidc: the issuer must be an absolute http(s) URL")
	}
	if cfg.ClientID == "" {
		return nil, errors.New("oidc: a client ID is required")
	}
	if u, err := url.Parse(cfg.RedirectURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("oidc: the redirect URL must be an absolute http(s) URL")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg, http: hc}, nil
}

// RandomString is 32 random bytes, URL-safe: states, nonces, verifiers.
func RandomString() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("oidc: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Challenge is PKCE's S256 code challenge for a verifier (RFC 7636 4.2).
func Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Discover returns the provider's metadata, fetching it once.
func (c *Client) Discover(ctx context.Context) (*Discovery, error) {
	c.mu.Lock()
	d := c.disc
	c.mu.Unlock()
	if d != nil {
		return d, nil
	}
	var doc Discovery
	if err := c.getJSON(ctx, strings.TrimRight(c.cfg.Issuer, "/")+"/.well-known/openid-configuration", &doc); err != nil {
		return nil, fmt.Errorf("oidc: discovery: %w", err)
	}
	// OpenID Connect Discovery 4.3: the document must name the issuer we
	// asked, or tokens from another issuer could pass.
	if doc.Issuer != c.cfg.Issuer {
		return nil, fmt.Errorf("oidc: discovery names issuer %q, configured %q", doc.Issuer, c.cfg.Issuer)
	}
	if doc.AuthorizationEndpoint == "" || doc.TokenEndpoint == "" || doc.JWKSURI == "" {
		return nil, errors.New("oidc: discovery lacks an authorization, token or jwks endpoint")
	}
	if len(doc.CodeChallengeMethods) > 0 && !contains(doc.CodeChallengeMethods, "S256") {
		return nil, errors.New("oidc: the provider does not support PKCE S256")
	}
	c.mu.Lock()
	c.disc = &doc
	c.mu.Unlock()
	return &doc, nil
}

// AuthURL is where the browser goes to sign in: the authorization endpoint
// with response_type=code, the client, redirect URI, scopes, state, nonce
// and the verifier's S256 challenge.
func (c *Client) AuthURL(ctx context.Context, state, nonce, verifier string) (string, error) {
	d, err := c.Discover(ctx)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(d.AuthorizationEndpoint)
	if err != nil {
		return "", fmt.Errorf("oidc: authorization endpoint: %w", err)
	}
	q := u.Query()
	q.Set("response_type", "code")
	q.Set("client_id", c.cfg.ClientID)
	q.Set("redirect_uri", c.cfg.RedirectURL)
	q.Set("scope", Scopes)
	q.Set("state", state)
	q.Set("nonce", nonce)
	q.Set("code_challenge", Challenge(verifier))
	q.Set("code_challenge_method", "S256")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// tokenResponse is the token endpoint's answer (RFC 6749 5.1).
type tokenResponse struct {
	IDToken string `json:"id_token"`
	Error   string `json:"error"`
}

// Exchange trades an authorization code (and the PKCE verifier) for the
// raw ID token.
func (c *Client) Exchange(ctx context.Context, code, verifier string) (string, error) {
	d, err := c.Discover(ctx)
	if err != nil {
		return "", err
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {c.cfg.RedirectURL}, "code_verifier": {verifier}}
	basic := c.cfg.ClientSecret != "" && (len(d.TokenAuthMethods) == 0 || contains(d.TokenAuthMethods, "client_secret_basic"))
	if !basic {
		form.Set("client_id", c.cfg.ClientID)
		if c.cfg.ClientSecret != "" {
			form.Set("client_secret", c.cfg.ClientSecret)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("oidc: token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if basic {
		// RFC 6749 2.3.1: both parts form-encoded before Basic.
		req.SetBasicAuth(url.QueryEscape(c.cfg.ClientID), url.QueryEscape(c.cfg.ClientSecret))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("oidc: token request: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var tr tokenResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tr); err != nil {
		return "", fmt.Errorf("oidc: token response (%d): %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("oidc: token endpoint answered %d %s", resp.StatusCode, safeCode(tr.Error))
	}
	if tr.IDToken == "" {
		return "", errors.New("oidc: the token response has no id_token")
	}
	return tr.IDToken, nil
}

// getJSON fetches a provider document.
func (c *Client) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", u, resp.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// safeCode keeps an OAuth error code (a short token) and drops anything else
// a provider might echo.
func safeCode(s string) string {
	if len(s) > 40 || strings.ContainsFunc(s, func(r rune) bool { return !(r == '_' || r >= 'a' && r <= 'z') }) {
		return ""
	}
	return s
}
