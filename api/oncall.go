package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
)

func (s *Server) handleOnCallGet(c echo.Context) error {
	r, err := s.engine.GetRoster(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) handleOnCallPut(c echo.Context) error {
	var in engine.RosterInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	r, err := s.engine.ReplaceRoster(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// handleOnCallNow reads ?at= as an RFC 3339 time; the default is now.
func (s *Server) handleOnCallNow(c echo.Context) error {
	at := time.Now()
	if v := c.QueryParam("at"); v != "" {
		var err error
		if at, err = time.Parse(time.RFC3339, v); err != nil {
			return carepath.Invalid("at", "must be an RFC 3339 time, e.g. 2026-03-08T08:30:00-04:00")
		}
	}
	out, err := s.engine.OnCallAt(c.Request().Context(), actor(c), at)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
