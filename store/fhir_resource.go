package store

import (
	"encoding/json"
	"time"
)

// FHIRResource is a resource an EHR sent, as stored (fhir_resources).
// FHIRIN adds its queries in store/fhir_resources.go.
type FHIRResource struct {
	Type          string
	ID            string
	Version       int64
	SourceVersion string
	ContentHash   string
	Content       json.RawMessage
	PatientID     string // "" when it concerns no patient
	Ref           string
	LastUpdated   time.Time
}
