package fhir

import (
	"encoding/json"
	"fmt"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath"
)

// ExtensionTimezone is the HL7 extension giving a person's IANA time zone
// (valueCode), which carepath's quiet hours and reminders are in.
const ExtensionTimezone = "http://hl7.org/fhir/StructureDefinition/timezone"

// PatientIn is what carepath takes from a FHIR Patient, checked; paths say
// where each part came from, for errors found later (NewPatient, Update).
type PatientIn struct {
	Given, Family string
	BirthDate     string // YYYY-MM-DD
	Phone, Email  string
	Locale        string // en or es; "" when the resource gives no language
	Timezone      string // from the timezone extension; "" when absent
	Active        bool   // false only when active is false

	paths map[string]string // carepath field → FHIR path
}

// PatientFromFHIR decodes and checks a Patient: a name with given and
// family, a full birth date, a current E.164 phone or an email, a known
// time zone when the extension is given. Every problem found is reported
// (carepath.Problems), each naming its FHIR path.
func PatientFromFHIR(raw json.RawMessage, now time.Time) (PatientIn, error) {
	var p fm.Patient
	if err := Decode(raw, "Patient", &p); err != nil {
		return PatientIn{}, err
	}
	var problems carepath.Problems
	in := PatientIn{Active: p.Active == nil || *p.Active, paths: map[string]string{}}

	name := pickName("Patient", p.Name)
	in.Given, in.Family = name.Given, name.Family
	in.paths["given_name"], in.paths["family_name"] = name.Path+".given", name.Path+".family"
	problems = append(problems, nameProblems(name)...)

	in.paths["birth_date"] = "Patient.birthDate"
	switch {
	case p.BirthDate == nil:
		problems = append(problems, carepath.Invalid("Patient.birthDate", "is required (carepath matches patients by it)"))
	default:
		bd, err := time.Parse(time.DateOnly, *p.BirthDate)
		switch {
		case err != nil:
			problems = append(problems, carepath.Invalid("Patient.birthDate", "must be a full date, YYYY-MM-DD"))
		case bd.After(now) || bd.Year() < 1900:
			problems = append(problems, carepath.Invalid("Patient.birthDate", "must be a past date after 1900"))
		default:
			in.BirthDate = *p.BirthDate
		}
	}

	c, cp := pickContacts("Patient", p.Telecom, now)
	problems = append(problems, cp...)
	in.Phone, in.Email = c.Phone, c.Email
	in.paths["phone"], in.paths["email"] = orElse(c.PhonePath, "Patient.telecom"), orElse(c.EmailPath, "Patient.telecom")
	in.paths["preferred_channel"] = "Patient.telecom"

	langs := make([]fm.CodeableConcept, len(p.Communication))
	preferred := make([]bool, len(p.Communication))
	for i, pc := range p.Communication {
		langs[i], preferred[i] = pc.Language, pc.Preferred != nil && *pc.Preferred
	}
	in.Locale = localeOf(langs, preferred)
	in.paths["locale"] = "Patient.communication"

	in.paths["timezone"] = "Patient.extension"
	for i, ext := range p.Extension {
		if ext.Url != ExtensionTimezone {
			continue
		}
		path := fmt.Sprintf("Patient.extension[%d].valueCode", i)
		in.paths["timezone"] = path
		if ext.ValueCode == nil || !carepath.ValidTimezone(*ext.ValueCode) {
			problems = append(problems, carepath.Invalid(path, "must be an IANA time zone, e.g. America/New_York"))
			break
		}
		in.Timezone = *ext.ValueCode
		break
	}
	return in, problems.Err()
}

// NewPatient is the patient to create: the time zone falls back to
// defaultZone (the clinic's) and the locale to en; sms is preferred when
// there is a phone, else email. Validated as carepath's API validates,
// errors named by FHIR path.
func (in PatientIn) NewPatient(defaultZone string) (carepath.NewPatient, error) {
	np := carepath.NewPatient{GivenName: in.Given, FamilyName: in.Family, BirthDate: in.BirthDate, Phone: in.Phone,
		Email: in.Email, Locale: orElse(in.Locale, "en"), Timezone: orElse(in.Timezone, defaultZone),
		PreferredChannel: carepath.ChannelSMS}
	if in.Phone == "" {
		np.PreferredChannel = carepath.ChannelEmail
	}
	return np, in.validate(&np)
}

// Update lays the Patient over a stored patient: names and contact points
// replace the stored ones; a time zone or language the resource does not
// give stays as stored; the stored preferred channel stays when it still
// has an address, else sms when there is a phone, else email. Tags and
// conditions are carepath's own and stay. The birth date is not changed
// (it is how carepath recognises the patient; docs/fhir.md).
func (in PatientIn) Update(old carepath.Patient) (carepath.NewPatient, error) {
	np := carepath.NewPatient{GivenName: in.Given, FamilyName: in.Family, BirthDate: old.BirthDate, Phone: in.Phone,
		Email: in.Email, Locale: orElse(in.Locale, old.Locale), Timezone: orElse(in.Timezone, old.Timezone),
		PreferredChannel: old.PreferredChannel, Tags: old.Tags, Conditions: old.Conditions}
	if (np.PreferredChannel == carepath.ChannelSMS && np.Phone == "") || (np.PreferredChannel == carepath.ChannelEmail && np.Email == "") {
		np.PreferredChannel = carepath.ChannelSMS
		if np.Phone == "" {
			np.PreferredChannel = carepath.ChannelEmail
		}
	}
	return np, in.validate(&np)
}

// validate runs carepath's own rules and renames the field they name.
func (in PatientIn) validate(np *carepath.NewPatient) error {
	return renameField(np.Validate(), in.paths, "Patient")
}

// renameField turns a carepath.Invalid naming an API field into one
// naming the FHIR path it came from.
func renameField(err error, paths map[string]string, typ string) error {
	ae, ok := err.(*carepath.Error)
	if !ok {
		return err
	}
	out := *ae
	if p, found := paths[ae.Field]; found {
		out.Field = p
	} else {
		out.Field = typ
	}
	return &out
}

func orElse(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
