package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// TOTP is a person's second factor as stored: Secret is base32.
type TOTP struct {
	Secret   string
	Active   bool
	LastStep int64
}

// TOTPEnrol stores a pending secret for the user, replacing a pending one.
// ECONFLICT-free: it reports false when an active secret is in place.
func (q *Queries) TOTPEnrol(ctx context.Context, userID, secret string) (bool, error) {
	var id string
	err := q.db.QueryRow(ctx, stmt("TOTPEnrol"), userID, secret).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, wrapErr("enrol totp", err)
}

// TOTPGet returns the user's secret, or ENOTFOUND when they have none.
func (q *Queries) TOTPGet(ctx context.Context, userID string) (TOTP, error) {
	var t TOTP
	err := q.db.QueryRow(ctx, stmt("TOTPGet"), userID).Scan(&t.Secret, &t.Active, &t.LastStep)
	return t, wrapErr("get totp", notFound(err, "totp"))
}

// TOTPUse records step as used (and activates a pending secret) if it is
// newer than the last one and the secret is still the one checked; false
// means the code was used already or the secret changed meanwhile.
func (q *Queries) TOTPUse(ctx context.Context, userID, secret string, step int64) (bool, error) {
	var id string
	err := q.db.QueryRow(ctx, stmt("TOTPUse"), userID, step, secret).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, wrapErr("use totp", err)
}

// TOTPDelete removes the user's secret, active or pending.
func (q *Queries) TOTPDelete(ctx context.Context, userID string) error {
	_, err := q.db.Exec(ctx, stmt("TOTPDelete"), userID)
	return wrapErr("delete totp", err)
}

// TOTPActive reports whether the user signs in with a second factor.
func (q *Queries) TOTPActive(ctx context.Context, userID string) (bool, error) {
	var ok bool
	err := q.db.QueryRow(ctx, stmt("TOTPActive"), userID).Scan(&ok)
	return ok, wrapErr("totp active", err)
}

// MFAChallengeInsert stores a sign-in waiting for its code, by the token's
// hash, live for ttl.
func (q *Queries) MFAChallengeInsert(ctx context.Context, token, userID string, ttl time.Duration) error {
	_, err := q.db.Exec(ctx, stmt("MFAChallengeInsert"), hashKey(token), userID, ttl)
	return wrapErr("insert mfa challenge", err)
}

// MFAChallengeUser returns the user a live challenge is for, or ENOTFOUND.
func (q *Queries) MFAChallengeUser(ctx context.Context, token string) (string, error) {
	var id string
	err := q.db.QueryRow(ctx, stmt("MFAChallengeUser"), hashKey(token)).Scan(&id)
	return id, wrapErr("mfa challenge", notFound(err, "mfa challenge"))
}

// MFAChallengeDelete consumes a challenge (and sweeps expired ones).
func (q *Queries) MFAChallengeDelete(ctx context.Context, token string) error {
	_, err := q.db.Exec(ctx, stmt("MFAChallengeDelete"), hashKey(token))
	return wrapErr("delete mfa challenge", err)
}

// MFAChallengeDeleteForUser drops every pending challenge of a user (their
// second factor changed).
func (q *Queries) MFAChallengeDeleteForUser(ctx context.Context, userID string) error {
	_, err := q.db.Exec(ctx, stmt("MFAChallengeDeleteForUser"), userID)
	return wrapErr("delete mfa challenges", err)
}
