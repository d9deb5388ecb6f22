package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
)

// handleFHIRSubscriptionNotification is POST
// /fhir/R4/subscription-notification: the EHR's topic-based subscription
// notifications (R4 backport history Bundle, or R4B). The caller must be
// allowed to write every resource type the notification would write.
// 200 means carepath has it (applied, or a re-delivery it already
// applied); an error asks the EHR to deliver it again.
func (s *Server) handleFHIRSubscriptionNotification(c echo.Context) error {
	ctx := c.Request().Context()
	body, err := io.ReadAll(c.Request().Body) // bounded by the body limit
	if err != nil {
		return jsonError(err)
	}
	n, err := engine.ParseSubscriptionNotification(body)
	if err != nil {
		s.cfg.Metrics.FHIRSubscriptionNotification(ctx, "unknown", "invalid", 0)
		return err
	}
	for _, typ := range n.Types() {
		if err := s.fhirPermit(c, typ, engine.PermUpdate); err != nil {
			s.cfg.Metrics.FHIRSubscriptionNotification(ctx, n.Type, "forbidden", 0)
			return err
		}
	}
	res, err := s.engine.FHIRSubscriptionNotify(ctx, actor(c), n)
	s.cfg.Metrics.FHIRSubscriptionNotification(ctx, n.Type, notificationOutcome(res, err), res.Gaps)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, fhirJSON, notificationAnswer(res))
}

func notificationOutcome(res engine.SubscriptionResult, err error) string {
	switch {
	case err != nil && carepath.ErrorCode(err) == carepath.EINVALID:
		return "invalid"
	case err != nil:
		return "error"
	case res.Duplicate:
		return "duplicate"
	}
	return "accepted"
}

// notificationAnswer is an informational OperationOutcome with what the
// notification came to (counts only).
func notificationAnswer(res engine.SubscriptionResult) []byte {
	msg := fmt.Sprintf("%s received", res.Type)
	if res.Type == engine.NotifyEvent || res.Type == engine.NotifyQueryEvent {
		msg = fmt.Sprintf("%s: %d applied, %d unchanged, %d older than stored, %d not taken", res.Type,
			res.Applied, res.Unchanged, res.Stale, res.Ignored)
		if res.Duplicate {
			msg = res.Type + ": already applied"
		}
	}
	b, err := json.Marshal(map[string]any{"resourceType": "OperationOutcome",
		"issue": []any{map[string]any{"severity": "information", "code": "informational", "diagnostics": msg}}})
	if err != nil {
		return []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"informational"}]}`)
	}
	return b
}
