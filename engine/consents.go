package engine

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// Consent sources the care team may record through the API: how the
// person told them. Keywords, journeys and providers record their own.
var consentSources = []string{"verbal", "paper", "portal", "phone", "email"}

// Consent purposes a decision may be about.
var (
	patientPurposes   = []carepath.Purpose{carepath.PurposeCare, carepath.PurposeOutreach, carepath.PurposeAll}
	caregiverPurposes = []carepath.Purpose{carepath.PurposeCare, carepath.PurposeAll}
)

// NewConsent is a consent decision the care team records for a patient or
// a caregiver.
type NewConsent struct {
	Channel carepath.Channel `json:"channel"`
	Purpose carepath.Purpose `json:"purpose"`
	Granted *bool            `json:"granted"`
	Source  string           `json:"source"`
	Reason  string           `json:"reason"`
	// EffectiveAt is when the person decided (a paper form's date), in
	// RFC 3339; it orders the ledger. Absent means now; never the future.
	EffectiveAt string `json:"effective_at"`

	effective time.Time
}

func (c *NewConsent) validate(purposes []carepath.Purpose, now time.Time) error {
	c.Source, c.Reason = strings.TrimSpace(c.Source), strings.TrimSpace(c.Reason)
	switch {
	case c.Channel != carepath.ChannelSMS && c.Channel != carepath.ChannelEmail:
		return carepath.Invalid("channel", "must be one of: sms, email")
	case !slices.Contains(purposes, c.Purpose):
		return carepath.Invalid("purpose", "must be one of: %s", joined(purposes))
	case c.Granted == nil:
		return carepath.Invalid("granted", "is required (true or false)")
	case !oneOf(c.Source, consentSources):
		return carepath.Invalid("source", "must be one of: %s", strings.Join(consentSources, ", "))
	case len(c.Reason) > 500:
		return carepath.Invalid("reason", "must be at most 500 characters")
	}
	if c.EffectiveAt == "" {
		return nil
	}
	at, err := time.Parse(time.RFC3339, c.EffectiveAt)
	switch {
	case err != nil:
		return carepath.Invalid("effective_at", "must be a time in RFC 3339 form, e.g. 2026-01-02T15:04:05Z")
	case at.After(now.Add(time.Minute)):
		return carepath.Invalid("effective_at", "must not be in the future")
	case at.Before(now.AddDate(-10, 0, 0)):
		return carepath.Invalid("effective_at", "must be within the last ten years")
	}
	c.effective = at.UTC()
	return nil
}

func (c NewConsent) change() store.ConsentChange {
	return store.ConsentChange{Channel: c.Channel, Purpose: c.Purpose, Granted: *c.Granted, Source: c.Source, Reason: c.Reason,
		EffectiveAt: c.effective}
}

func oneOf(s string, set []string) bool { return slices.Contains(set, s) }

// joined lists a typed vocabulary for an error message.
func joined[T ~string](vs []T) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return strings.Join(out, ", ")
}

// ConsentState is the current decision for one channel and purpose.
type ConsentState struct {
	Channel carepath.Channel `json:"channel"`
	Purpose carepath.Purpose `json:"purpose"`
	Granted bool             `json:"granted"`
	// RevokedAll: a blanket opt-out (STOP, or one kept for the phone
	// number or email address), lifted only by START or a blanket grant.
	RevokedAll bool `json:"revoked_all"`
}

// Consents is a person's current consent and their ledger, newest first.
type Consents struct {
	PatientID   string               `json:"patient_id"`
	CaregiverID string               `json:"caregiver_id,omitempty"`
	Current     []ConsentState       `json:"current"`
	History     []store.ConsentEntry `json:"history"`
}

// consentHistoryLimit bounds the ledger a read returns.
const consentHistoryLimit = MaxPageSize

// PatientConsents returns a patient's consent per channel and purpose, with
// its history (including STOP and START kept for their phone or email).
func (e *Engine) PatientConsents(ctx context.Context, a carepath.Actor, patientID string) (Consents, error) {
	var out Consents
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := patientExists(ctx, q, patientID); err != nil {
			return err
		}
		var err error
		if out, err = patientConsents(ctx, q, patientID); err != nil {
			return err
		}
		return audit(ctx, q, a, "consent.read", patientID, "patient/"+patientID+"/consents")
	})
	return out, err
}

