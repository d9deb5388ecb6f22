package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath/engine"
)

// handlePatientEnrollments lists a patient's enrollments, newest first.
func (s *Server) handlePatientEnrollments(c echo.Context) error {
	limit, err := pageSize(c, 100, engine.MaxPageSize)
	if err != nil {
		return err
	}
	items, err := s.engine.ListPatientEnrollments(c.Request().Context(), actor(c), c.Param("id"), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}
