package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath/fhir"
)

// readSearchParams are the search parameters each readable type takes
// (besides _count and _cursor, which every search takes).
func readSearchParams(typ string) []string {
	params := []string{fhir.ParamID, fhir.ParamLastUpdated, fhir.ParamIdentifier}
	if typ != "Patient" {
		params = append(params, fhir.ParamSubject, fhir.ParamPatient)
	} else {
		params = append(params, fhir.ParamPatient)
	}
	if typ == "Task" {
		params = append(params, fhir.ParamStatus)
	}
	return params
}

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
	return c.Blob(http.StatusOK, "application/fhir+json", raw)
}

// handleFHIRSearch is GET /fhir/R4/:type?params: a searchset Bundle, one
// page, with a next link while there are more.
func (s *Server) handleFHIRSearch(c echo.Context) error {
	typ := c.Param("type")
	q := c.QueryParams()
	search, err := fhir.ParseSearch(typ, q, readSearchParams(typ))
	if err != nil {
		return err
	}
	page, err := s.engine.FHIRSearch(c.Request().Context(), actor(c), typ, search)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/fhir+json", fhir.SearchSet(s.readBaseURL(c), typ, q, page))
}

// readBaseURL is the endpoint's absolute base for fullUrl and links: the
// configured public URL, else the request's own scheme and host.
func (s *Server) readBaseURL(c echo.Context) string {
	base := strings.TrimRight(s.cfg.PublicURL, "/")
	if base == "" {
		base = c.Scheme() + "://" + c.Request().Host
	}
	return base + fhirBase
}
