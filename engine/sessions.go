package engine

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// Session limits (issue 13): idle 30 minutes, sliding, never past 12 hours;
// five wrong passwords lock the account for 15 minutes.
const (
	SessionIdle     = 30 * time.Minute
	SessionMaxAge   = 12 * time.Hour
	MaxFailedLogins = 5
	LockoutFor      = 15 * time.Minute
)

// Session is a signed-in person: Token goes in the cookie (never stored),
// CSRFToken must come back in X-CSRF-Token on every unsafe request.
type Session struct {
	User      store.User `json:"user"`
	CSRFToken string     `json:"csrf_token"`
	Token     string     `json:"-"`
	// MFAToken, when set, means the password was right but the person has a
	// second factor: no session is open yet (Token is empty) until
	// CompleteTOTPSignIn gets this token and a right code.
	MFAToken string `json:"-"`
}

// errWrongCredentials is the one answer for an unknown email, a wrong
// password and a deactivated account, so sign-in reveals no accounts.
var errWrongCredentials = carepath.Errorf(carepath.EUNAUTHORIZED, "email or password is wrong")

// dummyHash keeps an unknown email as slow as a wrong password.
var dummyHash = func() string {
	h, err := hashPassword("carepath-timing-equaliser")
	if err != nil {
		panic(err)
	}
	return h
}()

// UserActor is a signed-in person as the audit trail names them.
func UserActor(userID, requestID string) carepath.Actor {
	return carepath.Actor{Kind: carepath.ActorUser, ID: userID, RequestID: requestID}
}

// SignIn checks an email and password and opens a session, or, for a
// person with TOTP on, answers a Session with only MFAToken set.
func (e *Engine) SignIn(ctx context.Context, email, password, requestID string) (Session, error) {
	if email == "" {
		return Session{}, carepath.Invalid("email", "is required")
	}
	if password == "" {
		return Session{}, carepath.Invalid("password", "is required")
	}
	creds, err := e.Store.UserCredentials(ctx, email)
	if carepath.ErrorCode(err) == carepath.ENOTFOUND {
		checkPassword(dummyHash, password)
		return Session{}, errWrongCredentials
	}
	if err != nil {
		return Session{}, err
	}
	a := UserActor(creds.ID, requestID)
	if creds.Locked {
		// Checked before the password: a locked account answers the same to
		// a right and a wrong one, so guessing goes nowhere meanwhile.
		if err := e.AuditDenied(ctx, a, "session.create", "user/"+creds.ID); err != nil {
			return Session{}, err
		}
		return Session{}, carepath.Errorf(carepath.EUNAUTHORIZED,
			"the account is locked after %d wrong passwords; try again in %d minutes", MaxFailedLogins, int(LockoutFor.Minutes()))
	}
	if !checkPassword(creds.PasswordHash, password) || !creds.Active {
		if err := e.Store.UserLoginFailed(ctx, creds.ID, MaxFailedLogins, LockoutFor); err != nil {
			return Session{}, err
		}
		if err := e.AuditDenied(ctx, a, "session.create", "user/"+creds.ID); err != nil {
			return Session{}, err
		}
		return Session{}, errWrongCredentials
	}
	if mfa, err := e.Store.TOTPActive(ctx, creds.ID); err != nil {
		return Session{}, err
	} else if mfa {
		// The failure count is not cleared yet: a wrong code counts toward
		// the same lockout, and a right password must not reset it.
		return e.mfaChallenge(ctx, a, creds.User)
	}
	return e.openSession(ctx, creds.User, a, "session.create", func(q *store.Queries) error {
		return q.UserLoginSucceeded(ctx, creds.ID)
	})
}

// newCSRFToken is a session's random CSRF token.
func newCSRFToken() (string, error) {
	csrf := make([]byte, 32)
	if _, err := rand.Read(csrf); err != nil {
		return "", fmt.Errorf("generate csrf token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(csrf), nil
}

// openSession opens a session for a user who has proved who they are and
// audits action; also runs in the same transaction (clearing the failure
// count, consuming what the proof used), if not nil.
func (e *Engine) openSession(ctx context.Context, u store.User, a carepath.Actor, action string, also func(*store.Queries) error) (Session, error) {
	token, err := store.NewSessionToken()
	if err != nil {
		return Session{}, err
	}
	csrf, err := newCSRFToken()
	if err != nil {
		return Session{}, err
	}
	s := Session{User: u, Token: token, CSRFToken: csrf}
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		if also != nil {
			if err := also(q); err != nil {
				return err
			}
		}
		if err := q.SessionInsert(ctx, token, u.ID, s.CSRFToken); err != nil {
			return err
		}
		return audit(ctx, q, a, action, "", "user/"+u.ID)
	})
	return s, err
}

// SessionUser returns the session's user and CSRF token and extends its idle
// deadline; EUNAUTHORIZED when it is unknown, expired or its user inactive.
func (e *Engine) SessionUser(ctx context.Context, token string) (Session, error) {
	u, csrf, err := e.Store.SessionTouch(ctx, token, SessionIdle, SessionMaxAge)
	if carepath.ErrorCode(err) == carepath.ENOTFOUND {
		return Session{}, carepath.Errorf(carepath.EUNAUTHORIZED, "the session has ended; sign in again")
	}
	if err != nil {
		return Session{}, err
	}
	return Session{User: u, CSRFToken: csrf, Token: token}, nil
}

// SignOut ends a session.
func (e *Engine) SignOut(ctx context.Context, a carepath.Actor, token string) error {
	return e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := q.SessionDelete(ctx, token); err != nil {
			return err
		}
		return audit(ctx, q, a, "session.delete", "", "user/"+a.ID)
	})
}
