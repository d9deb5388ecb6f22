package api

import (
	"errors"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath/engine"
)

// smartConfiguration is /.well-known/smart-configuration for SMART
// Backend Services: what the token endpoint takes.
type smartConfiguration struct {
	TokenEndpoint                              string   `json:"token_endpoint"`
	TokenEndpointAuthMethodsSupported          []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgValuesSupported []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	GrantTypesSupported                        []string `json:"grant_types_supported"`
	ScopesSupported                            []string `json:"scopes_supported"`
	Capabilities                               []string `json:"capabilities"`
}

func (s *Server) handleSMARTConfiguration(c echo.Context) error {
	scopes := []string{"system/*.read", "system/*.write", "system/*.*", "system/*.rs", "system/*.cud", "system/*.cruds"}
	for _, r := range fhirCapabilities {
		scopes = append(scopes, "system/"+r.Type+".read")
		if r.Supports("create") || r.Supports("update") {
			scopes = append(scopes, "system/"+r.Type+".write")
		}
	}
	return c.JSON(http.StatusOK, smartConfiguration{
		TokenEndpoint:                              s.fhirTokenURL(c),
		TokenEndpointAuthMethodsSupported:          []string{"private_key_jwt"},
		TokenEndpointAuthSigningAlgValuesSupported: []string{"RS384", "ES384"},
		GrantTypesSupported:                        []string{"client_credentials"},
		ScopesSupported:                            scopes,
		Capabilities:                               []string{"client-confidential-asymmetric"},
	})
}

// oauthError is an OAuth 2.0 error response (RFC 6749 5.2).
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// handleSMARTToken is the SMART Backend Services token endpoint:
// client_credentials with a signed JWT assertion (engine.IssueSMARTToken
// checks it). Answers and errors are OAuth JSON, never cached.
func (s *Server) handleSMARTToken(c echo.Context) error {
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Set("Pragma", "no-cache")
	if !s.tokenLimiter().allow(c.RealIP()) {
		return c.JSON(http.StatusTooManyRequests, oauthError{Error: "slow_down", Description: "too many token requests; try again in a minute"})
	}
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationForm {
		return c.JSON(http.StatusBadRequest, oauthError{Error: "invalid_request",
			Description: "the body must be application/x-www-form-urlencoded"})
	}
	form, err := c.FormParams()
	if err != nil {
		return c.JSON(http.StatusBadRequest, oauthError{Error: "invalid_request",
			Description: "the body must be application/x-www-form-urlencoded"})
	}
	tok, err := s.engine.IssueSMARTToken(c.Request().Context(), engine.SMARTTokenRequest{
		GrantType: form.Get("grant_type"), ClientAssertionType: form.Get("client_assertion_type"),
		ClientAssertion: form.Get("client_assertion"), Scope: form.Get("scope"),
		TokenURL: s.fhirTokenURL(c), RequestID: requestID(c),
	})
	var oe *engine.OAuthError
	switch {
	case errors.As(err, &oe):
		if oe.Status() == http.StatusUnauthorized {
			h.Set(echo.HeaderWWWAuthenticate, `Bearer error="invalid_client"`)
		}
		return c.JSON(oe.Status(), oauthError{Error: oe.Code, Description: oe.Description})
	case err != nil:
		s.log.Error("smart token request failed", "request_id", requestID(c), "error", err)
		return c.JSON(http.StatusInternalServerError, oauthError{Error: "server_error"})
	}
	return c.JSON(http.StatusOK, tok)
}
