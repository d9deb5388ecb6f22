// Package config reads carepath's configuration from the environment into one
// struct and validates it at start, reporting every problem at once.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/smartclient"
	"github.com/carepath/carepath/messaging"
)

var alnum = regexp.MustCompile(`^[A-Za-z0-9]*$`)

// Config is every setting carepath reads. Secrets are never printed.
type Config struct {
	HTTPAddr  string // CAREPATH_HTTP_ADDR
	PublicURL string // CAREPATH_PUBLIC_URL: base URL providers call; webhook signatures are computed over it
	DataDir   string // CAREPATH_DATA_DIR: dev-mode state (PostgreSQL cluster, Temporal database)

	DatabaseURL string // DATABASE_URL; empty in dev mode means "start a private cluster"

	TemporalAddress   string // TEMPORAL_ADDRESS; empty in dev mode means "start a dev server"
	TemporalNamespace string // TEMPORAL_NAMESPACE

	TwilioAccountSID string // TWILIO_ACCOUNT_SID
	TwilioAuthToken  string // TWILIO_AUTH_TOKEN
	TwilioFromNumber string // TWILIO_FROM_NUMBER
	TwilioAPIURL     string // TWILIO_API_URL: point twilio-go at another host (tests)

	SendGridAPIKey    string // SENDGRID_API_KEY
	SendGridFromEmail string // SENDGRID_FROM_EMAIL
	SendGridAPIURL    string // SENDGRID_API_URL: point sendgrid-go at another host (tests)
	// SendGridWebhookKey is the Event Webhook's verification key (base64
	// ECDSA public key, SENDGRID_WEBHOOK_PUBLIC_KEY); without it events are refused.
	SendGridWebhookKey string
	// SendGridInboundToken is the secret in the Inbound Parse URL
	// (/webhooks/sendgrid/inbound/<token>, SENDGRID_INBOUND_TOKEN): that
	// webhook is unsigned. `dev` generates one.
	SendGridInboundToken string

	BootstrapAPIKey string // CAREPATH_BOOTSTRAP_API_KEY: the admin key `dev` ensures exists

	// BootstrapAdminEmail (CAREPATH_BOOTSTRAP_ADMIN_EMAIL): `dev` and `api`
	// ensure an admin person with this email exists. Its password is
	// BootstrapAdminPassword (CAREPATH_BOOTSTRAP_ADMIN_PASSWORD) or, when
	// unset, generated and printed once when the account is created.
	BootstrapAdminEmail    string
	BootstrapAdminPassword string

	// EncryptionKeys ("id:base64[,id:base64...]", first encrypts) or
	// EncryptionKeyFile hold the payload-codec keys. `dev` generates a key
	// file under the data directory when neither is set; `api`, `worker` and
	// `codec-server` refuse to start without one.
	EncryptionKeys    string // CAREPATH_ENCRYPTION_KEYS
	EncryptionKeyFile string // CAREPATH_ENCRYPTION_KEY_FILE

	// CodecCORSOrigin is the Temporal UI origin allowed to call the codec
	// server (CAREPATH_CODEC_CORS_ORIGIN, e.g. http://localhost:8233).
	CodecCORSOrigin string
	// CodecAddr is where `codec-server` listens (CAREPATH_CODEC_ADDR).
	CodecAddr string
	// MetricsAddr is where a standalone `worker` serves /metrics
	// (CAREPATH_METRICS_ADDR; empty: not served). The API serves its own.
	MetricsAddr string
	// PprofAddr, if set, serves Go's profiler (/debug/pprof/) there, for
	// profiling under load (CAREPATH_PPROF_ADDR; keep it on loopback).
	PprofAddr string

	// Messaging rules (see README, "Messaging rules").
	SendWindow      messaging.Window // CAREPATH_SEND_WINDOW, default 08:00-21:00 (may only narrow)
	OutreachPerDay  int              // CAREPATH_OUTREACH_PER_DAY, default 1
	OutreachPerWeek int              // CAREPATH_OUTREACH_PER_WEEK, default 3
	SMSPerSecond    float64          // CAREPATH_SMS_PER_SECOND: provider rate per sending number, default 1

	// The outbox's timing for ambiguous provider outcomes (docs/reliability.md).
	// Production defaults; the chaos suite shortens them.
	Send SendTiming

	// ClinicTimezone is the clinic's IANA zone (CAREPATH_CLINIC_TIMEZONE,
	// default America/New_York): the on-call roster's weekdays and hours are
	// its wall clock. ClinicZone is it loaded.
	ClinicTimezone string
	ClinicZone     *time.Location

	// PageWebhookURL, if set, receives every page to staff as a POST (a
	// pager or chat tool; CAREPATH_PAGE_WEBHOOK_URL), signed with
	// HMAC-SHA256 under PageWebhookSecret (CAREPATH_PAGE_WEBHOOK_SECRET,
	// required with the URL).
	PageWebhookURL    string
	PageWebhookSecret string

	// Single sign-on through OpenID Connect (authorization code + PKCE),
	// on when OIDCIssuer is set (CAREPATH_OIDC_ISSUER, the provider's issuer
	// URL exactly as its discovery document names it) with OIDCClientID
	// (CAREPATH_OIDC_CLIENT_ID). OIDCClientSecret (CAREPATH_OIDC_CLIENT_SECRET)
	// may be empty for a public client. OIDCRedirectURL
	// (CAREPATH_OIDC_REDIRECT_URL) is the callback registered with the
	// provider, default <CAREPATH_PUBLIC_URL>/v1/sessions/oidc/callback.
	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCRedirectURL  string

	// EHR is the link to the EHR's FHIR server (CAREPATH_EHR_*): push of
	// what carepath did and reads for id-only subscription notifications.
	EHR EHR
	// Temporal is TLS, mTLS and the API key for TEMPORAL_ADDRESS
	// (TEMPORAL_TLS*, TEMPORAL_API_KEY).
	Temporal TemporalConn
	// Audit is the audit trail's MAC key (CAREPATH_AUDIT_KEYS, _FILE; audit.go).
	Audit Audit
	// SendFleet is the sending numbers, Messaging Service and send limiter (send_fleet.go).
	SendFleet SendFleet

	// Recovery: pool limits, session timeouts, start-up wait, reconciler
	// (CAREPATH_DB_*, CAREPATH_STARTUP_WAIT, CAREPATH_RECONCILE_*; recovery.go).
	Recovery Recovery
	// Deployment is the worker deployment version the workers poll as
	// (CAREPATH_WORKER_DEPLOYMENT, CAREPATH_BUILD_ID; deployment.go).
	Deployment Deployment
	// StickyCacheSize is how many journeys a worker keeps in memory between
	// workflow tasks (CAREPATH_STICKY_CACHE_SIZE; worker_cache.go).
	StickyCacheSize int

	// SandboxMessaging lets `worker` use the sandbox for a channel without
	// provider credentials (CAREPATH_SANDBOX_MESSAGING=true); `dev` always may.
	SandboxMessaging bool

	// Dev-mode ports for the embedded Temporal server; 0 picks a free port.
	DevTemporalPort   int    // CAREPATH_DEV_TEMPORAL_PORT (default 7233)
	DevTemporalUIPort int    // CAREPATH_DEV_TEMPORAL_UI_PORT (default 8233; -1 disables the UI)
	TemporalBin       string // CAREPATH_TEMPORAL_BIN: path to the temporal CLI, else PATH, else ./bin/temporal
}

