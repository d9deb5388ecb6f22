package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Question is an open question a reply may answer.
type Question struct {
	ID           string
	EnrollmentID string
	PatientID    string
	WorkflowID   string
	Key          string
	Choices      []string
}

// QuestionOpen opens (or re-opens, for a reminder) a question.
func (q *Queries) QuestionOpen(ctx context.Context, qu Question) error {
	choices, err := json.Marshal(qu.Choices)
	if err != nil {
		return fmt.Errorf("encode choices: %w", err)
	}
	_, err = q.db.Exec(ctx, stmt("QuestionOpen"), qu.ID, qu.EnrollmentID, qu.PatientID, qu.WorkflowID, qu.Key, choices)
	return wrapErr("open question", err)
}

// QuestionLatestOpen locks and returns the newest open question of any of
// the patients, or ok=false when there is none.
func (q *Queries) QuestionLatestOpen(ctx context.Context, patientIDs []string) (qu Question, ok bool, err error) {
	rows, err := q.db.Query(ctx, stmt("QuestionLatestOpenByPatients"), patientIDs)
	if err != nil {
		return qu, false, fmt.Errorf("find open question: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&qu.ID, &qu.EnrollmentID, &qu.PatientID, &qu.WorkflowID); err != nil {
			return qu, false, fmt.Errorf("scan open question: %w", err)
		}
		ok = true
	}
	return qu, ok, wrapErr("find open question", rows.Err())
}

// QuestionAnswer marks a question answered by an inbound message.
func (q *Queries) QuestionAnswer(ctx context.Context, id, messageID string) error {
	_, err := q.db.Exec(ctx, stmt("QuestionAnswer"), id, messageID)
	return wrapErr("answer question", err)
}

// QuestionClose closes an open question and returns its status before:
// "answered" means a reply was routed to the journey and is on its way.
func (q *Queries) QuestionClose(ctx context.Context, id string) (previous string, err error) {
	err = q.db.QueryRow(ctx, stmt("QuestionClose"), id).Scan(&previous)
	return previous, wrapErr("close question", notFound(err, "question"))
}

// QuestionAnsweredBy returns the question an inbound message answered, or
// ok=false.
func (q *Queries) QuestionAnsweredBy(ctx context.Context, messageID string) (qu Question, ok bool, err error) {
	err = q.db.QueryRow(ctx, stmt("QuestionAnsweredBy"), messageID).Scan(&qu.ID, &qu.EnrollmentID, &qu.PatientID, &qu.WorkflowID)
	if errors.Is(err, pgx.ErrNoRows) {
		return qu, false, nil
	}
	if err != nil {
		return qu, false, fmt.Errorf("find answered question: %w", err)
	}
	return qu, true, nil
}
