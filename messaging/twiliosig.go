package messaging

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"sort"
	"strings"

	twclient "github.com/twilio/twilio-go/client"
)

// ValidTwilioSignature checks X-Twilio-Signature with twilio-go's own
// request validator: HMAC-SHA1 over the full URL plus the sorted POST
// parameters, keyed by the auth token.
func ValidTwilioSignature(authToken, url string, params map[string]string, signature string) bool {
	if signature == "" || authToken == "" {
		return false
	}
	v := twclient.NewRequestValidator(authToken)
	return v.Validate(url, params, signature)
}

// SignTwilio computes the signature Twilio would send. carepath uses it to
// simulate inbound SMS in the sandbox and in tests; production traffic is
// signed by Twilio itself.
func SignTwilio(authToken, url string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(url)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteString(params[k])
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