// SendTiming bounds each provider call and says how long an unknown
// outcome waits before it is settled.
type SendTiming struct {
	// ProviderTimeout is the HTTP client timeout of a provider call
	// (CAREPATH_SEND_PROVIDER_TIMEOUT, default 15s).
	ProviderTimeout time.Duration
	// LeaseMargin is added to ProviderTimeout for an attempt's lease: no
	// other attempt of the message may call the provider until it ends
	// (CAREPATH_SEND_LEASE_MARGIN, default 30s).
	LeaseMargin time.Duration
	// SettleDelay is waited after a lease ends before a provider lookup's
	// "not found" is trusted and the message sent again
	// (CAREPATH_SEND_SETTLE_DELAY, default 30s).
	SettleDelay time.Duration
	// HoldWait is how long an email whose outcome is unknown waits for
	// SendGrid's "processed" event before it is held for the care team
	// (CAREPATH_SEND_HOLD_WAIT, default 10m; unused without the event webhook).
	HoldWait time.Duration
}

// DefaultSendTiming is the production timing.
var DefaultSendTiming = SendTiming{ProviderTimeout: 15 * time.Second, LeaseMargin: 30 * time.Second,
	SettleDelay: 30 * time.Second, HoldWait: 10 * time.Minute}

// Defaults.
const (
	DefaultHTTPAddr      = "127.0.0.1:8080"
	DefaultNamespace     = "default"
	DefaultTwilioAPIURL  = "https://api.twilio.com"
	DefaultSendGridURL   = "https://api.sendgrid.com"
	DefaultDataDir       = ".data"
	DefaultTemporalPort  = 7233
	DefaultTemporalUIPrt = 8233
	DefaultClinicZone    = "America/New_York"
)

