package api

import "github.com/labstack/echo/v4"

// EHRLINK replaces this file (fhir_subscription.go).

func (s *Server) handleFHIRSubscriptionNotification(c echo.Context) error { return errFHIRTodo }
