package api

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/workflows"
)

type enrollmentRequest struct {
	Journey string          `json:"journey"`
	Params  json.RawMessage `json:"params"`
	Key     string          `json:"key"`
}

// handleEnrollmentCreate launches a journey: 201 with a new enrollment, or
// 200 with the patient's active enrollment of that journey (and key).
func (s *Server) handleEnrollmentCreate(c echo.Context) error {
	var in enrollmentRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Journey == "" {
		return carepath.Invalid("journey", "is required")
	}
	if len(in.Key) > 200 {
		return carepath.Invalid("key", "must be at most 200 characters")
	}
	enr, created, err := s.engine.Enroll(c.Request().Context(), actor(c), engine.EnrollRequest{
		PatientID: c.Param("id"), Journey: in.Journey, Params: in.Params, Key: in.Key,
	})
	if err != nil {
		return err
	}
	if !created {
		return c.JSON(http.StatusOK, enr)
	}
	return c.JSON(http.StatusCreated, enr)
}

func (s *Server) handleEnrollmentGet(c echo.Context) error {
	enr, err := s.engine.GetEnrollment(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, enr)
}

// JourneyItem is one entry of the journey catalogue.
type JourneyItem struct {
	Name        string                `json:"name"`
	Version     int                   `json:"version"`
	Description string                `json:"description"`
	Params      []workflows.ParamSpec `json:"params"`
	// OpeningMessages is how many messages the journey sends a patient
	// before the patient's first reply, with default params.
	OpeningMessages int `json:"opening_messages"`
}

func (s *Server) handleJourneyList(c echo.Context) error {
	items := []JourneyItem{}
	for _, d := range s.engine.Journeys.All() {
		item := JourneyItem{Name: d.JourneyName(), Version: d.JourneyVersion(), Description: d.JourneyDescription(), Params: d.Params()}
		defaults, err := d.NormalizeParams(nil)
		if err != nil {
			return err
		}
		opening, err := d.OpeningFor(defaults)
		if err != nil {
			return err
		}
		item.OpeningMessages = opening.Messages
		items = append(items, item)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) handleEnrollmentCancel(c echo.Context) error {
	enr, err := s.engine.CancelEnrollment(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, enr)
}

// handleBatchCreate starts a bulk launch and answers 202 at once.
func (s *Server) handleBatchCreate(c echo.Context) error {
	var in engine.BatchRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.DryRun {
		// Nothing is launched or stored: 200 with what would happen.
		plan, err := s.engine.DryRunBatch(c.Request().Context(), actor(c), in)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, plan)
	}
	job, err := s.engine.CreateBatch(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, job)
}

func (s *Server) handleBatchGet(c echo.Context) error {
	job, err := s.engine.GetBatch(c.Request().Context(), actor(c), c.Param("job"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, job)
}