// TwilioEnabled reports whether real SMS sending is configured.
func (c *Config) TwilioEnabled() bool { return c.TwilioAccountSID != "" }

// SendGridEnabled reports whether real email sending is configured.
func (c *Config) SendGridEnabled() bool { return c.SendGridAPIKey != "" }

// FromEnv reads the configuration through getenv (os.Getenv in production,
// a map in tests) and validates it. The returned error lists every problem.
func FromEnv(getenv func(string) string) (*Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := &Config{
		HTTPAddr:               get("CAREPATH_HTTP_ADDR", DefaultHTTPAddr),
		PublicURL:              get("CAREPATH_PUBLIC_URL", ""),
		DataDir:                get("CAREPATH_DATA_DIR", DefaultDataDir),
		DatabaseURL:            get("DATABASE_URL", ""),
		TemporalAddress:        get("TEMPORAL_ADDRESS", ""),
		TemporalNamespace:      get("TEMPORAL_NAMESPACE", DefaultNamespace),
		TwilioAccountSID:       get("TWILIO_ACCOUNT_SID", ""),
		TwilioAuthToken:        get("TWILIO_AUTH_TOKEN", ""),
		TwilioFromNumber:       get("TWILIO_FROM_NUMBER", ""),
		TwilioAPIURL:           get("TWILIO_API_URL", DefaultTwilioAPIURL),
		SendGridAPIKey:         get("SENDGRID_API_KEY", ""),
		SendGridFromEmail:      get("SENDGRID_FROM_EMAIL", ""),
		SendGridAPIURL:         get("SENDGRID_API_URL", DefaultSendGridURL),
		SendGridWebhookKey:     get("SENDGRID_WEBHOOK_PUBLIC_KEY", ""),
		SendGridInboundToken:   get("SENDGRID_INBOUND_TOKEN", ""),
		BootstrapAPIKey:        get("CAREPATH_BOOTSTRAP_API_KEY", ""),
		BootstrapAdminEmail:    get("CAREPATH_BOOTSTRAP_ADMIN_EMAIL", ""),
		BootstrapAdminPassword: get("CAREPATH_BOOTSTRAP_ADMIN_PASSWORD", ""),
		TemporalBin:            get("CAREPATH_TEMPORAL_BIN", ""),
		EncryptionKeys:         get("CAREPATH_ENCRYPTION_KEYS", ""),
		EncryptionKeyFile:      get("CAREPATH_ENCRYPTION_KEY_FILE", ""),
		CodecCORSOrigin:        get("CAREPATH_CODEC_CORS_ORIGIN", "http://localhost:8233"),
		CodecAddr:              get("CAREPATH_CODEC_ADDR", "127.0.0.1:8081"),
		PprofAddr:              get("CAREPATH_PPROF_ADDR", ""),
		MetricsAddr:            get("CAREPATH_METRICS_ADDR", ""),
		ClinicTimezone:         get("CAREPATH_CLINIC_TIMEZONE", DefaultClinicZone),
		PageWebhookURL:         get("CAREPATH_PAGE_WEBHOOK_URL", ""),
		PageWebhookSecret:      get("CAREPATH_PAGE_WEBHOOK_SECRET", ""),
		OIDCIssuer:             get("CAREPATH_OIDC_ISSUER", ""),
		OIDCClientID:           get("CAREPATH_OIDC_CLIENT_ID", ""),
		OIDCClientSecret:       get("CAREPATH_OIDC_CLIENT_SECRET", ""),
		OIDCRedirectURL:        get("CAREPATH_OIDC_REDIRECT_URL", ""),
	}
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}

	switch v := strings.ToLower(get("CAREPATH_SANDBOX_MESSAGING", "false")); v {
	case "true", "1", "yes":
		c.SandboxMessaging = true
	case "false", "0", "no":
	default:
		bad("CAREPATH_SANDBOX_MESSAGING", "must be true or false")
	}
	var err error
	if c.SendWindow, err = messaging.ParseWindow(get("CAREPATH_SEND_WINDOW", "08:00-21:00")); err != nil {
		bad("CAREPATH_SEND_WINDOW", "%v", err)
	}
	if c.OutreachPerDay, err = boundedInt(get("CAREPATH_OUTREACH_PER_DAY", "1"), 0, 10); err != nil {
		bad("CAREPATH_OUTREACH_PER_DAY", "%v", err)
	}
	if c.OutreachPerWeek, err = boundedInt(get("CAREPATH_OUTREACH_PER_WEEK", "3"), 0, 50); err != nil {
		bad("CAREPATH_OUTREACH_PER_WEEK", "%v", err)
	}
	if _, err := fmt.Sscanf(get("CAREPATH_SMS_PER_SECOND", "1"), "%g", &c.SMSPerSecond); err != nil || c.SMSPerSecond <= 0 || c.SMSPerSecond > 1000 {
		bad("CAREPATH_SMS_PER_SECOND", "must be a number above 0 and at most 1000")
	}
	for _, d := range []struct {
		key      string
		into     *time.Duration
		def      time.Duration
		min, max time.Duration
	}{
		{"CAREPATH_SEND_PROVIDER_TIMEOUT", &c.Send.ProviderTimeout, DefaultSendTiming.ProviderTimeout, 100 * time.Millisecond, 2 * time.Minute},
		{"CAREPATH_SEND_LEASE_MARGIN", &c.Send.LeaseMargin, DefaultSendTiming.LeaseMargin, 100 * time.Millisecond, 10 * time.Minute},
		{"CAREPATH_SEND_SETTLE_DELAY", &c.Send.SettleDelay, DefaultSendTiming.SettleDelay, 0, time.Hour},
		{"CAREPATH_SEND_HOLD_WAIT", &c.Send.HoldWait, DefaultSendTiming.HoldWait, 0, 24 * time.Hour},
	} {
		if *d.into, err = boundedDuration(get(d.key, d.def.String()), d.min, d.max); err != nil {
			bad(d.key, "%v", err)
		}
	}
	if !carepath.ValidTimezone(c.ClinicTimezone) {
		bad("CAREPATH_CLINIC_TIMEZONE", "must be an IANA time zone, e.g. America/New_York")
	} else if c.ClinicZone, err = time.LoadLocation(c.ClinicTimezone); err != nil {
		bad("CAREPATH_CLINIC_TIMEZONE", "cannot be loaded: %v", err)
	}
	if c.PageWebhookURL != "" {
		if u, err := url.Parse(c.PageWebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("CAREPATH_PAGE_WEBHOOK_URL", "must be an absolute http(s) URL")
		}
		if len(c.PageWebhookSecret) < 16 {
			bad("CAREPATH_PAGE_WEBHOOK_SECRET", "is required with CAREPATH_PAGE_WEBHOOK_URL (at least 16 characters)")
		}
	} else if c.PageWebhookSecret != "" {
		bad("CAREPATH_PAGE_WEBHOOK_URL", "is required when CAREPATH_PAGE_WEBHOOK_SECRET is given")
	}
	c.Recovery = recoveryFromEnv(get, bad)
	c.Deployment = deploymentFromEnv(get, bad)
	c.StickyCacheSize = stickyCacheFromEnv(get, bad)
	if c.DevTemporalPort, err = port(get("CAREPATH_DEV_TEMPORAL_PORT", ""), DefaultTemporalPort, false); err != nil {
		bad("CAREPATH_DEV_TEMPORAL_PORT", "%v", err)
	}
	if c.DevTemporalUIPort, err = port(get("CAREPATH_DEV_TEMPORAL_UI_PORT", ""), DefaultTemporalUIPrt, true); err != nil {
		bad("CAREPATH_DEV_TEMPORAL_UI_PORT", "%v", err)
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		bad("CAREPATH_HTTP_ADDR", "must be host:port, e.g. 127.0.0.1:8080")
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.HTTPAddr
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("CAREPATH_PUBLIC_URL", "must be an absolute http(s) URL")
	} else {
		c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	}
	c.checkOIDC(bad)
	c.EHR = ehrFromEnv(get, bad)
	c.Temporal = temporalConnFromEnv(get, bad)
	c.Audit = auditFromEnv(get, bad)
	c.SendFleet = sendFleetFromEnv(get, bad, c.TwilioFromNumber, c.SMSPerSecond)
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad("DATABASE_URL", "must be a postgres:// URL")
		}
	}
	if c.TemporalAddress != "" {
		if _, _, err := net.SplitHostPort(c.TemporalAddress); err != nil {
			bad("TEMPORAL_ADDRESS", "must be host:port, e.g. 127.0.0.1:7233")
		}
	}
	// Twilio: all three or none.
	if c.TwilioAccountSID != "" || c.TwilioAuthToken != "" || c.TwilioFromNumber != "" {
		if c.TwilioAccountSID == "" {
			bad("TWILIO_ACCOUNT_SID", "is required when any TWILIO_ setting is given")
		}
		if c.TwilioAuthToken == "" {
			bad("TWILIO_AUTH_TOKEN", "is required when any TWILIO_ setting is given")
		}
		// twilio-go refuses credentials with other characters at send time.
		if !alnum.MatchString(c.TwilioAccountSID) {
			bad("TWILIO_ACCOUNT_SID", "must be letters and digits only")
		}
		if !alnum.MatchString(c.TwilioAuthToken) {
			bad("TWILIO_AUTH_TOKEN", "must be letters and digits only")
		}
		if !carepath.ValidPhone(c.TwilioFromNumber) {
			bad("TWILIO_FROM_NUMBER", "must be an E.164 number when Twilio is configured")
		}
	}
	if u, err := url.Parse(c.TwilioAPIURL); err != nil || u.Scheme == "" || u.Host == "" {
		bad("TWILIO_API_URL", "must be an absolute URL")
	}
	if c.SendGridAPIKey != "" || c.SendGridFromEmail != "" {
		if c.SendGridAPIKey == "" {
			bad("SENDGRID_API_KEY", "is required when SENDGRID_FROM_EMAIL is given")
		}
		if _, err := mail.ParseAddress(c.SendGridFromEmail); err != nil {
			bad("SENDGRID_FROM_EMAIL", "must be an email address when SendGrid is configured")
		}
	}
	if u, err := url.Parse(c.SendGridAPIURL); err != nil || u.Scheme == "" || u.Host == "" {
		bad("SENDGRID_API_URL", "must be an absolute URL")
	}
	if c.EncryptionKeys != "" && c.EncryptionKeyFile != "" {
		bad("CAREPATH_ENCRYPTION_KEYS", "set either it or CAREPATH_ENCRYPTION_KEY_FILE, not both")
	}
	if u, err := url.Parse(c.CodecCORSOrigin); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		bad("CAREPATH_CODEC_CORS_ORIGIN", "must be an origin such as https://temporal-ui.example.org")
	} else {
		c.CodecCORSOrigin = strings.TrimRight(c.CodecCORSOrigin, "/")
	}
	if _, _, err := net.SplitHostPort(c.CodecAddr); err != nil {
		bad("CAREPATH_CODEC_ADDR", "must be host:port")
	}
	if c.PprofAddr != "" {
		if _, _, err := net.SplitHostPort(c.PprofAddr); err != nil {
			bad("CAREPATH_PPROF_ADDR", "must be host:port, e.g. 127.0.0.1:6060")
		}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			bad("CAREPATH_METRICS_ADDR", "must be host:port")
		}
	}
	if c.SendGridInboundToken != "" && (len(c.SendGridInboundToken) < 24 || !alnum.MatchString(c.SendGridInboundToken)) {
		bad("SENDGRID_INBOUND_TOKEN", "must be at least 24 letters and digits")
	}
	if c.SendGridWebhookKey != "" {
		if _, err := messaging.ParseSendGridWebhookKey(c.SendGridWebhookKey); err != nil {
			bad("SENDGRID_WEBHOOK_PUBLIC_KEY", "must be the base64 ECDSA public key from SendGrid's Event Webhook settings")
		}
	}
	if c.BootstrapAPIKey != "" && len(c.BootstrapAPIKey) < 24 {
		bad("CAREPATH_BOOTSTRAP_API_KEY", "must be at least 24 characters")
	}
	if c.BootstrapAdminEmail != "" {
		if a, err := mail.ParseAddress(c.BootstrapAdminEmail); err != nil || a.Address != c.BootstrapAdminEmail {
			bad("CAREPATH_BOOTSTRAP_ADMIN_EMAIL", "must be an email address")
		}
	}
	// NIST SP 800-63B's floor (engine.MinBootstrapPasswordLength; config
	// cannot import engine): the operator chose it; later accounts need 12.
	if c.BootstrapAdminPassword != "" && len([]rune(c.BootstrapAdminPassword)) < 8 {
		bad("CAREPATH_BOOTSTRAP_ADMIN_PASSWORD", "must be at least 8 characters")
	}
	if c.BootstrapAdminPassword != "" && c.BootstrapAdminEmail == "" {
		bad("CAREPATH_BOOTSTRAP_ADMIN_PASSWORD", "needs CAREPATH_BOOTSTRAP_ADMIN_EMAIL")
	}
	if abs, err := filepath.Abs(c.DataDir); err != nil {
		bad("CAREPATH_DATA_DIR", "cannot be resolved: %v", err)
	} else {
		c.DataDir = abs
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid configuration:\n%w", errors.Join(errs...))
	}
	return c, nil
}

