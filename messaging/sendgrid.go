package messaging

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/sendgrid/rest"
	"github.com/sendgrid/sendgrid-go"
	"github.com/sendgrid/sendgrid-go/helpers/mail"
)

// SendGridConfig configures the email sender.
type SendGridConfig struct {
	APIKey  string
	From    string
	APIURL  string        // e.g. https://api.sendgrid.com, or a local fake in tests
	Timeout time.Duration // per request; default 15 s
}

// SendGrid sends email with sendgrid-go's v3 mail send.
type SendGrid struct {
	key, host string
	from      *mail.Email
	client    *rest.Client
	timeout   time.Duration
}

// NewSendGrid builds the email sender.
func NewSendGrid(c SendGridConfig) (*SendGrid, error) {
	u, err := url.Parse(c.APIURL)
	if err != nil || u.Host == "" {
		return nil, errors.New("sendgrid: invalid API URL")
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	// sendgrid-go's default client has no timeout: a stalled request would
	// leave the outbox unable to bound when it can still reach SendGrid.
	client := &rest.Client{HTTPClient: &http.Client{Timeout: timeout}}
	return &SendGrid{key: c.APIKey, host: u.Scheme + "://" + u.Host, from: mail.NewEmail("", c.From),
		client: client, timeout: timeout}, nil
}

// Provider names the provider.
func (s *SendGrid) Provider() string { return ProviderSendGrid }

// CallTimeout is the HTTP client's timeout: no request outlives it.
func (s *SendGrid) CallTimeout() time.Duration { return s.timeout }

// Send posts one email; the message ID rides along as a custom argument so
// event webhooks can be tied back to the outbox row.
func (s *SendGrid) Send(ctx context.Context, m Outbound) (Receipt, error) {
	msg := mail.NewV3Mail()
	msg.SetFrom(s.from)
	msg.Subject = m.Subject
	p := mail.NewPersonalization()
	p.AddTos(mail.NewEmail("", m.To))
	msg.AddPersonalizations(p)
	msg.AddContent(mail.NewContent("text/plain", m.Text))
	if m.HTML != "" {
		msg.AddContent(mail.NewContent("text/html", m.HTML))
	}
	msg.SetCustomArg("carepath_message_id", m.MessageID)

	req := sendgrid.GetRequest(s.key, "/v3/mail/send", s.host)
	req.Method = "POST"
	req.Body = mail.GetRequestBody(msg)
	resp, err := s.client.SendWithContext(ctx, req)
	if err != nil {
		// The request may have reached SendGrid.
		return Receipt{}, &Error{Provider: ProviderSendGrid, Kind: KindUnknown, cause: errors.New("sendgrid request failed before a response")}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Receipt{}, &Error{Provider: ProviderSendGrid, HTTPStatus: resp.StatusCode, Kind: ClassifySendGrid(resp.StatusCode)}
	}
	id := ""
	if v := resp.Headers["X-Message-Id"]; len(v) > 0 {
		id = v[0]
	}
	if id == "" {
		// Accepted without an ID: keep ours so the row is still unique.
		id = fmt.Sprintf("carepath-%s", m.MessageID)
	}
	return Receipt{Provider: ProviderSendGrid, ProviderMessageID: id}, nil
}
