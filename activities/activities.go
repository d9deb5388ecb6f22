package activities

import (
	"encoding/json"
	"log/slog"
	"time"

	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/telemetry"
)

// Activities holds the dependencies of every activity. It is registered
// once with the worker; workflows call its methods through a nil pointer.
type Activities struct {
	Store     *store.Store
	SMS       messaging.Sender
	Email     messaging.Sender
	Templates *messaging.Catalog
	Log       *slog.Logger
	Policy    Policy
	// NormalizeParams validates a journey's params and fills in its
	// defaults (the journey catalogue's), for journeys started by journeys.
	NormalizeParams func(journey string, raw json.RawMessage) (json.RawMessage, error)
	// StatusCallbackURL, when set, is where Twilio reports delivery; each
	// message adds ?message_id=<carepath message ID>.
	StatusCallbackURL string
	// EmailEvents says SendGrid's event webhook is configured: its
	// "processed" event settles an email whose send outcome is unknown.
	// Without it such an email is held at once.
	EmailEvents bool
	// Timing bounds provider calls and says how long unknown outcomes wait
	// (CAREPATH_SEND_*); zero means the production defaults.
	Timing config.SendTiming
	// Enroll launches journeys for bulk launches.
	Enroll Enroller
	// Metrics counts message outcomes; nil records nothing.
	Metrics *telemetry.Metrics
	// Now is the clock (tests move it); nil means time.Now.
	Now func() time.Time
	// hooks let tests crash the send at chosen points; nil in production.
	hooks *sendHooks
}

// Policy is the deployment's messaging rules, applied to every send.
type Policy struct {
	Window messaging.Window
	Caps   messaging.Caps
	// Conversation is how long after a patient answers a journey's question
	// that journey's reply (its next message) is exempt from quiet hours
	// and caps.
	Conversation time.Duration
}

// DefaultPolicy is 08:00–21:00, 1 outreach a day and 3 a week, 10-minute
// conversations.
var DefaultPolicy = Policy{Window: messaging.DefaultWindow, Caps: messaging.DefaultCaps,
	Conversation: 10 * time.Minute}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}
