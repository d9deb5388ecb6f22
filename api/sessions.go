package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
)

type signInRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// setSessionCookie writes the session cookie: HttpOnly, SameSite=Strict,
// Secure when carepath is served over https. It carries no Max-Age: the
// server ends idle sessions, and the browser drops it when it closes.
func (s *Server) setSessionCookie(c echo.Context, value string, expire bool) {
	ck := &http.Cookie{Name: sessionCookie, Value: value, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: strings.HasPrefix(s.cfg.PublicURL, "https://")}
	if expire {
		ck.MaxAge = -1
		ck.Expires = time.Unix(0, 0)
	}
	c.SetCookie(ck)
}

// handleSessionCreate signs a person in: the cookie carries the session,
// the body the user and the CSRF token.
func (s *Server) handleSessionCreate(c echo.Context) error {
	var in signInRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	sess, err := s.engine.SignIn(c.Request().Context(), strings.TrimSpace(in.Email), in.Password, requestID(c))
	if err != nil {
		return err
	}
	if sess.MFAToken != "" {
		// Right password, second factor on: no cookie until the code
		// (POST /v1/sessions/totp).
		return c.JSON(http.StatusOK, mfaRequired{MFARequired: true, MFAToken: sess.MFAToken})
	}
	s.setSessionCookie(c, sess.Token, false)
	return c.JSON(http.StatusCreated, sess)
}

// currentSession is the caller's session; API keys have none.
func currentSession(c echo.Context) (*engine.Session, error) {
	k := caller(c)
	if k.Session == nil {
		return nil, carepath.NotFound("session (this request used an API key)")
	}
	return k.Session, nil
}

func (s *Server) handleSessionCurrent(c echo.Context) error {
	sess, err := currentSession(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sess)
}

// handleSessionDelete signs out: the session ends on the server and the
// cookie is cleared.
func (s *Server) handleSessionDelete(c echo.Context) error {
	sess, err := currentSession(c)
	if err != nil {
		return err
	}
	if err := s.engine.SignOut(c.Request().Context(), actor(c), sess.Token); err != nil {
		return err
	}
	s.setSessionCookie(c, "", true)
	return c.NoContent(http.StatusNoContent)
}
