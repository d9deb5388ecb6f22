package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
)

func (s *Server) handleTaskList(c echo.Context) error {
	limit, err := pageSize(c, 100, engine.MaxPageSize)
	if err != nil {
		return err
	}
	items, err := s.engine.ListTasks(c.Request().Context(), actor(c), engine.TaskFilter{
		PatientID: c.QueryParam("patient_id"), Status: c.QueryParam("status"), Priority: carepath.Priority(c.QueryParam("priority")),
		AssignedTo: c.QueryParam("assigned_to"), Reason: c.QueryParam("reason"), Limit: limit,
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
	asCSV, err := wantCSV(c)
	if err != nil {
		return err
	}
	items, err := s.engine.ContactHygiene(c.Request().Context(), actor(c), limit)
	if err != nil {
		return err
	}
	if asCSV {
		return hygieneCSV(c, items)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// handleTaskGet returns a task with its history and the message behind it.
func (s *Server) handleTaskGet(c echo.Context) error {
	t, err := s.engine.GetTask(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
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

// handleEngagementReport reads ?from=&to= as dates (YYYY-MM-DD, to
// exclusive) or RFC 3339 times; the default is the last 30 days.
func (s *Server) handleEngagementReport(c echo.Context) error {
	to, err := reportTime(c.QueryParam("to"), "to", time.Now().UTC())
	if err != nil {
		return err
	}
	from, err := reportTime(c.QueryParam("from"), "from", to.Add(-30*24*time.Hour))
	if err != nil {
		return err
	}
	asCSV, err := wantCSV(c)
	if err != nil {
		return err
	}
	rep, err := s.engine.EngagementReport(c.Request().Context(), actor(c), from, to)
	if err != nil {
		return err
	}
	if asCSV {
		return engagementCSV(c, rep)
	}
	return c.JSON(http.StatusOK, rep)
}

func reportTime(s, field string, def time.Time) (time.Time, error) {
	if s == "" {
		return def, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, carepath.Invalid(field, "must be a date (YYYY-MM-DD) or an RFC 3339 time")
	}
	return t, nil
}
