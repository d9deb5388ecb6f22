package fhir

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath/store"
)

// The renderers (out_*.go) turn carepath's rows into R4 resources built
// from samply's types. They are pure: the engine reads the rows, in one
// transaction, and audits. Every resource carries id, meta.versionId and
// meta.lastUpdated.

func outPtr[T any](v T) *T { return &v }

// outMeta is a rendered resource's meta.
func outMeta(version int64, updated time.Time, profiles ...string) *fm.Meta {
	return &fm.Meta{VersionId: outPtr(strconv.FormatInt(version, 10)), LastUpdated: outPtr(Instant(updated)), Profile: profiles}
}

// outRef is a literal reference: Type/id.
func outRef(typ, id string) *fm.Reference {
	return &fm.Reference{Reference: outPtr(typ + "/" + id)}
}

// outPatientRef is the reference to a patient by their FHIR Patient id.
func outPatientRef(fhirID string) *fm.Reference { return outRef("Patient", fhirID) }

// outLogicalRef names something that is no resource here (a carepath user,
// staff member or API key) by identifier, with the type it stands for.
func outLogicalRef(typ, system, value, display string) *fm.Reference {
	r := &fm.Reference{Type: outPtr(typ), Identifier: &fm.Identifier{System: outPtr(system), Value: outPtr(value)}}
	if display != "" {
		r.Display = outPtr(display)
	}
	return r
}

func outIdentifier(system, value string) fm.Identifier {
	return fm.Identifier{System: outPtr(system), Value: outPtr(value)}
}

func outCoding(system, code, display string) fm.Coding {
	c := fm.Coding{System: outPtr(system), Code: outPtr(code)}
	if display != "" {
		c.Display = outPtr(display)
	}
	return c
}

func outConcept(text string, codings ...fm.Coding) *fm.CodeableConcept {
	c := &fm.CodeableConcept{Coding: codings}
	if text != "" {
		c.Text = outPtr(text)
	}
	return c
}

func outDecimal(v float64) *json.Number {
	return outPtr(json.Number(strconv.FormatFloat(v, 'f', -1, 64)))
}

// marshal encodes a rendered resource.
func marshal(typ string, v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", typ, err)
	}
	return b, nil
}

// StoredResource is a resource an EHR sent, as stored, with carepath's id,
// version and last-updated time in its meta (the rest of meta — profile,
// tags, source — as sent).
func StoredResource(r store.FHIRResource) (json.RawMessage, error) {
	return overlay(r.Content, r.Type, r.ID, r.Version, r.LastUpdated, nil)
}

// overlay rewrites a stored resource's top-level fields: id, meta's version
// and time, and the fields given (nil values are removed).
func overlay(content json.RawMessage, typ, id string, version int64, updated time.Time, fields map[string]any) (json.RawMessage, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(content, &doc); err != nil {
		return nil, fmt.Errorf("stored %s is not a JSON object: %w", typ, err)
	}
	meta := map[string]json.RawMessage{}
	if raw, ok := doc["meta"]; ok {
		if err := json.Unmarshal(raw, &meta); err != nil {
			return nil, fmt.Errorf("stored %s meta: %w", typ, err)
		}
	}
	set := func(m map[string]json.RawMessage, k string, v any) error {
		if v == nil {
			delete(m, k)
			return nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("stored %s %s: %w", typ, k, err)
		}
		m[k] = b
		return nil
	}
	if err := set(meta, "versionId", strconv.FormatInt(version, 10)); err != nil {
		return nil, err
	}
	if err := set(meta, "lastUpdated", Instant(updated)); err != nil {
		return nil, err
	}
	fields2 := map[string]any{"resourceType": typ, "id": id, "meta": meta}
	for k, v := range fields {
		fields2[k] = v
	}
	for k, v := range fields2 {
		if err := set(doc, k, v); err != nil {
			return nil, err
		}
	}
	return marshal(typ, doc)
}

// ResourceMeta reads what the HTTP edge needs of a rendered resource:
// its version (the ETag) and last-updated time (Last-Modified).
func ResourceMeta(raw json.RawMessage) (version string, updated time.Time, err error) {
	var r struct {
		Meta struct {
			VersionID   string `json:"versionId"`
			LastUpdated string `json:"lastUpdated"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return "", time.Time{}, fmt.Errorf("resource meta: %w", err)
	}
	if r.Meta.LastUpdated != "" {
		if updated, err = time.Parse(time.RFC3339Nano, r.Meta.LastUpdated); err != nil {
			return "", time.Time{}, fmt.Errorf("resource meta.lastUpdated: %w", err)
		}
	}
	return r.Meta.VersionID, updated, nil
}
