package engine

import (
	"context"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/totp"
	"github.com/carepath/carepath/store"
)

// MFAChallengeTTL is how long the step between a right password and the
// code may take.
const MFAChallengeTTL = 5 * time.Minute

// totpIssuer names carepath in authenticator apps.
const totpIssuer = "carepath"

// TOTPEnrolment is a pending second factor: the secret to type into an
// authenticator app, or the otpauth URI to show as a QR code. It is off
// until ConfirmTOTP gets a right code.
type TOTPEnrolment struct {
	Secret     string `json:"secret"`
	OTPAuthURI string `json:"otpauth_uri"`
}

// errWrongCode answers every refused code at sign-in alike.
var errWrongCode = &carepath.Error{Code: carepath.EUNAUTHORIZED, Field: "code", Message: "the code is wrong or was used already"}

// EnrolTOTP starts (or restarts) a person's TOTP set-up; ECONFLICT when
// theirs is already on.
func (e *Engine) EnrolTOTP(ctx context.Context, a carepath.Actor, u store.User) (TOTPEnrolment, error) {
	secret, err := totp.NewSecret()
	if err != nil {
		return TOTPEnrolment{}, err
	}
	var ok bool
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		if ok, err = q.TOTPEnrol(ctx, u.ID, secret); err != nil || !ok {
			return err
		}
		return audit(ctx, q, a, "user.totp_enrol", "", "user/"+u.ID)
	})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	if !ok {
		return TOTPEnrolment{}, carepath.Errorf(carepath.ECONFLICT, "a second factor is already on; remove it first")
	}
	return TOTPEnrolment{Secret: secret, OTPAuthURI: totp.URI(secret, totpIssuer, u.Email)}, nil
}

// ConfirmTOTP turns a pending second factor on with a first right code.
func (e *Engine) ConfirmTOTP(ctx context.Context, a carepath.Actor, u store.User, code string) error {
	t, err := e.Store.TOTPGet(ctx, u.ID)
	if carepath.ErrorCode(err) == carepath.ENOTFOUND {
		return carepath.Errorf(carepath.ECONFLICT, "no second factor is being set up; start with POST /v1/users/me/totp")
	}
	if err != nil {
		return err
	}
	if t.Active {
		return carepath.Errorf(carepath.ECONFLICT, "the second factor is already on")
	}
	step, ok := totp.Verify(t.Secret, code, time.Now(), t.LastStep)
	if !ok {
		return carepath.Invalid("code", "is wrong; check the authenticator app's clock and try the current code")
	}
	return e.Store.Tx(ctx, func(q *store.Queries) error {
		used, err := q.TOTPUse(ctx, u.ID, t.Secret, step)
		if err != nil {
			return err
		}
		if !used {
			return carepath.Invalid("code", "was used already or the set-up restarted")
		}
		return audit(ctx, q, a, "user.totp_enable", "", "user/"+u.ID)
	})
}

// DisableTOTP removes a person's own second factor; an active one needs a
// right code (a borrowed session cannot remove it), and wrong codes count
// toward the lockout.
func (e *Engine) DisableTOTP(ctx context.Context, a carepath.Actor, u store.User, code string) error {
	t, err := e.Store.TOTPGet(ctx, u.ID)
	if carepath.ErrorCode(err) == carepath.ENOTFOUND {
		return carepath.NotFound("second factor")
	}
	if err != nil {
		return err
	}
	if t.Active {
		if code == "" {
			return carepath.Invalid("code", "is required")
		}
		creds, err := e.Store.UserCredentials(ctx, u.Email)
		if err != nil {
			return err
		}
		if creds.Locked {
			return carepath.Errorf(carepath.EFORBIDDEN, "the account is locked after %d wrong attempts; try again in %d minutes", MaxFailedLogins, int(LockoutFor.Minutes()))
		}
		step, ok := totp.Verify(t.Secret, code, time.Now(), t.LastStep)
		if ok {
			ok, err = e.Store.TOTPUse(ctx, u.ID, t.Secret, step)
			if err != nil {
				return err
			}
		}
		if !ok {
			if err := e.Store.UserLoginFailed(ctx, u.ID, MaxFailedLogins, LockoutFor); err != nil {
				return err
			}
			return carepath.Invalid("code", "is wrong or was used already")
		}
	}
	return e.clearTOTP(ctx, a, u.ID, t.Active)
}

