package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/fhir"
	"github.com/carepath/carepath/store"
)

// fhirAccess is what a FHIR route does with data: read (read, search) or
// write (create, update, Bundles, notifications).
type fhirAccess int

const (
	fhirRead fhirAccess = iota
	fhirWrite
)

// fhirScopesKey holds a SMART access token's granted scopes.
const fhirScopesKey = "carepath.fhir.scopes"

// fhirAuthenticate admits a SMART Backend Services access token (the
// caller is the client, actor smart_client:<client_id>), an API key, or a
// signed-in person's session (the /v1 rules: authenticate).
func (s *Server) fhirAuthenticate(next echo.HandlerFunc) echo.HandlerFunc {
	viaV1 := s.authenticate(next)
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		if h == "" {
			if ck, err := c.Cookie(sessionCookie); err != nil || ck.Value == "" {
				return carepath.Errorf(carepath.EUNAUTHORIZED,
					"an access token or API key is required: Authorization: Bearer <token> (see /fhir/R4/.well-known/smart-configuration)")
			}
		}
		bearer, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || !isSMARTToken(strings.TrimSpace(bearer)) {
			return viaV1(c)
		}
		tok, err := s.engine.SMARTAuthenticate(c.Request().Context(), strings.TrimSpace(bearer))
		if err != nil {
			return err
		}
		c.Set(ctxKey, principal{Kind: carepath.ActorSMARTClient, ID: tok.ClientID, Role: carepath.RoleIntegration})
		c.Set(fhirScopesKey, tok.Scopes)
		return next(c)
	}
}

// fhirScope admits a caller to a route that reads or writes the route's
// :type: the type and interaction must be supported (404/405 otherwise),
// the caller's role must allow the access (admin and integration keys read
// and write; care_team keys and signed-in care_team and read_only people
// read), and a SMART token's scopes must cover the type and interaction.
// A refusal is 403, recorded in the audit trail.
func (s *Server) fhirScope(access fhirAccess) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := fhirSupported(c); err != nil {
				return err
			}
			if err := s.fhirPermit(c, c.Param("type"), fhirPerm(c, access)); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// fhirPermit checks one resource type and the permissions an action needs
// against the caller. Handlers that act on several types (Bundle entries,
// notifications) call it for each entry's type with fhirPermFor.
func (s *Server) fhirPermit(c echo.Context, typ string, need engine.Perm) error {
	k := caller(c)
	writes := need&(engine.PermCreate|engine.PermUpdate|engine.PermDelete) != 0
	var why string
	switch {
	case writes && k.Role != carepath.RoleAdmin && k.Role != carepath.RoleIntegration:
		why = "the " + string(k.Role) + " role may read FHIR resources, not write them"
	case k.Kind == carepath.ActorSMARTClient && !scopesPermit(fhirScopes(c), typ, need):
		what := "this"
		if typ != "" {
			what = safeType(typ)
		}
		why = "the access token's scopes do not allow " + accessWord(writes) + " " + what
	default:
		return nil
	}
	resource := c.Path()
	if typ != "" {
		resource = "fhir/" + safeType(typ)
	}
	if err := s.engine.AuditDenied(c.Request().Context(), actor(c), c.Request().Method+" "+c.Path(), resource); err != nil {
		return err
	}
	return carepath.Errorf(carepath.EFORBIDDEN, "%s", why)
}

// fhirPerm is the SMART permissions a route needs: read r, search s,
// create c, update u; a write route without a type (Bundle,
// notification) needs some write permission here and each entry's own
// later (fhirPermFor).
func fhirPerm(c echo.Context, access fhirAccess) engine.Perm {
	switch fhirInteraction(c) {
	case fhir.InteractionRead:
		return engine.PermRead
	case fhir.InteractionSearchType:
		return engine.PermSearch
	case fhir.InteractionCreate:
		return engine.PermCreate
	case fhir.InteractionUpdate:
		return engine.PermUpdate
	}
	if access == fhirWrite {
		return engine.PermCreate
	}
	return engine.PermRead
}

// fhirPermFor is the permission a Bundle entry's method needs: POST
// create, PUT update, GET read.
func fhirPermFor(method string) engine.Perm {
	switch method {
	case http.MethodPost:
		return engine.PermCreate
	case http.MethodPut:
		return engine.PermUpdate
	}
	return engine.PermRead
}

// scopesPermit is engine.ScopesPermit, except that a write without a type
// (a Bundle, a notification) needs only some write permission: each
// entry is checked on its own.
func scopesPermit(scopes []string, typ string, need engine.Perm) bool {
	if typ == "" && need&(engine.PermCreate|engine.PermUpdate) != 0 {
		return engine.ScopesPermit(scopes, "", engine.PermCreate) || engine.ScopesPermit(scopes, "", engine.PermUpdate)
	}
	return engine.ScopesPermit(scopes, typ, need)
}

func accessWord(writes bool) string {
	if writes {
		return "writing"
	}
	return "reading"
}

// fhirScopes is the request's SMART scopes (nil for keys and people).
func fhirScopes(c echo.Context) []string {
	s, _ := c.Get(fhirScopesKey).([]string)
	return s
}

// isSMARTToken tells carepath's access tokens from API keys by prefix.
func isSMARTToken(bearer string) bool { return store.IsSMARTAccessToken(bearer) }
