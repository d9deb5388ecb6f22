package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
)

type apiKeyRequest struct {
	Name string        `json:"name"`
	Role carepath.Role `json:"role"`
}

// handleAPIKeyCreate returns the new key's secret, the only time it is shown.
func (s *Server) handleAPIKeyCreate(c echo.Context) error {
	var in apiKeyRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	k, err := s.engine.CreateAPIKey(c.Request().Context(), actor(c), in.Name, in.Role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, k)
}

func (s *Server) handleAPIKeyList(c echo.Context) error {
	limit, err := pageSize(c, 100, engine.MaxPageSize)
	if err != nil {
		return err
	}
	items, err := s.engine.ListAPIKeys(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) handleAPIKeyRevoke(c echo.Context) error {
	if err := s.engine.RevokeAPIKey(c.Request().Context(), actor(c), c.Param("id")); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": c.Param("id"), "revoked": true})
}

func (s *Server) handleAuditList(c echo.Context) error {
	limit, err := pageSize(c, 100, engine.MaxPageSize)
	if err != nil {
		return err
	}
	var before int64
	if b := c.QueryParam("before"); b != "" {
		if before, err = strconv.ParseInt(b, 10, 64); err != nil || before < 1 {
			return carepath.Invalid("before", "must be an audit entry ID")
		}
	}
	items, err := s.engine.ListAudit(c.Request().Context(), actor(c), c.QueryParam("patient_id"), before, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}
