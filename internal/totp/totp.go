// Package totp is RFC 6238 time-based one-time passwords as authenticator
// apps compute them: HMAC-SHA1, 6 digits, 30-second steps, a base32 secret.
// It holds the algorithm only; which step was last used is the caller's.
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // RFC 6238's default, the one every authenticator app implements
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"strings"
	"time"
)

// Parameters every authenticator app supports.
const (
	Digits   = 6
	Period   = 30 // seconds per step
	Skew     = 1  // steps accepted either side of now (clock drift)
	keyBytes = 20 // 160 bits, RFC 4226's recommended secret length
)

// enc is unpadded upper-case base32, the form otpauth URIs carry.
var enc = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns a random 160-bit secret, base32-encoded.
func NewSecret() (string, error) {
	b := make([]byte, keyBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("totp secret: %w", err)
	}
	return enc.EncodeToString(b), nil
}

// decodeSecret accepts the base32 secret with or without padding, spaces
// or lower case (as people type it).
func decodeSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.ReplaceAll(secret, " ", ""))
	key, err := enc.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(key) == 0 {
		return nil, errors.New("totp: the secret is not base32")
	}
	return key, nil
}

// Step is the time step t falls in.
func Step(t time.Time) int64 { return t.Unix() / Period }

// hotp is RFC 4226's HOTP value for a counter, truncated to digits.
func hotp(key []byte, counter int64, digits int, h func() hash.Hash) string {
	mac := hmac.New(h, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// Code is the 6-digit code for a step.
func Code(secret string, step int64) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	return hotp(key, step, Digits, sha1.New), nil
}

// Verify checks a code against the steps around now (±Skew) and returns the
// step it matched. Steps at or below after are refused, so a code, once
// used, cannot be used again (RFC 6238 section 5.2): pass the last step
// accepted for this secret, or 0.
func Verify(secret, code string, now time.Time, after int64) (int64, bool) {
	key, err := decodeSecret(secret)
	if err != nil || len(code) != Digits {
		return 0, false
	}
	cur := Step(now)
	matched, found := int64(0), false
	// Every candidate is compared, in constant time, so timing does not tell
	// which step matched.
	for s := cur - Skew; s <= cur+Skew; s++ {
		ok := subtle.ConstantTimeCompare([]byte(hotp(key, s, Digits, sha1.New)), []byte(code)) == 1
		if ok && s > after && !found {
			matched, found = s, true
		}
	}
	return matched, found
}

// URI is the otpauth:// URI authenticator apps read (usually as a QR code):
// issuer and account name the entry the app shows.
func URI(secret, issuer, account string) string {
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", issuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", fmt.Sprint(Digits))
	v.Set("period", fmt.Sprint(Period))
	return "otpauth://totp/" + label + "?" + v.Encode()
}
