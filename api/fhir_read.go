package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath/fhir"
)

// handleFHIRRead is GET /fhir/R4/:type/:id: the resource, with its version
// as a weak ETag and its last update as Last-Modified.
func (s *Server) handleFHIRRead(c echo.Context) error {
	typ := c.Param("type")
	raw, err := s.engine.FHIRRead(c.Request().Context(), actor(c), typ, c.Param("id"))
	if err != nil {
		return err
	}
	version, updated, err := fhir.ResourceMeta(raw)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	if version != "" {
		h.Set("ETag", `W/"`+version+`"`)
	}
	if !updated.IsZero() {
		h.Set(echo.HeaderLastModified, updated.UTC().Format(http.TimeFormat))
	}
	return c.Blob(http.StatusOK, fhirJSON, raw)
}

// handleFHIRSearch is GET /fhir/R4/:type?params: a searchset Bundle, one
// page, with a next link while there are more.
func (s *Server) handleFHIRSearch(c echo.Context) error {
	typ := c.Param("type")
	q := c.QueryParams()
	search, err := fhir.ParseSearch(typ, q, fhirSearchParams(typ))
	if err != nil {
		return err
	}
	page, err := s.engine.FHIRSearch(c.Request().Context(), actor(c), typ, search)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, fhirJSON, fhir.SearchSet(s.fhirBaseURL(c), typ, q, page))
}

// readBaseURL is fhirBaseURL (FHIRIN's write handlers call it by this name).
func (s *Server) readBaseURL(c echo.Context) string { return s.fhirBaseURL(c) }
