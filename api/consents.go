package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath/engine"
)

func (s *Server) handlePatientConsents(c echo.Context) error {
	out, err := s.engine.PatientConsents(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) handlePatientConsentRecord(c echo.Context) error {
	var in engine.NewConsent
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.engine.RecordPatientConsent(c.Request().Context(), actor(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) handleCaregiverConsents(c echo.Context) error {
	out, err := s.engine.CaregiverConsents(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) handleCaregiverConsentRecord(c echo.Context) error {
	var in engine.NewConsent
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.engine.RecordCaregiverConsent(c.Request().Context(), actor(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}
