package fhir

import (
	"encoding/json"
	"strings"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath"
)

// RelatedPersonIn is what carepath takes from a FHIR RelatedPerson: a
// caregiver of the referenced patient.
type RelatedPersonIn struct {
	PatientRef    string // RelatedPerson.patient.reference as sent
	Given, Family string
	Relationship  string // the relationship's display, code or text; "other" when none
	Phone, Email  string
	Locale        string // en or es
	Active        bool
}

// RelatedPersonFromFHIR decodes and checks a RelatedPerson: a patient
// reference, a name with given and family, a current E.164 phone or an
// email. Every problem is reported, each naming its FHIR path.
func RelatedPersonFromFHIR(raw json.RawMessage, now time.Time) (RelatedPersonIn, error) {
	var r fm.RelatedPerson
	if err := Decode(raw, "RelatedPerson", &r); err != nil {
		return RelatedPersonIn{}, err
	}
	var problems carepath.Problems
	in := RelatedPersonIn{Active: r.Active == nil || *r.Active}
	if r.Patient.Reference == nil || *r.Patient.Reference == "" {
		problems = append(problems, carepath.Invalid("RelatedPerson.patient.reference", "is required (Patient/<id>)"))
	} else {
		in.PatientRef = *r.Patient.Reference
	}
	name := pickName("RelatedPerson", r.Name)
	in.Given, in.Family = name.Given, name.Family
	problems = append(problems, nameProblems(name)...)
	if len(in.Given) > 200 || len(in.Family) > 200 {
		problems = append(problems, carepath.Invalid(name.Path, "must be at most 200 characters"))
	}
	in.Relationship = relationshipOf(r.Relationship)
	c, cp := pickContacts("RelatedPerson", r.Telecom, now)
	problems = append(problems, cp...)
	in.Phone, in.Email = c.Phone, c.Email
	langs := make([]fm.CodeableConcept, len(r.Communication))
	preferred := make([]bool, len(r.Communication))
	for i, rc := range r.Communication {
		langs[i], preferred[i] = rc.Language, rc.Preferred != nil && *rc.Preferred
	}
	in.Locale = orElse(localeOf(langs, preferred), "en")
	return in, problems.Err()
}

// relationshipOf words the first relationship: its display (e.g.
// "mother"), else its text, else its code (v3 RoleCode MTH); "other".
func relationshipOf(rels []fm.CodeableConcept) string {
	for _, r := range rels {
		for _, c := range r.Coding {
			if c.Display != nil && strings.TrimSpace(*c.Display) != "" {
				return clip(strings.ToLower(strings.TrimSpace(*c.Display)), 100)
			}
		}
		if r.Text != nil && strings.TrimSpace(*r.Text) != "" {
			return clip(strings.ToLower(strings.TrimSpace(*r.Text)), 100)
		}
		for _, c := range r.Coding {
			if c.Code != nil && *c.Code != "" {
				return clip(*c.Code, 100)
			}
		}
	}
	return "other"
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
