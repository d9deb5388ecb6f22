// Package messaging talks to the SMS and email providers: Twilio through
// twilio-go, SendGrid through sendgrid-go, and a sandbox that sends nothing
// (the outbox row is the record). Provider failures come back as *Error
// with a Kind the send activity turns into retry or a typed outcome.
package messaging

import (
	"context"
	"fmt"
	"time"
)

// Provider names, as stored on message rows.
const (
	ProviderTwilio   = "twilio"
	ProviderSendGrid = "sendgrid"
	ProviderSandbox  = "sandbox"
)

// Outbound is one message to hand to a provider.
type Outbound struct {
	MessageID string // carepath's ID, derived by the workflow
	To        string
	From      string
	Subject   string // email only
	Text      string
	HTML      string // email only; optional
	// StatusCallback is where the provider reports delivery; optional.
	StatusCallback string
}

// Receipt is a provider's acceptance of a message.
type Receipt struct {
	Provider          string
	ProviderMessageID string
}

// Sender hands messages of one channel to one provider.
type Sender interface {
	Provider() string
	Send(ctx context.Context, m Outbound) (Receipt, error)
}

// ErrorKind says what a provider failure means for the message.
type ErrorKind string

const (
	// KindRetryable failures (rate limits, provider outages, network) are
	// retried with backoff.
	KindRetryable ErrorKind = "retryable"
	// KindInvalidContact means the phone or address cannot receive messages.
	KindInvalidContact ErrorKind = "invalid_contact"
	// KindOptedOut means the recipient opted out at the provider.
	KindOptedOut ErrorKind = "opted_out"
	// KindTransientUnreachable is a delivery failure that may clear (30003).
	KindTransientUnreachable ErrorKind = "unreachable"
	// KindPermanent failures will not succeed on retry (bad request, auth).
	KindPermanent ErrorKind = "permanent"
)

// Error is a classified provider failure. Its text carries codes only: the
// providers' own messages can quote phone numbers and addresses.
type Error struct {
	Provider   string
	HTTPStatus int
	Code       int
	Kind       ErrorKind
	cause      error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s failure (http %d, code %d)", e.Provider, e.Kind, e.HTTPStatus, e.Code)
}

// Unwrap exposes the transport error, if any, but never the provider's text.
func (e *Error) Unwrap() error { return e.cause }

// Retryable reports whether the send may be retried.
func (e *Error) Retryable() bool { return e.Kind == KindRetryable }

// Looker finds a message a provider accepted, for a send whose outcome is
// unknown (the connection broke after the request left). Providers without
// a lookup are reconciled by their delivery events instead.
type Looker interface {
	Lookup(ctx context.Context, m Outbound, since time.Time) (Receipt, bool, error)
}
