package fakeehr

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/carepath/carepath/internal/fakefault"
)

// client is a registered SMART client: its public keys by kid.
type client struct {
	keys    map[string]crypto.PublicKey
	allowed []string // scopes it may get; empty: any it asks for
}

// Register records a client and its JSON Web Key Set (EC P-384 and RSA
// keys, each with a kid), as an EHR administrator does. allowed, if
// given, bounds the scopes its tokens carry.
func (s *Server) Register(clientID string, jwks []byte, allowed ...string) error {
	var set struct {
		Keys []struct {
			Kty, Kid, Crv, X, Y, N, E string
		} `json:"keys"`
	}
	if err := json.Unmarshal(jwks, &set); err != nil {
		return fmt.Errorf("fakeehr: JWKS: %w", err)
	}
	c := client{keys: map[string]crypto.PublicKey{}, allowed: allowed}
	b64 := base64.RawURLEncoding.DecodeString
	for _, k := range set.Keys {
		switch k.Kty {
		case "EC":
			x, xerr := b64(k.X)
			y, yerr := b64(k.Y)
			if k.Crv != "P-384" || xerr != nil || yerr != nil {
				return errors.New("fakeehr: JWKS: bad EC key")
			}
			pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P384(), append(append([]byte{4}, x...), y...))
			if err != nil {
				return fmt.Errorf("fakeehr: JWKS: %w", err)
			}
			c.keys[k.Kid] = pub
		case "RSA":
			n, nerr := b64(k.N)
			e, eerr := b64(k.E)
			if nerr != nil || eerr != nil {
				return errors.New("fakeehr: JWKS: bad RSA key")
			}
			c.keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		default:
			return fmt.Errorf("fakeehr: JWKS: key type %q", k.Kty)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[clientID] = c
	return nil
}

// RegisterKey registers a client by its public JWKS as carepath's private
// key gives it (smartclient.Key.JWKS): the demo's shortcut for step 2 of
// the EHR set-up.
func (s *Server) RegisterKey(clientID string, jwks map[string]any) error {
	b, err := json.Marshal(jwks)
	if err != nil {
		return fmt.Errorf("fakeehr: JWKS: %w", err)
	}
	return s.Register(clientID, b)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	fakefault.WriteJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// serveToken is the client_credentials grant with a private_key_jwt
// assertion, checked as the SMART Backend Services specification says.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "bad form")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "client_credentials only")
		return
	}
	if r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "client_assertion_type")
		return
	}
	clientID, err := s.verifyAssertion(r.PostForm.Get("client_assertion"))
	if err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", err.Error())
		return
	}
	s.mu.Lock()
	c := s.clients[clientID]
	s.mu.Unlock()
	var scopes []string
	for _, sc := range strings.Fields(r.PostForm.Get("scope")) {
		if len(c.allowed) == 0 || slices.Contains(c.allowed, sc) {
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) == 0 {
		oauthError(w, http.StatusBadRequest, "invalid_scope", "no requested scope is allowed")
		return
	}
	lifetime := s.TokenLifetime
	if lifetime <= 0 {
		lifetime = 5 * time.Minute
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "entropy")
		return
	}
	tok := hex.EncodeToString(raw)
	s.mu.Lock()
	s.tokens[tok] = token{clientID: clientID, scopes: scopes, expires: s.now().Add(lifetime)}
	s.tokenReqs++
	s.mu.Unlock()
	fakefault.WriteJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer",
		"expires_in": int64(lifetime / time.Second), "scope": strings.Join(scopes, " ")})
}

// verifyAssertion checks the JWT's signature against the client's key
// (kid), iss = sub = a registered client, aud = the token URL, exp ahead
// and at most 5 minutes out, and a jti not seen before.
func (s *Server) verifyAssertion(jwt string) (string, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "", errors.New("not a compact JWS")
	}
	var h struct{ Alg, Kid, Typ string }
	var c struct {
		Iss, Sub, Jti string
		Aud           any
		Exp           int64
	}
	if err := segment(parts[0], &h); err != nil {
		return "", fmt.Errorf("header: %w", err)
	}
	if err := segment(parts[1], &c); err != nil {
		return "", fmt.Errorf("claims: %w", err)
	}
	s.mu.Lock()
	cl, known := s.clients[c.Iss]
	s.mu.Unlock()
	if !known || c.Sub != c.Iss {
		return "", errors.New("unknown client (iss/sub)")
	}
	key, ok := cl.keys[h.Kid]
	if !ok {
		return "", errors.New("unknown kid")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", errors.New("signature encoding")
	}
	digest := sha512.Sum384([]byte(parts[0] + "." + parts[1]))
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		if h.Alg != "ES384" || len(sig) != 96 {
			return "", errors.New("alg does not match the key")
		}
		der, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sig[:48]), new(big.Int).SetBytes(sig[48:])})
		if err != nil || !ecdsa.VerifyASN1(k, digest[:], der) {
			return "", errors.New("bad signature")
		}
	case *rsa.PublicKey:
		if h.Alg != "RS384" || rsa.VerifyPKCS1v15(k, crypto.SHA384, digest[:], sig) != nil {
			return "", errors.New("bad signature or alg")
		}
	}
	if aud, _ := c.Aud.(string); aud != s.TokenURL() {
		return "", errors.New("aud is not the token URL")
	}
	now := s.now()
	exp := time.Unix(c.Exp, 0)
	if !now.Before(exp) || exp.Sub(now) > 5*time.Minute+time.Second {
		return "", errors.New("exp expired or more than 5 minutes out")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Jti == "" || s.jtis[c.Jti] {
		return "", errors.New("jti missing or reused")
	}
	s.jtis[c.Jti] = true
	return c.Iss, nil
}

func segment(seg string, into any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}
