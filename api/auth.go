package api

import (
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

const ctxKey = "carepath.api_key"

// authenticate requires "Authorization: Bearer <api key>" and a live key.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
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
		c.Set(ctxKey, key)
		return next(c)
	}
}

// allow admits admin keys and keys of the given roles; any other role gets
// 403, recorded in the audit trail.
func (s *Server) allow(roles ...carepath.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			k := caller(c)
			if k.Role == carepath.RoleAdmin || slices.Contains(roles, k.Role) {
				return next(c)
			}
			if err := s.engine.AuditDenied(c.Request().Context(), actor(c), c.Request().Method+" "+c.Path(), c.Path()); err != nil {
				return err
			}
			return carepath.Errorf(carepath.EFORBIDDEN, "the %s role may not do this", k.Role)
		}
	}
}

// caller returns the authenticated key of the request.
func caller(c echo.Context) store.APIKey {
	k, _ := c.Get(ctxKey).(store.APIKey)
	return k
}

// actor is the request's caller as the audit trail names it.
func actor(c echo.Context) carepath.Actor {
	return carepath.Actor{Kind: carepath.ActorAPIKey, ID: caller(c).ID, RequestID: requestID(c)}
}
