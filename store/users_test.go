package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

func TestUsersEmailIsUniqueInAnyCaseAndLockoutCounts(t *testing.T) {
	ctx := context.Background()
	tx := testenv.Tx(t)
	q := store.NewQueries(tx)
	u, err := q.UserInsert(ctx, "Ada@Example.org", "Ada", carepath.RoleCareTeam, "$argon2id$x")
	if err != nil {
		t.Fatal(err)
	}
	sp, err := tx.Begin(ctx) // a savepoint: the failed insert aborts only it
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.NewQueries(sp).UserInsert(ctx, "ada@example.ORG", "Ada 2", carepath.RoleAdmin, "$argon2id$y")
	if rerr := sp.Rollback(ctx); rerr != nil {
		t.Fatal(rerr)
	}
	var e *carepath.Error
	if carepath.ErrorCode(err) != carepath.ECONFLICT || !errors.As(err, &e) || e.Field != "email" {
		t.Fatalf("duplicate email in another case: %v", err)
	}
	c, err := q.UserCredentials(ctx, "ADA@example.org")
	if err != nil || c.ID != u.ID || c.PasswordHash != "$argon2id$x" || c.Locked || c.FailedAttempts != 0 {
		t.Fatalf("credentials: %+v %v", c, err)
	}
	for i := 1; i <= 4; i++ {
		if err := q.UserLoginFailed(ctx, u.ID, 5, 15*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if c, _ = q.UserCredentials(ctx, u.Email); c.Locked || c.FailedAttempts != 4 {
		t.Fatalf("after 4 failures: locked %v attempts %d", c.Locked, c.FailedAttempts)
	}
	if err := q.UserLoginFailed(ctx, u.ID, 5, 15*time.Minute); err != nil {
		t.Fatal(err)
	}
	if c, _ = q.UserCredentials(ctx, u.Email); !c.Locked || c.LockedUntil == nil {
		t.Fatalf("after 5 failures: %+v", c)
	}
	pw := "$argon2id$new"
	if _, err := q.UserUpdate(ctx, u.ID, nil, nil, &pw); err != nil {
		t.Fatal(err)
	}
	if c, _ = q.UserCredentials(ctx, u.Email); c.Locked || c.FailedAttempts != 0 || c.PasswordHash != pw {
		t.Fatalf("a password reset must clear the lock: %+v", c)
	}
}

func TestSessionsSlideAndExpire(t *testing.T) {
	ctx := context.Background()
	tx := testenv.Tx(t)
	q := store.NewQueries(tx)
	u, err := q.UserInsert(ctx, "grace@example.org", "Grace", carepath.RoleReadOnly, "$argon2id$x")
	if err != nil {
		t.Fatal(err)
	}
	token, err := store.NewSessionToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := q.SessionInsert(ctx, token, u.ID, "csrf"); err != nil {
		t.Fatal(err)
	}
	var stored int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE token_hash = convert_to($1, 'UTF8')`, token).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("the raw token is stored: %d %v", stored, err)
	}
	got, csrf, err := q.SessionTouch(ctx, token, 30*time.Minute, 12*time.Hour)
	if err != nil || got.ID != u.ID || got.Role != carepath.RoleReadOnly || csrf != "csrf" {
		t.Fatalf("touch: %+v %q %v", got, csrf, err)
	}
	// 29 idle minutes: alive, and the touch slides it forward.
	if _, err := tx.Exec(ctx, `UPDATE sessions SET last_seen_at = now() - interval '29 minutes'`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.SessionTouch(ctx, token, 30*time.Minute, 12*time.Hour); err != nil {
		t.Fatalf("29 minutes idle: %v", err)
	}
	// Active all along but 12 hours old: ended.
	if _, err := tx.Exec(ctx, `UPDATE sessions SET created_at = now() - interval '12 hours 1 minute'`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.SessionTouch(ctx, token, 30*time.Minute, 12*time.Hour); carepath.ErrorCode(err) != carepath.ENOTFOUND {
		t.Fatalf("past the 12-hour cap: %v", err)
	}
	// Young but 31 idle minutes: ended.
	if _, err := tx.Exec(ctx, `UPDATE sessions SET created_at = now(), last_seen_at = now() - interval '31 minutes'`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.SessionTouch(ctx, token, 30*time.Minute, 12*time.Hour); carepath.ErrorCode(err) != carepath.ENOTFOUND {
		t.Fatalf("31 minutes idle: %v", err)
	}
	// A deactivated user's fresh session does not authenticate.
	if _, err := tx.Exec(ctx, `UPDATE sessions SET last_seen_at = now()`); err != nil {
		t.Fatal(err)
	}
	off := false
	if _, err := q.UserUpdate(ctx, u.ID, nil, &off, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.SessionTouch(ctx, token, 30*time.Minute, 12*time.Hour); carepath.ErrorCode(err) != carepath.ENOTFOUND {
		t.Fatalf("deactivated user: %v", err)
	}
}
