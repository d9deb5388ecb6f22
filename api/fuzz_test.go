package api

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
)

// Fuzz targets for everything that parses untrusted input at the edge. Their
// seed corpora run with every `go test`; `go test -fuzz=FuzzX ./api` explores.

func FuzzParseTwilioInbound(f *testing.F) {
	f.Add("SM123", "+15551234567", "3")
	f.Add("", "+15551234567", "")
	f.Add("SM1", "5551234567", "hi")
	f.Add("SMabc", "+1", "\xff\xfe")
	f.Add("SM\n1", "+15551234567", strings.Repeat("x", 7000))
	f.Fuzz(func(t *testing.T, sid, from, body string) {
		m, err := parseTwilioInbound(map[string]string{"MessageSid": sid, "From": from, "Body": body})
		if err != nil {
			var ae *carepath.Error
			if !errors.As(err, &ae) || ae.Code != carepath.EINVALID || ae.Field == "" {
				t.Fatalf("error does not name a field: %v", err)
			}
			return
		}
		if !carepath.ValidPhone(m.From) || m.ProviderMessageID != sid || m.Body != body {
			t.Fatalf("accepted malformed input: %+v", m)
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"given_name":"Ada","family_name":"L","birth_date":"1980-01-01","phone":"+15551234567","timezone":"UTC"}`,
		`{"given_name":1}`, `{"ssn":"x"}`, `[]`, `null`, `{}{}`, `{"given_name":"a"`, ``, `"str"`, `{"phone":{"a":1}}`,
		`{"journey":"post_visit_checkin","params":{"delay":"1h"}}`, `{"code":"spo2","value":"97","unit":"%"}`,
	} {
		f.Add(s)
	}
	e := echo.New()
	f.Fuzz(func(t *testing.T, body string) {
		targets := []any{&carepath.NewPatient{}, &enrollmentRequest{}, &carepath.NewEvent{}, &carepath.NewObservation{}, &apiKeyRequest{}}
		for _, v := range targets {
			c := e.NewContext(httptest.NewRequest("POST", "/", strings.NewReader(body)), httptest.NewRecorder())
			err := decodeJSON(c, v)
			if err == nil {
				continue
			}
			var ae *carepath.Error
			var he *echo.HTTPError
			if errors.As(err, &he) {
				continue
			}
			if !errors.As(err, &ae) || ae.Code != carepath.EINVALID || ae.Field == "" {
				t.Fatalf("decode %q into %T: error does not name a field: %v", body, v, err)
			}
		}
		// Validation after decoding never panics and names a field.
		var p carepath.NewPatient
		c := e.NewContext(httptest.NewRequest("POST", "/", strings.NewReader(body)), httptest.NewRecorder())
		if decodeJSON(c, &p) == nil {
			if err := p.Validate(); err != nil {
				var ae *carepath.Error
				if !errors.As(err, &ae) || ae.Field == "" {
					t.Fatalf("validate: %v", err)
				}
			}
		}
	})
}
