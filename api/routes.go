package api

import (
	"github.com/carepath/carepath"
	"github.com/labstack/echo/v4/middleware"
)

// inboundEmailRoute takes whole emails: it has its own, larger body limit.
const inboundEmailRoute = "/webhooks/sendgrid/inbound/:token"

// routes is the whole route table, with the roles each route admits (admin
// keys are admitted everywhere). openapi.json describes the same routes;
// TestOpenAPIMatchesRoutes keeps the two in step and TestRoleMatrix walks
// every route with every role.
func (s *Server) routes() {
	e := s.echo
	// The browser console (/console) is served beside this table, not in
	// it: see Handler.
	e.GET("/healthz", s.handleHealth)
	e.GET("/openapi.json", s.handleOpenAPI)

	e.GET("/metrics", s.handleMetrics)

	// FHIR R4 for EHRs: its own table (fhir_routes.go), described by its
	// CapabilityStatement rather than openapi.json.
	s.fhirRoutes()

	wh := e.Group("/webhooks", s.timeWebhook)
	wh.POST("/twilio/messages", s.handleTwilioMessage)
	wh.POST("/twilio/status", s.handleTwilioStatus)
	wh.POST(inboundEmailRoute[len("/webhooks"):], s.handleSendGridInbound, middleware.BodyLimit("10M"))
	wh.POST("/sendgrid/events", s.handleSendGridEvents)

	// Signing in (its second step, the ways to sign in, single sign-on) are
	// the /v1 routes without a caller.
	e.POST("/v1/sessions", s.handleSessionCreate)
	e.POST("/v1/sessions/totp", s.handleSessionTOTP)
	e.GET("/v1/sessions/methods", s.handleSessionMethods)
	e.GET("/v1/sessions/oidc/start", s.handleOIDCStart)
	e.GET("/v1/sessions/oidc/callback", s.handleOIDCCallback)

	v1 := e.Group("/v1", s.authenticate)
	careTeam := s.allow(carepath.RoleCareTeam)
	integration := s.allow(carepath.RoleIntegration)
	admin := s.allow()

	v1.GET("/journeys", s.handleJourneyList, careTeam)
	v1.POST("/patients", s.handlePatientCreate, careTeam)
	v1.GET("/patients", s.handlePatientSearch, careTeam)
	v1.GET("/patients/:id", s.handlePatientGet, careTeam)
	v1.PATCH("/patients/:id", s.handlePatientPatch, careTeam)
	v1.GET("/patients/:id/messages", s.handleMessageList, careTeam)
	v1.POST("/patients/:id/messages", s.handleStaffMessage, careTeam)
	v1.GET("/patients/:id/timeline", s.handlePatientTimeline, careTeam)
	v1.GET("/patients/:id/observations", s.handleObservationList, careTeam)
	v1.GET("/messages/:id", s.handleMessageGet, careTeam)
	v1.POST("/patients/:id/enrollments", s.handleEnrollmentCreate, careTeam)
	v1.GET("/patients/:id/enrollments", s.handlePatientEnrollments, careTeam)
	v1.POST("/patients/:id/caregivers", s.handleCaregiverCreate, careTeam)
	v1.GET("/patients/:id/caregivers", s.handleCaregiverList, careTeam)
	v1.POST("/caregivers/:id/authorization", s.handleCaregiverAuthorization, careTeam)
	v1.GET("/patients/:id/consents", s.handlePatientConsents, careTeam)
	v1.POST("/patients/:id/consents", s.handlePatientConsentRecord, careTeam)
	v1.GET("/caregivers/:id/consents", s.handleCaregiverConsents, careTeam)
	v1.POST("/caregivers/:id/consents", s.handleCaregiverConsentRecord, careTeam)
	v1.GET("/enrollments/:id", s.handleEnrollmentGet, careTeam)
	v1.POST("/enrollments/batch", s.handleBatchCreate, careTeam)
	v1.GET("/enrollments/batch/:job", s.handleBatchGet, careTeam)
	v1.POST("/enrollments/:id/cancel", s.handleEnrollmentCancel, careTeam)
	v1.GET("/tasks", s.handleTaskList, careTeam)
	v1.GET("/tasks/:id", s.handleTaskGet, careTeam)
	v1.POST("/tasks/:id/acknowledge", s.handleTaskAcknowledge, careTeam)
	v1.POST("/tasks/:id/resolve", s.handleTaskResolve, careTeam)
	v1.POST("/tasks/:id/assign", s.handleTaskAssign, careTeam)
	v1.GET("/reports/contact-hygiene", s.handleContactHygiene, careTeam)
	v1.GET("/reports/engagement", s.handleEngagementReport, careTeam)

	v1.POST("/events", s.handleEventCreate, integration)
	v1.POST("/patients/:id/observations", s.handleObservationCreate, integration)

	v1.POST("/api-keys", s.handleAPIKeyCreate, admin)
	v1.GET("/api-keys", s.handleAPIKeyList, admin)
	v1.POST("/api-keys/:id/revoke", s.handleAPIKeyRevoke, admin)
	v1.GET("/audit", s.handleAuditList, admin)
	// SMART Backend Services clients (EHR systems) of the FHIR endpoint.
	v1.POST("/fhir-clients", s.handleFHIRClientCreate, admin)
	v1.GET("/fhir-clients", s.handleFHIRClientList, admin)
	v1.POST("/fhir-clients/:id/revoke", s.handleFHIRClientRevoke, admin)

	// Staff and the on-call roster: admin manages, the care team reads.
	v1.POST("/staff", s.handleStaffCreate, admin)
	v1.GET("/staff", s.handleStaffList, careTeam)
	v1.GET("/staff/:id", s.handleStaffGet, careTeam)
	v1.PATCH("/staff/:id", s.handleStaffPatch, admin)
	v1.DELETE("/staff/:id", s.handleStaffDelete, admin)
	v1.GET("/oncall", s.handleOnCallGet, careTeam)
	v1.PUT("/oncall", s.handleOnCallPut, admin)
	v1.GET("/oncall/now", s.handleOnCallNow, careTeam)

	// People who sign in: admin manages accounts; anyone with a session
	// reads and ends it.
	anyone := s.allow(carepath.RoleCareTeam, carepath.RoleIntegration, carepath.RoleReadOnly)
	v1.GET("/sessions/current", s.handleSessionCurrent, anyone)
	v1.DELETE("/sessions/current", s.handleSessionDelete, anyone)
	v1.POST("/users", s.handleUserCreate, admin)
	v1.GET("/users", s.handleUserList, admin)
	v1.PATCH("/users/:id", s.handleUserPatch, admin)
	v1.DELETE("/users/:id/totp", s.handleUserTOTPReset, admin)
	v1.GET("/users/me/totp", s.handleTOTPStatus, anyone)
	v1.POST("/users/me/totp", s.handleTOTPEnrol, anyone)
	v1.DELETE("/users/me/totp", s.handleTOTPDelete, anyone)
	v1.POST("/users/me/totp/confirm", s.handleTOTPConfirm, anyone)
}
