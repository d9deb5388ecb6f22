package fhir

import (
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/carepath/carepath"
)

var commParams = []string{ParamID, ParamSubject, ParamPatient, ParamLastUpdated, ParamIdentifier, ParamStatus}

func mustParse(t *testing.T, raw string) Search {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSearch("Communication", q, commParams)
	if err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return s
}

func TestParseSearch(t *testing.T) {
	s := mustParse(t, "")
	if s.Count != DefaultCount || s.Patient != "" || s.IDs != nil {
		t.Errorf("empty query: %+v", s)
	}
	s = mustParse(t, "subject=Patient/abc-1&_count=10&_id=a,b.c&status=completed,in-progress&_format=json")
	if s.Patient != "abc-1" || s.Count != 10 || !slices.Equal(s.IDs, []string{"a", "b.c"}) ||
		!slices.Equal(s.Status, []string{"completed", "in-progress"}) {
		t.Errorf("got %+v", s)
	}
	for _, raw := range []string{"patient=abc-1", "subject=abc-1", "subject:Patient=abc-1",
		"subject=https://ehr.example/fhir/Patient/abc-1", "patient=abc-1&subject=Patient/abc-1"} {
		if s := mustParse(t, raw); s.Patient != "abc-1" {
			t.Errorf("%s: patient %q", raw, s.Patient)
		}
	}
	if s := mustParse(t, "_count=1000"); s.Count != MaxCount {
		t.Errorf("_count=1000: %d, want %d", s.Count, MaxCount)
	}
	s = mustParse(t, "identifier=http://hospital.example/mrn|12345")
	if *s.Identifier != (Token{System: "http://hospital.example/mrn", Value: "12345", HasSystem: true}) {
		t.Errorf("identifier: %+v", s.Identifier)
	}
	if s = mustParse(t, "identifier=12345"); *s.Identifier != (Token{Value: "12345"}) {
		t.Errorf("bare identifier: %+v", s.Identifier)
	}
	if s = mustParse(t, "identifier=|12345"); *s.Identifier != (Token{Value: "12345", HasSystem: true}) {
		t.Errorf("no-system identifier: %+v", s.Identifier)
	}
	if s = mustParse(t, "_cursor=eyJvIjo1MH0"); s.Cursor != "eyJvIjo1MH0" {
		t.Errorf("cursor: %q", s.Cursor)
	}
}

func TestParseSearchRefusesNamingTheParameter(t *testing.T) {
	cases := map[string]string{
		"_sort=date":                "_sort",
		"code=1234":                 "code",
		"subject=Group/7":           "subject",
		"subject=Patient/a,b":       "subject",
		"patient=a&subject=b":       "subject",
		"_id=bad id":                "_id",
		"_id=a&_id=b":               "_id",
		"_count=0":                  "_count",
		"_count=ten":                "_count",
		"_lastUpdated=ne2026-01-01": "_lastUpdated",
		"_lastUpdated=2026-13":      "_lastUpdated",
		"_lastUpdated=yesterday":    "_lastUpdated",
		"identifier=":               "identifier",
		"identifier=a|":             "identifier",
		"status=a b":                "status",
		"_cursor=<script>":          "_cursor",
		"identifier:exact=x":        "identifier:exact",
	}
	for raw, field := range cases {
		q, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ParseSearch("Communication", q, commParams)
		var ae *carepath.Error
		if !errors.As(err, &ae) || ae.Code != carepath.EINVALID || ae.Field != field {
			t.Errorf("%s: got %v, want invalid %s", raw, err, field)
		}
	}
	// A parameter the type does not take is refused even if others do.
	if _, err := ParseSearch("Patient", url.Values{"subject": {"x"}}, []string{ParamID}); carepath.ErrorCode(err) != carepath.EINVALID {
		t.Errorf("subject on Patient: %v", err)
	}
}

func TestDateFilterPartialDates(t *testing.T) {
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		value    string
		from, to string
	}{
		{"2026", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"2026-02", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"},
		{"eq2026-11-30", "2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z"},
		{"ge2026-11-30T10:15", "2026-11-30T10:15:00Z", "2026-11-30T10:16:00Z"},
		{"lt2026-11-30T10:15:30-05:00", "2026-11-30T15:15:30Z", "2026-11-30T15:15:31Z"},
		{"2026-11-30T10:15:30.250Z", "2026-11-30T10:15:30.25Z", "2026-11-30T10:15:30.251Z"},
	}
	for _, c := range cases {
		d, err := ParseDateFilter("_lastUpdated", c.value)
		if err != nil {
			t.Fatalf("%s: %v", c.value, err)
		}
		from, to := d.Interval()
		if !from.Equal(utc(c.from)) || !to.Equal(utc(c.to)) {
			t.Errorf("%s: [%v, %v), want [%s, %s)", c.value, from, to, c.from, c.to)
		}
	}
	in := utc("2026-11-15T12:00:00Z")
	before := utc("2026-10-31T23:59:59Z")
	after := utc("2026-12-01T00:00:00Z")
	want := map[string][3]bool{ // before, in, after
		"eq": {false, true, false},
		"gt": {false, false, true},
		"ge": {false, true, true},
		"lt": {true, false, false},
		"le": {true, true, false},
	}
	for prefix, w := range want {
		d, err := ParseDateFilter("_lastUpdated", prefix+"2026-11")
		if err != nil {
			t.Fatal(err)
		}
		got := [3]bool{d.Matches(before), d.Matches(in), d.Matches(after)}
		if got != w {
			t.Errorf("%s2026-11: matches %v, want %v", prefix, got, w)
		}
		// Bounds agrees with Matches.
		lo, hi := d.Bounds()
		for i, tm := range []time.Time{before, in, after} {
			inside := (lo.IsZero() || !tm.Before(lo)) && (hi.IsZero() || tm.Before(hi))
			if inside != w[i] {
				t.Errorf("%s2026-11: bounds [%v, %v) disagree at %v", prefix, lo, hi, tm)
			}
		}
	}
	s := mustParse(t, "_lastUpdated=ge2026-11-01&_lastUpdated=lt2026-12")
	if len(s.LastUpdated) != 2 || s.LastUpdated[0].Prefix != "ge" || s.LastUpdated[1].Prefix != "lt" {
		t.Errorf("range: %+v", s.LastUpdated)
	}
}
