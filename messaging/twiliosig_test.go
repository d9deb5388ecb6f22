package messaging_test

import (
	"testing"

	"github.com/carepath/carepath/messaging"
)

// Twilio's published example (the one its docs and twilio-go's own tests
// use): this token, URL and parameters are signed vOEb5UThFn24KEfnOFLQY2AE5FY=.
var (
	exampleToken  = "12345"
	exampleURL    = "https://mycompany.com/myapp.php?foo=1&bar=2"
	exampleParams = map[string]string{
		"Digits": "1234", "CallSid": "CA1234567890ABCDE", "To": "+18005551212",
		"Caller": "+14158675309", "From": "+14158675309", "ReasonConferenceEnded": "test", "Reason": "Participant",
	}
	exampleSig = "vOEb5UThFn24KEfnOFLQY2AE5FY="
)

func TestTwilioPublishedExampleValidates(t *testing.T) {
	if !messaging.ValidTwilioSignature(exampleToken, exampleURL, exampleParams, exampleSig) {
		t.Fatal("Twilio's published example signature does not validate")
	}
	if got := messaging.SignTwilio(exampleToken, exampleURL, exampleParams); got != exampleSig {
		t.Fatalf("SignTwilio = %s, want %s", got, exampleSig)
	}
}

func TestTwilioTamperedRequestsFail(t *testing.T) {
	tampered := map[string]string{}
	for k, v := range exampleParams {
		tampered[k] = v
	}
	tampered["Digits"] = "1235"
	extra := map[string]string{"Body": "hi"}
	for k, v := range exampleParams {
		extra[k] = v
	}
	cases := map[string]struct {
		token, url string
		params     map[string]string
		sig        string
	}{
		"url":          {exampleToken, "https://mycompany.com/myapp.php?foo=1&bar=3", exampleParams, exampleSig},
		"param value":  {exampleToken, exampleURL, tampered, exampleSig},
		"added param":  {exampleToken, exampleURL, extra, exampleSig},
		"other token":  {"54321", exampleURL, exampleParams, exampleSig},
		"no signature": {exampleToken, exampleURL, exampleParams, ""},
		"garbage":      {exampleToken, exampleURL, exampleParams, "not-base64!"},
	}
	for name, c := range cases {
		if messaging.ValidTwilioSignature(c.token, c.url, c.params, c.sig) {
			t.Errorf("%s: tampered request validated", name)
		}
	}
}
