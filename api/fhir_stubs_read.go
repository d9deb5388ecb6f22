package api

import "github.com/labstack/echo/v4"

// FHIROUT replaces this file (fhir_read.go).

func (s *Server) handleFHIRRead(c echo.Context) error   { return errFHIRTodo }
func (s *Server) handleFHIRSearch(c echo.Context) error { return errFHIRTodo }
