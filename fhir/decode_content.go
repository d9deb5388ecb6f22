package fhir

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// SourceMeta is what a sender's meta says about a resource's version.
type SourceMeta struct {
	VersionID   string     // meta.versionId, "" when not given
	LastUpdated *time.Time // meta.lastUpdated, nil when not given
}

// MetaOf reads a resource's meta.versionId and meta.lastUpdated.
func MetaOf(raw json.RawMessage, typ string) (SourceMeta, error) {
	var r struct {
		Meta *struct {
			VersionID   *string `json:"versionId"`
			LastUpdated *string `json:"lastUpdated"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return SourceMeta{}, carepath.Invalid(typ+".meta", "must be a FHIR Meta")
	}
	var m SourceMeta
	if r.Meta == nil {
		return m, nil
	}
	if r.Meta.VersionID != nil {
		m.VersionID = *r.Meta.VersionID
	}
	if r.Meta.LastUpdated != nil {
		t, err := time.Parse(time.RFC3339Nano, *r.Meta.LastUpdated)
		if err != nil {
			return m, carepath.Invalid(typ+".meta.lastUpdated", "must be a FHIR instant (e.g. 2026-01-02T15:04:05Z)")
		}
		m.LastUpdated = &t
	}
	return m, nil
}

// ContentHash is the sha256 (hex) of a resource without its meta, in a
// canonical form (members sorted, no spaces), so a re-send is recognised
// whatever meta or formatting it carries.
func ContentHash(raw json.RawMessage) (string, error) {
	doc, err := decodeObject(raw)
	if err != nil {
		return "", err
	}
	delete(doc, "meta")
	b, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Prepare is a resource as carepath stores it: its id set to id, and each
// reference to another entry of the same Bundle (a "urn:uuid:…" fullUrl in
// refs) rewritten to the Type/id that entry was given. A urn:uuid
// reference to no entry is invalid (its path is named).
func Prepare(raw json.RawMessage, typ, id string, refs map[string]string) (json.RawMessage, error) {
	doc, err := decodeObject(raw)
	if err != nil {
		return nil, carepath.Invalid(typ, "must be a JSON object")
	}
	doc["id"] = id
	var problems carepath.Problems
	rewriteRefs(doc, typ, refs, &problems)
	slices.SortFunc(problems, func(a, b *carepath.Error) int { return strings.Compare(a.Field, b.Field) })
	if err := problems.Err(); err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}

func rewriteRefs(v any, path string, refs map[string]string, problems *carepath.Problems) {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			if s, ok := child.(string); ok && k == "reference" && strings.HasPrefix(s, "urn:uuid:") {
				to, found := refs[s]
				if !found {
					*problems = append(*problems, carepath.Invalid(path+".reference",
						"refers to a urn:uuid fullUrl no entry of the Bundle has"))
					continue
				}
				t[k] = to
				continue
			}
			rewriteRefs(child, path+"."+k, refs, problems)
		}
	case []any:
		for i, child := range t {
			rewriteRefs(child, path+"["+strconv.Itoa(i)+"]", refs, problems)
		}
	}
}

// IdentifiersOf returns a resource's business identifiers (those with a
// value).
func IdentifiersOf(raw json.RawMessage) []store.FHIRIdentifier {
	var r struct {
		Identifier []struct {
			System *string `json:"system"`
			Value  *string `json:"value"`
		} `json:"identifier"`
	}
	if json.Unmarshal(raw, &r) != nil {
		return nil
	}
	var out []store.FHIRIdentifier
	seen := map[store.FHIRIdentifier]bool{}
	for _, i := range r.Identifier {
		if i.Value == nil || *i.Value == "" {
			continue
		}
		id := store.FHIRIdentifier{Value: *i.Value}
		if i.System != nil {
			id.System = *i.System
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func decodeObject(raw json.RawMessage) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // numbers kept as written: 98.60 stays 98.60
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, nil
}
