package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
)

// handlePatientTimeline answers one page of the patient's timeline, newest
// first; ?before= is the previous page's next.
func (s *Server) handlePatientTimeline(c echo.Context) error {
	limit, err := pageSize(c, engine.DefaultTimelinePage, engine.MaxPageSize)
	if err != nil {
		return err
	}
	page, err := s.engine.PatientTimeline(c.Request().Context(), actor(c), c.Param("id"), c.QueryParam("before"), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// handleObservationList answers the patient's readings, newest first,
// optionally of one code and since a time.
func (s *Server) handleObservationList(c echo.Context) error {
	limit, err := pageSize(c, 100, engine.MaxPageSize)
	if err != nil {
		return err
	}
	f := engine.ObservationFilter{Code: c.QueryParam("code")}
	if v := c.QueryParam("since"); v != "" {
		if f.Since, err = time.Parse(time.RFC3339, v); err != nil {
			if f.Since, err = time.Parse(time.DateOnly, v); err != nil {
				return carepath.Invalid("since", "must be a time (RFC 3339) or a date (YYYY-MM-DD)")
			}
		}
	}
	items, err := s.engine.ListObservations(c.Request().Context(), actor(c), c.Param("id"), f, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}
