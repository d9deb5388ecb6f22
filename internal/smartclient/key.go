package smartclient

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
)

// Key is carepath's private key as a SMART client, with the JWS algorithm
// it signs with: ES384 for a P-384 EC key, RS384 for an RSA key (the two
// the SMART Backend Services specification requires servers to accept).
type Key struct {
	Signer crypto.Signer
	Alg    string // "ES384" or "RS384"
	ID     string // the JWK "kid" the EHR knows the public key by
}

// ParseKey reads a PEM private key (PKCS#8 "PRIVATE KEY", SEC 1 "EC
// PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY"). An EC key must be on P-384
// and an RSA key at least 2048 bits.
func ParseKey(pemBytes []byte, keyID string) (Key, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return Key{}, errors.New("no PEM block found")
	}
	var parsed any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		parsed, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		parsed, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return Key{}, fmt.Errorf("PEM block %q is not a private key", block.Type)
	}
	if err != nil {
		return Key{}, fmt.Errorf("parse private key: %w", err)
	}
	return NewKey(parsed, keyID)
}

// NewKey wraps a private key (*ecdsa.PrivateKey on P-384 or
// *rsa.PrivateKey of at least 2048 bits).
func NewKey(k any, keyID string) (Key, error) {
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P384() {
			return Key{}, errors.New("an EC key must be on curve P-384 (ES384)")
		}
		return Key{Signer: k, Alg: "ES384", ID: keyID}, nil
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return Key{}, errors.New("an RSA key must have at least 2048 bits")
		}
		return Key{Signer: k, Alg: "RS384", ID: keyID}, nil
	}
	return Key{}, fmt.Errorf("unsupported key type %T (want EC P-384 or RSA)", k)
}

// sign returns the JWS signature of signingInput: RSASSA-PKCS1-v1_5 or
// ECDSA over SHA-384, the latter as the fixed-width r||s JWS requires
// (RFC 7518 3.4), not ASN.1.
func (k Key) sign(signingInput string) ([]byte, error) {
	digest := sha512.Sum384([]byte(signingInput))
	sig, err := k.Signer.Sign(rand.Reader, digest[:], crypto.SHA384)
	if err != nil {
		return nil, fmt.Errorf("sign client assertion: %w", err)
	}
	if k.Alg != "ES384" {
		return sig, nil
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(sig, &rs); err != nil {
		return nil, fmt.Errorf("sign client assertion: %w", err)
	}
	out := make([]byte, 96)
	rs.R.FillBytes(out[:48])
	rs.S.FillBytes(out[48:])
	return out, nil
}

// JWKS is the public half of the key as a JSON Web Key Set, what an EHR
// registers for carepath (by URL or pasted).
func (k Key) JWKS() (map[string]any, error) {
	jwk := map[string]any{"kid": k.ID, "alg": k.Alg, "use": "sig", "key_ops": []string{"verify"}}
	b64 := base64.RawURLEncoding.EncodeToString
	switch pub := k.Signer.Public().(type) {
	case *ecdsa.PublicKey:
		raw, err := pub.Bytes() // 0x04 || X || Y, 48 bytes each on P-384
		if err != nil {
			return nil, fmt.Errorf("encode public key: %w", err)
		}
		jwk["kty"], jwk["crv"], jwk["x"], jwk["y"] = "EC", "P-384", b64(raw[1:49]), b64(raw[49:])
	case *rsa.PublicKey:
		jwk["kty"], jwk["n"], jwk["e"] = "RSA", b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes())
	default:
		return nil, fmt.Errorf("unsupported public key type %T", pub)
	}
	return map[string]any{"keys": []any{jwk}}, nil
}
