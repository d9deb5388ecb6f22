package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"
)

// NewSessionToken returns a random 32-byte token, URL-safe: the cookie holds
// it, the database only its SHA-256.
func NewSessionToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// SessionInsert stores a session by its token's hash.
func (q *Queries) SessionInsert(ctx context.Context, token, userID, csrf string) error {
	_, err := q.db.Exec(ctx, stmt("SessionInsert"), hashKey(token), userID, csrf)
	return wrapErr("insert session", err)
}

// SessionTouch returns the session's user and CSRF token and slides its idle
// deadline, or ENOTFOUND when the token is unknown, idle longer than idle,
// older than maxAge, or its user is deactivated.
func (q *Queries) SessionTouch(ctx context.Context, token string, idle, maxAge time.Duration) (User, string, error) {
	var u User
	var csrf string
	err := scanUser(q.db.QueryRow(ctx, stmt("SessionTouch"), hashKey(token), idle, maxAge), &u, &csrf)
	return u, csrf, wrapErr("touch session", notFound(err, "session"))
}

// SessionDelete ends a session (sign-out); unknown tokens are a no-op.
func (q *Queries) SessionDelete(ctx context.Context, token string) error {
	_, err := q.db.Exec(ctx, stmt("SessionDelete"), hashKey(token))
	return wrapErr("delete session", err)
}

// SessionDeleteForUser ends all of a user's sessions.
func (q *Queries) SessionDeleteForUser(ctx context.Context, userID string) error {
	_, err := q.db.Exec(ctx, stmt("SessionDeleteForUser"), userID)
	return wrapErr("delete user sessions", err)
}
