package engine

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// NewCaregiver is what the care team records about a caregiver.
type NewCaregiver struct {
	GivenName        string           `json:"given_name"`
	FamilyName       string           `json:"family_name"`
	Relationship     string           `json:"relationship"`
	Phone            string           `json:"phone"`
	Email            string           `json:"email"`
	PreferredChannel carepath.Channel `json:"preferred_channel"`
	Locale           string           `json:"locale"`
	// AuthorizedByPatient records that the patient agreed this caregiver
	// may be told about their care.
	AuthorizedByPatient bool `json:"authorized_by_patient"`
}

func (c *NewCaregiver) validate() error {
	c.GivenName, c.FamilyName, c.Relationship = strings.TrimSpace(c.GivenName), strings.TrimSpace(c.FamilyName), strings.TrimSpace(c.Relationship)
	if c.Locale == "" {
		c.Locale = "en"
	}
	if c.PreferredChannel == "" {
		c.PreferredChannel = carepath.ChannelSMS
	}
	switch {
	case c.GivenName == "" || len(c.GivenName) > 200:
		return carepath.Invalid("given_name", "is required (at most 200 characters)")
	case c.FamilyName == "" || len(c.FamilyName) > 200:
		return carepath.Invalid("family_name", "is required (at most 200 characters)")
	case c.Relationship == "" || len(c.Relationship) > 100:
		return carepath.Invalid("relationship", "is required (at most 100 characters)")
	case c.Phone != "" && !carepath.ValidPhone(c.Phone):
		return carepath.Invalid("phone", "must be in E.164 form, e.g. +15551234567")
	case c.Email != "" && !carepath.ValidEmail(c.Email):
		return carepath.Invalid("email", "must be a valid email address")
	case c.Phone == "" && c.Email == "":
		return carepath.Invalid("phone", "a phone or an email is required")
	case c.Locale != "en" && c.Locale != "es":
		return carepath.Invalid("locale", "must be one of: en, es")
	case c.PreferredChannel != carepath.ChannelSMS && c.PreferredChannel != carepath.ChannelEmail:
		return carepath.Invalid("preferred_channel", "must be one of: sms, email")
	}
	return nil
}

// AddCaregiver records a caregiver for a patient.
func (e *Engine) AddCaregiver(ctx context.Context, a carepath.Actor, patientID string, c NewCaregiver) (store.Caregiver, error) {
	if err := c.validate(); err != nil {
		return store.Caregiver{}, err
	}
	var out store.Caregiver
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := patientExists(ctx, q, patientID); err != nil {
			return err
		}
		var err error
		out, err = q.CaregiverInsert(ctx, store.Caregiver{ID: uuid.NewString(), PatientID: patientID, GivenName: c.GivenName,
			FamilyName: c.FamilyName, Relationship: c.Relationship, Phone: c.Phone, Email: c.Email,
			PreferredChannel: c.PreferredChannel, Locale: c.Locale}, c.AuthorizedByPatient)
		if err != nil {
			return err
		}
		return audit(ctx, q, a, "caregiver.create", patientID, "caregiver/"+out.ID)
	})
	return out, err
}

// ListCaregivers returns a patient's caregivers.
func (e *Engine) ListCaregivers(ctx context.Context, a carepath.Actor, patientID string) ([]store.Caregiver, error) {
	var out []store.Caregiver
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := patientExists(ctx, q, patientID); err != nil {
			return err
		}
		var err error
		if out, err = q.CaregiverList(ctx, patientID); err != nil {
			return err
		}
		return audit(ctx, q, a, "caregiver.list", patientID, "patient/"+patientID+"/caregivers")
	})
	return out, err
}

// AuthorizeCaregiver records the patient granting or withdrawing a
// caregiver's authorisation; withdrawing stops every later notice.
func (e *Engine) AuthorizeCaregiver(ctx context.Context, a carepath.Actor, id string, authorized bool) error {
	if err := validID(id, "caregiver"); err != nil {
		return err
	}
	return e.Store.Tx(ctx, func(q *store.Queries) error {
		patientID, err := q.CaregiverAuthorize(ctx, id, authorized)
		if err != nil {
			return err
		}
		action := "caregiver.authorize"
		if !authorized {
			action = "caregiver.deauthorize"
		}
		return audit(ctx, q, a, action, patientID, "caregiver/"+id)
	})
}
