package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
)

type assignRequest struct {
	// UserID is a user's ID, "me" (the signed-in caller) or "" (nobody).
	UserID *string `json:"user_id"`
}

// handleTaskAssign gives a task to a person, or to nobody.
func (s *Server) handleTaskAssign(c echo.Context) error {
	var in assignRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.UserID == nil {
		return carepath.Invalid("user_id", `is required: a user ID, "me" or "" (nobody)`)
	}
	t, err := s.engine.AssignTask(c.Request().Context(), actor(c), c.Param("id"), *in.UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}
