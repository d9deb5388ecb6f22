package workflows

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath"
)

type listParams struct {
	ID      string    `json:"id" required:"true" doc:"an ID"`
	At      Time      `json:"at" required:"true" doc:"when"`
	Offsets Durations `json:"offsets" default:"24h,72h" min:"1h" max:"336h" doc:"before"`
}

func field(err error) string {
	if e, ok := err.(*carepath.Error); ok {
		return e.Field
	}
	return ""
}

// The list, time and free-text param types: defaults, both list spellings,
// bounds, required params.
func TestListTimeAndRequiredParams(t *testing.T) {
	d := &Journey[listParams]{Name: "test_list", Version: 1}
	specs := d.Params()
	if specs[0].Type != "string" || !specs[0].Required || specs[1].Type != "time" || specs[2].Type != "durations" {
		t.Fatalf("specs %+v", specs)
	}
	// No params at all (the catalogue): defaults, required ones empty.
	raw, err := d.NormalizeParams(nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":"","at":"","offsets":["72h0m0s","24h0m0s"]}`; string(raw) != want {
		t.Fatalf("defaults %s, want %s (longest first)", raw, want)
	}
	ok := `"id":"a","at":"2026-01-09T15:30:00-05:00"`
	for _, c := range []struct{ params, field string }{
		{`{"at":"2026-01-09T15:30:00-05:00"}`, "params.id"},
		{`{"id":"a"}`, "params.at"},
		{`{"id":"a","at":""}`, "params.at"},
		{`{"id":"a","at":"2026-01-09 15:30"}`, "params.at"},
		{`{` + ok + `,"offsets":[]}`, "params.offsets"},
		{`{` + ok + `,"offsets":["30m"]}`, "params.offsets"},
		{`{` + ok + `,"offsets":["1h","2h","3h","4h","5h","6h","7h","8h","9h"]}`, "params.offsets"},
		{`{` + ok + `,"offsets":"soon"}`, "params.offsets"},
		{`{` + ok + `,"offsets":7}`, "params.offsets"},
		{`{"id":"` + strings.Repeat("x", 201) + `","at":"2026-01-09T15:30:00Z"}`, "params.id"},
	} {
		if _, err := d.NormalizeParams(json.RawMessage(c.params)); field(err) != c.field {
			t.Errorf("%s: %v, want an error naming %s", c.params, err, c.field)
		}
	}
	for _, offsets := range []string{`["2h","48h","2h"]`, `"2h, 48h"`} {
		raw, err := d.NormalizeParams(json.RawMessage(`{` + ok + `,"offsets":` + offsets + `}`))
		if err != nil {
			t.Fatalf("%s: %v", offsets, err)
		}
		var p listParams
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Offsets) != 2 || p.Offsets[0].D() != 48*time.Hour || p.Offsets[1].D() != 2*time.Hour {
			t.Errorf("%s normalised to %v", offsets, p.Offsets)
		}
		if want := time.Date(2026, 1, 9, 20, 30, 0, 0, time.UTC); !p.At.Equal(want) {
			t.Errorf("at %v, want %v", p.At, want)
		}
	}
}

// A required param with a default, or a time with one, is a bug the
// registry refuses.
func TestRequiredParamsHaveNoDefault(t *testing.T) {
	type bad struct {
		ID string `json:"id" required:"true" default:"x" doc:"x"`
	}
	if _, err := NewRegistry(&Journey[bad]{Name: "bad", Version: 1}); err == nil {
		t.Fatal("a required param with a default was accepted")
	}
}

// Dates and times as the patient reads them.
func TestLocalDateTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 9, 20, 30, 0, 0, time.UTC) // 15:30 in New York
	for _, c := range []struct{ locale, date, clock string }{
		{"en", "Friday, January 9", "3:30 PM"},
		{"es", "viernes 9 de enero", "3:30 p. m."},
	} {
		if d, k := LocalDateTime(at, ny, c.locale); d != c.date || k != c.clock {
			t.Errorf("%s: %q %q, want %q %q", c.locale, d, k, c.date, c.clock)
		}
	}
	if d, k := LocalDateTime(time.Date(2026, 3, 8, 14, 5, 0, 0, time.UTC), ny, "es"); d != "domingo 8 de marzo" || k != "10:05 a. m." {
		t.Errorf("after the DST change: %q %q", d, k) // 10:05 EDT
	}
}
