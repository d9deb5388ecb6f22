package engine

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// FHIREntry is one resource to write: a single create or update, or one
// entry of a transaction or batch Bundle.
type FHIREntry struct {
	Method    string     // "POST" create, "PUT" update
	Type, ID  string     // ID for PUT Type/ID; "" for create and conditional update
	Condition url.Values // PUT Type?identifier=sys|val (conditional update); POST If-None-Exist
	FullURL   string     // Bundle entry fullUrl (urn:uuid:…) other entries reference
	Resource  json.RawMessage
	// Path prefixes the FHIR paths of this entry's problems: "Bundle.entry[2]"
	// makes Patient.birthDate "Bundle.entry[2].resource.birthDate"; "" for a
	// single create or update.
	Path string
}

// FHIRResult is what one entry came to.
type FHIRResult struct {
	Type, ID    string
	Version     int64
	Status      int  // 201 created, 200 updated or unchanged (a re-send)
	Unchanged   bool // same id and version/content as stored: nothing processed again
	Stale       bool // older than what is stored (meta.lastUpdated/versionId): ignored
	LastUpdated time.Time
	// Resource is the resource as stored, meta.versionId and
	// meta.lastUpdated carepath's (the response body).
	Resource json.RawMessage
	Err      error // batch only: this entry's failure
}

// fhirMappers are the resource types FHIRWrite accepts, each with its
// mapper onto carepath's records.
var fhirMappers = map[string]fhirMapper{
	"Patient":           applyFHIRPatient,
	"RelatedPerson":     applyFHIRRelatedPerson,
	"Consent":           applyFHIRConsent,
	"Appointment":       applyFHIRAppointment,
	"Observation":       applyFHIRObservation,
	"Encounter":         applyFHIREncounter,
	"CarePlan":          applyFHIRCarePlan,
	"MedicationRequest": applyFHIRMedicationRequest,
}

// FHIRWritable reports whether FHIRWrite accepts a resource type.
func FHIRWritable(typ string) bool { _, ok := fhirMappers[typ]; return ok }

// FHIRWritableTypes lists the types FHIRWrite accepts, sorted.
func FHIRWritableTypes() []string {
	out := make([]string, 0, len(fhirMappers))
	for t := range fhirMappers {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// FHIRWrite creates or updates resources. Every entry is checked first
// (type, id rules, the mapper's own checks). atomic (a transaction Bundle,
// and every single create or update): then all are applied in one
// transaction, and any failure applies nothing and returns the error
// (carepath.Problems naming each bad entry's path). Otherwise (a batch)
// each entry is applied on its own and its failure is its result's Err.
// A resource already stored with the same version or content is
// Unchanged, one older than stored is Stale; neither is processed again.
// What must happen outside PostgreSQL (enroll, signal) runs after commit,
// in entry order; its error is returned with the results: the writes are
// stored, and a retry of the same request completes the effects.
func (e *Engine) FHIRWrite(ctx context.Context, a carepath.Actor, entries []FHIREntry, atomic bool) ([]FHIRResult, error) {
	now := time.Now()
	plans := make([]*fhirPlan, len(entries))
	for i := range entries {
		plans[i] = &fhirPlan{entry: entries[i]}
	}
	e.fhirResolveIDs(ctx, plans)
	refs := fhirRefs(plans)
	for _, p := range plans {
		if p.err == nil {
			p.err = e.fhirCheck(ctx, a, p, refs, now)
		}
	}
	if atomic {
		if err := fhirFirstProblem(plans); err != nil {
			return nil, err
		}
		err := e.Store.Tx(ctx, func(q *store.Queries) error {
			var problems carepath.Problems
			for _, p := range fhirApplyOrder(plans) {
				if err := e.fhirApplyOne(ctx, q, a, p, now); err != nil {
					if !addProblems(&problems, p.prefixed(err)) {
						return p.prefixed(err)
					}
				}
			}
			return problems.Err()
		})
		if err != nil {
			return nil, err
		}
	} else {
		for _, p := range fhirApplyOrder(plans) {
			if p.err != nil {
				continue
			}
			if err := e.Store.Tx(ctx, func(q *store.Queries) error { return e.fhirApplyOne(ctx, q, a, p, now) }); err != nil {
				p.err, p.after = p.prefixed(err), nil
			}
		}
	}
	results := make([]FHIRResult, len(plans))
	var afterErrs []error
	for i, p := range plans {
		results[i] = p.result
		results[i].Err = p.err
		for _, f := range p.after {
			if err := f(ctx); err != nil {
				afterErrs = append(afterErrs, err)
			}
		}
	}
	return results, errors.Join(afterErrs...)
}

// fhirFirstProblem is a transaction's refusal before anything is applied:
// every entry's invalid input together, or the first other failure (an
// unsupported type, a failed precondition) alone.
func fhirFirstProblem(plans []*fhirPlan) error {
	var problems carepath.Problems
	for _, p := range plans {
		if p.err != nil && !addProblems(&problems, p.err) {
			return p.err
		}
	}
	return problems.Err()
}

// addProblems appends err's invalid inputs to problems, reporting false
// for an error of another kind.
func addProblems(problems *carepath.Problems, err error) bool {
	var ps carepath.Problems
	var ae *carepath.Error
	switch {
	case errors.As(err, &ps):
		*problems = append(*problems, ps...)
	case errors.As(err, &ae) && ae.Code == carepath.EINVALID:
		*problems = append(*problems, ae)
	default:
		return false
	}
	return true
}

// fhirApplyOrder applies Patients first, then RelatedPersons, then the
// rest in entry order, so a reference to a patient created in the same
// Bundle finds them whatever order the sender wrote.
func fhirApplyOrder(plans []*fhirPlan) []*fhirPlan {
	out := slices.Clone(plans)
	rank := func(p *fhirPlan) int {
		switch p.typ {
		case "Patient":
			return 0
		case "RelatedPerson":
			return 1
		}
		return 2
	}
	slices.SortStableFunc(out, func(x, y *fhirPlan) int { return rank(x) - rank(y) })
	return out
}

// prefixed names err's fields within the Bundle entry: Patient.birthDate
// becomes Bundle.entry[2].resource.birthDate.
func (p *fhirPlan) prefixed(err error) error {
	if p.entry.Path == "" || err == nil {
		return err
	}
	fix := func(e *carepath.Error) *carepath.Error {
		out := *e
		out.Field = p.entry.Path + ".resource" + fieldWithinResource(e.Field)
		if strings.HasPrefix(e.Field, "Bundle.") {
			out.Field = e.Field
		}
		return &out
	}
	var ps carepath.Problems
	var ae *carepath.Error
	switch {
	case errors.As(err, &ps):
		out := make(carepath.Problems, len(ps))
		for i, e := range ps {
			out[i] = fix(e)
		}
		return out
	case errors.As(err, &ae):
		return fix(ae)
	}
	return err
}

// fieldWithinResource drops a FHIR path's leading type: "Patient.birthDate"
// → ".birthDate", "Patient" → "".
func fieldWithinResource(field string) string {
	if field == "" || !isUpper(field[0]) {
		if field == "" {
			return ""
		}
		return "." + field
	}
	_, rest, found := strings.Cut(field, ".")
	if !found {
		return ""
	}
	return "." + rest
}

func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }
