package messaging_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/carepath/carepath/messaging"
)

// Zones with DST in either hemisphere, transitions at midnight (Havana,
// Santiago), half-hour and 45-minute offsets, and none at all.
var zones = []string{
	"America/New_York", "America/Los_Angeles", "America/Phoenix", "America/Havana", "America/Santiago",
	"America/St_Johns", "Europe/London", "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Tehran",
	"Australia/Sydney", "Australia/Lord_Howe", "Pacific/Chatham", "Pacific/Auckland", "Africa/Cairo", "UTC",
}

// dstDays are instants near DST transitions in the zones above.
var dstDays = []string{
	"2026-03-08T12:00:00Z", "2026-11-01T12:00:00Z", "2026-03-29T12:00:00Z", "2026-10-25T12:00:00Z",
	"2026-04-05T12:00:00Z", "2026-10-04T12:00:00Z", "2026-09-06T12:00:00Z", "2026-04-04T12:00:00Z",
	"2026-03-15T12:00:00Z", "2026-11-08T12:00:00Z",
}

// TestQuietHoursProperty checks thousands of random instants, many on DST
// days: the release time is never before the due time, always inside
// 08:00–21:00 local, equal to the due time when that is already inside,
// and otherwise exactly an opening (one minute earlier is outside).
func TestQuietHoursProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	windows := []messaging.Window{messaging.DefaultWindow, {Start: 9 * time.Hour, End: 17*time.Hour + 30*time.Minute}}
	violations := 0
	for i := range 20000 {
		loc, err := time.LoadLocation(zones[rng.IntN(len(zones))])
		if err != nil {
			t.Fatal(err)
		}
		var due time.Time
		if i%2 == 0 {
			base, err := time.Parse(time.RFC3339, dstDays[rng.IntN(len(dstDays))])
			if err != nil {
				t.Fatal(err)
			}
			due = base.Add(time.Duration(rng.Int64N(int64(72*time.Hour))) - 36*time.Hour)
		} else {
			due = time.Unix(1_700_000_000+rng.Int64N(200_000_000), 0).UTC()
		}
		w := windows[rng.IntN(len(windows))]
		got := w.NextOpen(due, loc)
		local := got.In(loc)
		clock := time.Duration(local.Hour())*time.Hour + time.Duration(local.Minute())*time.Minute
		switch {
		case got.Before(due):
			t.Errorf("%s %s: released %s, before due", loc, due, got)
		case clock < w.Start || clock >= w.End:
			t.Errorf("%s %s: released at local %s, outside %s", loc, due, local.Format("15:04"), w)
		case w.Contains(due, loc) && !got.Equal(due):
			t.Errorf("%s %s: due inside the window but held to %s", loc, due, got)
		case !got.Equal(due) && w.Contains(got.Add(-time.Minute), loc) && got.Add(-time.Minute).After(due):
			t.Errorf("%s %s: held to %s though the window was open a minute earlier", loc, due, got)
		default:
			continue
		}
		violations++
	}
	if violations != 0 {
		t.Fatalf("%d violations", violations)
	}
}

func TestQuietHoursExamples(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	w := messaging.DefaultWindow
	cases := []struct{ due, want string }{
		{"2026-06-01T02:00:00-04:00", "2026-06-01T08:00:00-04:00"}, // 2 a.m. waits for 8
		{"2026-06-01T12:00:00-04:00", "2026-06-01T12:00:00-04:00"}, // noon goes now
		{"2026-06-01T21:00:00-04:00", "2026-06-02T08:00:00-04:00"}, // 9 p.m. is closed
		{"2026-03-08T01:30:00-05:00", "2026-03-08T08:00:00-04:00"}, // spring forward night
		{"2026-11-01T01:30:00-04:00", "2026-11-01T08:00:00-05:00"}, // fall back night
	}
	for _, c := range cases {
		due, derr := time.Parse(time.RFC3339, c.due)
		want, werr := time.Parse(time.RFC3339, c.want)
		if err := errors.Join(derr, werr); err != nil {
			t.Fatal(err)
		}
		if got := w.NextOpen(due, ny); !got.Equal(want) {
			t.Errorf("NextOpen(%s) = %s, want %s", c.due, got.In(ny), c.want)
		}
	}
}

func TestParseWindow(t *testing.T) {
	if w, err := messaging.ParseWindow("09:00-20:30"); err != nil || w.String() != "09:00-20:30" {
		t.Fatalf("%v %v", w, err)
	}
	for _, bad := range []string{"07:00-21:00", "08:00-22:00", "20:00-09:00", "8-21", "08:60-20:00"} {
		if _, err := messaging.ParseWindow(bad); err == nil {
			t.Errorf("ParseWindow(%q) accepted", bad)
		}
	}
}
