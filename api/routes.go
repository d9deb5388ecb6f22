package api

// routes is the whole route table. openapi.json describes the same routes;
// TestOpenAPIMatchesRoutes keeps the two in step.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.handleHealth)
	e.GET("/openapi.json", s.handleOpenAPI)

	e.POST("/webhooks/twilio/messages", s.handleTwilioMessage)

	v1 := e.Group("/v1", s.authenticate)
	v1.GET("/journeys", s.handleJourneyList)
	v1.POST("/patients", s.handlePatientCreate)
	v1.GET("/patients/:id", s.handlePatientGet)
	v1.GET("/patients/:id/messages", s.handleMessageList)
	v1.POST("/patients/:id/enrollments", s.handleEnrollmentCreate)
	v1.GET("/enrollments/:id", s.handleEnrollmentGet)
	v1.GET("/tasks", s.handleTaskList)
}
