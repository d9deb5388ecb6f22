package store

import (
	"context"
	"fmt"
	"time"
)

// Shift is one line of the weekly on-call roster, in the clinic's
// wall-clock time. Start and End are minutes after local midnight (End
// 1440 is 24:00); End before Start is an overnight shift that runs into
// the next day. Level 1 is first call, 2 the next in the chain, and so on.
type Shift struct {
	StaffID   string
	StaffName string // read only
	Active    bool   // read only: the staff member is active
	Weekday   time.Weekday
	Start     int
	End       int
	Level     int
}

// Covers reports whether the shift covers local weekday wd at minute m
// after midnight; the SQL of OnCallChain says the same.
func (s Shift) Covers(wd time.Weekday, m int) bool {
	switch {
	case s.Start < s.End:
		return s.Weekday == wd && m >= s.Start && m < s.End
	case s.Weekday == wd:
		return m >= s.Start
	default:
		return (s.Weekday+1)%7 == wd && m < s.End
	}
}

// OnCallReplace replaces the whole roster. It must run in a transaction
// (the table lock that serialises replacements refuses to run outside one).
func (q *Queries) OnCallReplace(ctx context.Context, shifts []Shift) error {
	if _, err := q.db.Exec(ctx, stmt("OnCallLock")); err != nil {
		return fmt.Errorf("lock roster: %w", err)
	}
	if _, err := q.db.Exec(ctx, stmt("OnCallDeleteAll")); err != nil {
		return fmt.Errorf("clear roster: %w", err)
	}
	if len(shifts) == 0 {
		return nil
	}
	staff := make([]string, len(shifts))
	wd, start, end, level := make([]int16, len(shifts)), make([]int16, len(shifts)), make([]int16, len(shifts)), make([]int16, len(shifts))
	for i, s := range shifts {
		staff[i], wd[i], start[i], end[i], level[i] = s.StaffID, int16(s.Weekday), int16(s.Start), int16(s.End), int16(s.Level)
	}
	if _, err := q.db.Exec(ctx, stmt("OnCallInsert"), staff, wd, start, end, level); err != nil {
		return fmt.Errorf("insert roster: %w", err)
	}
	return nil
}

// OnCallRoster returns the roster by weekday, start and level.
func (q *Queries) OnCallRoster(ctx context.Context) ([]Shift, error) {
	rows, err := q.db.Query(ctx, stmt("OnCallRoster"))
	if err != nil {
		return nil, fmt.Errorf("read roster: %w", err)
	}
	defer rows.Close()
	out := []Shift{}
	for rows.Next() {
		var s Shift
		var wd, start, end, level int16
		if err := rows.Scan(&s.StaffID, &s.StaffName, &s.Active, &wd, &start, &end, &level); err != nil {
			return nil, fmt.Errorf("read roster: %w", err)
		}
		s.Weekday, s.Start, s.End, s.Level = time.Weekday(wd), int(start), int(end), int(level)
		out = append(out, s)
	}
	return out, wrapErr("read roster", rows.Err())
}

// OnCall is a staff member in the chain with the level they are on.
type OnCall struct {
	Staff
	Level int `json:"level"`
}

// OnCallChain is who is on call at `at` in the clinic's zone, first call
// first (by level, then name, then id); inactive staff skipped.
func (q *Queries) OnCallChain(ctx context.Context, at time.Time, zone *time.Location) ([]Staff, error) {
	chain, err := q.OnCallLevels(ctx, at, zone)
	if err != nil {
		return nil, err
	}
	out := make([]Staff, len(chain))
	for i, c := range chain {
		out[i] = c.Staff
	}
	return out, nil
}

// OnCallLevels is OnCallChain with each person's level. The weekday and
// minute are read off the clinic's wall clock at `at`, so a shift keeps
// its local hours across daylight-saving changes (and a local hour that
// happens twice is covered both times).
func (q *Queries) OnCallLevels(ctx context.Context, at time.Time, zone *time.Location) ([]OnCall, error) {
	if zone == nil {
		return nil, fmt.Errorf("on-call chain: no clinic time zone")
	}
	local := at.In(zone)
	rows, err := q.db.Query(ctx, stmt("OnCallChain"), int16(local.Weekday()), int16(local.Hour()*60+local.Minute()))
	if err != nil {
		return nil, fmt.Errorf("on-call chain: %w", err)
	}
	defer rows.Close()
	out := []OnCall{}
	for rows.Next() {
		var c OnCall
		var level int16
		if err := rows.Scan(&c.ID, &c.Name, &c.Role, &c.Phone, &c.Email, &c.Active, &c.CreatedAt, &level); err != nil {
			return nil, fmt.Errorf("on-call chain: %w", err)
		}
		c.Level = int(level)
		out = append(out, c)
	}
	return out, wrapErr("on-call chain", rows.Err())
}
