package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/api"
	"github.com/carepath/carepath/codec"
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/internal/oidc"
	"github.com/carepath/carepath/internal/smartclient"
	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/paging"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/telemetry"
	"github.com/carepath/carepath/worker"
	"github.com/carepath/carepath/workflows"
)

// app is the wiring every command shares: one pool, one Temporal client.
type app struct {
	cfg      *config.Config
	metrics  *telemetry.Metrics
	log      *slog.Logger
	store    *store.Store
	temporal client.Client
	journeys *workflows.Registry
	engine   *engine.Engine
}

func openApp(ctx context.Context, cfg *config.Config, log *slog.Logger) (*app, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("DATABASE_URL is required (or use `carepath dev`, which starts a private PostgreSQL)")
	}
	if err := useAuditKeys(cfg); err != nil {
		return nil, err
	}
	reg, err := journeys.Registry()
	if err != nil {
		return nil, fmt.Errorf("journey catalogue: %w", err)
	}
	st, err := store.OpenWith(ctx, cfg.DatabaseURL, storeOptions(cfg))
	if err != nil {
		return nil, err
	}
	metrics, err := telemetry.New()
	if err != nil {
		st.Close()
		return nil, err
	}
	if err := metrics.ObserveEnrollments(st.EnrollmentCounts); err != nil {
		st.Close()
		return nil, err
	}
	if err := metrics.ObservePool(st.Pool.Stat); err != nil {
		st.Close()
		return nil, err
	}
	tc, err := dialTemporal(ctx, cfg, log, metrics)
	if err != nil {
		st.Close()
		return nil, err
	}
	a := &app{cfg: cfg, log: log, store: st, temporal: tc, journeys: reg, metrics: metrics}
	a.engine = &engine.Engine{Store: st, Temporal: tc, Journeys: reg, Log: log, ClinicZone: cfg.ClinicZone}
	if cfg.OIDCEnabled() {
		// The provider is only called at the first sign-on: its being down
		// does not stop carepath starting.
		if a.engine.OIDC, err = oidc.New(oidc.Config{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID,
			ClientSecret: cfg.OIDCClientSecret, RedirectURL: cfg.OIDCRedirectURL}); err != nil {
			st.Close()
			return nil, err
		}
	}
	if cfg.EHR.Enabled() {
		// The EHR link: the worker pushes through it, the API reads
		// id-only subscription notifications' resources through it.
		if a.engine.EHR, err = ehrLink(cfg.EHR); err != nil {
			st.Close()
			return nil, err
		}
	}
	return a, nil
}

// ehrLink is carepath as a SMART Backend Services client of the EHR. The
// token endpoint, unless configured, is discovered at the first push or
// read, so an EHR that is down does not stop carepath starting.
func ehrLink(c config.EHR) (*engine.EHRLink, error) {
	sc, err := smartclient.New(smartclient.Config{TokenURL: c.TokenURL, FHIRBase: c.FHIRURL, ClientID: c.ClientID,
		Key: c.Key, Scope: c.Scope})
	if err != nil {
		return nil, err
	}
	return &engine.EHRLink{Base: c.FHIRURL, HTTP: sc.HTTPClient(engine.DefaultPush.Timeout)}, nil
}

// storeOptions is the pool configuration for api, worker and dev.
func storeOptions(cfg *config.Config) store.Options {
	o := store.DefaultOptions
	r := cfg.Recovery
	o.MaxConns = int32(r.DBMaxConns)
	o.StatementTimeout, o.LockTimeout, o.IdleInTransactionSessionTimeout = r.DBStatementTimeout, r.DBLockTimeout, r.DBIdleInTxTimeout
	o.ConnectWait = r.StartupWait
	return o
}

// dialTool is dialTemporal for the one-shot operator commands (deploy,
// verify-replay): their own metrics registry, nothing served.
func dialTool(ctx context.Context, cfg *config.Config, log *slog.Logger) (client.Client, error) {
	metrics, err := telemetry.New()
	if err != nil {
		return nil, err
	}
	return dialTemporal(ctx, cfg, log, metrics)
}

// dialTemporal is the one way carepath connects to Temporal: with the
// payload codec and the failure converter that encodes error messages.
// The client is lazy: it connects on first use and reconnects by itself
// (gRPC, backing off up to 10 s), so a process starts, and keeps running,
// while Temporal is down; calls fail until it is back.
func dialTemporal(ctx context.Context, cfg *config.Config, log *slog.Logger, metrics *telemetry.Metrics) (client.Client, error) {
	keys, err := loadKeys(cfg)
	if err != nil {
		return nil, err
	}
	dc, fc := codec.Converters(keys)
	addr := cfg.TemporalAddress
	if addr == "" {
		addr = client.DefaultHostPort
	}
	tc, err := client.NewLazyClient(client.Options{
		HostPort:  addr,
		Namespace: cfg.TemporalNamespace,
		// Every payload and failure message is encrypted before it leaves.
		DataConverter:    dc,
		FailureConverter: fc,
		MetricsHandler:   metrics.TemporalHandler(),
		// No gzip on the wire: payloads are AES-GCM ciphertext, which does
		// not compress, so gzip only cost CPU on both ends (7% of carepath's
		// CPU under `make bench`, and more on the server).
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{},
			TLS: cfg.Temporal.TLS}, // nil: plaintext (the dev server)
		Credentials:  temporalCredentials(cfg.Temporal),
		Interceptors: startInterceptors(cfg.Deployment), // versioned: no eager start (deployment.go)
		// The SDK logs at warn and above: its info lines are per-poll noise.
		Logger: tlog.NewStructuredLogger(slog.New(minLevel{log.Handler(), slog.LevelWarn}).With("component", "temporal-sdk")),
	})
	if err != nil {
		return nil, fmt.Errorf("temporal client for %s: %w", addr, err)
	}
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := tc.CheckHealth(hctx, &client.CheckHealthRequest{}); err != nil {
		log.Warn("Temporal does not answer yet; carrying on and retrying", "address", addr, "error", err)
	}
	return tc, nil
}

func (a *app) close() {
	a.temporal.Close()
	a.store.Close()
}

