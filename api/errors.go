package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
)

// statusOf maps application error codes to HTTP statuses, in one place.
var statusOf = map[string]int{
	carepath.EINVALID:      http.StatusBadRequest,
	carepath.ENOTFOUND:     http.StatusNotFound,
	carepath.ECONFLICT:     http.StatusConflict,
	carepath.EUNAUTHORIZED: http.StatusUnauthorized,
	carepath.EFORBIDDEN:    http.StatusForbidden,
	carepath.EINTERNAL:     http.StatusInternalServerError,
	carepath.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

var errInternal = carepath.Errorf(carepath.EINTERNAL, "internal error")

// ErrorBody is every error response.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
	RequestID string `json:"request_id"`
}

// handleError writes one JSON error shape for everything: application
// errors as they are, echo's own (404 route, 413 body) by status, anything
// else as a bare 500 whose cause is logged with the request ID.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var body ErrorBody
	body.RequestID = requestID(c)
	status := http.StatusInternalServerError
	var ae *carepath.Error
	var he *echo.HTTPError
	var ps carepath.Problems
	if errors.As(err, &ps) && len(ps) > 0 {
		ae = ps[0] // /v1 reports the first; FHIR reports each
	}
	switch {
	case ae != nil || errors.As(err, &ae):
		status = statusOf[ae.Code]
		body.Error.Code, body.Error.Message, body.Error.Field = ae.Code, ae.Message, ae.Field
	case errors.As(err, &he):
		status = he.Code
		body.Error.Code, body.Error.Message = codeFor(status), http.StatusText(status)
	}
	if status == http.StatusInternalServerError || body.Error.Code == "" {
		status = http.StatusInternalServerError
		body.Error.Code, body.Error.Message, body.Error.Field = carepath.EINTERNAL, "internal error", ""
		s.log.Error("request failed", "route", c.Path(), "request_id", body.RequestID, "error", err)
	}
	if werr := c.JSON(status, body); werr != nil {
		s.log.Error("write error response", "request_id", body.RequestID, "error", werr)
	}
}

func codeFor(status int) string {
	switch status {
	case http.StatusNotFound:
		return carepath.ENOTFOUND
	case http.StatusUnauthorized:
		return carepath.EUNAUTHORIZED
	case http.StatusForbidden:
		return carepath.EFORBIDDEN
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	if status >= 400 && status < 500 {
		return carepath.EINVALID
	}
	return ""
}
