package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
)

func (s *Server) handleStaffCreate(c echo.Context) error {
	var in engine.NewStaff
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	st, err := s.engine.CreateStaff(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, st)
}

// handleStaffList lists active staff; ?include_inactive=true adds the
// deactivated.
func (s *Server) handleStaffList(c echo.Context) error {
	limit, err := pageSize(c, 100, engine.MaxPageSize)
	if err != nil {
		return err
	}
	inactive := false
	if v := c.QueryParam("include_inactive"); v != "" {
		if inactive, err = strconv.ParseBool(v); err != nil {
			return carepath.Invalid("include_inactive", "must be true or false")
		}
	}
	items, err := s.engine.ListStaff(c.Request().Context(), actor(c), inactive, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) handleStaffGet(c echo.Context) error {
	st, err := s.engine.GetStaff(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *Server) handleStaffPatch(c echo.Context) error {
	var in engine.StaffPatch
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	st, err := s.engine.UpdateStaff(c.Request().Context(), actor(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// handleStaffDelete deactivates: the record stays for the tasks' history.
func (s *Server) handleStaffDelete(c echo.Context) error {
	st, err := s.engine.DeactivateStaff(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
