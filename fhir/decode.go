package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/carepath/carepath"
)

// Decode unmarshals one resource of type typ into into (a samply model
// struct) and turns what goes wrong into carepath.Invalid naming the FHIR
// path: a resourceType that is not typ, JSON that is not an object, a
// value of the wrong JSON type (encoding/json's "telecom.value" becomes
// "Patient.telecom[1].value", the element that is wrong), a code outside
// its value set (samply's "unknown X code `y`" carries no path: the JSON
// is walked for the value). The messages hold no values: they may be PHI.
func Decode(raw json.RawMessage, typ string, into any) error {
	var head struct {
		ResourceType *string `json:"resourceType"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return carepath.Invalid(typ, "must be a JSON object (a FHIR %s resource)", typ)
	}
	if head.ResourceType == nil || *head.ResourceType != typ {
		return carepath.Invalid(typ+".resourceType", "must be %s", typ)
	}
	err := json.Unmarshal(raw, into)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return carepath.Invalid(typ+"."+typeErrorPath(raw, te), "must be a JSON %s", jsonKindOf(te.Type.Kind().String()))
	case errors.As(err, &se):
		return carepath.Invalid(typ, "is not valid JSON")
	}
	if m := numberLiteral.FindStringSubmatch(err.Error()); m != nil {
		// A string where a decimal belongs ("value": "high"): the error
		// quotes the literal, which is walked for.
		if lit, uerr := strconv.Unquote(m[1]); uerr == nil {
			if v, uerr := strconv.Unquote(lit); uerr == nil {
				if path := findString(raw, v); path != "" {
					return carepath.Invalid(typ+"."+path, "must be a JSON number")
				}
			}
		}
		return carepath.Invalid(typ, "has a string where a number belongs")
	}
	if m := unknownCode.FindStringSubmatch(err.Error()); m != nil {
		path := findString(raw, m[2])
		if path == "" {
			return carepath.Invalid(typ, "has a code outside the %s value set", m[1])
		}
		return carepath.Invalid(typ+"."+path, "is not a %s code", m[1])
	}
	// Anything else the model refuses: no path to give, and its text may
	// quote the input.
	return carepath.Invalid(typ, "could not be read as a FHIR %s", typ)
}

// numberLiteral is encoding/json's error for a string decoded into a
// json.Number (samply's decimals).
var numberLiteral = regexp.MustCompile(`^json: invalid number literal, trying to unmarshal (".*") into Number$`)

// unknownCode is samply's error for a code outside a required value set.
var unknownCode = regexp.MustCompile("^unknown ([A-Za-z]+) code `(.*)`$")

// jsonKindOf names the JSON type a Go kind is decoded from.
func jsonKindOf(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	}
	if strings.HasPrefix(goKind, "int") || strings.HasPrefix(goKind, "uint") || strings.HasPrefix(goKind, "float") {
		return "number"
	}
	return "value of another type"
}

// typeErrorPath finds the element encoding/json refused: its Field is the
// dotted path without array indexes, so the JSON is walked for the first
// element on that path whose JSON kind is the one refused.
func typeErrorPath(raw json.RawMessage, te *json.UnmarshalTypeError) string {
	if te.Field == "" {
		return ""
	}
	want := strings.Split(te.Field, ".")
	found := ""
	walkJSON(raw, func(p []pathSeg, kind, _ string) bool {
		if found != "" || len(namesOf(p)) != len(want) || kind != te.Value {
			return found == ""
		}
		if slicesEqual(namesOf(p), want) {
			found = formatPath(p)
		}
		return found == ""
	})
	if found == "" {
		return te.Field
	}
	return found
}

// findString is the FHIR path of the first string in raw equal to v.
func findString(raw json.RawMessage, v string) string {
	found := ""
	walkJSON(raw, func(p []pathSeg, kind, s string) bool {
		if kind == "string" && s == v && len(p) > 0 {
			found = formatPath(p)
		}
		return found == ""
	})
	return found
}

// pathSeg is one step into a JSON document: an object member or an array
// index (Name "" then).
type pathSeg struct {
	Name  string
	Index int
}

func namesOf(p []pathSeg) []string {
	out := make([]string, 0, len(p))
	for _, s := range p {
		if s.Name != "" {
			out = append(out, s.Name)
		}
	}
	return out
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// formatPath writes a path the FHIRPath way: telecom[1].value.
func formatPath(p []pathSeg) string {
	var b strings.Builder
	for _, s := range p {
		if s.Name == "" {
			b.WriteString("[" + strconv.Itoa(s.Index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.Name)
	}
	return b.String()
}

// walkJSON visits every value of raw in document order with its path, its
// JSON kind (string, number, bool, null, object, array) and, for a
// string, its value; visit returning false stops the walk. Member order
// is the document's (a map would lose it).
func walkJSON(raw json.RawMessage, visit func(p []pathSeg, kind, s string) bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	_ = walkValue(dec, nil, visit) // a malformed document just ends the walk
}

var errStop = errors.New("stop")

func walkValue(dec *json.Decoder, path []pathSeg, visit func([]pathSeg, string, string) bool) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			if !visit(path, "object", "") {
				return errStop
			}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				name, _ := k.(string)
				if err := walkValue(dec, append(path, pathSeg{Name: name}), visit); err != nil {
					return err
				}
			}
		} else {
			if !visit(path, "array", "") {
				return errStop
			}
			for i := 0; dec.More(); i++ {
				if err := walkValue(dec, append(path, pathSeg{Index: i}), visit); err != nil {
					return err
				}
			}
		}
		_, err := dec.Token() // the closing delimiter
		return err
	case string:
		return stopIf(visit(path, "string", t))
	case json.Number:
		return stopIf(visit(path, "number", ""))
	case bool:
		return stopIf(visit(path, "bool", ""))
	case nil:
		return stopIf(visit(path, "null", ""))
	}
	return fmt.Errorf("unexpected token %T", tok)
}

func stopIf(cont bool) error {
	if cont {
		return nil
	}
	return errStop
}
