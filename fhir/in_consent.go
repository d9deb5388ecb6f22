package fhir

import (
	"encoding/json"
	"fmt"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath"
)

// Code systems a Consent's provision is read with (docs/fhir.md, "Consent").
const (
	// SystemContactPoint: FHIR's ContactPointSystem codes; sms and phone
	// mean carepath's sms channel, email its email channel.
	SystemContactPoint = "http://hl7.org/fhir/contact-point-system"
	// SystemActReason: HL7 v3 ActReason, the purposes of use.
	SystemActReason = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
)

// ConsentDecision is one consent-ledger entry a Consent makes.
type ConsentDecision struct {
	Channel carepath.Channel
	Purpose carepath.Purpose
	Granted bool
}

// ConsentIn is what carepath takes from a FHIR Consent.
type ConsentIn struct {
	PatientRef string
	// Active is status active: only an active Consent changes the ledger;
	// any other status is stored and changes nothing.
	Active    bool
	Decisions []ConsentDecision
	At        *time.Time // Consent.dateTime: when the patient decided
}

// ConsentFromFHIR decodes and checks a Consent and maps its provision onto
// carepath's consent ledger: provision.type permit grants, deny revokes;
// the channels are provision.code codings in SystemContactPoint (sms,
// phone → sms; email → email), both channels when none is given; the
// purposes are provision.purpose codings (v3 ActReason TREAT, CAREMGT,
// HOPERAT, PATADMIN → care; HMARKT → outreach; or carepath's own
// message-purpose care/outreach/all), every purpose (all) when none is
// given. One decision per channel and purpose. Nested provisions (the
// exceptions) are refused rather than half-applied.
func ConsentFromFHIR(raw json.RawMessage, now time.Time) (ConsentIn, error) {
	var c fm.Consent
	if err := Decode(raw, "Consent", &c); err != nil {
		return ConsentIn{}, err
	}
	var problems carepath.Problems
	var in ConsentIn
	if !present(raw, "status") {
		problems = append(problems, carepath.Invalid("Consent.status", "is required"))
	}
	in.Active = c.Status == fm.ConsentStateActive
	if c.Patient == nil || c.Patient.Reference == nil || *c.Patient.Reference == "" {
		problems = append(problems, carepath.Invalid("Consent.patient.reference", "is required (Patient/<id>)"))
	} else {
		in.PatientRef = *c.Patient.Reference
	}
	if c.DateTime != nil {
		at, err := parseDateTime(*c.DateTime)
		switch {
		case err != nil:
			problems = append(problems, carepath.Invalid("Consent.dateTime", "must be a FHIR dateTime"))
		case at.After(now.Add(time.Minute)):
			problems = append(problems, carepath.Invalid("Consent.dateTime", "must not be in the future"))
		case at.Before(now.AddDate(-10, 0, 0)):
			problems = append(problems, carepath.Invalid("Consent.dateTime", "must be within the last ten years"))
		default:
			in.At = &at
		}
	}
	p := c.Provision
	switch {
	case p == nil:
		problems = append(problems, carepath.Invalid("Consent.provision", "is required (type permit or deny)"))
		return in, problems.Err()
	case p.Type == nil:
		problems = append(problems, carepath.Invalid("Consent.provision.type", "is required (permit or deny)"))
	case len(p.Provision) > 0:
		problems = append(problems, carepath.Invalid("Consent.provision.provision", "nested provisions are not supported: send one Consent per decision"))
	}
	channels, cp := consentChannels(p.Code)
	problems = append(problems, cp...)
	purposes, pp := consentPurposes(p.Purpose)
	problems = append(problems, pp...)
	if len(problems) > 0 {
		return in, problems
	}
	granted := *p.Type == fm.ConsentProvisionTypePermit
	for _, ch := range channels {
		for _, pu := range purposes {
			in.Decisions = append(in.Decisions, ConsentDecision{Channel: ch, Purpose: pu, Granted: granted})
		}
	}
	return in, nil
}

func consentChannels(codes []fm.CodeableConcept) ([]carepath.Channel, carepath.Problems) {
	var out []carepath.Channel
	var problems carepath.Problems
	for i, cc := range codes {
		for j, cd := range cc.Coding {
			if cd.System == nil || *cd.System != SystemContactPoint || cd.Code == nil {
				continue
			}
			switch *cd.Code {
			case "sms", "phone":
				out = appendOnce(out, carepath.ChannelSMS)
			case "email":
				out = appendOnce(out, carepath.ChannelEmail)
			default:
				problems = append(problems, carepath.Invalid(fmt.Sprintf("Consent.provision.code[%d].coding[%d].code", i, j),
					"carepath messages by sms and email only"))
			}
		}
	}
	if len(out) == 0 && len(problems) == 0 {
		out = carepath.Channels
	}
	return out, problems
}

// actReasonPurpose maps v3 ActReason codes onto carepath's purposes.
var actReasonPurpose = map[string]carepath.Purpose{
	"TREAT": carepath.PurposeCare, "CAREMGT": carepath.PurposeCare, "HOPERAT": carepath.PurposeCare,
	"PATADMIN": carepath.PurposeCare, "HMARKT": carepath.PurposeOutreach,
}

func consentPurposes(codes []fm.Coding) ([]carepath.Purpose, carepath.Problems) {
	var out []carepath.Purpose
	var problems carepath.Problems
	for i, cd := range codes {
		if cd.System == nil || cd.Code == nil {
			problems = append(problems, carepath.Invalid(fmt.Sprintf("Consent.provision.purpose[%d]", i), "needs a system and a code"))
			continue
		}
		var p carepath.Purpose
		var ok bool
		switch *cd.System {
		case SystemActReason:
			p, ok = actReasonPurpose[*cd.Code]
		case CodeSystemMessagePurpose:
			p = carepath.Purpose(*cd.Code)
			ok = p == carepath.PurposeCare || p == carepath.PurposeOutreach || p == carepath.PurposeAll
		}
		if !ok {
			problems = append(problems, carepath.Invalid(fmt.Sprintf("Consent.provision.purpose[%d].code", i),
				"carepath knows v3 ActReason TREAT, CAREMGT, HOPERAT, PATADMIN (care) and HMARKT (outreach)"))
			continue
		}
		out = appendOnce(out, p)
	}
	if len(out) == 0 && len(problems) == 0 {
		out = []carepath.Purpose{carepath.PurposeAll}
	}
	return out, problems
}

func appendOnce[T comparable](s []T, v T) []T {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// present reports whether a resource has a top-level member (samply's
// required enums decode a missing one as their first code).
func present(raw json.RawMessage, member string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	v, ok := m[member]
	return ok && string(v) != "null"
}