func port(s string, def int, allowDisable bool) (int, error) {
	if s == "" {
		return def, nil
	}
	var p int
	if _, err := fmt.Sscanf(s, "%d", &p); err != nil || fmt.Sprint(p) != s {
		return 0, errors.New("must be a port number")
	}
	if p == -1 && allowDisable {
		return p, nil
	}
	if p < 0 || p > 65535 {
		return 0, errors.New("must be between 0 and 65535")
	}
	return p, nil
}

func boundedDuration(s string, lo, hi time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < lo || d > hi {
		return 0, fmt.Errorf("must be a duration such as 30s from %s to %s", lo, hi)
	}
	return d, nil
}

func boundedInt(s string, lo, hi int) (int, error) {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || fmt.Sprint(n) != s || n < lo || n > hi {
		return 0, fmt.Errorf("must be a whole number from %d to %d", lo, hi)
	}
	return n, nil
}

// OIDCEnabled reports whether single sign-on is configured.
func (c *Config) OIDCEnabled() bool { return c.OIDCIssuer != "" }

// checkOIDC validates the single sign-on settings: all or none, the issuer
// https (http only on loopback, for a local test provider).
func (c *Config) checkOIDC(bad func(key, format string, args ...any)) {
	if c.OIDCIssuer == "" && c.OIDCClientID == "" && c.OIDCClientSecret == "" && c.OIDCRedirectURL == "" {
		return
	}
	if c.OIDCIssuer == "" {
		bad("CAREPATH_OIDC_ISSUER", "is required when any CAREPATH_OIDC_ setting is given")
	} else if u, err := url.Parse(c.OIDCIssuer); err != nil || u.Host == "" ||
		(u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname()))) {
		bad("CAREPATH_OIDC_ISSUER", "must be an https URL (http only on localhost)")
	}
	if c.OIDCClientID == "" {
		bad("CAREPATH_OIDC_CLIENT_ID", "is required when any CAREPATH_OIDC_ setting is given")
	}
	if c.OIDCRedirectURL == "" {
		c.OIDCRedirectURL = c.PublicURL + "/v1/sessions/oidc/callback"
	}
	if u, err := url.Parse(c.OIDCRedirectURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("CAREPATH_OIDC_REDIRECT_URL", "must be an absolute http(s) URL")
	}
}

