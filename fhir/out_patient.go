package fhir

import (
	"encoding/json"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// Patient renders a patient carepath created (through /v1, with no stored
// EHR Patient): name, birth date, phone and email (the preferred channel
// ranked first), language, and the time zone extension. A patient an EHR
// sent reads as the stored resource instead (StoredResource).
func Patient(p store.FHIRPatientRow) (json.RawMessage, error) {
	out := fm.Patient{
		Id:         outPtr(p.ID),
		Meta:       outMeta(p.Version, p.UpdatedAt),
		Identifier: []fm.Identifier{outIdentifier(SystemPatientID, p.ID)},
		Active:     outPtr(true),
		Name: []fm.HumanName{{Use: outPtr(fm.NameUseOfficial), Family: outPtr(p.FamilyName),
			Given: []string{p.GivenName}}},
		BirthDate: outPtr(p.BirthDate),
	}
	if p.Timezone != "" {
		out.Extension = []fm.Extension{{Url: extensionTimezone, ValueCode: outPtr(p.Timezone)}}
	}
	rank := func(ch carepath.Channel) *int {
		if ch == p.PreferredChannel {
			return outPtr(1)
		}
		return outPtr(2)
	}
	if p.Phone != "" {
		cp := fm.ContactPoint{System: outPtr(fm.ContactPointSystemPhone), Value: outPtr(p.Phone),
			Use: outPtr(fm.ContactPointUseMobile), Rank: rank(carepath.ChannelSMS)}
		if p.PhoneStatus == "invalid" {
			cp.Use = outPtr(fm.ContactPointUseOld)
		}
		out.Telecom = append(out.Telecom, cp)
	}
	if p.Email != "" {
		cp := fm.ContactPoint{System: outPtr(fm.ContactPointSystemEmail), Value: outPtr(p.Email), Rank: rank(carepath.ChannelEmail)}
		if p.EmailStatus == "invalid" {
			cp.Use = outPtr(fm.ContactPointUseOld)
		}
		out.Telecom = append(out.Telecom, cp)
	}
	if p.Locale != "" {
		out.Communication = []fm.PatientCommunication{{
			Language:  *outConcept("", outCoding(systemLanguage, p.Locale, "")),
			Preferred: outPtr(true),
		}}
	}
	return marshal("Patient", out)
}
