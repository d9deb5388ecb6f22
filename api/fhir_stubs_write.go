package api

import "github.com/labstack/echo/v4"

// FHIRIN replaces this file (fhir_write.go).

func (s *Server) handleFHIRBundle(c echo.Context) error            { return errFHIRTodo }
func (s *Server) handleFHIRCreate(c echo.Context) error            { return errFHIRTodo }
func (s *Server) handleFHIRUpdate(c echo.Context) error            { return errFHIRTodo }
func (s *Server) handleFHIRConditionalUpdate(c echo.Context) error { return errFHIRTodo }
