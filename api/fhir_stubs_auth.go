package api

import (
	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
)

// FHIRAPI replaces this file (fhir_server.go, fhir_auth.go, fhir_smart.go, fhir_capability.go).

type fhirAccess int

const (
	fhirRead fhirAccess = iota
	fhirWrite
)

func (s *Server) fhirErrors(next echo.HandlerFunc) echo.HandlerFunc { return next }
func (s *Server) fhirAuthenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return s.authenticate(next)
}
func (s *Server) fhirScope(fhirAccess) echo.MiddlewareFunc {
	return s.allow(carepath.RoleIntegration)
}
func (s *Server) handleFHIRMetadata(c echo.Context) error       { return errFHIRTodo }
func (s *Server) handleSMARTConfiguration(c echo.Context) error { return errFHIRTodo }
func (s *Server) handleSMARTToken(c echo.Context) error         { return errFHIRTodo }

var errFHIRTodo = carepath.Errorf(carepath.EINTERNAL, "not built yet")
