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

// EngagementReport summarises enrollments started between from and to.
func (e *Engine) EngagementReport(ctx context.Context, a carepath.Actor, from, to time.Time) ([]store.JourneyEngagement, error) {
	if !to.After(from) {
		return nil, carepath.Invalid("to", "must be after from")
	}
	if to.Sub(from) > 366*24*time.Hour {
		return nil, carepath.Invalid("to", "the range may span at most a year")
	}
	var out []store.JourneyEngagement
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if out, err = q.EngagementReport(ctx, from, to); err != nil {
			return err
		}
		return audit(ctx, q, a, "report.engagement", "", "reports/engagement")
	})
	return out, err
}
