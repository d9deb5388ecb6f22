package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

func replaceRoster(t *testing.T, tx pgx.Tx, shifts []store.Shift) {
	t.Helper()
	if err := store.NewQueries(tx).OnCallReplace(context.Background(), shifts); err != nil {
		t.Fatal(err)
	}
}

func chainIDs(t *testing.T, q *store.Queries, at time.Time, zone *time.Location) []string {
	t.Helper()
	chain, err := q.OnCallChain(context.Background(), at, zone)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, s := range chain {
		ids = append(ids, s.ID)
	}
	return ids
}

func sameIDs(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A shift is wall-clock time in the clinic's zone: Sunday 08:00-09:00 in
// New York is 13:00 UTC in winter and 12:00 UTC from the spring-forward
// day on (8 March 2026); the repeated 01:00 hour on the fall-back day (1
// November 2026) is covered both times.
func TestOnCallChainFollowsTheClinicClockAcrossDST(t *testing.T) {
	tx := testenv.Tx(t)
	q := store.NewQueries(tx)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	morning := newStaff(t, q, "Morning", "+15557771001", "")
	night := newStaff(t, q, "Night", "+15557771002", "")
	replaceRoster(t, tx, []store.Shift{
		{StaffID: morning.ID, Weekday: time.Sunday, Start: 8 * 60, End: 9 * 60, Level: 1},
		{StaffID: night.ID, Weekday: time.Sunday, Start: 60, End: 2 * 60, Level: 1},
	})
	utc := func(s string) time.Time {
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	cases := []struct {
		at   string
		want []string
	}{
		{"2026-03-01T13:30:00Z", []string{morning.ID}}, // EST: 08:30
		{"2026-03-01T12:30:00Z", nil},                  // EST: 07:30
		{"2026-03-08T12:30:00Z", []string{morning.ID}}, // spring forward: EDT 08:30
		{"2026-03-08T13:30:00Z", nil},                  // EDT 09:30
		{"2026-03-08T06:30:00Z", []string{night.ID}},   // 01:30 EST, half an hour before the jump
		{"2026-03-08T07:30:00Z", nil},                  // 03:30 EDT: 02:00-03:00 did not happen
		{"2026-11-01T05:30:00Z", []string{night.ID}},   // fall back: 01:30 EDT
		{"2026-11-01T06:30:00Z", []string{night.ID}},   // and 01:30 EST, an hour later
		{"2026-11-01T07:30:00Z", nil},                  // 02:30 EST
	}
	for _, c := range cases {
		got := chainIDs(t, q, utc(c.at), ny)
		if !sameIDs(got, c.want) {
			t.Errorf("at %s (%s in New York): chain %v, want %v", c.at, utc(c.at).In(ny).Format("Mon 15:04 MST"), got, c.want)
		}
	}
	// The same instant in another zone is another wall-clock time.
	if got := chainIDs(t, q, utc("2026-03-01T08:30:00Z"), time.UTC); !sameIDs(got, []string{morning.ID}) {
		t.Errorf("UTC zone: %v", got)
	}
	if _, err := q.OnCallChain(context.Background(), time.Now(), nil); err == nil {
		t.Error("a nil zone was accepted")
	}
}

// The chain is ordered by level, then name, then ID; an overnight shift
// (end before start) runs into the next weekday, Saturday into Sunday;
// inactive staff and someone listed twice are handled.
func TestOnCallChainOrderOvernightAndInactive(t *testing.T) {
	ctx := context.Background()
	tx := testenv.Tx(t)
	q := store.NewQueries(tx)
	zone := time.UTC
	zed := newStaff(t, q, "Zed", "+15557772001", "")
	amy := newStaff(t, q, "Amy", "+15557772002", "")
	bob := newStaff(t, q, "Bob", "+15557772003", "")
	gone := newStaff(t, q, "Aaron", "+15557772004", "")
	replaceRoster(t, tx, []store.Shift{
		{StaffID: zed.ID, Weekday: time.Saturday, Start: 22 * 60, End: 6 * 60, Level: 1},
		{StaffID: amy.ID, Weekday: time.Saturday, Start: 20 * 60, End: 1440, Level: 2},
		{StaffID: bob.ID, Weekday: time.Saturday, Start: 0, End: 1440, Level: 2},
		{StaffID: bob.ID, Weekday: time.Saturday, Start: 23 * 60, End: 1440, Level: 3},
		{StaffID: gone.ID, Weekday: time.Saturday, Start: 0, End: 1440, Level: 1},
	})
	off := false
	if _, err := q.StaffUpdate(ctx, gone.ID, store.StaffChange{Active: &off}); err != nil {
		t.Fatal(err)
	}
	sat2330 := time.Date(2026, 12, 5, 23, 30, 0, 0, zone) // a Saturday
	if got := chainIDs(t, q, sat2330, zone); !sameIDs(got, []string{zed.ID, amy.ID, bob.ID}) {
		t.Errorf("Saturday 23:30: %v, want Zed (1), Amy, Bob (2, by name)", got)
	}
	sun0559 := time.Date(2026, 12, 6, 5, 59, 0, 0, zone)
	if got := chainIDs(t, q, sun0559, zone); !sameIDs(got, []string{zed.ID}) {
		t.Errorf("Sunday 05:59: %v, want the overnight shift only", got)
	}
	if got := chainIDs(t, q, sun0559.Add(time.Minute), zone); len(got) != 0 {
		t.Errorf("Sunday 06:00: %v, want nobody (end is exclusive)", got)
	}
	if got := chainIDs(t, q, time.Date(2026, 12, 5, 21, 59, 0, 0, zone), zone); !sameIDs(got, []string{amy.ID, bob.ID}) {
		t.Errorf("Saturday 21:59: %v", got)
	}
	levels, err := q.OnCallLevels(ctx, sat2330, zone)
	if err != nil || len(levels) != 3 || levels[0].Level != 1 || levels[2].Level != 2 {
		t.Errorf("levels: %+v %v (Bob at his first level, 2)", levels, err)
	}
	roster, err := q.OnCallRoster(ctx)
	if err != nil || len(roster) != 5 {
		t.Fatalf("roster: %d shifts, %v", len(roster), err)
	}
	for _, s := range roster {
		if s.StaffID == gone.ID && s.Active {
			t.Error("roster shows deactivated staff as active")
		}
	}
}

// The SQL and Shift.Covers agree on every minute of a week for a mix of
// day, overnight and 24:00 shifts.
func TestOnCallSQLMatchesCovers(t *testing.T) {
	if testing.Short() {
		t.Skip("walks every 7th minute of a week")
	}
	tx := testenv.Tx(t)
	q := store.NewQueries(tx)
	a := newStaff(t, q, "A", "+15557773001", "")
	shifts := []store.Shift{
		{StaffID: a.ID, Weekday: time.Monday, Start: 9*60 + 15, End: 17 * 60, Level: 1},
		{StaffID: a.ID, Weekday: time.Wednesday, Start: 18 * 60, End: 1440, Level: 1},
		{StaffID: a.ID, Weekday: time.Saturday, Start: 21 * 60, End: 7*60 + 30, Level: 1},
		{StaffID: a.ID, Weekday: time.Sunday, Start: 23 * 60, End: 1, Level: 1},
	}
	replaceRoster(t, tx, shifts)
	start := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC) // Sunday
	for m := 0; m < 7*1440; m += 7 {
		at := start.Add(time.Duration(m) * time.Minute)
		want := false
		for _, s := range shifts {
			want = want || s.Covers(at.Weekday(), at.Hour()*60+at.Minute())
		}
		if got := len(chainIDs(t, q, at, time.UTC)) == 1; got != want {
			t.Fatalf("%s: SQL says on call %v, Covers says %v", at.Format("Mon 15:04"), got, want)
		}
	}
}

// Two replacements at once leave exactly one of the two rosters.
func TestOnCallReplaceIsAtomic(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, testenv.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := &store.Store{Pool: pool, Queries: store.NewQueries(pool)}
	a := newStaff(t, st.Queries, "A", "+15557774001", "")
	b := newStaff(t, st.Queries, "B", "+15557774002", "")
	roster := func(id string) []store.Shift {
		var out []store.Shift
		for wd := range 7 {
			out = append(out, store.Shift{StaffID: id, Weekday: time.Weekday(wd), Start: 0, End: 1440, Level: 1})
		}
		return out
	}
	for range 5 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, id := range []string{a.ID, b.ID} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = st.Tx(ctx, func(q *store.Queries) error { return q.OnCallReplace(ctx, roster(id)) })
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		got, err := st.OnCallRoster(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 7 {
			t.Fatalf("after two concurrent replacements: %d shifts, want 7", len(got))
		}
	}
	if err := st.OnCallReplace(ctx, nil); err == nil {
		t.Fatal("a replacement outside a transaction was accepted")
	}
}
