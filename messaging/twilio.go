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
	// MessagingServiceSID, if set, sends through a Twilio Messaging Service
	// instead of From: Twilio picks the number (its sticky sender keeps a
	// recipient on one), and lookups match any of its numbers.
	MessagingServiceSID string
	APIURL              string // e.g. https://api.twilio.com, or a local fake in tests
	Timeout             time.Duration
}

// Twilio sends SMS with twilio-go.
type Twilio struct {
	rest    *twilio.RestClient
	from    string
	service string // Messaging Service SID, instead of from
	timeout time.Duration
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
	return &Twilio{rest: twilio.NewRestClientWithParams(twilio.ClientParams{Client: tc}), from: c.From, service: c.MessagingServiceSID, timeout: timeout}, nil
}

// Provider names the provider.
func (t *Twilio) Provider() string { return ProviderTwilio }

// CallTimeout is the HTTP client's timeout: no request outlives it.
func (t *Twilio) CallTimeout() time.Duration { return t.timeout }

// Send creates a Twilio message. twilio-go has no context support, so ctx
// bounds nothing but our wait; the HTTP client's timeout bounds the call.
// Any failure without a Twilio answer is KindUnknown: the request may have
// reached Twilio.
func (t *Twilio) Send(ctx context.Context, m Outbound) (Receipt, error) {
	params := &openapi.CreateMessageParams{}
	params.SetTo(m.To)
	if t.service != "" {
		params.SetMessagingServiceSid(t.service)
	} else {
		params.SetFrom(t.from)
	}
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
		return Receipt{}, &Error{Provider: ProviderTwilio, Kind: KindUnknown, cause: ctx.Err()}
	case r := <-done:
		if r.err != nil {
			return Receipt{}, twilioError(r.err)
		}
		if r.msg == nil || r.msg.Sid == nil {
			return Receipt{}, &Error{Provider: ProviderTwilio, Kind: KindUnknown, cause: errors.New("response without a message SID")}
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
	return &Error{Provider: ProviderTwilio, Kind: KindUnknown, cause: errors.New("twilio request failed before a response")}
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

// Lookup lists the messages Twilio holds from carepath's number to q.To
// created within [q.Since, q.Until], newest first. The date is filtered
// here, not with Twilio's DateSent filter: a message Twilio accepted but
// has not sent yet has no date_sent, and it is exactly the one sought.
// twilio-go's list call is synchronous like Send.
func (t *Twilio) Lookup(ctx context.Context, q LookupQuery) ([]Accepted, error) {
	params := &openapi.ListMessageParams{}
	params.SetTo(q.To)
	if t.service == "" {
		params.SetFrom(t.from)
	}
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
		return nil, &Error{Provider: ProviderTwilio, Kind: KindUnknown, cause: ctx.Err()}
	case r := <-done:
		if r.err != nil {
			return nil, twilioError(r.err)
		}
		var out []Accepted
		for _, msg := range r.msgs {
			if msg.Sid == nil || msg.DateCreated == nil || (msg.From != nil && *msg.From != t.from) || (msg.To != nil && *msg.To != q.To) {
				continue
			}
			created, err := time.Parse(time.RFC1123Z, *msg.DateCreated)
			if err != nil {
				return nil, fmt.Errorf("twilio: lookup: unreadable date_created: %w", err)
			}
			// date_created has whole seconds.
			if created.Before(q.Since.Truncate(time.Second)) || created.After(q.Until) {
				continue
			}
			a := Accepted{ProviderMessageID: *msg.Sid, CreatedAt: created}
			if msg.Body != nil {
				a.Body = *msg.Body
			}
			out = append(out, a)
		}
		return out, nil
	}
}
