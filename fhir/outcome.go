package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath"
)

// StatusError is a refusal the carepath error codes have no status for:
// an unsupported type (404) or interaction (405), a format carepath does
// not speak (406, 415), a failed version precondition (412). Its Message,
// like carepath.Error's, must carry no PHI.
type StatusError struct {
	Status  int
	Code    fm.IssueType
	Field   string
	Message string
}

func (e *StatusError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("fhir: %d: %s: %s", e.Status, e.Field, e.Message)
	}
	return fmt.Sprintf("fhir: %d: %s", e.Status, e.Message)
}

// NotSupported refuses a resource type (status 404) or an interaction
// (status 405) carepath does not offer.
func NotSupported(status int, format string, args ...any) *StatusError {
	return &StatusError{Status: status, Code: fm.IssueTypeNotSupported, Message: fmt.Sprintf(format, args...)}
}

// PreconditionFailed refuses a write whose version precondition (If-Match,
// a Bundle entry's ifMatch) does not hold: 412.
func PreconditionFailed(field, format string, args ...any) *StatusError {
	return &StatusError{Status: http.StatusPreconditionFailed, Code: fm.IssueTypeConflict, Field: field,
		Message: fmt.Sprintf(format, args...)}
}

// outcomeOf is each carepath error code's status and issue type.
var outcomeOf = map[string]struct {
	status int
	code   fm.IssueType
}{
	carepath.EINVALID:      {http.StatusBadRequest, fm.IssueTypeInvalid},
	carepath.ENOTFOUND:     {http.StatusNotFound, fm.IssueTypeNotFound},
	carepath.ECONFLICT:     {http.StatusConflict, fm.IssueTypeConflict},
	carepath.EUNAUTHORIZED: {http.StatusUnauthorized, fm.IssueTypeLogin},
	carepath.EFORBIDDEN:    {http.StatusForbidden, fm.IssueTypeForbidden},
	carepath.EUNAVAILABLE:  {http.StatusServiceUnavailable, fm.IssueTypeTransient},
}

// internalOutcome is all a caller learns of an unexpected failure; the
// cause is the caller's to log.
var internalOutcome = mustOutcome([]fm.OperationOutcomeIssue{issue(fm.IssueSeverityFatal, fm.IssueTypeException, "", "internal error")})

// Outcome turns any error into an HTTP status and an OperationOutcome:
// carepath.Error by its code (Field → issue.expression, Message →
// diagnostics), carepath.Problems one issue each, StatusError by its status.
// Anything else is 500 with a bare "internal error": its text may hold
// internals or PHI, so it is never shown.
func Outcome(err error) (status int, body json.RawMessage) {
	var ps carepath.Problems
	var ae *carepath.Error
	var se *StatusError
	switch {
	case err == nil:
		return http.StatusInternalServerError, internalOutcome
	case errors.As(err, &ps) && len(ps) > 0:
		issues := make([]fm.OperationOutcomeIssue, 0, len(ps))
		for _, p := range ps {
			code := fm.IssueTypeInvalid
			if o, ok := outcomeOf[p.Code]; ok {
				code = o.code
			}
			issues = append(issues, issue(fm.IssueSeverityError, code, p.Field, p.Message))
		}
		return http.StatusBadRequest, mustOutcome(issues)
	case errors.As(err, &ae):
		o, ok := outcomeOf[ae.Code]
		if !ok {
			return http.StatusInternalServerError, internalOutcome
		}
		return o.status, mustOutcome([]fm.OperationOutcomeIssue{issue(fm.IssueSeverityError, o.code, ae.Field, ae.Message)})
	case errors.As(err, &se) && se.Status >= 400 && se.Status < 500:
		return se.Status, mustOutcome([]fm.OperationOutcomeIssue{issue(fm.IssueSeverityError, se.Code, se.Field, se.Message)})
	}
	return http.StatusInternalServerError, internalOutcome
}

func issue(sev fm.IssueSeverity, code fm.IssueType, field, msg string) fm.OperationOutcomeIssue {
	is := fm.OperationOutcomeIssue{Severity: sev, Code: code}
	if msg != "" {
		is.Diagnostics = &msg
	}
	if field != "" {
		is.Expression = []string{field}
	}
	return is
}

// mustOutcome encodes an OperationOutcome. It holds only strings and
// enums, so encoding cannot fail short of a broken model package.
func mustOutcome(issues []fm.OperationOutcomeIssue) json.RawMessage {
	b, err := json.Marshal(fm.OperationOutcome{Issue: issues})
	if err != nil {
		panic(fmt.Sprintf("fhir: encode OperationOutcome: %v", err))
	}
	return b
}
