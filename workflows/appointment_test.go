package workflows_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/carepath/carepath/workflows"
	"github.com/carepath/carepath/workflows/journeytest"
)

const followedID = "44444444-4444-4444-8444-444444444444"

type followParams struct {
	Sleep workflows.Duration `json:"sleep" default:"10h" min:"0s" max:"100h" doc:"how long to sleep before following"`
}

// followJourney sleeps (updates buffer meanwhile), follows an appointment
// booked 48 h after its start, and sleeps until it starts or changes; it
// reports what it saw. It exists only to test FollowAppointment.
var followJourney = &workflows.Journey[followParams]{
	Name: "test_follow", Version: 1,
	Run: func(j *workflows.J, p followParams) (string, error) {
		start := j.Now().Add(48 * time.Hour)
		j.Sleep(p.Sleep.D())
		a := j.FollowAppointment(followedID, start)
		woke := a.SleepUntil(start)
		u, changed := a.Update()
		return fmt.Sprintf("woke=%v changed=%v status=%s moved=%v version=%d ended=%v at=%v", woke, changed, u.Status,
			!u.Start.Equal(start), u.Version, a.Ended(), j.Now().Sub(start)), nil
	},
}

func TestFollowAppointment(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	update := func(status string, start time.Time, version int64) workflows.AppointmentUpdate {
		return workflows.AppointmentUpdate{AppointmentID: followedID, Status: status, Start: start, Version: version}
	}
	for _, c := range []struct {
		name    string
		updates map[time.Duration]workflows.AppointmentUpdate
		want    string
	}{
		{"nothing: sleeps to the start", nil,
			"woke=false changed=false status=booked moved=false version=0 ended=false at=0s"},
		// Delivered while the journey slept, before it followed: buffered,
		// the newest version wins whatever the order they arrived in.
		{"buffered, newest wins", map[time.Duration]workflows.AppointmentUpdate{
			time.Hour:     update("cancelled", t0.Add(48*time.Hour), 5),
			2 * time.Hour: update("booked", t0.Add(72*time.Hour), 4),
		}, "woke=true changed=true status=cancelled moved=false version=5 ended=true at=-38h0m0s"},
		{"moved while sleeping", map[time.Duration]workflows.AppointmentUpdate{
			20 * time.Hour: update("booked", t0.Add(24*time.Hour), 2),
		}, "woke=true changed=true status=booked moved=true version=2 ended=false at=-28h0m0s"},
		// Neither a move nor an end (pending, the same start), another
		// appointment's update, and an older one: none wakes it.
		{"not material", map[time.Duration]workflows.AppointmentUpdate{
			20 * time.Hour: update("pending", t0.Add(48*time.Hour), 3),
			21 * time.Hour: {AppointmentID: "55555555-5555-4555-8555-555555555555", Status: "cancelled", Version: 9},
			22 * time.Hour: update("cancelled", t0.Add(48*time.Hour), 2),
		}, "woke=false changed=false status=pending moved=false version=3 ended=false at=0s"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := journeytest.New(t, followJourney)
			for at, u := range c.updates {
				h.Env.RegisterDelayedCallback(func() { h.Env.SignalWorkflow(workflows.SignalAppointment, u) }, at)
			}
			res, err := h.Run("")
			if err != nil || res.Outcome != c.want {
				t.Fatalf("got %q (%v)\nwant %q", res.Outcome, err, c.want)
			}
		})
	}
}
