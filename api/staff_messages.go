package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
)

type staffMessageRequest struct {
	Text     string           `json:"text"`
	Channel  carepath.Channel `json:"channel"`
	Urgent   bool             `json:"urgent"`
	ClientID string           `json:"client_id"`
}

// handleStaffMessage accepts a staff member's reply to the patient: 202,
// sent (or deferred, or suppressed) by its workflow.
func (s *Server) handleStaffMessage(c echo.Context) error {
	var in staffMessageRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	r, err := s.engine.SendStaffMessage(c.Request().Context(), actor(c), c.Param("id"),
		engine.StaffMessage{Text: in.Text, Channel: in.Channel, Urgent: in.Urgent, ClientID: in.ClientID})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, r)
}
