package oidc

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// ErrInvalidToken wraps every reason an ID token is refused.
var ErrInvalidToken = errors.New("oidc: invalid ID token")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidToken, fmt.Sprintf(format, args...))
}

// Claims is what carepath reads from a verified ID token.
type Claims struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified *bool // nil when the provider does not send the claim
	Name          string
}

// rawClaims is the token's payload; aud is a string or an array.
type rawClaims struct {
	Iss           string          `json:"iss"`
	Sub           string          `json:"sub"`
	Aud           json.RawMessage `json:"aud"`
	Azp           string          `json:"azp"`
	Exp           *json.Number    `json:"exp"`
	Iat           *json.Number    `json:"iat"`
	Nonce         string          `json:"nonce"`
	Email         string          `json:"email"`
	EmailVerified json.RawMessage `json:"email_verified"`
	Name          string          `json:"name"`
}

type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// Verify checks an ID token's RS256 signature against the provider's keys
// and its claims (OpenID Connect Core 3.1.3.7): iss is the issuer, aud
// holds the client ID (and azp names it when there are several), exp is
// ahead, iat not in the future, nonce the one this sign-in sent.
func (c *Client) Verify(ctx context.Context, raw, nonce string) (Claims, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return Claims{}, invalid("not a compact JWS")
	}
	var h header
	if err := decodeSegment(parts[0], &h); err != nil {
		return Claims{}, invalid("header: %v", err)
	}
	// Only RS256: "none" and HMAC algorithms (where the public key would be
	// the secret) are refused before any key is looked at.
	if h.Alg != "RS256" {
		return Claims{}, invalid("algorithm %q (want RS256)", h.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return Claims{}, invalid("signature encoding")
	}
	key, err := c.key(ctx, h.Kid)
	if err != nil {
		return Claims{}, err
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig); err != nil {
		return Claims{}, invalid("signature does not verify")
	}
	var rc rawClaims
	if err := decodeSegment(parts[1], &rc); err != nil {
		return Claims{}, invalid("payload: %v", err)
	}
	if rc.Iss != c.cfg.Issuer {
		return Claims{}, invalid("issuer")
	}
	aud, err := audiences(rc.Aud)
	if err != nil || !contains(aud, c.cfg.ClientID) {
		return Claims{}, invalid("audience")
	}
	if (len(aud) > 1 || rc.Azp != "") && rc.Azp != c.cfg.ClientID {
		return Claims{}, invalid("authorized party")
	}
	now := c.cfg.Now()
	exp, err := unixTime(rc.Exp)
	if err != nil || !now.Before(exp.Add(Leeway)) {
		return Claims{}, invalid("expired")
	}
	iat, err := unixTime(rc.Iat)
	if err != nil || iat.After(now.Add(Leeway)) {
		return Claims{}, invalid("issued in the future")
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(rc.Nonce), []byte(nonce)) != 1 {
		return Claims{}, invalid("nonce")
	}
	if rc.Sub == "" {
		return Claims{}, invalid("no subject")
	}
	cl := Claims{Issuer: rc.Iss, Subject: rc.Sub, Email: rc.Email, Name: rc.Name}
	if len(rc.EmailVerified) > 0 && string(rc.EmailVerified) != "null" {
		v, err := boolClaim(rc.EmailVerified)
		if err != nil {
			return Claims{}, invalid("email_verified")
		}
		cl.EmailVerified = &v
	}
	return cl, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

func audiences(raw json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, err
	}
	return many, nil
}

func unixTime(n *json.Number) (time.Time, error) {
	if n == nil {
		return time.Time{}, errors.New("missing")
	}
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(int64(f), 0), nil
}

// boolClaim reads true/false, and the strings some providers send.
func boolClaim(raw json.RawMessage) (bool, error) {
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil && (s == "true" || s == "false") {
		return s == "true", nil
	}
	return false, errors.New("not a boolean")
}

// jwk is one RSA key of a JWKS.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// key finds the signing key by ID, refetching the JWKS (at most once a
// minute) when the ID is new: providers rotate keys.
func (c *Client) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	c.mu.Lock()
	k, ok := pick(c.keys, kid)
	stale := c.keys == nil || c.cfg.Now().Sub(c.keysFetch) > jwksRefetch
	c.mu.Unlock()
	if ok {
		return k, nil
	}
	if !stale {
		return nil, invalid("unknown key")
	}
	d, err := c.Discover(ctx)
	if err != nil {
		return nil, err
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := c.getJSON(ctx, d.JWKSURI, &set); err != nil {
		return nil, fmt.Errorf("oidc: jwks: %w", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, j := range set.Keys {
		if j.Kty != "RSA" || (j.Use != "" && j.Use != "sig") || (j.Alg != "" && j.Alg != "RS256") {
			continue
		}
		pk, err := rsaKey(j)
		if err != nil {
			continue // one malformed key does not block the others
		}
		keys[j.Kid] = pk
	}
	c.mu.Lock()
	c.keys, c.keysFetch = keys, c.cfg.Now()
	c.mu.Unlock()
	if k, ok := pick(keys, kid); ok {
		return k, nil
	}
	return nil, invalid("unknown key")
}

// pick returns the key with this ID; a token without one may use the only
// key there is.
func pick(keys map[string]*rsa.PublicKey, kid string) (*rsa.PublicKey, bool) {
	if k, ok := keys[kid]; ok {
		return k, true
	}
	if kid == "" && len(keys) == 1 {
		for _, k := range keys {
			return k, true
		}
	}
	return nil, false
}

func rsaKey(j jwk) (*rsa.PublicKey, error) {
	n, err := base64.RawURLEncoding.DecodeString(j.N)
	if err != nil {
		return nil, err
	}
	e, err := base64.RawURLEncoding.DecodeString(j.E)
	if err != nil {
		return nil, err
	}
	eb := new(big.Int).SetBytes(e)
	if !eb.IsInt64() || eb.Int64() < 3 || eb.Int64() > 1<<31-1 {
		return nil, errors.New("bad exponent")
	}
	pk := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(eb.Int64())}
	if pk.N.BitLen() < 2048 {
		return nil, errors.New("key shorter than 2048 bits")
	}
	return pk, nil
}
