package activities

import (
	"errors"
	"log/slog"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath"
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
	// Enroll is the one enrollment path (engine.Enroller): bulk launches
	// enroll and start through it, journeys starting journeys record
	// through it.
	Enroll Enroller
	// Page configures paging staff (page.go): outgoing webhook, public
	// URL, clinic zone.
	Page PageSettings
	// Metrics counts message outcomes; nil records nothing.
	Metrics *telemetry.Metrics
	// Now is the clock (tests move it); nil means time.Now.
	Now func() time.Time
	// hooks let tests crash the send at chosen points; nil in production.
	hooks *sendHooks
}

// ErrTypeInvalidRequest marks an activity request that can never succeed
// as made (a malformed ID, params the journey rejects) or as deployed (no
// enroller configured): retrying would not help. A send that cannot
// succeed as configured is ErrTypeSendConfig.
const ErrTypeInvalidRequest = "InvalidRequest"

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

// notFoundIsFinal makes "not found" final: a retry cannot find it either.
// what names the record for the error (never its contents).
func notFoundIsFinal(err error, what string) error {
	var ae *carepath.Error
	if errors.As(err, &ae) && ae.Code == carepath.ENOTFOUND {
		return temporal.NewNonRetryableApplicationError(what+" not found", ErrTypeInvalidRequest, nil)
	}
	return err
}
