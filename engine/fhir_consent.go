package engine

import (
	"context"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/fhir"
	"github.com/carepath/carepath/store"
)

// applyFHIRConsent records an active Consent's decisions in the patient's
// consent ledger (fhir.ConsentFromFHIR maps provision type, channels and
// purposes), source "fhir:Consent/<id>", effective at Consent.dateTime.
// A Consent in any other status is stored and changes nothing. A denial
// of every purpose on a channel tells the patient's running journeys, as
// a care team's recorded opt-out does.
func applyFHIRConsent(ctx context.Context, w *fhirApply) error {
	in, err := fhir.ConsentFromFHIR(w.Raw, w.Now)
	if err != nil || w.Check {
		return err
	}
	patientID, err := w.patient(ctx, "Consent.patient.reference", in.PatientRef)
	if err != nil {
		return err
	}
	w.PatientID, w.Ref = patientID, "patient/"+patientID+"/consents"
	if !in.Active {
		return nil
	}
	var at time.Time
	if in.At != nil {
		at = in.At.UTC()
	}
	for _, d := range in.Decisions {
		change := store.ConsentChange{Channel: d.Channel, Purpose: d.Purpose, Granted: d.Granted,
			Source: "fhir:Consent/" + w.ID, EffectiveAt: at}
		if err := w.q.ConsentAppend(ctx, store.Recipient{PatientID: patientID}, change); err != nil {
			return err
		}
		if err := audit(ctx, w.q, w.actor, consentAction(d.Granted), patientID, "patient/"+patientID+"/consents"); err != nil {
			return err
		}
		if !d.Granted && d.Purpose == carepath.PurposeAll {
			e, ch := w.e, d.Channel
			w.After = append(w.After, func(ctx context.Context) error {
				e.tellJourneysOptOut(ctx, patientID, ch) // logs its own failures: every send re-checks consent
				return nil
			})
		}
	}
	return nil
}
