package store

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// EngagementDistributions fills in each journey's satisfaction score
// distribution (journeys as EngagementReport returned them) and returns how
// many patients enrolled in [from, to) were sent each number of messages
// by those enrollments: "0", "1", "2"… → patients.
func (q *Queries) EngagementDistributions(ctx context.Context, from, to time.Time, journeys []JourneyEngagement) (map[string]int, error) {
	idx := map[string]int{}
	for i := range journeys {
		journeys[i].Satisfaction.Distribution = map[string]int{}
		idx[journeys[i].Journey] = i
	}
	rows, err := q.db.Query(ctx, stmt("EngagementSatisfactionScores"), from, to)
	if err != nil {
		return nil, fmt.Errorf("satisfaction scores: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var journey string
		var score, n int
		if err := rows.Scan(&journey, &score, &n); err != nil {
			return nil, fmt.Errorf("satisfaction scores: %w", err)
		}
		if i, ok := idx[journey]; ok {
			journeys[i].Satisfaction.Distribution[strconv.Itoa(score)] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("satisfaction scores: %w", err)
	}
	rows, err = q.db.Query(ctx, stmt("EngagementMessagesPerPatient"), from, to)
	if err != nil {
		return nil, fmt.Errorf("messages per patient: %w", err)
	}
	defer rows.Close()
	perPatient := map[string]int{}
	for rows.Next() {
		var messages, patients int
		if err := rows.Scan(&messages, &patients); err != nil {
			return nil, fmt.Errorf("messages per patient: %w", err)
		}
		perPatient[strconv.Itoa(messages)] = patients
	}
	return perPatient, wrapErr("messages per patient", rows.Err())
}
