package messaging_test

import (
	"testing"

	"github.com/carepath/carepath/messaging"
)

func TestClassifyTwilio(t *testing.T) {
	cases := []struct {
		status, code int
		want         messaging.ErrorKind
	}{
		{429, 20429, messaging.KindRateLimited},
		{429, 0, messaging.KindRateLimited},
		{500, 20500, messaging.KindUnknown}, // may have been accepted first
		{503, 0, messaging.KindUnknown},
		{0, 0, messaging.KindUnknown}, // no response at all
		{400, 21211, messaging.KindInvalidContact},
		{400, 21214, messaging.KindInvalidContact},
		{400, 21612, messaging.KindInvalidContact},
		{400, 21614, messaging.KindInvalidContact},
		{400, 30005, messaging.KindInvalidContact},
		{400, 30006, messaging.KindInvalidContact},
		{400, 30003, messaging.KindTransientUnreachable},
		{400, 21610, messaging.KindOptedOut},
		{400, 30004, messaging.KindOptedOut},
		{400, 21606, messaging.KindPermanent},
		{401, 20003, messaging.KindPermanent},
		{400, 99999, messaging.KindPermanent},
	}
	for _, c := range cases {
		if got := messaging.ClassifyTwilio(c.status, c.code); got != c.want {
			t.Errorf("ClassifyTwilio(%d, %d) = %s, want %s", c.status, c.code, got, c.want)
		}
	}
	for status, want := range map[int]messaging.ErrorKind{429: messaging.KindRateLimited, 502: messaging.KindUnknown, 500: messaging.KindUnknown,
		400: messaging.KindPermanent, 401: messaging.KindPermanent, 413: messaging.KindPermanent} {
		if got := messaging.ClassifySendGrid(status); got != want {
			t.Errorf("ClassifySendGrid(%d) = %s, want %s", status, got, want)
		}
	}
}

func TestErrorTextCarriesNoProviderMessage(t *testing.T) {
	e := &messaging.Error{Provider: "twilio", HTTPStatus: 400, Code: 21211, Kind: messaging.KindInvalidContact}
	if got := e.Error(); got != "twilio: invalid_contact failure (http 400, code 21211)" {
		t.Fatalf("%q", got)
	}
}

func TestRenderFallsBackToEnglish(t *testing.T) {
	c := messaging.NewCatalog()
	c.MustAdd("only.en", map[string]messaging.Text{"en": {Body: "Hi {{.given_name}}"}})
	_, body, fellBack, err := c.Render("only.en", "es", map[string]string{"given_name": "Ana"})
	if err != nil || !fellBack || body != "Hi Ana" {
		t.Fatalf("%q %v %v", body, fellBack, err)
	}
	if _, _, _, err := c.Render("missing", "en", nil); err == nil {
		t.Fatal("unknown template rendered")
	}
	if err := c.Add("no.en", map[string]messaging.Text{"es": {Body: "Hola"}}); err == nil {
		t.Fatal("a template without English was accepted")
	}
}
