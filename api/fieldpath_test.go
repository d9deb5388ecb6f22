package api

import (
	"encoding/json"
	"reflect"
	"testing"
)

type inner struct {
	Tag string `json:"tag"`
}

type base struct {
	ID string `json:"id"`
}

type outer struct {
	base
	Segment *inner          `json:"segment"`
	Items   []inner         `json:"items"`
	Params  json.RawMessage `json:"params"`
	Labels  map[string]any  `json:"labels"`
	Skip    string          `json:"-"`
}

func TestUnknownFieldPath(t *testing.T) {
	typ := reflect.TypeOf(&outer{})
	for body, want := range map[string]string{
		`{"segment":{"tag":"a","extra":1}}`:                     "segment.extra",
		`{"items":[{"tag":"a"},{"tag":"b","extra":1}]}`:         "items[1].extra",
		`{"SEGMENT":{"extra":1}}`:                               "SEGMENT.extra", // keys match case-insensitively
		`{"id":"x","extra":1}`:                                  "extra",         // promoted from an embedded struct
		`{"params":{"extra":1},"labels":{"extra":1},"extra":2}`: "extra",         // raw JSON and maps take any key
		`{"Skip":"x","extra":1}`:                                "extra",
		`not json`:                                              "extra", // falls back to the bare name
	} {
		if got := unknownFieldPath([]byte(body), typ, "extra"); got != want {
			t.Errorf("%s: %q, want %q", body, got, want)
		}
	}
}

func TestTypeErrorPathHasIndices(t *testing.T) {
	type shift struct {
		Weekday int    `json:"weekday"`
		Start   string `json:"start"`
	}
	type roster struct {
		Shifts []shift `json:"shifts"`
		Tags   []int   `json:"tags"`
		Nested struct {
			Inner []struct {
				N int `json:"n"`
			} `json:"inner"`
		} `json:"nested"`
	}
	target := reflect.TypeOf(&roster{})
	cases := map[string]struct{ body, field string }{
		"shifts[1].weekday":  {`{"shifts":[{"weekday":1},{"weekday":"monday"}]}`, "shifts.weekday"},
		"tags[2]":            {`{"tags":[1,2,"x"]}`, "tags"},
		"nested.inner[0].n":  {`{"nested":{"inner":[{"n":"1"}]}}`, "nested.inner.n"},
		"shifts.weekday.odd": {`not json`, "shifts.weekday.odd"},
	}
	for want, c := range cases {
		if got := typeErrorPath([]byte(c.body), target, c.field); got != want {
			t.Errorf("%s: %q, want %q", c.body, got, want)
		}
	}
}
