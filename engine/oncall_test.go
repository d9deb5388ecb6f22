package engine

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

func TestParseClock(t *testing.T) {
	for s, want := range map[string]int{"00:00": 0, "08:30": 510, "23:59": 1439, "24:00": 1440} {
		if got, ok := parseClock(s, minutesADay); !ok || got != want {
			t.Errorf("%q: %d %v, want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "8:30", "08:3", "08:60", "24:01", "25:00", "+8:30", " 8:30", "08-30", "0830", "08:30:00", "ab:cd"} {
		if got, ok := parseClock(s, minutesADay); ok {
			t.Errorf("%q accepted as %d", s, got)
		}
	}
	if _, ok := parseClock("24:00", minutesADay-1); ok {
		t.Error("24:00 accepted as a start")
	}
}

// The roster is read in Engine.ClinicZone: a clinic in Madrid has its
// Monday 09:00 shift at 08:00 UTC in winter and 07:00 UTC after Europe's
// spring-forward (29 March 2026), a different weekend from New York's.
func TestOnCallUsesTheClinicZone(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, testenv.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), ClinicZone: madrid}
	admin := carepath.Actor{Kind: carepath.ActorAPIKey, ID: "test"}
	nurse, err := e.CreateStaff(ctx, admin, NewStaff{Name: "Enfermera", Role: "nurse", Phone: "+34600000001"})
	if err != nil {
		t.Fatal(err)
	}
	mon := 1
	level := 1
	r, err := e.ReplaceRoster(ctx, admin, RosterInput{Shifts: &[]ShiftInput{{StaffID: nurse.ID, Weekday: &mon, Start: "09:00", End: "10:00", Level: &level}}})
	if err != nil || r.Timezone != "Europe/Madrid" || len(r.Shifts) != 1 {
		t.Fatalf("replace: %+v %v", r, err)
	}
	for at, want := range map[string]int{
		"2026-03-23T08:30:00Z": 1, // CET 09:30
		"2026-03-23T07:30:00Z": 0, // CET 08:30
		"2026-03-30T07:30:00Z": 1, // CEST 09:30, the day after the change
		"2026-03-30T08:30:00Z": 0, // CEST 10:30
	} {
		when, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t.Fatal(err)
		}
		now, err := e.OnCallAt(ctx, admin, when)
		if err != nil {
			t.Fatal(err)
		}
		if len(now.Chain) != want || now.Timezone != "Europe/Madrid" || !strings.HasPrefix(now.Local, "Mon ") {
			t.Errorf("at %s (%s): %d on call, want %d", at, now.Local, len(now.Chain), want)
		}
	}
	// Without a zone the engine reads the roster in New York time.
	e.ClinicZone = nil
	if r, err := e.GetRoster(ctx, admin); err != nil || r.Timezone != "America/New_York" {
		t.Fatalf("default zone: %q %v", r.Timezone, err)
	}
}
