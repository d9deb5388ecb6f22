package api

import (
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath/fhir"
)

// fhirCapabilityDate is when fhirCapabilities last changed: the
// CapabilityStatement's date. Bump it with the table.
var fhirCapabilityDate = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// Interactions of the types an EHR writes (FHIR.md): create (and
// conditional create with If-None-Exist), update (PUT by id, which may
// create the EHR's id, and conditional update by identifier), read and
// search.
var fhirWritable = []string{fhir.InteractionCreate, fhir.InteractionUpdate, fhir.InteractionRead, fhir.InteractionSearchType}

// fhirReadOnly is what carepath makes itself and only shows.
var fhirReadOnly = []string{fhir.InteractionRead, fhir.InteractionSearchType}

// Search parameters: every type takes _id, _lastUpdated and identifier;
// subject and patient where R4 defines them for the type.
var (
	paramsBase    = []string{fhir.ParamID, fhir.ParamLastUpdated, fhir.ParamIdentifier}
	paramsPatient = append(paramsBase[:len(paramsBase):len(paramsBase)], fhir.ParamPatient)
	paramsSubject = append(paramsPatient[:len(paramsPatient):len(paramsPatient)], fhir.ParamSubject)
)

func writable(typ string, params []string, doc string) fhir.ResourceCapability {
	return fhir.ResourceCapability{Type: typ, Interactions: fhirWritable, ConditionalUpdate: true, ConditionalCreate: true, UpdateCreate: true,
		SearchParams: params, Documentation: doc}
}

func readOnly(typ string, params []string, doc string) fhir.ResourceCapability {
	return fhir.ResourceCapability{Type: typ, Interactions: fhirReadOnly, SearchParams: params, Documentation: doc}
}

// fhirCapabilities is what the endpoint supports, per type. The
// CapabilityStatement is built from it and fhirScope refuses a type (404)
// or an interaction (405) it does not list, so /metadata tells the truth.
var fhirCapabilities = []fhir.ResourceCapability{
	writable("Patient", paramsBase, "The patient record: identifiers, name, birth date, phone and email, language, time zone."),
	writable("RelatedPerson", paramsPatient, "A caregiver of the patient."),
	writable("Consent", paramsPatient, "Communication preferences, recorded in the consent ledger."),
	writable("Appointment", paramsPatient, "Booked appointments start reminders; changes move or cancel them."),
	writable("Encounter", paramsSubject, "A finished encounter starts the post-visit check-in."),
	writable("Observation", paramsSubject, "Vital signs (UCUM) reach the patient's journeys and the safe-range rules; carepath's patient-reported readings read back as vital-signs Observations."),
	writable("CarePlan", paramsSubject, "An active care plan starts treatment follow-up."),
	writable("MedicationRequest", paramsSubject, "An active medication request starts treatment follow-up."),
	readOnly("Communication", paramsSubject, "Every message carepath sent, received or suppressed."),
	readOnly("Task", append(paramsSubject[:len(paramsSubject):len(paramsSubject)], fhir.ParamStatus), "Every task carepath raised for the care team."),
	readOnly("QuestionnaireResponse", paramsSubject, "Patients' answers to carepath's questions."),
}

// fhirSystemInteractions are the Bundle kinds POST [base] takes.
var fhirSystemInteractions = []string{fhir.InteractionTransaction, fhir.InteractionBatch}

// fhirCapability is the table with this deployment's identity and URLs.
func (s *Server) fhirCapability(c echo.Context) fhir.Capability {
	return fhir.Capability{Software: "carepath", Version: softwareVersion(), Date: fhirCapabilityDate,
		BaseURL: s.fhirBaseURL(c), TokenURL: s.fhirTokenURL(c), Resources: fhirCapabilities, System: fhirSystemInteractions}
}

// fhirSearchParams is the search parameters a type takes, for
// fhir.ParseSearch.
func fhirSearchParams(typ string) []string {
	r, _ := fhir.Capability{Resources: fhirCapabilities}.Resource(typ)
	return r.SearchParams
}

// fhirBaseURL is the endpoint's absolute base: the deployment's public URL
// (CAREPATH_PUBLIC_URL) plus /fhir/R4. Without one configured (tests
// building the server bare) it is the request's host.
func (s *Server) fhirBaseURL(c echo.Context) string {
	base := strings.TrimRight(s.cfg.PublicURL, "/")
	if base == "" {
		base = c.Scheme() + "://" + c.Request().Host
	}
	return base + fhirBase
}

// fhirTokenURL is the SMART token endpoint: assertions' aud must be it.
func (s *Server) fhirTokenURL(c echo.Context) string { return s.fhirBaseURL(c) + "/auth/token" }

func softwareVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "dev"
}

// handleFHIRMetadata answers the CapabilityStatement.
func (s *Server) handleFHIRMetadata(c echo.Context) error {
	b, err := fhir.CapabilityStatement(s.fhirCapability(c))
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, fhirJSON, b)
}

// fhirInteraction is the interaction a FHIR route serves, from its method
// and route pattern: "" for routes that are not per type.
func fhirInteraction(c echo.Context) string {
	switch c.Request().Method + " " + strings.TrimPrefix(c.Path(), fhirBase) {
	case "POST /:type":
		return fhir.InteractionCreate
	case "PUT /:type", "PUT /:type/:id":
		return fhir.InteractionUpdate
	case "GET /:type":
		return fhir.InteractionSearchType
	case "GET /:type/:id":
		return fhir.InteractionRead
	}
	return ""
}

// fhirSupported refuses a resource type the endpoint does not list (404)
// and an interaction the type lacks (405), both not-supported.
func fhirSupported(c echo.Context) error {
	typ := c.Param("type")
	if typ == "" {
		return nil
	}
	r, ok := fhir.Capability{Resources: fhirCapabilities}.Resource(typ)
	if !ok {
		return fhir.NotSupported(http.StatusNotFound, "resource type %s is not supported here (see /fhir/R4/metadata)", safeType(typ))
	}
	i := fhirInteraction(c)
	if !r.Supports(i) || (c.Path() == fhirBase+"/:type" && c.Request().Method == http.MethodPut && !r.ConditionalUpdate) {
		return fhir.NotSupported(http.StatusMethodNotAllowed, "%s does not support %s here", typ, i)
	}
	return nil
}

// safeType echoes a requested type name only when it looks like one.
func safeType(typ string) string {
	if len(typ) > 64 || strings.ContainsFunc(typ, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') }) {
		return "(that name)"
	}
	return typ
}