// startWorker starts the journey worker under a supervisor (supervise.go),
// which restarts it whenever it stops, and the reconciler of failed
// workflow starts. It waits up to the start-up wait for the first worker;
// stop both with the returned supervisor's Stop.
func (a *app) startWorker(ctx context.Context, sandbox bool) (*supervisor, error) {
	sms, email, err := a.senders(sandbox)
	if err != nil {
		return nil, err
	}
	if sms == nil && email == nil {
		return nil, errors.New("no messaging provider configured: set TWILIO_* and/or SENDGRID_* (see README)")
	}
	acts := &activities.Activities{Store: a.store, SMS: sms, Email: email, Templates: a.journeys.Templates(), Log: a.log,
		Metrics: a.metrics,
		// Journeys starting journeys and bulk launches enroll the way
		// the API does.
		Enroll: a.engine.Enroller(),
		// Pages to staff: the link in the page, the outgoing webhook, and
		// the zone the on-call roster is read in.
		Page: activities.PageSettings{WebhookURL: a.cfg.PageWebhookURL, WebhookSecret: a.cfg.PageWebhookSecret,
			PublicURL: a.cfg.PublicURL, Zone: a.cfg.ClinicZone},
		Policy: activities.Policy{
			Window:       a.cfg.SendWindow,
			Caps:         messaging.Caps{PerDay: a.cfg.OutreachPerDay, PerWeek: a.cfg.OutreachPerWeek},
			Conversation: activities.DefaultPolicy.Conversation,
		},
		Timing:      a.cfg.Send,
		EmailEvents: a.cfg.SendGridWebhookKey != "",
	}
	if a.cfg.TwilioEnabled() {
		acts.StatusCallbackURL = a.cfg.PublicURL + "/webhooks/twilio/status"
	}
	if err := worker.SetStickyCacheSize(a.cfg.StickyCacheSize); err != nil {
		return nil, err
	}
	start := func(_ context.Context, onFatal func(error)) (stopper, error) {
		w := worker.New(a.temporal, a.journeys, acts, worker.Options{SendsPerSecond: a.cfg.SendFleet.TotalPerSecond(a.cfg.SMSPerSecond), OnFatalError: onFatal,
			Deployment: deploymentOptions(a.cfg.Deployment)})
		if err := w.Start(); err != nil {
			return nil, err
		}
		return w, nil
	}
	ensureSweeper := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return workflows.EnsureTaskSweeper(ctx, a.temporal)
	}
	sup := newSupervisor(a.log, start, ensureSweeper)
	if a.engine.EHR != nil {
		if err := a.metrics.ObserveFHIRPushLag(a.engine.FHIRPushLag); err != nil {
			return nil, err
		}
	}
	// Beside the worker: the start reconciler, the page runner (pages
	// every urgent or high task along the on-call chain; shared with the
	// other workers' runners through claims), and the FHIR
	// pusher when the EHR link is configured (one at a time across
	// workers: an advisory lock).
	sup.background = func(ctx context.Context) {
		paged, pushing := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(paged)
			(&paging.Runner{Store: a.store, Effects: acts, Log: a.log}).Run(ctx)
		}()
		go func() {
			defer close(pushing)
			if a.engine.EHR != nil {
				o := engine.DefaultPush
				o.Metrics = a.metrics
				a.engine.PushFHIR(ctx, a.engine.EHR, o)
			}
		}()
		a.engine.Reconcile(ctx, reconcileOptions(a.cfg))
		<-paged
		<-pushing
	}
	// The caller stops it (after the API has drained, in dev), not ctx.
	sup.run(context.WithoutCancel(ctx))
	if err := sup.waitUp(ctx, a.cfg.Recovery.StartupWait); err != nil {
		sup.Stop()
		return nil, err
	}
	return sup, nil
}

// reconcileOptions configure the reconciler from CAREPATH_RECONCILE_*.
func reconcileOptions(cfg *config.Config) engine.ReconcileOptions {
	o := engine.DefaultReconcile
	o.Interval, o.Grace, o.MaxAttempts = cfg.Recovery.ReconcileInterval, cfg.Recovery.ReconcileGrace, cfg.Recovery.ReconcileMaxAttempts
	o.Backoff = o.Interval
	return o
}

// serveAPI listens on the configured address and serves until ctx ends,
// then drains for up to ten seconds. ready, if set, is called once the
// listener is open.
func (a *app) serveAPI(ctx context.Context, twilioToken, inboundToken string, ready func(addr string)) error {
	conf := api.Config{PublicURL: a.cfg.PublicURL, TwilioAuthToken: twilioToken, SendGridInboundToken: inboundToken,
		Metrics: a.metrics}
	if a.cfg.SendGridWebhookKey != "" {
		key, err := messaging.ParseSendGridWebhookKey(a.cfg.SendGridWebhookKey)
		if err != nil {
			return err
		}
		conf.SendGridWebhookKey = key
	}
	srv := &http.Server{
		Handler:           api.New(a.engine, conf, a.log).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
	}
	// The reply router hands replies the webhooks stored to Temporal, in
	// every api process; it stops with ctx, before the pool closes.
	if err := a.metrics.ObserveReplyBacklog(a.engine.ReplyBacklog); err != nil {
		return err
	}
	routerCtx, stopRouter := context.WithCancel(ctx)
	routerDone := make(chan struct{})
	go func() { defer close(routerDone); a.engine.RouteReplies(routerCtx) }()
	defer func() { stopRouter(); <-routerDone }()
	return serveUntilDone(ctx, "api", srv, a.cfg.HTTPAddr, 10*time.Second, ready)
}

