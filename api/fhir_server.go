package api

import (
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath/fhir"
)

// fhirJSON is every FHIR response's media type.
const fhirJSON = "application/fhir+json; charset=utf-8"

// fhirJSONTypes are the request and response media types accepted as
// FHIR JSON (application/json+fhir is DSTU2's, still sent by some clients).
var fhirJSONTypes = []string{"application/fhir+json", "application/json", "application/json+fhir"}

// isOAuthRoute is true for the SMART routes, which speak plain JSON and
// OAuth errors rather than FHIR.
func isOAuthRoute(c echo.Context) bool {
	p := strings.TrimPrefix(c.Path(), fhirBase)
	return p == "/auth/token" || p == "/.well-known/smart-configuration"
}

// fhirErrors makes the FHIR endpoint speak FHIR: responses are
// application/fhir+json, request bodies must be FHIR JSON (else 415),
// _format or Accept asking for anything but JSON gets 406, and every error
// becomes an OperationOutcome (fhir.Outcome: never internals, never PHI).
func (s *Server) fhirErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isOAuthRoute(c) {
			return next(c)
		}
		res := c.Response()
		res.Before(func() {
			if ct := res.Header().Get(echo.HeaderContentType); ct == "" || strings.HasPrefix(ct, "application/json") {
				res.Header().Set(echo.HeaderContentType, fhirJSON)
			}
		})
		err := fhirFormat(c.Request())
		if err == nil {
			err = next(c)
		}
		if err != nil {
			s.writeFHIRError(c, err)
		}
		return nil
	}
}

// fhirFormat checks the request's formats: the body's Content-Type on
// POST and PUT, and the answer asked for by _format or Accept.
func fhirFormat(r *http.Request) error {
	if f := r.URL.Query().Get("_format"); f != "" && f != "json" && !isFHIRJSON(f) {
		return &fhir.StatusError{Status: http.StatusNotAcceptable, Code: fm.IssueTypeNotSupported,
			Message: "only JSON is supported (_format=json or application/fhir+json)"}
	}
	if a := r.Header.Get(echo.HeaderAccept); a != "" && !acceptsJSON(a) {
		return &fhir.StatusError{Status: http.StatusNotAcceptable, Code: fm.IssueTypeNotSupported,
			Message: "only application/fhir+json is supported"}
	}
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		if !isFHIRJSON(r.Header.Get(echo.HeaderContentType)) {
			return &fhir.StatusError{Status: http.StatusUnsupportedMediaType, Code: fm.IssueTypeNotSupported,
				Message: "the body must be application/fhir+json (or application/json)"}
		}
	}
	return nil
}

func isFHIRJSON(mediaType string) bool {
	mt, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		return false
	}
	for _, t := range fhirJSONTypes {
		if mt == t {
			return true
		}
	}
	return false
}

// acceptsJSON reads an Accept header: any JSON type or a wildcard will do
// (q-values are not weighed: JSON is all there is).
func acceptsJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		if mt == "*/*" || mt == "application/*" || isFHIRJSON(mt) {
			return true
		}
	}
	return false
}

// writeFHIRError answers an error as an OperationOutcome; unexpected
// failures are logged with the request ID and shown as a bare 500.
func (s *Server) writeFHIRError(c echo.Context, err error) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		err = httpErrorOutcome(he)
	}
	status, body := fhir.Outcome(err)
	if status == http.StatusInternalServerError {
		s.log.Error("fhir request failed", "route", c.Path(), "request_id", requestID(c), "error", err)
	}
	if status == http.StatusUnauthorized {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="carepath FHIR"`)
	}
	if c.Response().Committed {
		return
	}
	if werr := c.Blob(status, fhirJSON, body); werr != nil {
		s.log.Error("write fhir error response", "request_id", requestID(c), "error", werr)
	}
}

// httpErrorOutcome turns echo's own errors (no route, wrong method, body
// too large) into statuses Outcome answers; 5xx stay internal.
func httpErrorOutcome(he *echo.HTTPError) error {
	code := fm.IssueTypeInvalid
	switch he.Code {
	case http.StatusNotFound:
		code = fm.IssueTypeNotFound
	case http.StatusMethodNotAllowed, http.StatusUnsupportedMediaType:
		code = fm.IssueTypeNotSupported
	case http.StatusRequestEntityTooLarge:
		code = fm.IssueTypeTooLong
	case http.StatusUnauthorized:
		code = fm.IssueTypeLogin
	case http.StatusForbidden:
		code = fm.IssueTypeForbidden
	}
	if he.Code < 400 || he.Code >= 500 {
		return he
	}
	return &fhir.StatusError{Status: he.Code, Code: code, Message: http.StatusText(he.Code)}
}
