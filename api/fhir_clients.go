package api

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath/engine"
)

// fhirClientRequest registers a SMART Backend Services client.
type fhirClientRequest struct {
	Name   string          `json:"name"`
	JWKS   json.RawMessage `json:"jwks"`
	Scopes []string        `json:"scopes"`
}

// handleFHIRClientCreate registers an EHR system's public keys and the
// scopes it may be granted; the answer's id is its client_id.
func (s *Server) handleFHIRClientCreate(c echo.Context) error {
	var in fhirClientRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cl, err := s.engine.RegisterSMARTClient(c.Request().Context(), actor(c),
		engine.SMARTClientRegistration{Name: in.Name, JWKS: in.JWKS, Scopes: in.Scopes})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": cl.ID, "client_id": cl.ID, "name": cl.Name,
		"scopes": cl.Scopes, "keys": cl.Keys, "created_at": cl.CreatedAt, "token_url": s.fhirTokenURL(c)})
}

func (s *Server) handleFHIRClientList(c echo.Context) error {
	limit, err := pageSize(c, 100, engine.MaxPageSize)
	if err != nil {
		return err
	}
	items, err := s.engine.ListSMARTClients(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) handleFHIRClientRevoke(c echo.Context) error {
	if err := s.engine.RevokeSMARTClient(c.Request().Context(), actor(c), c.Param("id")); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": c.Param("id"), "revoked": true})
}
