package carepath

import (
	"errors"
	"fmt"
)

// Application error codes. The HTTP layer maps each to one status in a single
// table; anything else is an internal error whose text is logged, never shown.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EINTERNAL     = "internal"
	// EUNAVAILABLE: a dependency (the database) cannot be reached; retry.
	EUNAVAILABLE = "unavailable"
)

// Error is an error meant for the caller: its Message must never carry PHI or
// internals, and Field names the offending input when there is one.
type Error struct {
	Code    string
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("carepath: %s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("carepath: %s: %s", e.Code, e.Message)
}

// Errorf returns an application error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error naming the offending field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns an ENOTFOUND error for a kind of resource.
func NotFound(resource string) *Error {
	return &Error{Code: ENOTFOUND, Message: resource + " not found"}
}

// ErrorCode returns the code of an application error, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var ps Problems
	if errors.As(err, &ps) {
		return EINVALID
	}
	return EINTERNAL
}

// Problems is several invalid inputs reported together, each naming its
// field (a FHIR transaction reports every bad entry's path at once). Its
// code is EINVALID.
type Problems []*Error

func (p Problems) Error() string {
	if len(p) == 0 {
		return "carepath: invalid: no problems"
	}
	return fmt.Sprintf("%s (and %d more)", p[0].Error(), len(p)-1)
}

// Err returns p as an error, or nil when it holds no problems.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return p
}
