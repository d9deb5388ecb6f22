package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// mfaRequired answers a right password when a code must follow.
type mfaRequired struct {
	MFARequired bool   `json:"mfa_required"`
	MFAToken    string `json:"mfa_token"`
}

type totpSignInRequest struct {
	MFAToken string `json:"mfa_token"`
	Code     string `json:"code"`
}

type totpCodeRequest struct {
	Code string `json:"code"`
}

// handleSessionTOTP completes a sign-in with the code: like POST
// /v1/sessions, it sets the cookie and answers the session.
func (s *Server) handleSessionTOTP(c echo.Context) error {
	var in totpSignInRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	sess, err := s.engine.CompleteTOTPSignIn(c.Request().Context(), in.MFAToken, strings.TrimSpace(in.Code), requestID(c))
	if err != nil {
		return err
	}
	s.setSessionCookie(c, sess.Token, false)
	return c.JSON(http.StatusCreated, sess)
}

// handleTOTPStatus tells the signed-in person whether their second factor
// is on.
func (s *Server) handleTOTPStatus(c echo.Context) error {
	sess, err := currentSession(c)
	if err != nil {
		return err
	}
	on, err := s.engine.TOTPStatus(c.Request().Context(), sess.User.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]bool{"enabled": on})
}

// handleTOTPEnrol starts setting up the signed-in person's second factor.
func (s *Server) handleTOTPEnrol(c echo.Context) error {
	sess, err := currentSession(c)
	if err != nil {
		return err
	}
	en, err := s.engine.EnrolTOTP(c.Request().Context(), actor(c), sess.User)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, en)
}

// handleTOTPConfirm turns the pending second factor on.
func (s *Server) handleTOTPConfirm(c echo.Context) error {
	sess, err := currentSession(c)
	if err != nil {
		return err
	}
	var in totpCodeRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.engine.ConfirmTOTP(c.Request().Context(), actor(c), sess.User, strings.TrimSpace(in.Code)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]bool{"enabled": true})
}

// handleTOTPDelete removes the signed-in person's second factor (a right
// code required when it is on).
func (s *Server) handleTOTPDelete(c echo.Context) error {
	sess, err := currentSession(c)
	if err != nil {
		return err
	}
	var in totpCodeRequest
	if c.Request().ContentLength != 0 { // a set-up never finished needs no code
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	if err := s.engine.DisableTOTP(c.Request().Context(), actor(c), sess.User, strings.TrimSpace(in.Code)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleUserTOTPReset is an admin removing a person's second factor.
func (s *Server) handleUserTOTPReset(c echo.Context) error {
	if err := s.engine.ResetTOTP(c.Request().Context(), actor(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
