// Package jose verifies compact JWS tokens signed with RS384 or ES384 (the
// algorithms SMART Backend Services requires servers to support) against
// JSON Web Keys (RFC 7517): RSA keys of at least 2048 bits and EC keys on
// P-384. Standard library only; internal/oidc keeps its own RS256 path for
// ID tokens.
package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// Signing algorithms carepath accepts.
const (
	RS384 = "RS384"
	ES384 = "ES384"
)

// JWK is one public key from a JWK Set, checked and parsed.
type JWK struct {
	Kid string
	Kty string // "RSA" or "EC"
	Alg string // the key's alg member, "" when it has none
	Key crypto.PublicKey
	Raw json.RawMessage // the key as given (public members only: private keys are refused)
}

// rawJWK is the members carepath reads.
type rawJWK struct {
	Kty    string   `json:"kty"`
	Kid    string   `json:"kid"`
	Use    string   `json:"use"`
	Alg    string   `json:"alg"`
	KeyOps []string `json:"key_ops"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	Crv    string   `json:"crv"`
	X      string   `json:"x"`
	Y      string   `json:"y"`
	D      string   `json:"d"`
	P      string   `json:"p"`
}

// ParseJWKS reads a JWK Set ({"keys": [...]}). Every key must be usable
// (a kid, RSA ≥ 2048 bits or EC P-384, for signatures, public only, kids
// distinct): a set with one bad key is refused as a whole, naming it, so a
// registration never silently drops the key a client signs with.
func ParseJWKS(raw []byte) ([]JWK, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, fmt.Errorf("not a JWK Set: %w", err)
	}
	if len(set.Keys) == 0 {
		return nil, errors.New("the JWK Set has no keys")
	}
	seen := map[string]bool{}
	out := make([]JWK, 0, len(set.Keys))
	for i, k := range set.Keys {
		j, err := ParseJWK(k)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		if seen[j.Kid] {
			return nil, fmt.Errorf("key %d: kid %q appears twice", i, j.Kid)
		}
		seen[j.Kid] = true
		out = append(out, j)
	}
	return out, nil
}

// ParseJWK reads one public signing key.
func ParseJWK(raw json.RawMessage) (JWK, error) {
	var r rawJWK
	if err := json.Unmarshal(raw, &r); err != nil {
		return JWK{}, fmt.Errorf("not a JWK: %w", err)
	}
	if r.Kid == "" || len(r.Kid) > 200 {
		return JWK{}, errors.New("kid is required (at most 200 characters)")
	}
	if r.D != "" || r.P != "" {
		return JWK{}, errors.New("is a private key: register the public key only")
	}
	if r.Use != "" && r.Use != "sig" {
		return JWK{}, fmt.Errorf("use %q: must be sig", r.Use)
	}
	if len(r.KeyOps) > 0 && !contains(r.KeyOps, "verify") {
		return JWK{}, errors.New("key_ops must include verify")
	}
	j := JWK{Kid: r.Kid, Kty: r.Kty, Alg: r.Alg}
	var err error
	switch r.Kty {
	case "RSA":
		if r.Alg != "" && r.Alg != RS384 {
			return JWK{}, fmt.Errorf("alg %q: an RSA key signs RS384 here", r.Alg)
		}
		j.Key, err = rsaKey(r.N, r.E)
	case "EC":
		if r.Alg != "" && r.Alg != ES384 {
			return JWK{}, fmt.Errorf("alg %q: an EC key signs ES384 here", r.Alg)
		}
		j.Key, err = ecKey(r.Crv, r.X, r.Y)
	default:
		return JWK{}, fmt.Errorf("kty %q: must be RSA or EC", r.Kty)
	}
	if err != nil {
		return JWK{}, err
	}
	// Keep only the public members, so what is stored and shown is the
	// public key whatever else the client sent.
	pub := map[string]any{"kty": r.Kty, "kid": r.Kid}
	if r.Alg != "" {
		pub["alg"] = r.Alg
	}
	if r.Kty == "RSA" {
		pub["n"], pub["e"] = r.N, r.E
	} else {
		pub["crv"], pub["x"], pub["y"] = r.Crv, r.X, r.Y
	}
	if j.Raw, err = json.Marshal(pub); err != nil {
		return JWK{}, fmt.Errorf("encode key: %w", err)
	}
	return j, nil
}

// AlgFor is the algorithm a key signs with here.
func (j JWK) AlgFor() string {
	if j.Kty == "EC" {
		return ES384
	}
	return RS384
}

func rsaKey(n64, e64 string) (*rsa.PublicKey, error) {
	n, err := base64.RawURLEncoding.DecodeString(n64)
	if err != nil || len(n) == 0 {
		return nil, errors.New("n is not base64url")
	}
	e, err := base64.RawURLEncoding.DecodeString(e64)
	if err != nil || len(e) == 0 {
		return nil, errors.New("e is not base64url")
	}
	eb := new(big.Int).SetBytes(e)
	if !eb.IsInt64() || eb.Int64() < 3 || eb.Int64() > 1<<31-1 || eb.Bit(0) == 0 {
		return nil, errors.New("e is not a usable RSA exponent")
	}
	pk := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(eb.Int64())}
	if pk.N.BitLen() < 2048 {
		return nil, errors.New("RSA keys must be at least 2048 bits")
	}
	return pk, nil
}

func ecKey(crv, x64, y64 string) (*ecdsa.PublicKey, error) {
	if crv != "P-384" {
		return nil, fmt.Errorf("crv %q: EC keys must be on P-384", crv)
	}
	x, err := base64.RawURLEncoding.DecodeString(x64)
	if err != nil || len(x) != 48 {
		return nil, errors.New("x is not a 48-byte base64url coordinate")
	}
	y, err := base64.RawURLEncoding.DecodeString(y64)
	if err != nil || len(y) != 48 {
		return nil, errors.New("y is not a 48-byte base64url coordinate")
	}
	// The parser checks the point is on the curve (and not the identity).
	pk, err := ecdsa.ParseUncompressedPublicKey(elliptic.P384(), append(append([]byte{4}, x...), y...))
	if err != nil {
		return nil, errors.New("the point is not on P-384")
	}
	return pk, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
