package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
)

// handleEventCreate stores a source-system event: 201 when new, 200 for a
// duplicate of the same source ID (nothing changes).
func (s *Server) handleEventCreate(c echo.Context) error {
	var in carepath.NewEvent
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	id, created, enrollments, err := s.engine.RecordEvent(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	if enrollments == nil {
		enrollments = []string{}
	}
	return c.JSON(status, map[string]any{"id": id, "source_id": in.ID, "duplicate": !created, "enrollments": enrollments})
}

// handleObservationCreate stores a measurement, once per source ID.
func (s *Server) handleObservationCreate(c echo.Context) error {
	var in carepath.NewObservation
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	obs, created, err := s.engine.RecordObservation(c.Request().Context(), actor(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	return c.JSON(status, obs)
}
