package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// Roster limits.
const (
	maxShifts   = 1000
	maxLevel    = 20
	minutesADay = 24 * 60
)

// ShiftInput is one line of a roster as a caller sends it. Times are the
// clinic's wall clock, "HH:MM"; end may be "24:00", and an end before the
// start (e.g. 22:00-06:00) is an overnight shift that runs into the next
// weekday. Weekday is 0 (Sunday) to 6; level 1 is first call.
type ShiftInput struct {
	StaffID string `json:"staff_id"`
	Weekday *int   `json:"weekday"`
	Start   string `json:"start"`
	End     string `json:"end"`
	Level   *int   `json:"level"`
}

// RosterInput replaces the whole roster; an empty list clears it.
type RosterInput struct {
	Shifts *[]ShiftInput `json:"shifts"`
}

// ShiftView is a roster line as the API shows it.
type ShiftView struct {
	StaffID     string `json:"staff_id"`
	StaffName   string `json:"staff_name"`
	StaffActive bool   `json:"staff_active"`
	Weekday     int    `json:"weekday"`
	Start       string `json:"start"`
	End         string `json:"end"`
	Level       int    `json:"level"`
	Overnight   bool   `json:"overnight,omitempty"`
}

// Roster is the weekly on-call roster and the zone its times are in.
type Roster struct {
	Timezone string      `json:"timezone"`
	Shifts   []ShiftView `json:"shifts"`
}

// OnCallNow is the chain at an instant: who to page, first call first.
type OnCallNow struct {
	At       time.Time      `json:"at"`
	Local    string         `json:"local"` // the clinic's wall clock at At, e.g. "Sun 08:30 EDT"
	Timezone string         `json:"timezone"`
	Chain    []store.OnCall `json:"chain"`
}

// clinicZone is the zone the roster is read in.
func (e *Engine) clinicZone() *time.Location {
	if e.ClinicZone != nil {
		return e.ClinicZone
	}
	return defaultClinicZone
}

var defaultClinicZone = func() *time.Location {
	z, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(fmt.Sprintf("engine: load the default clinic zone: %v", err)) // the tz database ships with Go (time/tzdata)
	}
	return z
}()

// parseClock reads "HH:MM" as minutes after midnight, up to most.
func parseClock(s string, most int) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	if m > 59 || h*60+m > most {
		return 0, false
	}
	return h*60 + m, true
}

func clock(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

// validShifts checks a roster, naming the path of the first problem
// (shifts[2].start); staff must exist and be active.
func validShifts(ctx context.Context, q *store.Queries, in []ShiftInput) ([]store.Shift, error) {
	if len(in) > maxShifts {
		return nil, carepath.Invalid("shifts", "at most %d shifts", maxShifts)
	}
	out := make([]store.Shift, 0, len(in))
	known := map[string]bool{}
	for i, s := range in {
		path := fmt.Sprintf("shifts[%d].", i)
		if validID(s.StaffID, "staff") != nil {
			return nil, carepath.Invalid(path+"staff_id", "must be a staff ID")
		}
		if _, ok := known[s.StaffID]; !ok {
			st, err := q.StaffGet(ctx, s.StaffID)
			if carepath.ErrorCode(err) == carepath.ENOTFOUND {
				return nil, carepath.Invalid(path+"staff_id", "no staff member has this ID")
			} else if err != nil {
				return nil, err
			}
			known[s.StaffID] = st.Active
		}
		if !known[s.StaffID] {
			return nil, carepath.Invalid(path+"staff_id", "the staff member is deactivated")
		}
		if s.Weekday == nil || *s.Weekday < 0 || *s.Weekday > 6 {
			return nil, carepath.Invalid(path+"weekday", "must be 0 (Sunday) to 6 (Saturday)")
		}
		start, ok := parseClock(s.Start, minutesADay-1)
		if !ok {
			return nil, carepath.Invalid(path+"start", `must be a time "HH:MM" from 00:00 to 23:59`)
		}
		end, ok := parseClock(s.End, minutesADay)
		if !ok {
			return nil, carepath.Invalid(path+"end", `must be a time "HH:MM" from 00:00 to 24:00`)
		}
		if end == 0 {
			end = minutesADay // "22:00-00:00" runs to midnight
		}
		if end == start {
			return nil, carepath.Invalid(path+"end", "must differ from start (a whole day is 00:00-24:00)")
		}
		if s.Level == nil || *s.Level < 1 || *s.Level > maxLevel {
			return nil, carepath.Invalid(path+"level", "must be 1 (first call) to %d", maxLevel)
		}
		out = append(out, store.Shift{StaffID: s.StaffID, Weekday: time.Weekday(*s.Weekday), Start: start, End: end, Level: *s.Level})
	}
	return out, nil
}

func (e *Engine) rosterView(ctx context.Context, q *store.Queries) (Roster, error) {
	shifts, err := q.OnCallRoster(ctx)
	if err != nil {
		return Roster{}, err
	}
	r := Roster{Timezone: e.clinicZone().String(), Shifts: make([]ShiftView, len(shifts))}
	for i, s := range shifts {
		r.Shifts[i] = ShiftView{StaffID: s.StaffID, StaffName: s.StaffName, StaffActive: s.Active, Weekday: int(s.Weekday),
			Start: clock(s.Start), End: clock(s.End), Level: s.Level, Overnight: s.End < s.Start}
	}
	return r, nil
}

// GetRoster returns the weekly on-call roster.
func (e *Engine) GetRoster(ctx context.Context, a carepath.Actor) (Roster, error) {
	var r Roster
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if r, err = e.rosterView(ctx, q); err != nil {
			return err
		}
		return audit(ctx, q, a, "oncall.read", "", "oncall")
	})
	return r, err
}

// ReplaceRoster validates a whole roster and puts it in place of the old
// one atomically: readers see the old roster or the new, never a mix.
func (e *Engine) ReplaceRoster(ctx context.Context, a carepath.Actor, in RosterInput) (Roster, error) {
	if in.Shifts == nil {
		return Roster{}, carepath.Invalid("shifts", "is required (an empty list clears the roster)")
	}
	var r Roster
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		shifts, err := validShifts(ctx, q, *in.Shifts)
		if err != nil {
			return err
		}
		if err := q.OnCallReplace(ctx, shifts); err != nil {
			return err
		}
		if r, err = e.rosterView(ctx, q); err != nil {
			return err
		}
		return audit(ctx, q, a, "oncall.replace", "", "oncall")
	})
	return r, err
}

// OnCallAt returns who is on call at an instant, first call first.
func (e *Engine) OnCallAt(ctx context.Context, a carepath.Actor, at time.Time) (OnCallNow, error) {
	zone := e.clinicZone()
	out := OnCallNow{At: at, Local: at.In(zone).Format("Mon 2006-01-02 15:04 MST"), Timezone: zone.String()}
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if out.Chain, err = q.OnCallLevels(ctx, at, zone); err != nil {
			return err
		}
		return audit(ctx, q, a, "oncall.read", "", "oncall/now")
	})
	return out, err
}
