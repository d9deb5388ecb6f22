package totp

import (
	"crypto/sha1" //nolint:gosec // RFC 6238's test vectors
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"net/url"
	"strings"
	"testing"
	"time"
)

// RFC 6238 appendix B: the seeds are ASCII "1234567890" repeated to the
// hash's length, 8 digits.
func TestRFC6238Vectors(t *testing.T) {
	seed := func(n int) []byte { return []byte(strings.Repeat("1234567890", 7)[:n]) }
	algs := map[string]struct {
		key []byte
		h   func() hash.Hash
	}{
		"SHA1":   {seed(20), sha1.New},
		"SHA256": {seed(32), sha256.New},
		"SHA512": {seed(64), sha512.New},
	}
	vectors := []struct {
		unix int64
		alg  string
		code string
	}{
		{59, "SHA1", "94287082"}, {59, "SHA256", "46119246"}, {59, "SHA512", "90693936"},
		{1111111109, "SHA1", "07081804"}, {1111111109, "SHA256", "68084774"}, {1111111109, "SHA512", "25091201"},
		{1111111111, "SHA1", "14050471"}, {1111111111, "SHA256", "67062674"}, {1111111111, "SHA512", "99943326"},
		{1234567890, "SHA1", "89005924"}, {1234567890, "SHA256", "91819424"}, {1234567890, "SHA512", "93441116"},
		{2000000000, "SHA1", "69279037"}, {2000000000, "SHA256", "90698825"}, {2000000000, "SHA512", "38618901"},
		{20000000000, "SHA1", "65353130"}, {20000000000, "SHA256", "77737706"}, {20000000000, "SHA512", "47863826"},
	}
	for _, v := range vectors {
		a := algs[v.alg]
		if got := hotp(a.key, Step(time.Unix(v.unix, 0)), 8, a.h); got != v.code {
			t.Errorf("T=%d %s: %s, want %s", v.unix, v.alg, got, v.code)
		}
	}
	// The 6-digit SHA-1 code (what apps show) is the 8-digit one's last six,
	// reached through the base32 secret.
	secret := enc.EncodeToString(seed(20))
	for _, v := range vectors {
		if v.alg != "SHA1" {
			continue
		}
		got, err := Code(secret, Step(time.Unix(v.unix, 0)))
		if err != nil || got != v.code[2:] {
			t.Errorf("T=%d Code: %q %v, want %s", v.unix, got, err, v.code[2:])
		}
	}
}

func TestVerifyWindowAndReuse(t *testing.T) {
	secret, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_015, 0)
	cur := Step(now)
	for _, c := range []struct {
		step  int64
		after int64
		ok    bool
	}{
		{cur, 0, true}, {cur - 1, 0, true}, {cur + 1, 0, true},
		{cur - 2, 0, false}, {cur + 2, 0, false},
		{cur, cur, false},         // used already
		{cur - 1, cur - 1, false}, // the previous step, used
		{cur, cur - 1, true},      // the next one is still good
	} {
		code, err := Code(secret, c.step)
		if err != nil {
			t.Fatal(err)
		}
		step, ok := Verify(secret, code, now, c.after)
		if ok != c.ok || (ok && step != c.step) {
			t.Errorf("step %+d after %+d: got %d %v, want ok=%v", c.step-cur, c.after-cur, step, ok, c.ok)
		}
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := Verify(secret, bad, now, 0); ok {
			t.Errorf("code %q accepted", bad)
		}
	}
	if _, ok := Verify("not base32!", "123456", now, 0); ok {
		t.Error("a bad secret verified")
	}
	// Typed in lower case with spaces, the secret still works.
	code, err := Code(secret, cur)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := Verify(strings.ToLower(secret[:4]+" "+secret[4:]), code, now, 0); !ok {
		t.Error("lower-case spaced secret refused")
	}
}

func TestURI(t *testing.T) {
	secret, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 32 {
		t.Fatalf("secret %q: want 32 base32 characters (160 bits)", secret)
	}
	u, err := url.Parse(URI(secret, "carepath", "nurse@example.org"))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/carepath:nurse@example.org" ||
		q.Get("secret") != secret || q.Get("issuer") != "carepath" || q.Get("digits") != "6" || q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
		t.Fatalf("uri %s", u)
	}
}
