package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// ErrInvalid wraps every reason a token is refused.
var ErrInvalid = errors.New("jose: invalid token")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Header is a JWS protected header's members carepath reads.
type Header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
	Jku string `json:"jku"`
}

// JWS is a compact JWS, parsed but not yet verified.
type JWS struct {
	Header  Header
	Payload []byte
	input   string // header.payload, what the signature covers
	sig     []byte
}

// Parse splits and decodes a compact JWS. Only RS384 and ES384 are
// accepted: "none" and HMAC (where a public key would be taken as the
// secret) never reach verification.
func Parse(token string) (*JWS, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, invalid("not a compact JWS")
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, invalid("header is not base64url")
	}
	var h Header
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, invalid("header is not JSON")
	}
	if h.Alg != RS384 && h.Alg != ES384 {
		return nil, invalid("algorithm %q (want RS384 or ES384)", h.Alg)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, invalid("payload is not base64url")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, invalid("signature is not base64url")
	}
	return &JWS{Header: h, Payload: payload, input: parts[0] + "." + parts[1], sig: sig}, nil
}

// Verify checks the signature with key, which must suit the header's alg
// (RS384: RSA, ES384: EC P-384).
func (j *JWS) Verify(key JWK) error {
	if key.Alg != "" && key.Alg != j.Header.Alg {
		return invalid("key %s is for %s, token is %s", key.Kid, key.Alg, j.Header.Alg)
	}
	digest := sha512.Sum384([]byte(j.input))
	switch j.Header.Alg {
	case RS384:
		pk, ok := key.Key.(*rsa.PublicKey)
		if !ok {
			return invalid("RS384 needs an RSA key")
		}
		if err := rsa.VerifyPKCS1v15(pk, crypto.SHA384, digest[:], j.sig); err != nil {
			return invalid("bad signature")
		}
	case ES384:
		pk, ok := key.Key.(*ecdsa.PublicKey)
		if !ok {
			return invalid("ES384 needs an EC key")
		}
		// JWS carries R||S, 48 bytes each (RFC 7518 3.4), not ASN.1.
		if len(j.sig) != 96 {
			return invalid("bad signature")
		}
		r, s := new(big.Int).SetBytes(j.sig[:48]), new(big.Int).SetBytes(j.sig[48:])
		if !ecdsa.Verify(pk, digest[:], r, s) {
			return invalid("bad signature")
		}
	default:
		return invalid("algorithm %q", j.Header.Alg)
	}
	return nil
}

// Sign makes a compact JWS of claims with an RSA (RS384) or EC P-384
// (ES384) private key. carepath verifies; Sign is for clients and tests.
func Sign(key crypto.Signer, kid string, claims any) (string, error) {
	h := Header{Kid: kid, Typ: "JWT"}
	switch key.(type) {
	case *rsa.PrivateKey:
		h.Alg = RS384
	case *ecdsa.PrivateKey:
		h.Alg = ES384
	default:
		return "", fmt.Errorf("jose: sign: unsupported key type %T", key)
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("jose: sign: %w", err)
	}
	pb, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("jose: sign: %w", err)
	}
	input := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(pb)
	digest := sha512.Sum384([]byte(input))
	var sig []byte
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA384, digest[:]); err != nil {
			return "", fmt.Errorf("jose: sign: %w", err)
		}
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, digest[:])
		if err != nil {
			return "", fmt.Errorf("jose: sign: %w", err)
		}
		sig = make([]byte, 96)
		r.FillBytes(sig[:48])
		s.FillBytes(sig[48:])
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// PublicJWK is the JWK of a signer's public key, for registering it.
func PublicJWK(key crypto.Signer, kid string) (map[string]any, error) {
	switch k := key.Public().(type) {
	case *rsa.PublicKey:
		return map[string]any{"kty": "RSA", "kid": kid, "alg": RS384, "use": "sig",
			"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}, nil
	case *ecdsa.PublicKey:
		if k.Curve.Params().Name != "P-384" {
			return nil, fmt.Errorf("jose: curve %s: want P-384", k.Curve.Params().Name)
		}
		pt, err := k.Bytes() // 0x04 || X || Y
		if err != nil {
			return nil, fmt.Errorf("jose: %w", err)
		}
		return map[string]any{"kty": "EC", "kid": kid, "alg": ES384, "use": "sig", "crv": "P-384",
			"x": b64(pt[1:49]), "y": b64(pt[49:])}, nil
	}
	return nil, fmt.Errorf("jose: unsupported key type %T", key.Public())
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
