package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath/engine"
)

func (s *Server) handleCaregiverCreate(c echo.Context) error {
	var in engine.NewCaregiver
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cg, err := s.engine.AddCaregiver(c.Request().Context(), actor(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, cg)
}

func (s *Server) handleCaregiverList(c echo.Context) error {
	items, err := s.engine.ListCaregivers(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

type authorizationRequest struct {
	Authorized *bool `json:"authorized"`
}

func (s *Server) handleCaregiverAuthorization(c echo.Context) error {
	var in authorizationRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Authorized == nil {
		return invalid("authorized", "is required (true or false)")
	}
	if err := s.engine.AuthorizeCaregiver(c.Request().Context(), actor(c), c.Param("id"), *in.Authorized); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": c.Param("id"), "authorized": *in.Authorized})
}
