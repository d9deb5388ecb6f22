package api

import (
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

// caller returns the authenticated key of the request.
func caller(c echo.Context) store.APIKey {
	k, _ := c.Get(ctxKey).(store.APIKey)
	return k
}
