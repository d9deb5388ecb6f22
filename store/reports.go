package store

import (
	"context"
	"fmt"
	"time"

	"github.com/carepath/carepath/telemetry"
)

// JourneyEngagement is one journey's line of the engagement report.
type JourneyEngagement struct {
	Journey   string         `json:"journey"`
	Enrolled  int            `json:"enrolled"`
	Messaged  int            `json:"messaged"`  // at least one message accepted by a provider
	Reached   int            `json:"reached"`   // at least one message confirmed delivered
	Responded int            `json:"responded"` // the patient replied at least once
	Completed int            `json:"completed"`
	Outcomes  map[string]int `json:"outcomes"` // completed enrollments by outcome
	Declined  int            `json:"declined"`
	OptedOut  int            `json:"opted_out"` // the patient revoked consent after enrolling
	Reengaged int            `json:"reengaged"` // decliners won back
	// Decliners are the patients who declined this journey's program in an
	// enrollment counted here (recorded apart from consent), and how many
	// came back since, by the journey and touch that won them back.
	Decliners Decliners `json:"decliners"`
	// Appointments: the appointment reminders' results (the
	// appointment_reminders line only).
	Appointments *AppointmentFigures `json:"appointments,omitempty"`
	// Satisfaction is the mean survey score, how many answered, and how
	// many gave each score (EngagementDistributions fills it in).
	Satisfaction struct {
		Mean         *float64       `json:"mean"`
		Count        int            `json:"count"`
		Distribution map[string]int `json:"distribution"` // score → answers
	} `json:"satisfaction"`
}

// Decliners is a journey's program decliners and the ways back.
type Decliners struct {
	Declined  int `json:"declined"`  // patients who declined
	Reengaged int `json:"reengaged"` // of them, patients who came back
	// Paths counts the patients who came back by "journey:touch" (e.g.
	// "reengagement:after_visit": a nurse's call offered after a visit).
	Paths map[string]int `json:"paths"`
}

// EngagementReport summarises enrollments started in [from, to).
func (q *Queries) EngagementReport(ctx context.Context, from, to time.Time) ([]JourneyEngagement, error) {
	rows, err := q.db.Query(ctx, stmt("EngagementByJourney"), from, to)
	if err != nil {
		return nil, fmt.Errorf("engagement report: %w", err)
	}
	defer rows.Close()
	out := []JourneyEngagement{}
	idx := map[string]int{}
	for rows.Next() {
		var r JourneyEngagement
		if err := rows.Scan(&r.Journey, &r.Enrolled, &r.Messaged, &r.Reached, &r.Responded, &r.Completed, &r.Declined,
			&r.OptedOut, &r.Reengaged, &r.Satisfaction.Mean, &r.Satisfaction.Count); err != nil {
			return nil, fmt.Errorf("engagement report: %w", err)
		}
		r.Outcomes = map[string]int{}
		r.Decliners.Paths = map[string]int{}
		idx[r.Journey] = len(out)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("engagement report: %w", err)
	}
	rows, err = q.db.Query(ctx, stmt("EngagementOutcomes"), from, to)
	if err != nil {
		return nil, fmt.Errorf("engagement outcomes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var journey, outcome string
		var n int
		if err := rows.Scan(&journey, &outcome, &n); err != nil {
			return nil, fmt.Errorf("engagement outcomes: %w", err)
		}
		if i, ok := idx[journey]; ok {
			out[i].Outcomes[outcome] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("engagement outcomes: %w", err)
	}
	if err := q.engagementDecliners(ctx, from, to, out, idx); err != nil {
		return nil, err
	}
	if i, ok := idx["appointment_reminders"]; ok {
		f, err := q.AppointmentEngagement(ctx, from, to)
		if err != nil {
			return nil, err
		}
		out[i].Appointments = &f
	}
	return out, nil
}

// engagementDecliners fills in each journey's decliners.
func (q *Queries) engagementDecliners(ctx context.Context, from, to time.Time, out []JourneyEngagement, idx map[string]int) error {
	rows, err := q.db.Query(ctx, stmt("EngagementDecliners"), from, to)
	if err != nil {
		return fmt.Errorf("engagement decliners: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var journey string
		var d Decliners
		if err := rows.Scan(&journey, &d.Declined, &d.Reengaged); err != nil {
			return fmt.Errorf("engagement decliners: %w", err)
		}
		if i, ok := idx[journey]; ok {
			out[i].Decliners.Declined, out[i].Decliners.Reengaged = d.Declined, d.Reengaged
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("engagement decliners: %w", err)
	}
	rows, err = q.db.Query(ctx, stmt("EngagementDeclinerPaths"), from, to)
	if err != nil {
		return fmt.Errorf("engagement decliner paths: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var journey, via string
		var n int
		if err := rows.Scan(&journey, &via, &n); err != nil {
			return fmt.Errorf("engagement decliner paths: %w", err)
		}
		if i, ok := idx[journey]; ok {
			out[i].Decliners.Paths[via] = n
		}
	}
	return wrapErr("engagement decliner paths", rows.Err())
}

// EnrollmentCounts counts enrollments by journey and status.
func (q *Queries) EnrollmentCounts(ctx context.Context) ([]telemetry.EnrollmentCount, error) {
	rows, err := q.db.Query(ctx, stmt("EnrollmentCounts"))
	if err != nil {
		return nil, fmt.Errorf("enrollment counts: %w", err)
	}
	defer rows.Close()
	var out []telemetry.EnrollmentCount
	for rows.Next() {
		var c telemetry.EnrollmentCount
		if err := rows.Scan(&c.Journey, &c.Status, &c.N); err != nil {
			return nil, fmt.Errorf("enrollment counts: %w", err)
		}
		out = append(out, c)
	}
	return out, wrapErr("enrollment counts", rows.Err())
}
