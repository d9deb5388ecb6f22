package fhir

import (
	"slices"
	"strings"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// Code systems the clinical mappings read.
const (
	SystemLOINC  = "http://loinc.org"
	SystemUCUM   = "http://unitsofmeasure.org"
	SystemSNOMED = "http://snomed.info/sct"
	SystemICD10  = "http://hl7.org/fhir/sid/icd-10-cm"
)

// vitalLOINC maps the LOINC codes carepath takes a reading from onto its
// observation codes (observation.go). The units decide conversion, not the
// code: a mass-concentration glucose code sent in mmol/L is converted like
// any other mmol/L glucose.
var vitalLOINC = map[string]string{
	// Glucose, mass/volume and moles/volume, blood, serum/plasma, capillary.
	"2339-0":  "blood_glucose", // Glucose [Mass/volume] in Blood
	"2345-7":  "blood_glucose", // Glucose [Mass/volume] in Serum or Plasma
	"41653-7": "blood_glucose", // Glucose [Mass/volume] in Capillary blood by Glucometer
	"15074-8": "blood_glucose", // Glucose [Moles/volume] in Blood
	"14749-6": "blood_glucose", // Glucose [Moles/volume] in Serum or Plasma
	"14743-9": "blood_glucose", // Glucose [Moles/volume] in Capillary blood by Glucometer
	// Blood pressure: the vital-signs panel and the older systolic+diastolic
	// code, both carrying the values in components.
	"85354-9": "blood_pressure", // Blood pressure panel with all children optional
	"55284-4": "blood_pressure", // Blood pressure systolic and diastolic
	"29463-7": "weight",         // Body weight
	"3141-9":  "weight",         // Body weight Measured
	"8867-4":  "heart_rate",     // Heart rate
	"59408-5": "spo2",           // Oxygen saturation in Arterial blood by Pulse oximetry
	"2708-6":  "spo2",           // Oxygen saturation in Arterial blood
	"2710-2":  "spo2",           // Oxygen saturation in Capillary blood by Oximetry
	"8310-5":  "temperature",    // Body temperature
	"8331-1":  "temperature",    // Oral temperature
}

// Blood pressure components (vital-signs profile).
const (
	LOINCSystolic  = "8480-6"
	LOINCDiastolic = "8462-4"
)

// VitalLOINCCodes lists the LOINC codes carepath reads, sorted, for error
// messages and docs.
func VitalLOINCCodes() []string {
	codes := make([]string, 0, len(vitalLOINC))
	for c := range vitalLOINC {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}

// clinVitalCode is the carepath observation code of the first LOINC coding
// carepath reads in cc; ok is false when there is none.
func clinVitalCode(cc *fm.CodeableConcept) (code string, ok bool) {
	if cc == nil {
		return "", false
	}
	for _, c := range cc.Coding {
		if clinStr(c.System) != SystemLOINC {
			continue
		}
		if v, ok := vitalLOINC[clinStr(c.Code)]; ok {
			return v, true
		}
	}
	return "", false
}

// clinHasLOINC reports whether cc holds the LOINC code.
func clinHasLOINC(cc fm.CodeableConcept, code string) bool {
	for _, c := range cc.Coding {
		if clinStr(c.System) == SystemLOINC && clinStr(c.Code) == code {
			return true
		}
	}
	return false
}

// conditionVital maps a few conditions onto the reading a follow-up of them
// asks for, so a CarePlan or MedicationRequest whose reason is diabetes
// follows glucose and one for hypertension follows blood pressure. Only
// unambiguous ones: anything else leaves the follow-up's code to an
// activity's LOINC or the journey's default.
var conditionVital = []struct {
	system, prefix, code string
}{
	{SystemSNOMED, "73211009", "blood_glucose"},  // Diabetes mellitus
	{SystemSNOMED, "44054006", "blood_glucose"},  // Diabetes mellitus type 2
	{SystemSNOMED, "46635009", "blood_glucose"},  // Diabetes mellitus type 1
	{SystemSNOMED, "38341003", "blood_pressure"}, // Hypertensive disorder
	{SystemSNOMED, "59621000", "blood_pressure"}, // Essential hypertension
	{SystemICD10, "E10", "blood_glucose"},        // Type 1 diabetes mellitus (E10.*)
	{SystemICD10, "E11", "blood_glucose"},        // Type 2 diabetes mellitus (E11.*)
	{SystemICD10, "I10", "blood_pressure"},       // Essential (primary) hypertension
}

// clinConditionCode is the follow-up code a condition coding implies.
func clinConditionCode(cc fm.CodeableConcept) (string, bool) {
	for _, c := range cc.Coding {
		sys, code := clinStr(c.System), clinStr(c.Code)
		for _, m := range conditionVital {
			if sys != m.system {
				continue
			}
			// SNOMED codes match exactly; ICD-10 codes by category (E11.9).
			if code == m.prefix || sys == SystemICD10 && strings.HasPrefix(code, m.prefix+".") {
				return m.code, true
			}
		}
	}
	return "", false
}

func clinStr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
