package api

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
)

const ctxKey = "carepath.caller"

// sessionCookie holds a signed-in person's session token.
const sessionCookie = "carepath_session"

// csrfHeader must carry the session's CSRF token on unsafe requests made
// with the session cookie: a cross-site form cannot read or set it.
const csrfHeader = "X-CSRF-Token"

// principal is who a request acts for: an API key or a signed-in person.
type principal struct {
	Kind    string // carepath.ActorAPIKey or carepath.ActorUser
	ID      string // the key's or the user's ID
	Role    carepath.Role
	Session *engine.Session // set for a signed-in person
}

// authenticate admits "Authorization: Bearer <api key>" with a live key or,
// without an Authorization header, a live session cookie (plus, on unsafe
// methods, the session's X-CSRF-Token).
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		if h == "" {
			if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
				return s.authenticateSession(c, ck.Value, next)
			}
		}
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(secret) == "" {
			return carepath.Errorf(carepath.EUNAUTHORIZED, "an API key is required: Authorization: Bearer <key>")
		}
		key, err := s.engine.Store.APIKeyAuthenticate(c.Request().Context(), strings.TrimSpace(secret))
		if carepath.ErrorCode(err) == carepath.ENOTFOUND {
			return carepath.Errorf(carepath.EUNAUTHORIZED, "the API key is not valid")
		}
		if err != nil {
			return err
		}
		c.Set(ctxKey, principal{Kind: carepath.ActorAPIKey, ID: key.ID, Role: key.Role})
		return next(c)
	}
}

func (s *Server) authenticateSession(c echo.Context, token string, next echo.HandlerFunc) error {
	sess, err := s.engine.SessionUser(c.Request().Context(), token)
	if err != nil {
		return err
	}
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		got := c.Request().Header.Get(csrfHeader)
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRFToken)) != 1 {
			return carepath.Errorf(carepath.EFORBIDDEN, "the %s header is missing or wrong", csrfHeader)
		}
	}
	c.Set(ctxKey, principal{Kind: carepath.ActorUser, ID: sess.User.ID, Role: sess.User.Role, Session: &sess})
	return next(c)
}

// allow admits admins and the given roles; read-only people may also make
// the GET requests the care team may. Any other caller gets 403, recorded in
// the audit trail.
func (s *Server) allow(roles ...carepath.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			k := caller(c)
			if k.Role == carepath.RoleAdmin || slices.Contains(roles, k.Role) {
				return next(c)
			}
			if k.Role == carepath.RoleReadOnly && c.Request().Method == http.MethodGet && slices.Contains(roles, carepath.RoleCareTeam) {
				return next(c)
			}
			if err := s.engine.AuditDenied(c.Request().Context(), actor(c), c.Request().Method+" "+c.Path(), c.Path()); err != nil {
				return err
			}
			return carepath.Errorf(carepath.EFORBIDDEN, "the %s role may not do this", k.Role)
		}
	}
}

// caller returns who the request acts for.
func caller(c echo.Context) principal {
	k, _ := c.Get(ctxKey).(principal)
	return k
}

// actor is the request's caller as the audit trail names it: the key, or
// the person signed in.
func actor(c echo.Context) carepath.Actor {
	k := caller(c)
	kind := k.Kind
	if kind == "" {
		kind = carepath.ActorAPIKey
	}
	return carepath.Actor{Kind: kind, ID: k.ID, RequestID: requestID(c)}
}
