package fhir

import (
	"encoding/json"
	"fmt"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath/store"
)

// readingOut is how a carepath reading code is written as an Observation:
// its LOINC code, the UCUM unit's display, and the profiles it claims:
// vitalsigns when vital (not glucose: the vital-signs profile binds units
// to a value set without mg/dL), and the specific one besides.
type readingOut struct {
	loinc, display string
	extra          []fm.Coding // further codings the specific profile asks for
	unitDisplay    string
	vital          bool
	profile        string
}

var readingsOut = map[string]readingOut{
	"blood_glucose":  {loinc: "2339-0", display: "Glucose [Mass/volume] in Blood", unitDisplay: "mg/dL"},
	"blood_pressure": {loinc: "85354-9", display: "Blood pressure panel with all children optional", unitDisplay: "mmHg", vital: true, profile: "bp"},
	"weight":         {loinc: "29463-7", display: "Body weight", unitDisplay: "kg", vital: true, profile: "bodyweight"},
	"heart_rate":     {loinc: "8867-4", display: "Heart rate", unitDisplay: "beats/minute", vital: true, profile: "heartrate"},
	"spo2": {loinc: "59408-5", display: "Oxygen saturation in Arterial blood by Pulse oximetry", unitDisplay: "%", vital: true, profile: "oxygensat",
		extra: []fm.Coding{outCoding(SystemLOINC, "2708-6", "Oxygen saturation in Arterial blood")}},
	"temperature": {loinc: "8310-5", display: "Body temperature", unitDisplay: "C", vital: true, profile: "bodytemp"},
}

// Observation renders a patient-reported reading in its code's canonical
// UCUM unit: vital-signs category, LOINC code, performer the patient; blood
// pressure as the panel with systolic and diastolic components.
func Observation(o store.FHIRObservation) (json.RawMessage, error) {
	spec, ok := readingsOut[o.Code]
	if !ok {
		return nil, fmt.Errorf("render Observation: no LOINC code for reading code %q", o.Code)
	}
	var profiles []string
	if spec.vital {
		profiles = append(profiles, profileVitalSigns)
	}
	if spec.profile != "" {
		profiles = append(profiles, profileVitalSignsSpecific+spec.profile)
	}
	codings := append([]fm.Coding{outCoding(SystemLOINC, spec.loinc, spec.display)}, spec.extra...)
	codings = append(codings, outCoding(CodeSystemReadingCode, o.Code, ""))
	out := fm.Observation{
		Id:         outPtr(o.ID),
		Meta:       outMeta(1, o.CreatedAt, profiles...),
		Identifier: []fm.Identifier{outIdentifier(SystemObservationID, o.ID)},
		Status:     fm.ObservationStatusFinal,
		Category: []fm.CodeableConcept{*outConcept("",
			outCoding(systemObservationCategory, "vital-signs", "Vital Signs"))},
		Code:              *outConcept(spec.display, codings...),
		EffectiveDateTime: outPtr(Instant(o.EffectiveAt)),
		Issued:            outPtr(Instant(o.CreatedAt)),
	}
	if o.SourceID != "" {
		out.Identifier = append(out.Identifier, outIdentifier(SystemObservationSource, o.SourceID))
	}
	if o.PatientFHIRID != "" {
		out.Subject = outPatientRef(o.PatientFHIRID)
		out.Performer = []fm.Reference{*outPatientRef(o.PatientFHIRID)}
	}
	quantity := func(v float64) *fm.Quantity {
		return &fm.Quantity{Value: outDecimal(v), Unit: outPtr(spec.unitDisplay), System: outPtr(SystemUCUM), Code: outPtr(o.Unit)}
	}
	if o.Code == "blood_pressure" {
		out.Component = []fm.ObservationComponent{{
			Code:          *outConcept("Systolic blood pressure", outCoding(SystemLOINC, LOINCSystolic, "Systolic blood pressure")),
			ValueQuantity: quantity(o.Value),
		}}
		if o.Value2 != nil {
			out.Component = append(out.Component, fm.ObservationComponent{
				Code:          *outConcept("Diastolic blood pressure", outCoding(SystemLOINC, LOINCDiastolic, "Diastolic blood pressure")),
				ValueQuantity: quantity(*o.Value2),
			})
		}
	} else {
		out.ValueQuantity = quantity(o.Value)
	}
	return marshal("Observation", out)
}
