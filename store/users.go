package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/carepath/carepath"
)

// User is a person who signs in; never their password hash.
type User struct {
	ID        string        `json:"id"`
	Email     string        `json:"email"`
	Name      string        `json:"name"`
	Role      carepath.Role `json:"role"`
	Active    bool          `json:"active"`
	CreatedAt time.Time     `json:"created_at"`
}

// UserCredentials is what sign-in checks: kept out of User so the hash can
// never be encoded into a response.
type UserCredentials struct {
	User
	PasswordHash   string
	FailedAttempts int
	LockedUntil    *time.Time
	Locked         bool // locked_until is in the future (database clock)
}

func scanUser(row interface{ Scan(...any) error }, u *User, extra ...any) error {
	return row.Scan(append([]any{&u.ID, &u.Email, &u.Name, &u.Role, &u.Active, &u.CreatedAt}, extra...)...)
}

// UserInsert stores a new user; ECONFLICT if the email is taken (any case).
func (q *Queries) UserInsert(ctx context.Context, email, name string, role carepath.Role, passwordHash string) (User, error) {
	var u User
	err := scanUser(q.db.QueryRow(ctx, stmt("UserInsert"), uuid.NewString(), email, name, role, passwordHash), &u)
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" {
		return User{}, &carepath.Error{Code: carepath.ECONFLICT, Field: "email", Message: "a user with this email exists"}
	}
	return u, wrapErr("insert user", err)
}

// UserGet returns a user or ENOTFOUND.
func (q *Queries) UserGet(ctx context.Context, id string) (User, error) {
	var u User
	err := scanUser(q.db.QueryRow(ctx, stmt("UserGet"), id), &u)
	return u, wrapErr("get user", notFound(err, "user"))
}

// UserList lists users, oldest first.
func (q *Queries) UserList(ctx context.Context, limit int) ([]User, error) {
	rows, err := q.db.Query(ctx, stmt("UserList"), limit)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		var u User
		if err := scanUser(rows, &u); err != nil {
			return nil, fmt.Errorf("scan user: %w", err)
		}
		out = append(out, u)
	}
	return out, wrapErr("list users", rows.Err())
}

// UserUpdate changes the non-nil fields; a new password hash also clears a
// lockout. ENOTFOUND if there is no such user.
func (q *Queries) UserUpdate(ctx context.Context, id string, role *carepath.Role, active *bool, passwordHash *string) (User, error) {
	var u User
	err := scanUser(q.db.QueryRow(ctx, stmt("UserUpdate"), id, role, active, passwordHash), &u)
	return u, wrapErr("update user", notFound(err, "user"))
}

// UserCredentials returns the user with this email (any case) and what
// sign-in checks, or ENOTFOUND.
func (q *Queries) UserCredentials(ctx context.Context, email string) (UserCredentials, error) {
	var c UserCredentials
	var locked *bool
	err := scanUser(q.db.QueryRow(ctx, stmt("UserCredentials"), email), &c.User, &c.PasswordHash, &c.FailedAttempts, &c.LockedUntil, &locked)
	c.Locked = locked != nil && *locked
	return c, wrapErr("user credentials", notFound(err, "user"))
}

// UserLoginFailed counts a wrong password; the maxAttempts-th locks the
// account for lockFor.
func (q *Queries) UserLoginFailed(ctx context.Context, id string, maxAttempts int, lockFor time.Duration) error {
	_, err := q.db.Exec(ctx, stmt("UserLoginFailed"), id, maxAttempts, lockFor)
	return wrapErr("count failed sign-in", err)
}

// UserLoginSucceeded clears the failure count and any expired lock.
func (q *Queries) UserLoginSucceeded(ctx context.Context, id string) error {
	_, err := q.db.Exec(ctx, stmt("UserLoginSucceeded"), id)
	return wrapErr("record sign-in", err)
}

// UserByEmailExists reports whether an email (any case) has a user.
func (q *Queries) UserByEmailExists(ctx context.Context, email string) (bool, error) {
	var ok bool
	err := q.db.QueryRow(ctx, stmt("UserByEmailExists"), email).Scan(&ok)
	return ok, wrapErr("user exists", err)
}
