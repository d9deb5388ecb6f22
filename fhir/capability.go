package fhir

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// Interactions (the R4 restful-interaction codes carepath uses).
const (
	InteractionRead        = "read"
	InteractionSearchType  = "search-type"
	InteractionCreate      = "create"
	InteractionUpdate      = "update"
	InteractionTransaction = "transaction"
	InteractionBatch       = "batch"
)

// SMART on FHIR's CapabilityStatement vocabulary.
const (
	OAuthURIsExtension = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
	securityServices   = "http://terminology.hl7.org/CodeSystem/restful-security-service"
)

// searchParamTypes is each supported search parameter's FHIR type.
var searchParamTypes = map[string]string{
	ParamID:          "token",
	ParamLastUpdated: "date",
	ParamSubject:     "reference",
	ParamPatient:     "reference",
	ParamIdentifier:  "token",
	ParamStatus:      "token",
}

// ResourceCapability is what the endpoint does with one resource type.
type ResourceCapability struct {
	Type              string
	Interactions      []string // InteractionRead, InteractionSearchType, InteractionCreate, InteractionUpdate
	ConditionalUpdate bool     // PUT Type?identifier=system|value
	ConditionalCreate bool     // POST with If-None-Exist: identifier=system|value
	UpdateCreate      bool     // PUT Type/id may create
	SearchParams      []string // Param* names
	Documentation     string
}

// Supports reports whether the type offers an interaction.
func (r ResourceCapability) Supports(interaction string) bool {
	return slices.Contains(r.Interactions, interaction)
}

// Capability is the endpoint's whole capability table and identity: the
// CapabilityStatement is built from it, and the endpoint refuses what it
// does not list, so /metadata tells the truth.
type Capability struct {
	Software, Version string
	Date              time.Time // when this table last changed (or the build)
	BaseURL           string    // implementation.url, the absolute /fhir/R4 base
	TokenURL          string    // SMART token endpoint
	Resources         []ResourceCapability
	System            []string // InteractionTransaction, InteractionBatch
}

// Resource returns a type's row, if the endpoint supports the type.
func (c Capability) Resource(typ string) (ResourceCapability, bool) {
	for _, r := range c.Resources {
		if r.Type == typ {
			return r, true
		}
	}
	return ResourceCapability{}, false
}

// code reads a FHIR code into one of the model's enum types, so a code
// the R4 value set lacks is an error rather than a silent default.
func code[T any](s string) (T, error) {
	var v T
	b, err := json.Marshal(s)
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	if err != nil {
		return v, fmt.Errorf("code %q: %w", s, err)
	}
	return v, nil
}

// CapabilityStatement renders the table as an R4 CapabilityStatement
// (kind instance, JSON only, SMART Backend Services security with the
// token URL in the oauth-uris extension). An error means the table holds
// a type, interaction or parameter R4 does not define.
func CapabilityStatement(c Capability) (json.RawMessage, error) {
	status, err := code[fm.PublicationStatus]("active")
	if err != nil {
		return nil, err
	}
	kind, err := code[fm.CapabilityStatementKind]("instance")
	if err != nil {
		return nil, err
	}
	version, err := code[fm.FHIRVersion]("4.0.1")
	if err != nil {
		return nil, err
	}
	mode, err := code[fm.RestfulCapabilityMode]("server")
	if err != nil {
		return nil, err
	}
	rest := fm.CapabilityStatementRest{Mode: mode, Security: security(c.TokenURL)}
	for _, r := range c.Resources {
		rr, err := restResource(r)
		if err != nil {
			return nil, fmt.Errorf("capability %s: %w", r.Type, err)
		}
		rest.Resource = append(rest.Resource, rr)
	}
	for _, i := range c.System {
		ic, err := code[fm.SystemRestfulInteraction](i)
		if err != nil {
			return nil, fmt.Errorf("capability system: %w", err)
		}
		rest.Interaction = append(rest.Interaction, fm.CapabilityStatementRestInteraction{Code: ic})
	}
	name, title := "CarepathFHIR", "carepath FHIR R4 endpoint"
	desc := "carepath's FHIR R4 endpoint: EHRs write patients, appointments and clinical resources; carepath's messages, tasks, answers and patient-reported readings are readable as FHIR."
	ver := c.Version
	cs := fm.CapabilityStatement{
		Name: &name, Title: &title, Status: status, Date: c.Date.UTC().Format(time.RFC3339), Kind: kind,
		Description: &desc, FhirVersion: version, Format: []string{"json", "application/fhir+json"},
		Software:       &fm.CapabilityStatementSoftware{Name: c.Software, Version: &ver},
		Implementation: &fm.CapabilityStatementImplementation{Description: title, Url: &c.BaseURL},
		Rest:           []fm.CapabilityStatementRest{rest},
	}
	b, err := json.Marshal(cs)
	if err != nil {
		return nil, fmt.Errorf("encode CapabilityStatement: %w", err)
	}
	return b, nil
}

func security(tokenURL string) *fm.CapabilityStatementRestSecurity {
	text := "SMART on FHIR"
	desc := "SMART Backend Services (client_credentials with a private_key_jwt assertion, RS384 or ES384) or a carepath integration API key, as a Bearer token."
	sys, cd := securityServices, "SMART-on-FHIR"
	token := tokenURL
	return &fm.CapabilityStatementRestSecurity{
		Extension:   []fm.Extension{{Url: OAuthURIsExtension, Extension: []fm.Extension{{Url: "token", ValueUri: &token}}}},
		Service:     []fm.CodeableConcept{{Coding: []fm.Coding{{System: &sys, Code: &cd}}, Text: &text}},
		Description: &desc,
	}
}

func restResource(r ResourceCapability) (fm.CapabilityStatementRestResource, error) {
	typ, err := code[fm.ResourceType](r.Type)
	if err != nil {
		return fm.CapabilityStatementRestResource{}, err
	}
	versioning, err := code[fm.ResourceVersionPolicy]("versioned")
	if err != nil {
		return fm.CapabilityStatementRestResource{}, err
	}
	out := fm.CapabilityStatementRestResource{Type: typ, Versioning: &versioning}
	if r.Documentation != "" {
		doc := r.Documentation
		out.Documentation = &doc
	}
	for _, i := range r.Interactions {
		ic, err := code[fm.TypeRestfulInteraction](i)
		if err != nil {
			return out, err
		}
		out.Interaction = append(out.Interaction, fm.CapabilityStatementRestResourceInteraction{Code: ic})
	}
	if r.Supports(InteractionUpdate) {
		cu, uc := r.ConditionalUpdate, r.UpdateCreate
		out.ConditionalUpdate, out.UpdateCreate = &cu, &uc
	}
	if r.Supports(InteractionCreate) {
		cc := r.ConditionalCreate
		out.ConditionalCreate = &cc
	}
	for _, p := range r.SearchParams {
		t, ok := searchParamTypes[p]
		if !ok {
			return out, fmt.Errorf("search parameter %q is not one ParseSearch knows", p)
		}
		pt, err := code[fm.SearchParamType](t)
		if err != nil {
			return out, err
		}
		out.SearchParam = append(out.SearchParam, fm.CapabilityStatementRestResourceSearchParam{Name: p, Type: pt})
	}
	return out, nil
}
