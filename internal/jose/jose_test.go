package jose_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/jose"
)

func keys(t *testing.T) (rsaKey *rsa.PrivateKey, ecKey *ecdsa.PrivateKey) {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return rsaKey, ecKey
}

func jwks(t *testing.T, keys ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func publicJWK(t *testing.T, k crypto.Signer, kid string) map[string]any {
	t.Helper()
	j, err := jose.PublicJWK(k, kid)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestSignVerifyRoundTrip(t *testing.T) {
	rk, ek := keys(t)
	set, err := jose.ParseJWKS(jwks(t, publicJWK(t, rk, "r1"), publicJWK(t, ek, "e1")))
	if err != nil {
		t.Fatal(err)
	}
	byKid := map[string]jose.JWK{}
	for _, k := range set {
		byKid[k.Kid] = k
	}
	for kid, signer := range map[string]crypto.Signer{"r1": rk, "e1": ek} {
		tok, err := jose.Sign(signer, kid, map[string]any{"iss": "c1"})
		if err != nil {
			t.Fatal(err)
		}
		j, err := jose.Parse(tok)
		if err != nil {
			t.Fatal(err)
		}
		if j.Header.Kid != kid || string(j.Payload) != `{"iss":"c1"}` {
			t.Errorf("%s: header %+v payload %s", kid, j.Header, j.Payload)
		}
		if err := j.Verify(byKid[kid]); err != nil {
			t.Errorf("%s: %v", kid, err)
		}
		other := map[string]string{"r1": "e1", "e1": "r1"}[kid]
		if err := j.Verify(byKid[other]); !errors.Is(err, jose.ErrInvalid) {
			t.Errorf("%s verified with %s: %v", kid, other, err)
		}
		// A changed payload breaks the signature.
		parts := strings.Split(tok, ".")
		parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"c2"}`))
		bent, err := jose.Parse(strings.Join(parts, "."))
		if err != nil {
			t.Fatal(err)
		}
		if err := bent.Verify(byKid[kid]); !errors.Is(err, jose.ErrInvalid) {
			t.Errorf("%s: a changed payload verified: %v", kid, err)
		}
	}
	// Another key of the same kind does not verify.
	rk2, ek2 := keys(t)
	for _, k := range []crypto.Signer{rk2, ek2} {
		tok, err := jose.Sign(k, "x", map[string]any{})
		if err != nil {
			t.Fatal(err)
		}
		j, err := jose.Parse(tok)
		if err != nil {
			t.Fatal(err)
		}
		want := byKid["r1"]
		if _, ok := k.(*ecdsa.PrivateKey); ok {
			want = byKid["e1"]
		}
		if err := j.Verify(want); !errors.Is(err, jose.ErrInvalid) {
			t.Errorf("a stranger's %T key verified", k)
		}
	}
}

func TestParseRefusesOtherAlgorithms(t *testing.T) {
	for _, alg := range []string{"none", "HS256", "HS384", "RS256", "ES256", "PS384", ""} {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"` + alg + `","kid":"k"}`))
		p := base64.RawURLEncoding.EncodeToString([]byte(`{}`))
		if _, err := jose.Parse(h + "." + p + ".c2ln"); !errors.Is(err, jose.ErrInvalid) {
			t.Errorf("alg %q parsed: %v", alg, err)
		}
	}
	for _, tok := range []string{"", "a.b", "a.b.c.d", "!!.e30.c2ln"} {
		if _, err := jose.Parse(tok); !errors.Is(err, jose.ErrInvalid) {
			t.Errorf("%q parsed", tok)
		}
	}
}

func TestParseJWKSRefusals(t *testing.T) {
	rk, ek := keys(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := publicJWK(t, ek, "e1")
	with := func(m map[string]any, k string, v any) map[string]any {
		out := map[string]any{}
		for kk, vv := range m {
			out[kk] = vv
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	p256JWK := with(good, "x", b64(mustBytes(t, p256)[1:33]))
	p256JWK["y"], p256JWK["crv"] = b64(mustBytes(t, p256)[33:]), "P-256"
	cases := map[string][]byte{
		"no keys":         []byte(`{"keys":[]}`),
		"not a set":       []byte(`[1]`),
		"no kid":          jwks(t, with(good, "kid", nil)),
		"private EC":      jwks(t, with(good, "d", "AAAA")),
		"enc use":         jwks(t, with(good, "use", "enc")),
		"wrong alg":       jwks(t, with(good, "alg", "ES256")),
		"P-256":           jwks(t, p256JWK),
		"off the curve":   jwks(t, with(good, "y", good["x"])),
		"short RSA":       jwks(t, with(publicJWK(t, small, "s"), "alg", nil)),
		"RSA alg RS256":   jwks(t, with(publicJWK(t, rk, "r"), "alg", "RS256")),
		"oct":             jwks(t, map[string]any{"kty": "oct", "kid": "h", "k": "c2VjcmV0"}),
		"duplicate kid":   jwks(t, good, with(publicJWK(t, rk, "e1"), "alg", nil)),
		"one bad of two":  jwks(t, publicJWK(t, rk, "r"), with(good, "crv", "P-521")),
		"verify not used": jwks(t, with(good, "key_ops", []string{"sign"})),
	}
	for name, raw := range cases {
		if _, err := jose.ParseJWKS(raw); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	set, err := jose.ParseJWKS(jwks(t, with(good, "extra", "kept out")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(set[0].Raw), "extra") || set[0].AlgFor() != jose.ES384 {
		t.Errorf("stored form: %v %s", err, set[0].Raw)
	}
}

func mustBytes(t *testing.T, k *ecdsa.PrivateKey) []byte {
	t.Helper()
	b, err := k.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
