package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath"
)

// Unstarted workflows: an enrollment or bulk launch is written before its
// workflow is started, so a start that failed leaves a row no workflow
// serves. These queries let a reconciler find such rows (one at a time,
// locked until its transaction ends) and settle them.

// EnrollmentUnstartedClaim locks the oldest active enrollment created more
// than grace ago (parentGrace for one a parent journey starts) whose
// workflow is not known to run and whose retry is due. ok is false when
// there is none. Call it inside a transaction.
func (q *Queries) EnrollmentUnstartedClaim(ctx context.Context, grace, parentGrace time.Duration) (e carepath.Enrollment, attempts int, ok bool, err error) {
	row := q.db.QueryRow(ctx, stmt("EnrollmentUnstartedClaim"), grace.Seconds(), parentGrace.Seconds())
	e, err = scanEnrollment(scanExtra{row, &attempts})
	if errors.Is(err, pgx.ErrNoRows) {
		return e, 0, false, nil
	}
	return e, attempts, err == nil, wrapErr("claim unstarted enrollment", err)
}

// EnrollmentStarted records that an enrollment's workflow exists.
func (q *Queries) EnrollmentStarted(ctx context.Context, id string) error {
	_, err := q.db.Exec(ctx, stmt("EnrollmentStarted"), id)
	return wrapErr("mark enrollment started", err)
}

// EnrollmentStartFailed counts a failed start and defers the next try by
// retryAfter; it returns the attempts so far.
func (q *Queries) EnrollmentStartFailed(ctx context.Context, id string, retryAfter time.Duration) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, stmt("EnrollmentStartFailed"), id, retryAfter.Seconds()).Scan(&n)
	return n, wrapErr("record failed enrollment start", err)
}

// BatchJobUnstartedClaim is EnrollmentUnstartedClaim for running bulk launches.
func (q *Queries) BatchJobUnstartedClaim(ctx context.Context, grace time.Duration) (id string, attempts int, ok bool, err error) {
	err = q.db.QueryRow(ctx, stmt("BatchJobUnstartedClaim"), grace.Seconds()).Scan(&id, &attempts)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, false, nil
	}
	return id, attempts, err == nil, wrapErr("claim unstarted batch job", err)
}

// BatchJobStarted records that a bulk launch's workflow exists.
func (q *Queries) BatchJobStarted(ctx context.Context, id string) error {
	_, err := q.db.Exec(ctx, stmt("BatchJobStarted"), id)
	return wrapErr("mark batch job started", err)
}

// BatchJobStartFailed counts a failed start and defers the next try.
func (q *Queries) BatchJobStartFailed(ctx context.Context, id string, retryAfter time.Duration) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, stmt("BatchJobStartFailed"), id, retryAfter.Seconds()).Scan(&n)
	return n, wrapErr("record failed batch job start", err)
}

// BatchJobFail ends a running bulk launch as failed; reason carries no PHI.
func (q *Queries) BatchJobFail(ctx context.Context, id, reason string) error {
	_, err := q.db.Exec(ctx, stmt("BatchJobFail"), id, reason)
	return wrapErr("fail batch job", err)
}

// scanExtra reads an enrollment row followed by one more column.
type scanExtra struct {
	row   pgx.Row
	extra any
}

func (s scanExtra) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra)...) }
