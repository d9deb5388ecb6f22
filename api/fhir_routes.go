package api

// fhirBase is where the FHIR R4 endpoint lives.
const fhirBase = "/fhir/R4"

// fhirRoutes is the FHIR R4 endpoint's route table. Every response is
// application/fhir+json and every error an OperationOutcome (fhirErrors).
// Which resource types and interactions each route serves is in
// fhirCapabilities (fhir_capability.go), which the CapabilityStatement is
// built from, so /metadata tells the truth.
func (s *Server) fhirRoutes() {
	fh := s.echo.Group(fhirBase, s.fhirErrors)
	// Public by the spec: what is supported and how to get a token.
	fh.GET("/metadata", s.handleFHIRMetadata)
	fh.GET("/.well-known/smart-configuration", s.handleSMARTConfiguration)
	fh.POST("/auth/token", s.handleSMARTToken)

	// Integration API keys or SMART Backend Services access tokens;
	// fhirScope checks the token's scopes against the type and interaction.
	fa := fh.Group("", s.fhirAuthenticate)
	fa.POST("/subscription-notification", s.handleFHIRSubscriptionNotification, s.fhirScope(fhirWrite))
	// Clients post Bundles to [base] with or without the trailing slash
	// (fhir-kit-client adds it).
	fa.POST("", s.handleFHIRBundle, s.fhirScope(fhirWrite))
	fa.POST("/", s.handleFHIRBundle, s.fhirScope(fhirWrite))
	fa.POST("/:type", s.handleFHIRCreate, s.fhirScope(fhirWrite))
	fa.PUT("/:type", s.handleFHIRConditionalUpdate, s.fhirScope(fhirWrite))
	fa.PUT("/:type/:id", s.handleFHIRUpdate, s.fhirScope(fhirWrite))
	fa.GET("/:type", s.handleFHIRSearch, s.fhirScope(fhirRead))
	fa.GET("/:type/:id", s.handleFHIRRead, s.fhirScope(fhirRead))
}
