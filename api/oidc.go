package api

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
)

// oidcCookie ties a single sign-on to the browser that started it. It is
// SameSite=Lax, unlike the session cookie: it must come back on the
// provider's cross-site redirect to the callback.
const oidcCookie = "carepath_oidc"

const oidcCookiePath = "/v1/sessions/oidc"

// handleSessionMethods tells the sign-in page which ways to sign in exist.
func (s *Server) handleSessionMethods(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]bool{"password": true, "oidc": s.engine.OIDCEnabled()})
}

func (s *Server) setOIDCCookie(c echo.Context, value string) {
	ck := &http.Cookie{Name: oidcCookie, Value: value, Path: oidcCookiePath, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(s.cfg.PublicURL, "https://")}
	if value == "" {
		ck.MaxAge = -1
	} else {
		ck.MaxAge = 600
	}
	c.SetCookie(ck)
}

// handleOIDCStart sends the browser to the identity provider.
func (s *Server) handleOIDCStart(c echo.Context) error {
	start, err := s.engine.StartOIDC(c.Request().Context(), c.QueryParam("return_to"))
	if err != nil {
		return s.oidcError(c, err)
	}
	s.setOIDCCookie(c, start.Binding)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Redirect(http.StatusFound, start.AuthURL)
}

// handleOIDCCallback finishes a single sign-on. The session cookie is
// SameSite=Strict and this request is the provider's cross-site redirect:
// the browser stores the cookie but would not send it on a redirect from
// here, so a small page moves on with a meta refresh (no script: the CSP),
// a same-site navigation that carries it.
func (s *Server) handleOIDCCallback(c echo.Context) error {
	binding := ""
	if ck, err := c.Cookie(oidcCookie); err == nil {
		binding = ck.Value
	}
	s.setOIDCCookie(c, "") // used once, whatever happens
	q := c.QueryParams()
	sess, returnTo, err := s.engine.FinishOIDC(c.Request().Context(), q.Get("code"), q.Get("state"), binding, q.Get("error"), requestID(c))
	if err != nil {
		return s.oidcError(c, err)
	}
	s.setSessionCookie(c, sess.Token, false)
	to := html.EscapeString(returnTo)
	return s.oidcPage(c, http.StatusOK, `<meta http-equiv="refresh" content="0;url=`+to+`">`,
		"Signed in", `<p>Signed in. <a href="`+to+`">Continue</a></p>`)
}

// oidcError answers a browser with a page (it arrived by navigation) and
// anything else with the usual JSON error.
func (s *Server) oidcError(c echo.Context, err error) error {
	var ae *carepath.Error
	if !strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/html") || !errors.As(err, &ae) || ae.Code == carepath.EINTERNAL {
		return err
	}
	return s.oidcPage(c, statusOf[ae.Code], "", "Single sign-on failed",
		fmt.Sprintf(`<h1>Single sign-on failed</h1><p>%s</p><p><a href="/console/signin">Back to sign-in</a></p>`, html.EscapeString(ae.Message)))
}

// oidcPage writes a minimal page: no script, no style, no referrer (the
// callback's URL holds the code).
func (s *Server) oidcPage(c echo.Context, status int, head, title, body string) error {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	return c.HTML(status, `<!doctype html><html lang="en"><head><meta charset="utf-8">`+head+
		`<title>`+title+` · carepath</title></head><body>`+body+`</body></html>`)
}
