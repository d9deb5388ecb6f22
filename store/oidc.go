package store

import (
	"context"
	"time"
)

// OIDCState is a single sign-on under way, as the callback needs it.
type OIDCState struct {
	BindingHash  []byte // SHA-256 of the browser-binding cookie
	Nonce        string
	CodeVerifier string
	ReturnTo     string
	Live         bool // not expired (database clock)
}

// OIDCStateInsert stores a sign-on's state (by its hash) for ttl; binding
// is the browser cookie's value, stored hashed too.
func (q *Queries) OIDCStateInsert(ctx context.Context, state, binding, nonce, verifier, returnTo string, ttl time.Duration) error {
	_, err := q.db.Exec(ctx, stmt("OIDCStateInsert"), hashKey(state), hashKey(binding), nonce, verifier, returnTo, ttl)
	return wrapErr("insert oidc state", err)
}

// OIDCStateTake consumes a state: a second take answers ENOTFOUND.
func (q *Queries) OIDCStateTake(ctx context.Context, state string) (OIDCState, error) {
	var s OIDCState
	err := q.db.QueryRow(ctx, stmt("OIDCStateTake"), hashKey(state)).Scan(&s.BindingHash, &s.Nonce, &s.CodeVerifier, &s.ReturnTo, &s.Live)
	return s, wrapErr("take oidc state", notFound(err, "oidc state"))
}

// OIDCStateSweep deletes expired states.
func (q *Queries) OIDCStateSweep(ctx context.Context) error {
	_, err := q.db.Exec(ctx, stmt("OIDCStateSweep"))
	return wrapErr("sweep oidc states", err)
}

// OIDCBindingHash hashes a binding cookie as OIDCStateInsert stored it.
func OIDCBindingHash(binding string) []byte { return hashKey(binding) }

// UserByEmail returns the user with this email (any case), or ENOTFOUND.
func (q *Queries) UserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	err := scanUser(q.db.QueryRow(ctx, stmt("UserByEmail"), email), &u)
	return u, wrapErr("user by email", notFound(err, "user"))
}
