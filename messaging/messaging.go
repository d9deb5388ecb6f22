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
	// KindRateLimited is a refusal that surely accepted nothing (HTTP 429,
	// Twilio 20429): the message may be sent again after a backoff.
	KindRateLimited ErrorKind = "rate_limited"
	// KindUnknown means the provider may or may not have accepted the
	// message: a 5xx, a timeout, a broken connection. Nothing may be sent
	// again before the provider has been asked.
	KindUnknown ErrorKind = "unknown"
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

// Retryable reports whether the activity may be retried: after a refusal,
// or to reconcile an unknown outcome (never to send blindly).
func (e *Error) Retryable() bool { return e.Kind == KindRateLimited || e.Kind == KindUnknown }

// Looker lists what a provider accepted for one recipient, from carepath's
// sending address, created in a time window: the candidates for a call
// whose outcome is unknown. Choosing among them is the outbox's job (it
// knows which provider IDs other messages already own). Providers without
// a lookup are reconciled by their events instead.
type Looker interface {
	Lookup(ctx context.Context, q LookupQuery) ([]Accepted, error)
}

// LookupQuery asks for the messages to To created within [Since, Until].
type LookupQuery struct {
	To           string
	Since, Until time.Time
}

// Accepted is one message a provider holds.
type Accepted struct {
	ProviderMessageID string
	Body              string
	CreatedAt         time.Time
}

// Timed is a sender whose calls are bounded by an HTTP client timeout: once
// it has passed since a call started, that call can no longer reach the
// provider from carepath's side. The outbox's attempt lease covers it.
type Timed interface {
	CallTimeout() time.Duration
}
