package engine

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/fhir"
	"github.com/carepath/carepath/store"
)

// applyFHIRRelatedPerson maps a RelatedPerson onto a caregiver of the
// referenced patient: created on first write, its name, relationship,
// contact points and locale replaced on later ones. The patient's
// authorisation (AuthorizedByPatient) is never given by an EHR's
// RelatedPerson: the care team records it (docs/fhir.md).
func applyFHIRRelatedPerson(ctx context.Context, w *fhirApply) error {
	in, err := fhir.RelatedPersonFromFHIR(w.Raw, w.Now)
	if err != nil {
		return err
	}
	nc := NewCaregiver{GivenName: in.Given, FamilyName: in.Family, Relationship: in.Relationship, Phone: in.Phone,
		Email: in.Email, Locale: in.Locale, PreferredChannel: carepath.ChannelSMS}
	if in.Phone == "" {
		nc.PreferredChannel = carepath.ChannelEmail
	}
	if err := nc.validate(); err != nil {
		return caregiverFieldToFHIR(err)
	}
	if w.Check {
		return nil
	}
	patientID, err := w.patient(ctx, "RelatedPerson.patient.reference", in.PatientRef)
	if err != nil {
		return err
	}
	c := store.Caregiver{PatientID: patientID, GivenName: nc.GivenName, FamilyName: nc.FamilyName,
		Relationship: nc.Relationship, Phone: nc.Phone, Email: nc.Email, PreferredChannel: nc.PreferredChannel, Locale: nc.Locale}
	if w.Prior != nil && strings.HasPrefix(w.Prior.Ref, "caregiver/") {
		c.ID = strings.TrimPrefix(w.Prior.Ref, "caregiver/")
		if w.Prior.PatientID != "" && w.Prior.PatientID != patientID {
			return carepath.Invalid("RelatedPerson.patient.reference", "cannot move a caregiver to another patient")
		}
		if _, err := w.q.CaregiverUpdateFHIR(ctx, c); err != nil {
			return err
		}
	} else {
		c.ID = uuid.NewString()
		if _, err := w.q.CaregiverInsert(ctx, c, false); err != nil {
			return err
		}
	}
	w.PatientID, w.Ref = patientID, "caregiver/"+c.ID
	return nil
}

// caregiverFieldToFHIR renames NewCaregiver's API fields to the
// RelatedPerson's elements.
func caregiverFieldToFHIR(err error) error {
	ae, ok := err.(*carepath.Error)
	if !ok {
		return err
	}
	out := *ae
	switch ae.Field {
	case "given_name":
		out.Field = "RelatedPerson.name.given"
	case "family_name":
		out.Field = "RelatedPerson.name.family"
	case "relationship":
		out.Field = "RelatedPerson.relationship"
	case "phone", "email", "preferred_channel":
		out.Field = "RelatedPerson.telecom"
	case "locale":
		out.Field = "RelatedPerson.communication"
	default:
		out.Field = "RelatedPerson"
	}
	return &out
}
