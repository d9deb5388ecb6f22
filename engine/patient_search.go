package engine

import (
	"context"
	"strings"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// PatientSearch is what a care team searches patients by; every filter
// given must match, and at least one is required.
type PatientSearch struct {
	Name      string // part of the given or family name (q)
	Phone     string // E.164
	BirthDate string // YYYY-MM-DD
}

// MaxSearchResults bounds a patient search: a search finds someone, it
// does not list the practice.
const MaxSearchResults = 50

// SearchPatients returns up to limit patients matching s. Each patient
// found is audited as disclosed by a search (by ID only: the search terms
// are PHI and stay out of the trail).
func (e *Engine) SearchPatients(ctx context.Context, a carepath.Actor, s PatientSearch, limit int) ([]carepath.Patient, error) {
	f := store.PatientSearchFilter{Name: strings.TrimSpace(s.Name), Phone: strings.TrimSpace(s.Phone),
		BirthDate: strings.TrimSpace(s.BirthDate)}
	switch {
	case f.Name == "" && f.Phone == "" && f.BirthDate == "":
		return nil, carepath.Invalid("q", "give q (part of a name), phone or birth_date")
	case len(f.Name) > 200:
		return nil, carepath.Invalid("q", "at most 200 characters")
	case f.Phone != "" && !carepath.ValidPhone(f.Phone):
		return nil, carepath.Invalid("phone", "must be in E.164 form, e.g. +15551234567")
	}
	if f.BirthDate != "" {
		if _, err := time.Parse(time.DateOnly, f.BirthDate); err != nil {
			return nil, carepath.Invalid("birth_date", "must be a date as YYYY-MM-DD")
		}
	}
	if limit < 1 || limit > MaxSearchResults {
		return nil, carepath.Invalid("limit", "must be a whole number from 1 to %d", MaxSearchResults)
	}
	out := []carepath.Patient{}
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		found, err := q.PatientSearch(ctx, f, limit)
		if err != nil {
			return err
		}
		for _, p := range found {
			out = append(out, p.Patient)
			if err := audit(ctx, q, a, "patient.search", p.ID, "patient/"+p.ID); err != nil {
				return err
			}
		}
		if len(found) == 0 {
			return audit(ctx, q, a, "patient.search", "", "patients")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
