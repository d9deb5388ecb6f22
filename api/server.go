// Package api is carepath's HTTP API: JSON over echo v4, bearer API keys on
// every /v1 route, and the providers' signed webhooks. Echo types stay in
// this package; handlers decode, call the engine, and encode.
package api

import (
	"crypto/ecdsa"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/carepath/carepath/console"
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/telemetry"
)

// Config is what the API needs besides the engine.
type Config struct {
	// PublicURL is the externally visible base URL: provider signatures
	// are computed over it plus the request path.
	PublicURL string
	// TwilioAuthToken validates X-Twilio-Signature (in `dev` without
	// Twilio credentials, a generated sandbox token).
	TwilioAuthToken string
	// SendGridWebhookKey verifies Event Webhook signatures; nil refuses them.
	SendGridWebhookKey *ecdsa.PublicKey
	// SendGridInboundToken is the secret in the Inbound Parse URL.
	SendGridInboundToken string
	// Metrics is served at /metrics and times webhooks; nil disables both.
	Metrics *telemetry.Metrics
}

// Server is the HTTP API.
type Server struct {
	echo    *echo.Echo
	console http.Handler
	engine  *engine.Engine
	cfg     Config
	log     *slog.Logger
}

// New builds the API around an engine.
func New(eng *engine.Engine, cfg Config, log *slog.Logger) *Server {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	s := &Server{echo: e, console: console.Handler(), engine: eng, cfg: cfg, log: log}
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.RequestID())
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		// A panic's value can hold request data: log the stack only.
		DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic in handler", "path", c.Path(), "request_id", requestID(c), "stack", string(stack))
			return errInternal
		},
	}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: maxBody,
		Skipper: func(c echo.Context) bool { return c.Path() == inboundEmailRoute }}))
	e.Use(s.accessLog)
	s.routes()
	return s
}

// Handler returns the server as an http.Handler: the API, and the browser
// console under /console (static files outside the API's route table and
// its OpenAPI document; the console reaches the API like any client).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(console.Prefix, s.console)
	mux.Handle(console.Prefix+"/", s.console)
	mux.Handle("/", s.echo)
	return mux
}

// accessLog logs method, route, status and timing; never bodies or queries.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.log.Debug("request", "method", c.Request().Method, "route", c.Path(),
			"status", c.Response().Status, "request_id", requestID(c))
		return nil
	}
}

func requestID(c echo.Context) string { return c.Response().Header().Get(echo.HeaderXRequestID) }

// timeWebhook records each webhook's latency and answer.
func (s *Server) timeWebhook(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.cfg.Metrics.Webhook(c.Request().Context(), c.Path(), c.Response().Status, time.Since(start))
		return nil
	}
}

func (s *Server) handleMetrics(c echo.Context) error {
	s.cfg.Metrics.Handler().ServeHTTP(c.Response(), c.Request())
	return nil
}
