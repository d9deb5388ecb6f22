package messaging

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/twilio/twilio-go"
	twclient "github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// TwilioConfig configures the SMS sender.
type TwilioConfig struct {
	AccountSID string
	AuthToken  string
	From       string
	APIURL     string // e.g. https://api.twilio.com, or a local fake in tests
	Timeout    time.Duration
}

// Twilio sends SMS with twilio-go.
type Twilio struct {
	rest *twilio.RestClient
	from string
}

// NewTwilio builds a sender on the real twilio-go client. When APIURL is not
// Twilio's own host, requests are redirected there by the HTTP transport, so
// every other part of the client (auth, encoding, errors) runs as in
// production.
func NewTwilio(c TwilioConfig) (*Twilio, error) {
	base, err := url.Parse(c.APIURL)
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("twilio: invalid API URL")
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	httpClient := &http.Client{
		Timeout: timeout,
		// Twilio's client must not follow redirects (as its default does).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if base.Host != "api.twilio.com" {
		httpClient.Transport = rewriteHost{base: base, next: http.DefaultTransport}
	}
	tc := &twclient.Client{Credentials: twclient.NewCredentials(c.AccountSID, c.AuthToken), HTTPClient: httpClient}
	tc.SetAccountSid(c.AccountSID)
	return &Twilio{rest: twilio.NewRestClientWithParams(twilio.ClientParams{Client: tc}), from: c.From}, nil
}

// Provider names the provider.
func (t *Twilio) Provider() string { return ProviderTwilio }

// Send creates a Twilio message. twilio-go has no context support, so ctx
// bounds nothing but our wait; the HTTP client's timeout bounds the call.
func (t *Twilio) Send(ctx context.Context, m Outbound) (Receipt, error) {
	params := &openapi.CreateMessageParams{}
	params.SetTo(m.To)
	params.SetFrom(t.from)
	params.SetBody(m.Text)
	if m.StatusCallback != "" {
		params.SetStatusCallback(m.StatusCallback)
	}
	type result struct {
		msg *openapi.ApiV2010Message
		err error
	}
	done := make(chan result, 1)
	go func() {
		msg, err := t.rest.Api.CreateMessage(params)
		done <- result{msg, err}
	}()
	select {
	case <-ctx.Done():
		return Receipt{}, &Error{Provider: ProviderTwilio, Kind: KindRetryable, cause: ctx.Err()}
	case r := <-done:
		if r.err != nil {
			return Receipt{}, twilioError(r.err)
		}
		if r.msg == nil || r.msg.Sid == nil {
			return Receipt{}, &Error{Provider: ProviderTwilio, Kind: KindRetryable, cause: errors.New("response without a message SID")}
		}
		return Receipt{Provider: ProviderTwilio, ProviderMessageID: *r.msg.Sid}, nil
	}
}

func twilioError(err error) error {
	var rest *twclient.TwilioRestError
	if errors.As(err, &rest) {
		return &Error{Provider: ProviderTwilio, HTTPStatus: rest.Status, Code: rest.Code, Kind: ClassifyTwilio(rest.Status, rest.Code)}
	}
	// Transport failures: the request may or may not have reached Twilio.
	return &Error{Provider: ProviderTwilio, Kind: KindRetryable, cause: errors.New("twilio request failed before a response")}
}

// rewriteHost sends every request to base's scheme and host instead.
type rewriteHost struct {
	base *url.URL
	next http.RoundTripper
}

func (r rewriteHost) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.URL.Scheme = r.base.Scheme
	out.URL.Host = r.base.Host
	out.Host = r.base.Host
	return r.next.RoundTrip(out)
}

// Lookup finds a message Twilio accepted: the most recent messages to the
// same number, matched on body and creation time. twilio-go's list call is
// synchronous like Send.
func (t *Twilio) Lookup(ctx context.Context, m Outbound, since time.Time) (Receipt, bool, error) {
	params := &openapi.ListMessageParams{}
	params.SetTo(m.To)
	params.SetPageSize(50)
	params.SetLimit(200)
	type result struct {
		msgs []openapi.ApiV2010Message
		err  error
	}
	done := make(chan result, 1)
	go func() {
		msgs, err := t.rest.Api.ListMessage(params)
		done <- result{msgs, err}
	}()
	select {
	case <-ctx.Done():
		return Receipt{}, false, &Error{Provider: ProviderTwilio, Kind: KindRetryable, cause: ctx.Err()}
	case r := <-done:
		if r.err != nil {
			return Receipt{}, false, twilioError(r.err)
		}
		for _, msg := range r.msgs {
			if msg.Sid == nil || msg.Body == nil || *msg.Body != m.Text {
				continue
			}
			if msg.DateCreated != nil {
				if created, err := time.Parse(time.RFC1123Z, *msg.DateCreated); err == nil && created.Before(since.Add(-time.Minute)) {
					continue
				}
			}
			return Receipt{Provider: ProviderTwilio, ProviderMessageID: *msg.Sid}, true, nil
		}
		return Receipt{}, false, nil
	}
}