// ResetTOTP is an admin removing a person's second factor (a lost phone).
func (e *Engine) ResetTOTP(ctx context.Context, a carepath.Actor, userID string) error {
	if err := validID(userID, "user"); err != nil {
		return err
	}
	if _, err := e.Store.UserGet(ctx, userID); err != nil {
		return err
	}
	return e.clearTOTP(ctx, a, userID, true)
}

func (e *Engine) clearTOTP(ctx context.Context, a carepath.Actor, userID string, wasActive bool) error {
	return e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := q.TOTPDelete(ctx, userID); err != nil {
			return err
		}
		if err := q.MFAChallengeDeleteForUser(ctx, userID); err != nil {
			return err
		}
		if !wasActive {
			return nil // a set-up abandoned: nothing was ever on
		}
		return audit(ctx, q, a, "user.totp_disable", "", "user/"+userID)
	})
}

// TOTPStatus reports whether a person's second factor is on.
func (e *Engine) TOTPStatus(ctx context.Context, userID string) (bool, error) {
	return e.Store.TOTPActive(ctx, userID)
}

// mfaChallenge answers a right password of a TOTP user with a short-lived
// token for CompleteTOTPSignIn.
func (e *Engine) mfaChallenge(ctx context.Context, a carepath.Actor, u store.User) (Session, error) {
	token, err := store.NewSessionToken()
	if err != nil {
		return Session{}, err
	}
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := q.MFAChallengeInsert(ctx, token, u.ID, MFAChallengeTTL); err != nil {
			return err
		}
		return audit(ctx, q, a, "session.mfa_challenge", "", "user/"+u.ID)
	})
	return Session{MFAToken: token}, err
}

// CompleteTOTPSignIn opens the session a right password started, given a
// right code. Wrong codes count toward the password lockout; the token
// stays usable (until it expires or the account locks) so a mistyped code
// does not mean typing the password again.
func (e *Engine) CompleteTOTPSignIn(ctx context.Context, mfaToken, code, requestID string) (Session, error) {
	if mfaToken == "" {
		return Session{}, carepath.Invalid("mfa_token", "is required")
	}
	if code == "" {
		return Session{}, carepath.Invalid("code", "is required")
	}
	userID, err := e.Store.MFAChallengeUser(ctx, mfaToken)
	if carepath.ErrorCode(err) == carepath.ENOTFOUND {
		return Session{}, carepath.Errorf(carepath.EUNAUTHORIZED, "the sign-in has expired; enter your email and password again")
	}
	if err != nil {
		return Session{}, err
	}
	u, err := e.Store.UserGet(ctx, userID)
	if err != nil {
		return Session{}, err
	}
	creds, err := e.Store.UserCredentials(ctx, u.Email)
	if err != nil {
		return Session{}, err
	}
	a := UserActor(userID, requestID)
	if creds.Locked || !creds.Active {
		if err := e.Store.MFAChallengeDelete(ctx, mfaToken); err != nil {
			return Session{}, err
		}
		if err := e.AuditDenied(ctx, a, "session.create_mfa", "user/"+userID); err != nil {
			return Session{}, err
		}
		if !creds.Active {
			return Session{}, errWrongCredentials
		}
		return Session{}, carepath.Errorf(carepath.EUNAUTHORIZED,
			"the account is locked after %d wrong attempts; try again in %d minutes", MaxFailedLogins, int(LockoutFor.Minutes()))
	}
	t, err := e.Store.TOTPGet(ctx, userID)
	if err != nil && carepath.ErrorCode(err) != carepath.ENOTFOUND {
		return Session{}, err
	}
	step, ok := int64(0), false
	if err == nil && t.Active {
		step, ok = totp.Verify(t.Secret, code, time.Now(), t.LastStep)
	}
	if ok {
		s, err := e.openSession(ctx, u, a, "session.create_mfa", func(q *store.Queries) error {
			used, err := q.TOTPUse(ctx, userID, t.Secret, step)
			if err != nil {
				return err
			}
			if !used {
				return errWrongCode // raced with another use of the same code
			}
			if err := q.MFAChallengeDelete(ctx, mfaToken); err != nil {
				return err
			}
			return q.UserLoginSucceeded(ctx, userID)
		})
		if carepath.ErrorCode(err) != carepath.EUNAUTHORIZED {
			return s, err
		}
	}
	if err := e.Store.UserLoginFailed(ctx, userID, MaxFailedLogins, LockoutFor); err != nil {
		return Session{}, err
	}
	if err := e.AuditDenied(ctx, a, "session.create_mfa", "user/"+userID); err != nil {
		return Session{}, err
	}
	return Session{}, errWrongCode
}
