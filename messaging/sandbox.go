package messaging

import "context"

// Sandbox accepts every message and sends nothing: the outbox row, marked
// sent by provider "sandbox", is the record (visible in the timeline). It
// is what `carepath dev` uses when no provider credentials are configured.
type Sandbox struct{}

// Provider names the provider.
func (Sandbox) Provider() string { return ProviderSandbox }

// Send returns a receipt derived from the message ID.
func (Sandbox) Send(_ context.Context, m Outbound) (Receipt, error) {
	return Receipt{Provider: ProviderSandbox, ProviderMessageID: "sandbox-" + m.MessageID}, nil
}
