package engine

import (
	"context"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// ContactHygiene lists patients whose contact points are invalid or not yet
// confirmed: the care team's regular CRM clean-up.
func (e *Engine) ContactHygiene(ctx context.Context, a carepath.Actor, limit int) ([]store.HygieneRow, error) {
	var out []store.HygieneRow
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if out, err = q.ContactHygieneReport(ctx, limit); err != nil {
			return err
		}
		return audit(ctx, q, a, "report.contact_hygiene", "", "reports/contact-hygiene")
	})
	return out, err
}

// Engagement is the engagement report: per journey (funnel, outcomes,
// decliners, satisfaction) and across journeys (messages per patient).
type Engagement struct {
	From     time.Time                 `json:"from"`
	To       time.Time                 `json:"to"`
	Journeys []store.JourneyEngagement `json:"journeys"`
	// MessagesPerPatient: patients enrolled in the range, by how many
	// messages those enrollments sent them ("0", "1"… → patients).
	MessagesPerPatient map[string]int `json:"messages_per_patient"`
}

// EngagementReport summarises enrollments started between from and to.
func (e *Engine) EngagementReport(ctx context.Context, a carepath.Actor, from, to time.Time) (Engagement, error) {
	if !to.After(from) {
		return Engagement{}, carepath.Invalid("to", "must be after from")
	}
	if to.Sub(from) > 366*24*time.Hour {
		return Engagement{}, carepath.Invalid("to", "the range may span at most a year")
	}
	out := Engagement{From: from, To: to}
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if out.Journeys, err = q.EngagementReport(ctx, from, to); err != nil {
			return err
		}
		if out.MessagesPerPatient, err = q.EngagementDistributions(ctx, from, to, out.Journeys); err != nil {
			return err
		}
		return audit(ctx, q, a, "report.engagement", "", "reports/engagement")
	})
	return out, err
}
