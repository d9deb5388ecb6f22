package store

import "context"

// FeedbackInsert stores a survey score once per ID (the journey derives it).
func (q *Queries) FeedbackInsert(ctx context.Context, id, patientID, enrollmentID, kind string, score int) error {
	_, err := q.db.Exec(ctx, stmt("FeedbackInsert"), id, patientID, enrollmentID, kind, score)
	return wrapErr("insert feedback", err)
}
