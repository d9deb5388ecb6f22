package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// unknownFieldPath finds where an unknown field sits in a request body, as
// the path a caller can act on ("segment.extra", "items[2].extra"):
// encoding/json reports only the bare name. It falls back to the name.
func unknownFieldPath(body []byte, target reflect.Type, name string) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return name
	}
	if p, ok := findUnknown(v, target, name, ""); ok {
		return p
	}
	return name
}

func findUnknown(v any, t reflect.Type, name, prefix string) (string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch val := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return "", false // maps and raw JSON take any key
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(val))
		for k := range val {
			keys = append(keys, k)
		}
		slices.Sort(keys) // deterministic when a name appears twice
		for _, k := range keys {
			ft, ok := lookupField(fields, k)
			if !ok {
				if k == name {
					return prefix + k, true
				}
				continue
			}
			if p, ok := findUnknown(val[k], ft, name, prefix+k+"."); ok {
				return p, true
			}
		}
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return "", false
		}
		base := strings.TrimSuffix(prefix, ".")
		for i, e := range val {
			if p, ok := findUnknown(e, t.Elem(), name, fmt.Sprintf("%s[%d].", base, i)); ok {
				return p, true
			}
		}
	}
	return "", false
}

// jsonFields maps a struct's JSON names to their types, with embedded
// structs' fields promoted, as encoding/json sees them.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					out[k] = v
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// lookupField matches a key as encoding/json does: exactly, else ignoring case.
func lookupField(fields map[string]reflect.Type, key string) (reflect.Type, bool) {
	if t, ok := fields[key]; ok {
		return t, true
	}
	for name, t := range fields {
		if strings.EqualFold(name, key) {
			return t, true
		}
	}
	return nil, false
}

// typeErrorPath finds where a value of the wrong type sits, with array
// indices ("shifts[1].weekday"): encoding/json's UnmarshalTypeError names
// the dotted path without them ("shifts.weekday"). It falls back to field.
func typeErrorPath(body []byte, target reflect.Type, field string) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return field
	}
	if p, ok := findMistyped(v, target, strings.Split(field, "."), ""); ok {
		return p
	}
	return field
}

func findMistyped(v any, t reflect.Type, parts []string, prefix string) (string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if arr, ok := v.([]any); ok && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		for i, e := range arr {
			if p, ok := findMistyped(e, t.Elem(), parts, fmt.Sprintf("%s[%d]", prefix, i)); ok {
				return p, true
			}
		}
		return "", false
	}
	if len(parts) == 0 {
		b, err := json.Marshal(v)
		if err != nil || json.Unmarshal(b, reflect.New(t).Interface()) != nil {
			return prefix, true
		}
		return "", false
	}
	m, ok := v.(map[string]any)
	if !ok || t.Kind() != reflect.Struct {
		return "", false
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !strings.EqualFold(k, parts[0]) {
			continue
		}
		ft, ok := lookupField(jsonFields(t), k)
		if !ok {
			continue
		}
		next := k
		if prefix != "" {
			next = prefix + "." + k
		}
		if p, ok := findMistyped(m[k], ft, parts[1:], next); ok {
			return p, true
		}
	}
	return "", false
}
