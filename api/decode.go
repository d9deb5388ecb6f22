package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
)

// maxBody bounds every request body.
const maxBody = "1M"

// decodeJSON reads exactly one JSON object into v, rejecting unknown
// fields, wrong types and trailing data with an error naming the field.
func decodeJSON(c echo.Context, v any) error {
	body, err := io.ReadAll(c.Request().Body) // bounded by the body limit
	if err != nil {
		return jsonError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if name, ok := unknownField(err); ok && name != "" {
			return carepath.Invalid(unknownFieldPath(body, reflect.TypeOf(v), name), "is not a known field")
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return carepath.Invalid(typeErrorPath(body, reflect.TypeOf(v), typeErr.Field),
				"must be of type %s", jsonType(typeErr.Type.Kind().String()))
		}
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return carepath.Invalid("body", "must hold a single JSON object")
	}
	return nil
}

// unknownField returns the name in encoding/json's unknown-field error.
func unknownField(err error) (string, bool) {
	rest, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return "", false
	}
	name, _ := strconv.Unquote(rest)
	return name, true
}

func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return carepath.Invalid(field, "must be of type %s", jsonType(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return carepath.Invalid("body", "is not valid JSON")
	case errors.Is(err, io.EOF):
		return carepath.Invalid("body", "is required")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := unknownField(err)
		if name == "" {
			return carepath.Invalid("body", "has a field with an empty name")
		}
		return carepath.Invalid(name, "is not a known field")
	}
	var he *echo.HTTPError // BodyLimit's reader reports 413 this way
	if errors.As(err, &he) {
		return he
	}
	return carepath.Invalid("body", "could not be read")
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "map", "struct":
		return "object"
	case "slice", "array":
		return "array"
	case "bool":
		return "boolean"
	default:
		return "number"
	}
}

// pageSize reads ?limit=, bounded to [1, max], default def.
func pageSize(c echo.Context, def, max int) (int, error) {
	s := c.QueryParam("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, carepath.Invalid("limit", "must be a whole number from 1 to %d", max)
	}
	return n, nil
}

func invalid(field, msg string) error { return carepath.Invalid(field, "%s", msg) }
