package messaging_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"testing"

	"github.com/carepath/carepath/messaging"
)

func TestSendGridSignature(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := messaging.ParseSendGridWebhookKey(base64.StdEncoding.EncodeToString(der))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`[{"email":"a@example.org","event":"delivered","sg_event_id":"e1"}]`)
	sig, err := messaging.SignSendGrid(priv, body, "1700000000")
	if err != nil {
		t.Fatal(err)
	}
	if !messaging.ValidSendGridSignature(pub, body, sig, "1700000000") {
		t.Fatal("a correct signature does not validate")
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	otherSig, err := messaging.SignSendGrid(other, body, "1700000000")
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		body    []byte
		sig, ts string
	}{
		"tampered body":      {[]byte(`[{"email":"a@example.org","event":"bounce","sg_event_id":"e1"}]`), sig, "1700000000"},
		"tampered timestamp": {body, sig, "1700000001"},
		"other key":          {body, otherSig, "1700000000"},
		"no signature":       {body, "", "1700000000"},
		"garbage signature":  {body, "bm9wZQ==", "1700000000"},
		"not base64":         {body, "%%%", "1700000000"},
	} {
		if messaging.ValidSendGridSignature(pub, c.body, c.sig, c.ts) {
			t.Errorf("%s validated", name)
		}
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsaDER, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := messaging.ParseSendGridWebhookKey(base64.StdEncoding.EncodeToString(rsaDER)); err == nil {
		t.Fatal("an RSA key was accepted as the webhook key")
	}
}
