package engine

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/fhir"
)

// applyFHIRPatient maps a Patient onto carepath's patient: the one it was
// stored for before, else the carepath patient whose UUID is its id, else
// a new patient (under the resource's id when that is a free UUID, as a
// POSTed Patient's is). Names and contact points replace the stored ones
// and are validated as carepath's API validates them; a changed phone or
// email is audited as patient.contact_change (which point, never its
// value).
func applyFHIRPatient(ctx context.Context, w *fhirApply) error {
	in, err := fhir.PatientFromFHIR(w.Raw, w.Now)
	if err != nil {
		return err
	}
	zone := w.e.clinicZoneName()
	if w.Check {
		_, err := in.NewPatient(zone)
		return err
	}
	id, err := fhirPatientTarget(ctx, w)
	if err != nil {
		return err
	}
	if id == "" {
		np, err := in.NewPatient(zone)
		if err != nil {
			return err
		}
		id = w.ID
		if uuid.Validate(id) != nil {
			id = uuid.NewString()
		}
		if _, err := w.q.PatientInsert(ctx, id, np); err != nil {
			return err
		}
	} else if err := updateFHIRPatient(ctx, w, id, in); err != nil {
		return err
	}
	w.PatientID, w.Ref = id, "patient/"+id
	return nil
}

// fhirPatientTarget is the carepath patient a Patient resource updates,
// "" for a new one.
func fhirPatientTarget(ctx context.Context, w *fhirApply) (string, error) {
	if w.Prior != nil && w.Prior.PatientID != "" {
		return w.Prior.PatientID, nil
	}
	if uuid.Validate(w.ID) != nil {
		return "", nil
	}
	_, err := w.q.PatientGet(ctx, w.ID)
	switch carepath.ErrorCode(err) {
	case carepath.ENOTFOUND:
		return "", nil
	case carepath.EINTERNAL:
		if err != nil {
			return "", err
		}
	}
	return w.ID, nil
}

func updateFHIRPatient(ctx context.Context, w *fhirApply, id string, in fhir.PatientIn) error {
	if err := w.q.PatientLock(ctx, id); err != nil {
		return err
	}
	old, err := w.q.PatientGet(ctx, id)
	if err != nil {
		return err
	}
	np, err := in.Update(old.Patient)
	if err != nil {
		return err
	}
	p := old.Patient
	p.GivenName, p.FamilyName, p.Phone, p.Email = np.GivenName, np.FamilyName, np.Phone, np.Email
	p.Timezone, p.Locale, p.PreferredChannel = np.Timezone, np.Locale, np.PreferredChannel
	if _, err := w.q.PatientContactSet(ctx, p); err != nil {
		return err
	}
	if p.Phone != old.Phone {
		if err := audit(ctx, w.q, w.actor, "patient.contact_change", id, "patient/"+id+"/phone"); err != nil {
			return err
		}
	}
	if !strings.EqualFold(p.Email, old.Email) {
		return audit(ctx, w.q, w.actor, "patient.contact_change", id, "patient/"+id+"/email")
	}
	return nil
}

// clinicZoneName is the time zone a Patient without the timezone
// extension gets: the clinic's (CAREPATH_CLINIC_TIMEZONE, else
// America/New_York). A zone without an IANA name (Local) falls back too.
func (e *Engine) clinicZoneName() string {
	if name := e.clinicZone().String(); carepath.ValidTimezone(name) {
		return name
	}
	return defaultClinicZone.String()
}