// EHR is carepath as a SMART Backend Services client of the EHR. Off
// (push and id-only reads) when FHIRURL is empty.
type EHR struct {
	FHIRURL        string          // CAREPATH_EHR_FHIR_URL: the FHIR base, e.g. https://ehr.example.org/fhir/R4
	TokenURL       string          // CAREPATH_EHR_TOKEN_URL; empty: discovered from <base>/.well-known/smart-configuration
	ClientID       string          // CAREPATH_EHR_CLIENT_ID: carepath's client_id at the EHR
	PrivateKeyFile string          // CAREPATH_EHR_PRIVATE_KEY_FILE: PEM, EC P-384 (ES384) or RSA >= 2048 bits (RS384)
	KeyID          string          // CAREPATH_EHR_KEY_ID: the kid the EHR knows the public key by
	Scope          string          // CAREPATH_EHR_SCOPE, default "system/*.write system/*.read"
	Key            smartclient.Key // the private key, loaded
}

// Enabled reports whether the EHR link is configured.
func (e EHR) Enabled() bool { return e.FHIRURL != "" }

// ehrFromEnv reads and checks CAREPATH_EHR_*: all needed settings or none,
// URLs https (http only on loopback), the key file a usable private key.
func ehrFromEnv(get func(k, def string) string, bad func(key, format string, args ...any)) EHR {
	e := EHR{FHIRURL: strings.TrimRight(get("CAREPATH_EHR_FHIR_URL", ""), "/"), TokenURL: get("CAREPATH_EHR_TOKEN_URL", ""),
		ClientID: get("CAREPATH_EHR_CLIENT_ID", ""), PrivateKeyFile: get("CAREPATH_EHR_PRIVATE_KEY_FILE", ""),
		KeyID: get("CAREPATH_EHR_KEY_ID", ""), Scope: get("CAREPATH_EHR_SCOPE", smartclient.DefaultScope)}
	if e.FHIRURL == "" {
		for _, k := range []string{"CAREPATH_EHR_TOKEN_URL", "CAREPATH_EHR_CLIENT_ID", "CAREPATH_EHR_PRIVATE_KEY_FILE", "CAREPATH_EHR_KEY_ID"} {
			if get(k, "") != "" {
				bad("CAREPATH_EHR_FHIR_URL", "is required when %s is given", k)
			}
		}
		return e
	}
	webURL := func(key, v string) {
		if u, err := url.Parse(v); err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname()))) {
			bad(key, "must be an https URL (http only on localhost)")
		}
	}
	webURL("CAREPATH_EHR_FHIR_URL", e.FHIRURL)
	if e.TokenURL != "" {
		webURL("CAREPATH_EHR_TOKEN_URL", e.TokenURL)
	}
	if e.ClientID == "" {
		bad("CAREPATH_EHR_CLIENT_ID", "is required with CAREPATH_EHR_FHIR_URL")
	}
	if e.KeyID == "" {
		bad("CAREPATH_EHR_KEY_ID", "is required with CAREPATH_EHR_FHIR_URL (the kid of carepath's public key at the EHR)")
	}
	for _, sc := range strings.Fields(e.Scope) {
		if !strings.HasPrefix(sc, "system/") {
			bad("CAREPATH_EHR_SCOPE", "must be system/ scopes separated by spaces, e.g. %q", smartclient.DefaultScope)
			break
		}
	}
	if e.PrivateKeyFile == "" {
		bad("CAREPATH_EHR_PRIVATE_KEY_FILE", "is required with CAREPATH_EHR_FHIR_URL")
		return e
	}
	pemBytes, err := os.ReadFile(e.PrivateKeyFile)
	if err != nil {
		bad("CAREPATH_EHR_PRIVATE_KEY_FILE", "cannot be read: %v", err)
		return e
	}
	if e.Key, err = smartclient.ParseKey(pemBytes, e.KeyID); err != nil {
		bad("CAREPATH_EHR_PRIVATE_KEY_FILE", "%v", err)
	}
	return e
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
