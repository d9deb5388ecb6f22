package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath/engine"
)

func (s *Server) handleUserCreate(c echo.Context) error {
	var in engine.NewUser
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u, err := s.engine.CreateUser(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

func (s *Server) handleUserList(c echo.Context) error {
	limit, err := pageSize(c, 100, engine.MaxPageSize)
	if err != nil {
		return err
	}
	items, err := s.engine.ListUsers(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) handleUserPatch(c echo.Context) error {
	var in engine.UserPatch
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u, err := s.engine.UpdateUser(c.Request().Context(), actor(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}
