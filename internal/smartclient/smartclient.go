// Package smartclient is carepath as a SMART Backend Services client
// (https://hl7.org/fhir/smart-app-launch/backend-services.html): it proves
// who it is with a short-lived JWT signed by its private key
// (private_key_jwt, RFC 7523), obtains an access token with the
// client_credentials grant, keeps the token until shortly before it
// expires, and adds it to every request to the EHR's FHIR server.
package smartclient

import (
	"context"
	"crypto/rand"
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

// AssertionType is the client_assertion_type of a signed JWT (RFC 7523).
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// AssertionLifetime is how long a client assertion is valid: the SMART
// specification allows at most five minutes.
const AssertionLifetime = 5 * time.Minute

// DefaultScope is what carepath asks for: writing what it did, reading
// what an id-only subscription notification names.
const DefaultScope = "system/*.write system/*.read"

// Config is one EHR registration of carepath.
type Config struct {
	TokenURL string // the EHR's token endpoint; also the assertion's aud
	// FHIRBase, when TokenURL is empty, is where the token endpoint is
	// discovered (<base>/.well-known/smart-configuration) at the first
	// token request, so an EHR that is down does not stop carepath starting.
	FHIRBase string
	ClientID string // carepath's client_id at the EHR: iss and sub
	Key      Key
	Scope    string           // default DefaultScope
	HTTP     *http.Client     // for the token request; default a client with a 30 s timeout
	Now      func() time.Time // default time.Now (tests move it)
}

// Client obtains and caches access tokens. It is safe for concurrent use.
type Client struct {
	cfg Config

	mu       sync.Mutex
	tokenURL string // cfg.TokenURL, or discovered
	token    string
	refresh  time.Time // fetch a new token from here on
}

// New checks the configuration and returns a client; no request is made.
func New(cfg Config) (*Client, error) {
	check := cfg.TokenURL
	if check == "" {
		check = cfg.FHIRBase
	}
	if u, err := url.Parse(check); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("smartclient: the token URL (or the FHIR base to discover it from) must be an absolute http(s) URL")
	}
	if cfg.ClientID == "" {
		return nil, errors.New("smartclient: a client ID is required")
	}
	if cfg.Key.Signer == nil {
		return nil, errors.New("smartclient: a private key is required")
	}
	if cfg.Scope == "" {
		cfg.Scope = DefaultScope
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg, tokenURL: cfg.TokenURL}, nil
}

// Assertion signs a client assertion for the token endpoint: iss = sub =
// the client ID, aud = the token URL, exp five minutes ahead, a random jti
// (the server refuses a jti it has seen), the key's kid in the header.
func (c *Client) Assertion() (string, error) {
	c.mu.Lock()
	aud := c.tokenURL
	c.mu.Unlock()
	return c.assertion(aud)
}

func (c *Client) assertion(aud string) (string, error) {
	if aud == "" {
		return "", errors.New("smartclient: the token URL is not known yet (discovered at the first token request)")
	}
	now := c.cfg.Now()
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", fmt.Errorf("smartclient: jti: %w", err)
	}
	header := map[string]string{"alg": c.cfg.Key.Alg, "typ": "JWT", "kid": c.cfg.Key.ID}
	claims := map[string]any{"iss": c.cfg.ClientID, "sub": c.cfg.ClientID, "aud": aud,
		"exp": now.Add(AssertionLifetime).Unix(), "iat": now.Unix(), "jti": base64.RawURLEncoding.EncodeToString(jti)}
	h, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("smartclient: %w", err)
	}
	p, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("smartclient: %w", err)
	}
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	sig, err := c.cfg.Key.sign(input)
	if err != nil {
		return "", fmt.Errorf("smartclient: %w", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// Token returns a cached access token, or obtains a new one when none is
// cached or the cached one is about to expire.
func (c *Client) Token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.cfg.Now().Before(c.refresh) {
		return c.token, nil
	}
	tok, lifetime, err := c.fetch(ctx)
	if err != nil {
		return "", err
	}
	c.token, c.refresh = tok, c.cfg.Now().Add(lifetime-refreshMargin(lifetime))
	return tok, nil
}

// Forget drops the cached token if it is still tok (a server refused it
// before its time), so the next Token fetches another.
func (c *Client) Forget(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == tok {
		c.token = ""
	}
}

// refreshMargin is how long before expiry a token is replaced: 30 s, or a
// fifth of a shorter lifetime, so a request never carries a token that
// expires on its way.
func refreshMargin(lifetime time.Duration) time.Duration {
	return min(30*time.Second, lifetime/5)
}

// tokenResponse is the token endpoint's answer (RFC 6749 5.1, 5.2).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// defaultLifetime is assumed when the server does not say (expires_in is
// recommended, not required); SMART servers issue tokens of at most 5 min.
const defaultLifetime = 5 * time.Minute

// fetch obtains a token; called with mu held.
func (c *Client) fetch(ctx context.Context) (string, time.Duration, error) {
	if c.tokenURL == "" {
		u, err := Discover(ctx, c.cfg.HTTP, c.cfg.FHIRBase)
		if err != nil {
			return "", 0, err
		}
		c.tokenURL = u
	}
	assertion, err := c.assertion(c.tokenURL)
	if err != nil {
		return "", 0, err
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {c.cfg.Scope},
		"client_assertion_type": {AssertionType}, "client_assertion": {assertion}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("smartclient: token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("smartclient: token request: %w", err)
	}
	defer func() { _ = resp.Body.Close() }() // read fully below; nothing left to report
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", 0, fmt.Errorf("smartclient: token response: %w", err)
	}
	var tr tokenResponse
	jerr := json.Unmarshal(body, &tr)
	if resp.StatusCode != http.StatusOK {
		// The OAuth error code and description name no patient.
		if jerr == nil && tr.Error != "" {
			return "", 0, &TokenError{Status: resp.StatusCode, Code: tr.Error, Description: tr.Description}
		}
		return "", 0, &TokenError{Status: resp.StatusCode}
	}
	if jerr != nil {
		return "", 0, fmt.Errorf("smartclient: token response: %w", jerr)
	}
	if tr.AccessToken == "" || !strings.EqualFold(tr.TokenType, "bearer") {
		return "", 0, errors.New("smartclient: token response without a bearer access_token")
	}
	lifetime := defaultLifetime
	if tr.ExpiresIn > 0 {
		lifetime = time.Duration(tr.ExpiresIn) * time.Second
	}
	return tr.AccessToken, lifetime, nil
}

// TokenError is a token endpoint's refusal.
type TokenError struct {
	Status      int
	Code        string // OAuth error code, e.g. invalid_client
	Description string
}

func (e *TokenError) Error() string {
	s := fmt.Sprintf("smartclient: token endpoint answered %d", e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}
