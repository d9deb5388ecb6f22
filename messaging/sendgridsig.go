package messaging

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"math/big"

	"github.com/sendgrid/sendgrid-go/helpers/eventwebhook"
)

// SendGrid Event Webhook signature headers.
const (
	SendGridSignatureHeader = eventwebhook.VerificationHTTPHeader
	SendGridTimestampHeader = eventwebhook.TimestampHTTPHeader
)

// ParseSendGridWebhookKey reads the Event Webhook's verification key.
// (sendgrid-go's own helper panics on a key that is not ECDSA.)
func ParseSendGridWebhookKey(b64 string) (*ecdsa.PublicKey, error) {
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, errors.New("sendgrid webhook key is not base64")
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, errors.New("sendgrid webhook key is not a public key")
	}
	pk, ok := k.(*ecdsa.PublicKey)
	if !ok {
		return nil, errors.New("sendgrid webhook key is not an ECDSA key")
	}
	return pk, nil
}

// ValidSendGridSignature checks an Event Webhook post with sendgrid-go's
// verifier: ECDSA over SHA-256 of the timestamp header and the raw body.
func ValidSendGridSignature(key *ecdsa.PublicKey, payload []byte, signature, timestamp string) bool {
	if key == nil || signature == "" || timestamp == "" {
		return false
	}
	ok, err := eventwebhook.VerifySignature(key, payload, signature, timestamp)
	return err == nil && ok
}

// SignSendGrid signs a payload as SendGrid does; for tests and simulation.
func SignSendGrid(key *ecdsa.PrivateKey, payload []byte, timestamp string) (string, error) {
	h := sha256.New()
	h.Write([]byte(timestamp))
	h.Write(payload)
	r, s, err := ecdsa.Sign(rand.Reader, key, h.Sum(nil))
	if err != nil {
		return "", err
	}
	der, err := asn1.Marshal(struct{ R, S *big.Int }{r, s})
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(der), nil
}
