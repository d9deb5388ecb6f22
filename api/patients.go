package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
)

func (s *Server) handlePatientCreate(c echo.Context) error {
	var in carepath.NewPatient
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := s.engine.CreatePatient(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (s *Server) handlePatientGet(c echo.Context) error {
	p, err := s.engine.GetPatient(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// handlePatientPatch changes a patient's tags, conditions, names and
// contact details; the birth date cannot be changed.
func (s *Server) handlePatientPatch(c echo.Context) error {
	var in engine.PatientUpdate
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := s.engine.UpdatePatient(c.Request().Context(), actor(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) handleMessageGet(c echo.Context) error {
	m, err := s.engine.GetMessage(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (s *Server) handleMessageList(c echo.Context) error {
	limit, err := pageSize(c, 100, engine.MaxPageSize)
	if err != nil {
		return err
	}
	items, err := s.engine.ListMessages(c.Request().Context(), actor(c), c.Param("id"), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// handlePatientSearch finds patients by part of a name, phone or birth date.
func (s *Server) handlePatientSearch(c echo.Context) error {
	limit, err := pageSize(c, 20, engine.MaxSearchResults)
	if err != nil {
		return err
	}
	in := engine.PatientSearch{Name: c.QueryParam("q"), Phone: c.QueryParam("phone"), BirthDate: c.QueryParam("birth_date")}
	items, err := s.engine.SearchPatients(c.Request().Context(), actor(c), in, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}
