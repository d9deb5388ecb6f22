package engine

import (
	"context"
	"crypto/subtle"
	"errors"
	"strings"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/oidc"
	"github.com/carepath/carepath/store"
)

// OIDCStateTTL is how long a single sign-on may take at the provider.
const OIDCStateTTL = 10 * time.Minute

// DefaultReturnTo is where a single sign-on lands without a return_to.
const DefaultReturnTo = "/console/tasks"

// OIDCStart is a single sign-on begun: send the browser to AuthURL with
// Binding in a cookie the callback gets back.
type OIDCStart struct {
	AuthURL string
	Binding string
}

// OIDCEnabled reports whether single sign-on is configured.
func (e *Engine) OIDCEnabled() bool { return e.OIDC != nil }

var errOIDCOff = carepath.NotFound("single sign-on (not configured)")

// validReturnTo admits console paths only, so the callback cannot be made
// to send a freshly signed-in browser anywhere else.
func validReturnTo(p string) (string, error) {
	if p == "" {
		return DefaultReturnTo, nil
	}
	if (p != "/console" && !strings.HasPrefix(p, "/console/")) || strings.ContainsAny(p, "\\\r\n\t ") ||
		strings.Contains(p, "//") || strings.Contains(p, "/../") || strings.HasSuffix(p, "/..") || len(p) > 500 {
		return "", carepath.Invalid("return_to", "must be a /console path")
	}
	return p, nil
}

// StartOIDC begins a sign-on: a fresh state, nonce and PKCE verifier kept
// in the database for OIDCStateTTL, keyed by the state and tied to the
// browser by Binding.
func (e *Engine) StartOIDC(ctx context.Context, returnTo string) (OIDCStart, error) {
	if e.OIDC == nil {
		return OIDCStart{}, errOIDCOff
	}
	returnTo, err := validReturnTo(returnTo)
	if err != nil {
		return OIDCStart{}, err
	}
	var vals [4]string
	for i := range vals {
		if vals[i], err = oidc.RandomString(); err != nil {
			return OIDCStart{}, err
		}
	}
	state, nonce, verifier, binding := vals[0], vals[1], vals[2], vals[3]
	authURL, err := e.OIDC.AuthURL(ctx, state, nonce, verifier)
	if err != nil {
		e.Log.Error("single sign-on: provider unavailable", "error", err)
		return OIDCStart{}, carepath.Errorf(carepath.EUNAVAILABLE, "the single sign-on provider cannot be reached; try again or sign in with a password")
	}
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := q.OIDCStateSweep(ctx); err != nil {
			return err
		}
		return q.OIDCStateInsert(ctx, state, binding, nonce, verifier, returnTo, OIDCStateTTL)
	})
	return OIDCStart{AuthURL: authURL, Binding: binding}, err
}

// oidcActor names the sign-on in the audit trail before a user is known.
func oidcActor(requestID string) carepath.Actor {
	return carepath.Actor{Kind: carepath.ActorSystem, ID: "oidc", RequestID: requestID}
}

// errSSOFailed is the answer for a token or exchange the provider side got
// wrong: the detail goes to the log, not to the browser.
var errSSOFailed = carepath.Errorf(carepath.EUNAUTHORIZED, "single sign-on failed; start again")

// FinishOIDC completes a sign-on at the callback: the state is consumed
// (once only) and must belong to this browser (binding), the code is
// exchanged with the verifier, the ID token verified with the nonce, and
// its email mapped to an existing active account: no account is created.
// The provider owns the second factor, so TOTP is not asked. It returns the
// session and where to send the browser.
func (e *Engine) FinishOIDC(ctx context.Context, code, state, binding, providerError, requestID string) (Session, string, error) {
	if e.OIDC == nil {
		return Session{}, "", errOIDCOff
	}
	if state == "" {
		return Session{}, "", carepath.Invalid("state", "is required")
	}
	st, err := e.Store.OIDCStateTake(ctx, state)
	if carepath.ErrorCode(err) == carepath.ENOTFOUND || (err == nil && !st.Live) {
		return Session{}, "", carepath.Errorf(carepath.EUNAUTHORIZED, "this sign-in link has expired or was used already; start again")
	}
	if err != nil {
		return Session{}, "", err
	}
	// Login CSRF: a callback URL carried to another browser has no binding.
	if binding == "" || subtle.ConstantTimeCompare(store.OIDCBindingHash(binding), st.BindingHash) != 1 {
		if err := e.AuditDenied(ctx, oidcActor(requestID), "session.create_oidc", "oidc/state"); err != nil {
			return Session{}, "", err
		}
		return Session{}, "", carepath.Errorf(carepath.EUNAUTHORIZED, "this sign-in was started in another browser; start again")
	}
	if providerError != "" {
		return Session{}, "", carepath.Errorf(carepath.EUNAUTHORIZED, "the identity provider did not sign you in; start again")
	}
	if code == "" {
		return Session{}, "", carepath.Invalid("code", "is required")
	}
	raw, err := e.OIDC.Exchange(ctx, code, st.CodeVerifier)
	if err != nil {
		e.Log.Warn("single sign-on: token exchange failed", "error", err, "request_id", requestID)
		return Session{}, "", errSSOFailed
	}
	claims, err := e.OIDC.Verify(ctx, raw, st.Nonce)
	if err != nil {
		level := e.Log.Error
		if errors.Is(err, oidc.ErrInvalidToken) {
			level = e.Log.Warn
		}
		level("single sign-on: ID token refused", "error", err, "request_id", requestID)
		if err := e.AuditDenied(ctx, oidcActor(requestID), "session.create_oidc", "oidc/token"); err != nil {
			return Session{}, "", err
		}
		return Session{}, "", errSSOFailed
	}
	if claims.Email == "" || (claims.EmailVerified != nil && !*claims.EmailVerified) {
		if err := e.AuditDenied(ctx, oidcActor(requestID), "session.create_oidc", "oidc/email"); err != nil {
			return Session{}, "", err
		}
		return Session{}, "", carepath.Errorf(carepath.EFORBIDDEN, "the identity provider did not give a verified email address")
	}
	u, err := e.Store.UserByEmail(ctx, claims.Email)
	if carepath.ErrorCode(err) == carepath.ENOTFOUND || (err == nil && !u.Active) {
		resource := "oidc/unknown-user" // the email stays out of the trail
		if err == nil {
			resource = "user/" + u.ID
		}
		if err := e.AuditDenied(ctx, oidcActor(requestID), "session.create_oidc", resource); err != nil {
			return Session{}, "", err
		}
		return Session{}, "", carepath.Errorf(carepath.EFORBIDDEN, "no active carepath account has this email address; ask an administrator to add you")
	}
	if err != nil {
		return Session{}, "", err
	}
	s, err := e.openSession(ctx, u, UserActor(u.ID, requestID), "session.create_oidc", nil)
	return s, st.ReturnTo, err
}
