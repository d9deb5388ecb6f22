package workflows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/carepath/carepath"
)

// Duration is a journey parameter written as a Go duration string ("72h",
// "90m", "0s") in JSON.
type Duration time.Duration

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New(`must be a duration string such as "72h", "90m" or "0s"`)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return errors.New(`must be a duration string such as "72h", "90m" or "0s"`)
	}
	*d = Duration(v)
	return nil
}

// ParamSpec describes one journey parameter for the catalogue.
type ParamSpec struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"` // duration, integer, string
	Enum        []string `json:"enum,omitempty"`
	Default     string   `json:"default"`
	Min         string   `json:"min"`
	Max         string   `json:"max"`
	Description string   `json:"description"`
}

// paramSpecs reads a params struct's fields. Each exported field has a
// json name and the tags default, min, max and doc; types are Duration or
// int. Defaults and bounds live next to the field they govern.
func paramSpecs(t reflect.Type) ([]ParamSpec, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("params type %s is not a struct", t)
	}
	var out []ParamSpec
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			return nil, fmt.Errorf("param %s needs a json name", f.Name)
		}
		s := ParamSpec{Name: name, Default: f.Tag.Get("default"), Min: f.Tag.Get("min"), Max: f.Tag.Get("max"), Description: f.Tag.Get("doc")}
		switch f.Type {
		case reflect.TypeOf(Duration(0)):
			s.Type = "duration"
			for _, v := range []string{s.Default, s.Min, s.Max} {
				if _, err := time.ParseDuration(v); err != nil {
					return nil, fmt.Errorf("param %s: default, min and max must be durations", name)
				}
			}
		case reflect.TypeOf(""):
			s.Type = "string"
			s.Enum = strings.Split(f.Tag.Get("enum"), "|")
			if !slices.Contains(s.Enum, s.Default) {
				return nil, fmt.Errorf("param %s: default must be one of its enum values", name)
			}
		case reflect.TypeOf(0):
			s.Type = "integer"
			for _, v := range []string{s.Default, s.Min, s.Max} {
				if _, err := strconv.Atoi(v); err != nil {
					return nil, fmt.Errorf("param %s: default, min and max must be integers", name)
				}
			}
		default:
			return nil, fmt.Errorf("param %s: unsupported type %s", name, f.Type)
		}
		out = append(out, s)
	}
	return out, nil
}

// normalizeParams decodes raw over the defaults into a new value of t,
// rejecting unknown names, wrong types and values out of bounds with an
// EINVALID error naming "params.<name>".
func normalizeParams(t reflect.Type, specs []ParamSpec, raw json.RawMessage) (any, error) {
	v := reflect.New(t)
	for i, s := range specs {
		setParam(v.Elem().Field(i), s.Default)
	}
	if len(bytes.TrimSpace(raw)) > 0 && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil, carepath.Invalid("params", "must be a JSON object")
		}
		for name, val := range fields {
			i := indexOf(specs, name)
			if i < 0 {
				return nil, carepath.Invalid("params."+name, "is not a parameter of this journey")
			}
			if err := json.Unmarshal(val, v.Elem().Field(i).Addr().Interface()); err != nil {
				msg := err.Error()
				switch specs[i].Type {
				case "integer":
					msg = "must be an integer"
				case "string":
					msg = "must be a string"
				}
				return nil, carepath.Invalid("params."+name, "%s", msg)
			}
		}
	}
	for i, s := range specs {
		if !inBounds(v.Elem().Field(i), s) {
			if s.Type == "string" {
				return nil, carepath.Invalid("params."+s.Name, "must be one of: %s", strings.Join(s.Enum, ", "))
			}
			return nil, carepath.Invalid("params."+s.Name, "must be between %s and %s", s.Min, s.Max)
		}
	}
	return v.Elem().Interface(), nil
}

func indexOf(specs []ParamSpec, name string) int {
	for i, s := range specs {
		if s.Name == name {
			return i
		}
	}
	return -1
}

func setParam(f reflect.Value, s string) {
	switch f.Interface().(type) {
	case Duration:
		d, _ := time.ParseDuration(s) // checked by paramSpecs
		f.Set(reflect.ValueOf(Duration(d)))
	case int:
		n, _ := strconv.Atoi(s)
		f.SetInt(int64(n))
	case string:
		f.SetString(s)
	}
}

func inBounds(f reflect.Value, s ParamSpec) bool {
	switch v := f.Interface().(type) {
	case Duration:
		lo, _ := time.ParseDuration(s.Min)
		hi, _ := time.ParseDuration(s.Max)
		return time.Duration(v) >= lo && time.Duration(v) <= hi
	case int:
		lo, _ := strconv.Atoi(s.Min)
		hi, _ := strconv.Atoi(s.Max)
		return v >= lo && v <= hi
	case string:
		return slices.Contains(s.Enum, v)
	}
	return false
}
