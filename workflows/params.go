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

// Durations is a journey parameter holding a list of durations, written in
// JSON as an array of duration strings (["72h", "24h"]) or as one string
// separated by commas ("72h,24h", as a form sends it). Normalised longest
// first, without repeats: a schedule of offsets reads in the order it runs.
type Durations []Duration

// MarshalJSON writes the list as an array of duration strings.
func (ds Durations) MarshalJSON() ([]byte, error) {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.D().String()
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads an array of duration strings, or one string of them
// separated by commas.
func (ds *Durations) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		var s string
		if json.Unmarshal(b, &s) != nil {
			return errors.New(`must be a list of durations such as ["72h", "24h"]`)
		}
		list = strings.Split(s, ",")
	}
	v, err := parseDurations(strings.Join(list, ","))
	if err != nil {
		return err
	}
	*ds = v
	return nil
}

// maxDurations bounds a Durations param's length; maxTextParam a free-text
// string param's.
const (
	maxDurations = 8
	maxTextParam = 200
)

// parseDurations reads "72h,24h": longest first, repeats dropped.
func parseDurations(s string) (Durations, error) {
	var out Durations
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := time.ParseDuration(f)
		if err != nil {
			return nil, errors.New(`must be a list of durations such as ["72h", "24h"]`)
		}
		if !slices.Contains(out, Duration(d)) {
			out = append(out, Duration(d))
		}
	}
	slices.SortFunc(out, func(a, b Duration) int { return int(b - a) })
	return out, nil
}

// Time is a journey parameter holding an instant, written in JSON as an
// RFC 3339 string with its offset ("2026-01-08T15:30:00-05:00"); "" is no
// time (a required Time param refuses it).
type Time struct{ time.Time }

// MarshalJSON writes RFC 3339, or "" for no time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return json.Marshal("")
	}
	return json.Marshal(t.Format(time.RFC3339Nano))
}

// UnmarshalJSON reads RFC 3339; "" is no time.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New(`must be an RFC 3339 time such as "2026-01-08T15:30:00-05:00"`)
	}
	if s == "" {
		*t = Time{}
		return nil
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return errors.New(`must be an RFC 3339 time such as "2026-01-08T15:30:00-05:00"`)
	}
	*t = Time{v}
	return nil
}

// ParamSpec describes one journey parameter for the catalogue.
type ParamSpec struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"` // duration, durations, integer, string, time
	Enum        []string `json:"enum,omitempty"`
	Default     string   `json:"default"`
	Min         string   `json:"min"`
	Max         string   `json:"max"`
	Description string   `json:"description"`
	// Required: the param has no default; params given without it are
	// refused (see normalizeParams).
	Required bool `json:"required,omitempty"`
}

// paramSpecs reads a params struct's fields. Each exported field has a
// json name and the tags default, min, max and doc (and required); types
// are Duration, Durations, int, Time, or string (with enum, a choice; without,
// free text such as an ID). Defaults and bounds live next to the field
// they govern.
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
		s := ParamSpec{Name: name, Default: f.Tag.Get("default"), Min: f.Tag.Get("min"), Max: f.Tag.Get("max"), Description: f.Tag.Get("doc"),
			Required: f.Tag.Get("required") == "true"}
		if s.Required && s.Default != "" {
			return nil, fmt.Errorf("param %s: a required param has no default", name)
		}
		switch f.Type {
		case reflect.TypeOf(Duration(0)):
			s.Type = "duration"
			for _, v := range []string{s.Default, s.Min, s.Max} {
				if _, err := time.ParseDuration(v); err != nil {
					return nil, fmt.Errorf("param %s: default, min and max must be durations", name)
				}
			}
		case reflect.TypeOf(Durations(nil)):
			s.Type = "durations"
			for _, v := range []string{s.Min, s.Max} {
				if _, err := time.ParseDuration(v); err != nil {
					return nil, fmt.Errorf("param %s: min and max must be durations", name)
				}
			}
			if _, err := parseDurations(s.Default); err != nil {
				return nil, fmt.Errorf("param %s: default: %w", name, err)
			}
		case reflect.TypeOf(Time{}):
			s.Type = "time"
			if s.Default != "" {
				return nil, fmt.Errorf("param %s: a time has no default", name)
			}
		case reflect.TypeOf(""):
			s.Type = "string"
			if enum := f.Tag.Get("enum"); enum != "" {
				s.Enum = strings.Split(enum, "|")
				if !slices.Contains(s.Enum, s.Default) {
					return nil, fmt.Errorf("param %s: default must be one of its enum values", name)
				}
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
	given := len(bytes.TrimSpace(raw)) > 0 && !bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
	for i, s := range specs {
		f := v.Elem().Field(i)
		if s.Required && f.IsZero() {
			// With no params at all (the catalogue's defaults, a
			// registry's check) a required param is left empty: the
			// journey itself must refuse to run without it.
			if given {
				return nil, carepath.Invalid("params."+s.Name, "is required")
			}
			continue
		}
		if !inBounds(f, s) {
			switch {
			case s.Type == "string" && len(s.Enum) > 0:
				return nil, carepath.Invalid("params."+s.Name, "must be one of: %s", strings.Join(s.Enum, ", "))
			case s.Type == "string":
				return nil, carepath.Invalid("params."+s.Name, "must be at most %d characters", maxTextParam)
			case s.Type == "durations":
				return nil, carepath.Invalid("params."+s.Name, "must be 1 to %d durations, each between %s and %s", maxDurations, s.Min, s.Max)
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
	case Durations:
		ds, _ := parseDurations(s) // checked by paramSpecs
		f.Set(reflect.ValueOf(ds))
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
		if len(s.Enum) == 0 {
			return len(v) <= maxTextParam
		}
		return slices.Contains(s.Enum, v)
	case Durations:
		lo, _ := time.ParseDuration(s.Min)
		hi, _ := time.ParseDuration(s.Max)
		if len(v) == 0 || len(v) > maxDurations {
			return false
		}
		for _, d := range v {
			if d.D() < lo || d.D() > hi {
				return false
			}
		}
		return true
	case Time:
		return true
	}
	return false
}
