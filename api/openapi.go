package api

import (
	_ "embed"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3 document of the API.
func OpenAPI() []byte { return openAPI }

func (s *Server) handleOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPI)
}

// Routes lists "METHOD /path" for every route but the FHIR endpoint's (its
// CapabilityStatement describes those), with OpenAPI-style {params}; the
// OpenAPI test compares it with the document.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.echo.Routes() {
		if strings.HasPrefix(r.Method, "echo_") {
			continue // echo's own catch-all for groups
		}
		if strings.HasPrefix(r.Path, fhirBase) {
			continue // the FHIR endpoint's CapabilityStatement describes it
		}
		out = append(out, r.Method+" "+openAPIPath(r.Path))
	}
	return out
}

func openAPIPath(p string) string {
	b := []byte{}
	for i := 0; i < len(p); i++ {
		if p[i] == ':' {
			j := i + 1
			for j < len(p) && p[j] != '/' {
				j++
			}
			b = append(b, '{')
			b = append(b, p[i+1:j]...)
			b = append(b, '}')
			i = j - 1
			continue
		}
		b = append(b, p[i])
	}
	return string(b)
}