// serveUntilDone listens on addr, calls ready with the bound address, and
// serves until ctx ends; then it drains requests for up to grace.
func serveUntilDone(ctx context.Context, name string, srv *http.Server, addr string, grace time.Duration, ready func(addr string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: listen on %s: %w", name, addr, err)
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("%s: %w", name, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("%s: shutdown: %w", name, err)
	}
	return nil
}

func runAPI(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	if cfg.BootstrapAPIKey != "" {
		// Idempotent: the same key is stored once, by hash.
		if _, err := a.store.APIKeyInsert(ctx, "bootstrap admin", carepath.RoleAdmin, cfg.BootstrapAPIKey); err != nil {
			return err
		}
	}
	generated, err := a.bootstrapAdmin(ctx)
	if err != nil {
		return err
	}
	if generated != "" {
		// Shown once, on the terminal only: never in the logs.
		if _, err := fmt.Fprintf(os.Stdout, "Admin sign-in: %s  password (shown once): %s\n", cfg.BootstrapAdminEmail, generated); err != nil {
			return fmt.Errorf("print the admin password: %w", err)
		}
	}
	log.Info("api listening", "addr", cfg.HTTPAddr)
	return a.serveAPI(ctx, cfg.TwilioAuthToken, cfg.SendGridInboundToken, nil)
}

// bootstrapAdmin ensures CAREPATH_BOOTSTRAP_ADMIN_EMAIL has an admin
// account. It returns the password it generated when it created the account
// without CAREPATH_BOOTSTRAP_ADMIN_PASSWORD (to be shown once), else "".
func (a *app) bootstrapAdmin(ctx context.Context) (string, error) {
	if a.cfg.BootstrapAdminEmail == "" {
		return "", nil
	}
	return a.engine.EnsureAdminUser(ctx, a.cfg.BootstrapAdminEmail, a.cfg.BootstrapAdminPassword)
}

func runWorker(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	w, err := a.startWorker(ctx, cfg.SandboxMessaging)
	if err != nil {
		return err
	}
	log.Info("worker running", "task_queue", workflows.TaskQueue)
	if cfg.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("/metrics", a.metrics.Handler())
		mux.Handle("/healthz", a.workerHealth(w))
		err := serveUntilDone(ctx, "metrics", &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, cfg.MetricsAddr, 5*time.Second, nil)
		w.Stop()
		return err
	}
	<-ctx.Done()
	w.Stop()
	return nil
}

func runMigrate(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is required")
	}
	// Migrations may run long and wait on another process's migration
	// lock, so the session timeouts do not apply.
	o := storeOptions(cfg)
	o.StatementTimeout, o.LockTimeout = 0, 0
	st, err := store.OpenWith(ctx, cfg.DatabaseURL, o)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := store.Migrate(ctx, st.Pool)
	if err != nil {
		return err
	}
	log.Info("migrations applied", "applied", applied)
	return nil
}

// minLevel drops records below a level, whatever the wrapped handler takes.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.Handler.Enabled(ctx, l)
}

func (m minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{m.Handler.WithAttrs(a), m.min}
}
func (m minLevel) WithGroup(n string) slog.Handler { return minLevel{m.Handler.WithGroup(n), m.min} }

// loadKeys reads the payload-encryption keys; running without them would
// put PHI into Temporal in plain text, so it is an error.
// temporalCredentials is Temporal Cloud's API key, when one is set.
func temporalCredentials(c config.TemporalConn) client.Credentials {
	if c.APIKey == "" {
		return nil
	}
	return client.NewAPIKeyStaticCredentials(c.APIKey)
}

func loadKeys(cfg *config.Config) (*codec.Keyring, error) {
	switch {
	case cfg.EncryptionKeys != "":
		return codec.ParseKeys(cfg.EncryptionKeys)
	case cfg.EncryptionKeyFile != "":
		return codec.LoadKeyFile(cfg.EncryptionKeyFile)
	}
	return nil, errors.New("no payload-encryption key: set CAREPATH_ENCRYPTION_KEYS or CAREPATH_ENCRYPTION_KEY_FILE " +
		"(generate a key with `carepath keygen`)")
}
