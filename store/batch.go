package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// BatchJob is a bulk launch of one journey for many patients.
type BatchJob struct {
	ID          string          `json:"id"`
	Journey     string          `json:"journey"`
	Params      json.RawMessage `json:"params"`
	Segment     json.RawMessage `json:"segment,omitempty"` // the filter the patients came from, if any
	Status      string          `json:"status"`            // running, completed or failed
	Failure     string          `json:"failure,omitempty"` // why a failed job's launcher never ran
	CreatedAt   time.Time       `json:"created_at"`
	CompletedAt *time.Time      `json:"completed_at,omitempty"`
	Counts      map[string]int  `json:"counts"` // pending, launched, skipped, failed
	Problems    []BatchProblem  `json:"problems,omitempty"`
}

// BatchProblem is a patient the job skipped or failed to launch, and why.
type BatchProblem struct {
	PatientID string `json:"patient_id"`
	Status    string `json:"status"`
	Reason    string `json:"reason"`
}

// BatchJobInsert records a job and its patients, all pending.
// segment is the filter that chose them (nil for an explicit list).
func (q *Queries) BatchJobInsert(ctx context.Context, id, journey string, params, segment json.RawMessage, actor string, patientIDs []string) error {
	var created time.Time
	if err := q.db.QueryRow(ctx, stmt("BatchJobInsert"), id, journey, params, actor, segment).Scan(&created); err != nil {
		return fmt.Errorf("insert batch job: %w", err)
	}
	_, err := q.db.Exec(ctx, stmt("BatchItemsInsert"), id, patientIDs)
	return wrapErr("insert batch items", err)
}

// BatchJobGet returns a job with its progress and up to 100 problems.
func (q *Queries) BatchJobGet(ctx context.Context, id string) (BatchJob, error) {
	var j BatchJob
	err := q.db.QueryRow(ctx, stmt("BatchJobGet"), id).Scan(&j.ID, &j.Journey, &j.Params, &j.Status, &j.CreatedAt, &j.CompletedAt, &j.Segment, &j.Failure)
	if err != nil {
		return j, wrapErr("get batch job", notFound(err, "batch job"))
	}
	j.Counts = map[string]int{"pending": 0, "launched": 0, "skipped": 0, "failed": 0}
	rows, err := q.db.Query(ctx, stmt("BatchCounts"), id)
	if err != nil {
		return j, fmt.Errorf("batch counts: %w", err)
	}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			rows.Close()
			return j, fmt.Errorf("batch counts: %w", err)
		}
		j.Counts[s] = n
	}
	rows.Close()
	rows, err = q.db.Query(ctx, stmt("BatchSkipped"), id, 100)
	if err != nil {
		return j, fmt.Errorf("batch problems: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p BatchProblem
		if err := rows.Scan(&p.PatientID, &p.Status, &p.Reason); err != nil {
			return j, fmt.Errorf("batch problems: %w", err)
		}
		j.Problems = append(j.Problems, p)
	}
	return j, wrapErr("batch problems", rows.Err())
}

// BatchPending returns up to limit patients still to launch.
func (q *Queries) BatchPending(ctx context.Context, jobID string, limit int) ([]string, error) {
	ids, err := collectStrings(ctx, q.db, stmt("BatchPending"), jobID, limit)
	return ids, wrapErr("batch pending", err)
}

// BatchPendingAfter returns up to limit patients still to launch after
// patient after (BatchPending's order): the next page while the page
// before is still being launched and so still pending.
func (q *Queries) BatchPendingAfter(ctx context.Context, jobID, after string, limit int) ([]string, error) {
	ids, err := collectStrings(ctx, q.db, stmt("BatchPendingAfter"), jobID, limit, after)
	return ids, wrapErr("batch pending", err)
}

// BatchItem is how one patient of a job went.
type BatchItem struct {
	PatientID    string
	Status       string // launched, skipped or failed
	Reason       string
	EnrollmentID string // "" when none was launched
}

// BatchItemsDone records patients' results in one statement.
func (q *Queries) BatchItemsDone(ctx context.Context, jobID string, items []BatchItem) error {
	if len(items) == 0 {
		return nil
	}
	pids, statuses, reasons, enrs := make([]string, len(items)), make([]string, len(items)), make([]string, len(items)), make([]string, len(items))
	for i, it := range items {
		pids[i], statuses[i], reasons[i], enrs[i] = it.PatientID, it.Status, it.Reason, it.EnrollmentID
	}
	_, err := q.db.Exec(ctx, stmt("BatchItemsDone"), jobID, pids, statuses, reasons, enrs)
	return wrapErr("batch items", err)
}

// BatchJobComplete marks a job finished.
func (q *Queries) BatchJobComplete(ctx context.Context, id string) error {
	_, err := q.db.Exec(ctx, stmt("BatchJobComplete"), id)
	return wrapErr("complete batch job", err)
}
