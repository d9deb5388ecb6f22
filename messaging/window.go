package messaging

import (
	"errors"
	"fmt"
	"time"
)

// Window is the part of each local day automated messages may go out in.
type Window struct {
	Start, End time.Duration // offsets from local midnight
}

// DefaultWindow is 08:00–21:00; deployments may only narrow it.
var DefaultWindow = Window{Start: 8 * time.Hour, End: 21 * time.Hour}

// ParseWindow reads "HH:MM-HH:MM" and refuses anything wider than the
// default 08:00–21:00.
func ParseWindow(s string) (Window, error) {
	var sh, sm, eh, em int
	if _, err := fmt.Sscanf(s, "%d:%d-%d:%d", &sh, &sm, &eh, &em); err != nil {
		return Window{}, errors.New(`must be "HH:MM-HH:MM", e.g. "09:00-20:00"`)
	}
	w := Window{Start: time.Duration(sh)*time.Hour + time.Duration(sm)*time.Minute,
		End: time.Duration(eh)*time.Hour + time.Duration(em)*time.Minute}
	if sm < 0 || sm > 59 || em < 0 || em > 59 || w.Start >= w.End {
		return Window{}, errors.New("start must be before end")
	}
	if w.Start < DefaultWindow.Start || w.End > DefaultWindow.End {
		return Window{}, errors.New("may only narrow 08:00-21:00")
	}
	return w, nil
}

func (w Window) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", int(w.Start.Hours()), int(w.Start.Minutes())%60, int(w.End.Hours()), int(w.End.Minutes())%60)
}

// at is the instant of a local clock offset on a local date. Clock times
// are built with time.Date, so a day that is 23 or 25 hours long (DST)
// still opens at 08:00 on the wall clock.
func at(y int, m time.Month, d int, off time.Duration, loc *time.Location) time.Time {
	return time.Date(y, m, d, int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, loc)
}

// Contains reports whether t falls inside the window in loc.
func (w Window) Contains(t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	y, m, d := l.Date()
	return !l.Before(at(y, m, d, w.Start, loc)) && l.Before(at(y, m, d, w.End, loc))
}

// NextOpen returns t when it is inside the window, else the next instant
// the window opens in loc.
func (w Window) NextOpen(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	y, m, d := l.Date()
	open, close := at(y, m, d, w.Start, loc), at(y, m, d, w.End, loc)
	switch {
	case l.Before(open):
		return open
	case l.Before(close):
		return t
	default:
		return at(y, m, d+1, w.Start, loc)
	}
}

// Caps limit outreach messages per patient across all journeys.
type Caps struct {
	PerDay  int // per local calendar day
	PerWeek int // per rolling 7 days
}

// DefaultCaps is 1 a day and 3 a week.
var DefaultCaps = Caps{PerDay: 1, PerWeek: 3}

// StartOfDay is local midnight of t's day in loc (the first instant of the
// day, which DST can move off 00:00).
func StartOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// NextDay is the first instant of the next local day.
func NextDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}
