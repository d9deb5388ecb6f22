package engine

import (
	"context"
	"encoding/json"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// fhirApply is one resource being written, as a mapper sees it: inside the
// write's one transaction (q), with what was stored before (Prior, nil on
// create). A mapper validates the resource (errors name FHIR paths:
// carepath.Invalid("Observation.valueQuantity.unit", ...)), changes
// carepath's records through q, sets PatientID and Ref, and queues what
// must happen outside PostgreSQL (enroll, signal) in After, each step
// idempotent so a retried write completes it.
type fhirApply struct {
	e     *Engine
	q     *store.Queries // nil when Check
	actor carepath.Actor

	// Check: only decode and validate Raw (no store, no After) and return
	// every problem found. FHIRWrite checks every entry of a transaction
	// this way first, so one answer names all the bad entries.
	Check bool
	// Now is the write's clock (the same for every entry).
	Now time.Time

	Type, ID string
	// Raw is the resource with its id set and a Bundle's urn:uuid
	// references already rewritten to Type/id.
	Raw   json.RawMessage
	Prior *store.FHIRResource

	// ResolvePatient turns a Patient reference ("Patient/<id>", or an
	// absolute URL ending in it; a Bundle entry's urn:uuid has already been
	// rewritten to one) into the carepath patient's ID, ENOTFOUND when
	// carepath knows no such patient (w.patient names the path instead).
	ResolvePatient func(ctx context.Context, reference string) (string, error)

	PatientID string // the carepath patient the resource is about
	Ref       string // what it fed: patient/<uuid>, observation/<uuid>, …

	After []func(ctx context.Context) error
}

// fhirMapper applies one resource type onto carepath's records.
type fhirMapper func(ctx context.Context, w *fhirApply) error
