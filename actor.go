package carepath

// Actor is who did something, as the audit trail records it.
type Actor struct {
	Kind      string // ActorAPIKey, ActorWebhook, ActorSystem, ActorUser, ActorSMARTClient
	ID        string // the API key's ID, the provider, the component
	RequestID string
}

// Actor kinds.
const (
	ActorAPIKey  = "api_key"
	ActorWebhook = "webhook"
	ActorSystem  = "system"
)

// Name is the actor as written in the audit trail, e.g. "api_key:<id>".
func (a Actor) Name() string { return a.Kind + ":" + a.ID }

// ActorUser is a signed-in person; the ID is their user ID.
const ActorUser = "user"

// ActorSMARTClient is a SMART Backend Services client (an EHR) acting with
// an access token; the ID is its client_id.
const ActorSMARTClient = "smart_client"
