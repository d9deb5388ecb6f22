package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath/answers"
)

// Question is an open question a reply may answer.
type Question struct {
	ID           string
	EnrollmentID string
	PatientID    string
	WorkflowID   string
	Key          string
	Accepts      answers.Spec
}

// QuestionOpen opens (or re-opens, for a reminder) a question (pipelined).
func (q *Queries) QuestionOpen(ctx context.Context, qu Question) error {
	choices, err := json.Marshal(qu.Accepts)
	if err != nil {
		return fmt.Errorf("encode choices: %w", err)
	}
	return q.execLater(ctx, "open question", stmt("QuestionOpen"), qu.ID, qu.EnrollmentID, qu.PatientID, qu.WorkflowID, qu.Key, choices)
}

// QuestionsOpen locks and returns the open questions of any of the
// patients, newest first (at most 20).
func (q *Queries) QuestionsOpen(ctx context.Context, patientIDs []string) ([]Question, error) {
	rows, err := q.db.Query(ctx, stmt("QuestionsOpenByPatients"), patientIDs)
	if err != nil {
		return nil, fmt.Errorf("find open questions: %w", err)
	}
	defer rows.Close()
	var out []Question
	for rows.Next() {
		var qu Question
		var accepts []byte
		if err := rows.Scan(&qu.ID, &qu.EnrollmentID, &qu.PatientID, &qu.WorkflowID, &accepts); err != nil {
			return nil, fmt.Errorf("scan open question: %w", err)
		}
		if err := json.Unmarshal(accepts, &qu.Accepts); err != nil {
			// Rows from before choices were recorded hold a plain list:
			// such a question accepts any text.
			qu.Accepts = answers.Spec{}
		}
		out = append(out, qu)
	}
	return out, wrapErr("find open questions", rows.Err())
}

// QuestionAnswer marks a question answered by an inbound message
// (pipelined: in a transaction it goes with the next statement).
func (q *Queries) QuestionAnswer(ctx context.Context, id, messageID string) error {
	return q.execLater(ctx, "answer question", stmt("QuestionAnswer"), id, messageID)
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
