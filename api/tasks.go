package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath/engine"
)

func (s *Server) handleTaskList(c echo.Context) error {
	limit, err := pageSize(c, 100, engine.MaxPageSize)
	if err != nil {
		return err
	}
	items, err := s.engine.ListTasks(c.Request().Context(), actor(c), engine.TaskFilter{
		PatientID: c.QueryParam("patient_id"), Status: c.QueryParam("status"), Priority: c.QueryParam("priority"), Limit: limit,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) handleContactHygiene(c echo.Context) error {
	limit, err := pageSize(c, 100, engine.MaxPageSize)
	if err != nil {
		return err
	}
	items, err := s.engine.ContactHygiene(c.Request().Context(), actor(c), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) handleTaskAcknowledge(c echo.Context) error {
	t, err := s.engine.AcknowledgeTask(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

type resolveRequest struct {
	Note string `json:"note"`
}

func (s *Server) handleTaskResolve(c echo.Context) error {
	var in resolveRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	t, err := s.engine.ResolveTask(c.Request().Context(), actor(c), c.Param("id"), in.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}