// RecordPatientConsent appends a decision the patient gave the care team
// and returns the resulting state. A blanket grant lifts the patient's
// STOP; a STOP kept for their phone number stands until START from it.
func (e *Engine) RecordPatientConsent(ctx context.Context, a carepath.Actor, patientID string, c NewConsent) (Consents, error) {
	if err := c.validate(patientPurposes, time.Now()); err != nil {
		return Consents{}, err
	}
	var out Consents
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := patientExists(ctx, q, patientID); err != nil {
			return err
		}
		if err := q.ConsentAppend(ctx, store.Recipient{PatientID: patientID}, c.change()); err != nil {
			return err
		}
		if err := audit(ctx, q, a, consentAction(*c.Granted), patientID, "patient/"+patientID+"/consents"); err != nil {
			return err
		}
		var err error
		out, err = patientConsents(ctx, q, patientID)
		return err
	})
	if err != nil {
		return Consents{}, err
	}
	if !*c.Granted && c.Purpose == carepath.PurposeAll {
		e.tellJourneysOptOut(ctx, patientID, c.Channel)
	}
	return out, nil
}

// CaregiverConsents returns a caregiver's own consent and history.
func (e *Engine) CaregiverConsents(ctx context.Context, a carepath.Actor, caregiverID string) (Consents, error) {
	if err := validID(caregiverID, "caregiver"); err != nil {
		return Consents{}, err
	}
	var out Consents
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		cg, err := q.CaregiverGet(ctx, caregiverID)
		if err != nil {
			return err
		}
		if out, err = caregiverConsents(ctx, q, cg); err != nil {
			return err
		}
		return audit(ctx, q, a, "caregiver.consent.read", cg.PatientID, "caregiver/"+caregiverID+"/consents")
	})
	return out, err
}

// RecordCaregiverConsent appends a caregiver's own decision: it never
// changes the patient's consent.
func (e *Engine) RecordCaregiverConsent(ctx context.Context, a carepath.Actor, caregiverID string, c NewConsent) (Consents, error) {
	if err := validID(caregiverID, "caregiver"); err != nil {
		return Consents{}, err
	}
	if err := c.validate(caregiverPurposes, time.Now()); err != nil {
		return Consents{}, err
	}
	var out Consents
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		cg, err := q.CaregiverGet(ctx, caregiverID)
		if err != nil {
			return err
		}
		if err := q.ConsentAppend(ctx, store.Recipient{PatientID: cg.PatientID, CaregiverID: cg.ID}, c.change()); err != nil {
			return err
		}
		if err := audit(ctx, q, a, "caregiver."+consentAction(*c.Granted), cg.PatientID, "caregiver/"+caregiverID+"/consents"); err != nil {
			return err
		}
		out, err = caregiverConsents(ctx, q, cg)
		return err
	})
	return out, err
}

func consentAction(granted bool) string {
	if granted {
		return "consent.grant"
	}
	return "consent.revoke"
}

func patientConsents(ctx context.Context, q *store.Queries, patientID string) (Consents, error) {
	out := Consents{PatientID: patientID}
	for _, ch := range carepath.Channels {
		for _, p := range []carepath.Purpose{carepath.PurposeCare, carepath.PurposeOutreach} {
			granted, all, err := q.ConsentState(ctx, patientID, ch, p)
			if err != nil {
				return Consents{}, err
			}
			out.Current = append(out.Current, ConsentState{Channel: ch, Purpose: p, Granted: granted, RevokedAll: all})
		}
	}
	var err error
	out.History, err = q.ConsentHistory(ctx, patientID, consentHistoryLimit)
	return out, err
}

func caregiverConsents(ctx context.Context, q *store.Queries, cg store.Caregiver) (Consents, error) {
	out := Consents{PatientID: cg.PatientID, CaregiverID: cg.ID}
	for _, ch := range carepath.Channels {
		granted, all, err := q.CaregiverConsentState(ctx, cg.ID, ch, carepath.PurposeCare)
		if err != nil {
			return Consents{}, err
		}
		out.Current = append(out.Current, ConsentState{Channel: ch, Purpose: carepath.PurposeCare, Granted: granted, RevokedAll: all})
	}
	var err error
	out.History, err = q.CaregiverConsentHistory(ctx, cg.ID, consentHistoryLimit)
	return out, err
}

// tellJourneysOptOut signals the patient's running journeys that they
// opted out of a channel, so one waiting for an answer there stops. The
// decision is already recorded and every send re-checks it, so a failed
// signal is logged, not returned.
func (e *Engine) tellJourneysOptOut(ctx context.Context, patientID string, channel carepath.Channel) {
	wfs, err := e.Store.EnrollmentWorkflowsActive(ctx, patientID)
	if err != nil {
		e.Log.Warn("opt-out not signalled to journeys", "patient_id", patientID, "error", err)
		return
	}
	for _, wf := range wfs {
		if err := e.Temporal.SignalWorkflow(ctx, wf, "", workflows.SignalOptOut, workflows.OptOut{Channel: channel}); err != nil && !errNotFound(err) {
			e.Log.Warn("opt-out not signalled to a journey", "patient_id", patientID, "workflow_id", wf, "error", err)
		}
	}
}
