package engine

import (
	"context"
	"strings"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// PatientUpdate is a PATCH of a patient: each field left out (nil) stays
// as it is. Phone or email "" removes that contact point (one must stay).
// The birth date cannot be changed: it identifies the patient.
type PatientUpdate struct {
	Tags             *[]string         `json:"tags"`
	Conditions       *[]string         `json:"conditions"`
	GivenName        *string           `json:"given_name"`
	FamilyName       *string           `json:"family_name"`
	Phone            *string           `json:"phone"`
	Email            *string           `json:"email"`
	Timezone         *string           `json:"timezone"`
	Locale           *string           `json:"locale"`
	PreferredChannel *carepath.Channel `json:"preferred_channel"`
}

func (u PatientUpdate) contactGiven() bool {
	return u.GivenName != nil || u.FamilyName != nil || u.Phone != nil || u.Email != nil ||
		u.Timezone != nil || u.Locale != nil || u.PreferredChannel != nil
}

// UpdatePatient changes a patient's segments and/or names and contact
// details, validated as at creation. A changed phone or email starts
// unverified (an "invalid" mark on the old one is gone) and is what the
// next message uses; each such change is audited as patient.contact_change
// (which point, never its value).
func (e *Engine) UpdatePatient(ctx context.Context, a carepath.Actor, id string, in PatientUpdate) (carepath.Patient, error) {
	if !in.contactGiven() {
		return e.UpdatePatientSegments(ctx, a, id, PatientSegments{Tags: in.Tags, Conditions: in.Conditions})
	}
	if err := validID(id, "patient"); err != nil {
		return carepath.Patient{}, err
	}
	var out carepath.Patient
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := q.PatientLock(ctx, id); err != nil {
			return err
		}
		old, err := q.PatientGet(ctx, id)
		if err != nil {
			return err
		}
		np := merge(old.Patient, in)
		if err := np.Validate(); err != nil {
			return err
		}
		p := old.Patient
		p.GivenName, p.FamilyName, p.Phone, p.Email = np.GivenName, np.FamilyName, np.Phone, np.Email
		p.Timezone, p.Locale, p.PreferredChannel = np.Timezone, np.Locale, np.PreferredChannel
		if p.UpdatedAt, err = q.PatientContactSet(ctx, p); err != nil {
			return err
		}
		if in.Tags != nil || in.Conditions != nil {
			if p.Tags, p.Conditions, p.UpdatedAt, err = q.PatientSegmentsSet(ctx, id, segment(in.Tags, np.Tags), segment(in.Conditions, np.Conditions)); err != nil {
				return err
			}
		}
		if p.Phone != old.Phone {
			if err := audit(ctx, q, a, "patient.contact_change", id, "patient/"+id+"/phone"); err != nil {
				return err
			}
		}
		if !strings.EqualFold(p.Email, old.Email) {
			if err := audit(ctx, q, a, "patient.contact_change", id, "patient/"+id+"/email"); err != nil {
				return err
			}
		}
		out = p
		return audit(ctx, q, a, "patient.update", id, "patient/"+id)
	})
	if err != nil {
		return carepath.Patient{}, err
	}
	return out, nil
}

// merge lays the update over the stored patient, as a NewPatient so the
// creation rules validate the result.
func merge(p carepath.Patient, in PatientUpdate) carepath.NewPatient {
	np := carepath.NewPatient{GivenName: p.GivenName, FamilyName: p.FamilyName, BirthDate: p.BirthDate,
		Phone: p.Phone, Email: p.Email, Timezone: p.Timezone, Locale: p.Locale, PreferredChannel: p.PreferredChannel,
		Tags: p.Tags, Conditions: p.Conditions}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&np.GivenName, in.GivenName)
	set(&np.FamilyName, in.FamilyName)
	set(&np.Phone, in.Phone)
	set(&np.Email, in.Email)
	set(&np.Timezone, in.Timezone)
	if in.Locale != nil {
		// Validate defaults "" to en; a PATCH must say which.
		np.Locale = *in.Locale
		if np.Locale == "" {
			np.Locale = "-"
		}
	}
	if in.PreferredChannel != nil {
		np.PreferredChannel = *in.PreferredChannel
		if np.PreferredChannel == "" {
			np.PreferredChannel = "-"
		}
	}
	if in.Tags != nil {
		np.Tags = *in.Tags
	}
	if in.Conditions != nil {
		np.Conditions = *in.Conditions
	}
	return np
}

// segment is the normalised list to store when the update gave one, nil
// (keep) otherwise.
func segment(given *[]string, normalised []string) []string {
	if given == nil {
		return nil
	}
	if normalised == nil {
		return []string{}
	}
	return normalised
}
