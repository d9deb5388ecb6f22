package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath/engine"
)

// healthBody is /healthz's answer.
type healthBody struct {
	Status   string            `json:"status"` // ok, degraded (serving, with warnings) or unavailable
	Checks   map[string]string `json:"checks"`
	Warnings []string          `json:"warnings,omitempty"`
}

// handleHealth answers 200 once PostgreSQL and Temporal both answer, and
// 503 otherwise. Replies waiting for routing longer than a minute do not
// make it fail (the api still takes webhooks and stores them) but mark it
// degraded with a warning: something is holding the router back.
func (s *Server) handleHealth(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	body := healthBody{Status: "ok", Checks: map[string]string{}}
	ok := true
	for name, err := range s.engine.Health(ctx) {
		body.Checks[name] = "ok"
		if err != nil {
			body.Checks[name], ok = "unavailable", false
		}
	}
	body.Checks["reply_routing"] = "ok"
	switch n, oldest, err := s.engine.ReplyBacklog(ctx); {
	case err != nil:
		body.Checks["reply_routing"] = "unknown"
	case oldest > engine.ReplyWaitWarning:
		body.Status, body.Checks["reply_routing"] = "degraded", "delayed"
		body.Warnings = append(body.Warnings, "replies waiting to be routed for over a minute: "+
			strconv.FormatInt(n, 10)+" waiting, the oldest for "+oldest.Round(time.Second).String())
	}
	if !ok {
		body.Status = "unavailable"
		return c.JSON(http.StatusServiceUnavailable, body)
	}
	return c.JSON(http.StatusOK, body)
}
