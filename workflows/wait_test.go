package workflows_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/workflows"
	"github.com/carepath/carepath/workflows/journeytest"
)

type waitParams struct {
	Timeout workflows.Duration `json:"timeout" default:"48h" min:"1m" max:"720h" doc:"wait"`
}

// waitJourney waits for a glucose reading, escalating a high one; it exists
// only to test WaitFor.
var waitJourney = &workflows.Journey[waitParams]{
	Name: "test_wait", Version: 1,
	Run: func(j *workflows.J, p waitParams) (string, error) {
		obs, ok := j.WaitFor("blood_glucose", p.Timeout.D())
		if !ok {
			return "no_reading", nil
		}
		if obs.Value > 250 {
			j.Escalate(workflows.Task{Priority: carepath.PriorityHigh, Reason: "glucose high"})
			return "high", nil
		}
		return "normal", nil
	},
}

func TestWaitForTakesOnlyItsCode(t *testing.T) {
	h := journeytest.New(t, waitJourney)
	h.ObservationAt(time.Hour, workflows.Observation{ID: "o1", Code: "weight", Value: 80, Unit: "kg"})
	h.ObservationAt(2*time.Hour, workflows.Observation{ID: "o2", Code: "blood_glucose", Value: 310, Unit: "mg/dL"})
	res, err := h.Run("")
	if err != nil || res.Outcome != "high" || len(h.Tasks()) != 1 {
		t.Fatalf("outcome %+v, %v, tasks %v", res, err, h.Tasks())
	}
}

func TestWaitForTimesOut(t *testing.T) {
	h := journeytest.New(t, waitJourney)
	h.ObservationAt(50*time.Hour, workflows.Observation{ID: "late", Code: "blood_glucose", Value: 100, Unit: "mg/dL"})
	if res, err := h.Run(""); err != nil || res.Outcome != "no_reading" {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestWaitForCountsARedeliveryOnce(t *testing.T) {
	second := &workflows.Journey[waitParams]{Name: "test_wait_twice", Version: 1,
		Run: func(j *workflows.J, p waitParams) (string, error) {
			if _, ok := j.WaitFor("spo2", p.Timeout.D()); !ok {
				return "none", nil
			}
			if _, ok := j.WaitFor("spo2", p.Timeout.D()); !ok {
				return "one", nil
			}
			return "two", nil
		}}
	h := journeytest.New(t, second)
	same := workflows.Observation{ID: "dup", Code: "spo2", Value: 97, Unit: "%"}
	h.ObservationAt(time.Hour, same)
	h.ObservationAt(2*time.Hour, same)
	if res, err := h.Run(""); err != nil || res.Outcome != "one" {
		t.Fatalf("a re-delivered observation counted twice: %+v %v", res, err)
	}
}

func TestSleepUntilLocal(t *testing.T) {
	j := &workflows.Journey[waitParams]{Name: "test_local", Version: 1,
		Run: func(j *workflows.J, _ waitParams) (string, error) {
			j.SleepUntilLocal(9, 30)
			return "", nil
		}}
	h := journeytest.New(t, j)
	h.Timezone = "Asia/Kolkata"
	if _, err := h.Run(""); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Kolkata")
	want := workflows.NextLocal(h.Start(), loc, 9, 30)
	if got := h.Env.Now(); got.Before(want) || got.Sub(want) > time.Second {
		t.Fatalf("woke at %s, want %s", got.In(loc), want.In(loc))
	}
	if l := h.Env.Now().In(loc); l.Hour() != 9 || l.Minute() != 30 {
		t.Fatalf("woke at local %s", l)
	}
}

func TestNextLocalAcrossDST(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 3, 7, 12, 0, 0, 0, ny) // the day before spring forward
	got := workflows.NextLocal(now, ny, 9, 0)
	if l := got.In(ny); l.Day() != 8 || l.Hour() != 9 || got.Sub(now) != 20*time.Hour {
		t.Fatalf("next 09:00 after %s is %s (%s later)", now, l, got.Sub(now))
	}
}

// watchJourney judges glucose on arrival (OnObservation) while it sleeps
// (Watch) and while it asks; it exists only to test them.
var watchJourney = &workflows.Journey[waitParams]{
	Name: "test_watch", Version: 1,
	Run: func(j *workflows.J, p waitParams) (string, error) {
		n := 0
		j.OnObservation(func(o workflows.Observation) {
			n++
			if o.Value > 250 {
				j.Escalate(workflows.Task{Priority: carepath.PriorityHigh, Reason: "high " + o.ID})
			}
		})
		j.Watch(10*time.Hour, nil)
		j.Ask(workflows.Question{Key: "q", Template: workflows.TemplateReadingAck, Timeout: 10 * time.Hour})
		got := j.Watch(10*time.Hour, func() bool { return n >= 4 })
		return fmt.Sprintf("%d %v", n, got), nil
	},
}

func TestOnObservationWhileSleepingAndAsking(t *testing.T) {
	h := journeytest.New(t, watchJourney)
	h.ObservationAt(time.Hour, workflows.Observation{ID: "sleeping", Code: "blood_glucose", Value: 300})
	h.ObservationAt(2*time.Hour, workflows.Observation{ID: "sleeping", Code: "blood_glucose", Value: 300}) // re-sent
	h.ObservationAt(12*time.Hour, workflows.Observation{ID: "asking", Code: "blood_glucose", Value: 310})
	h.ObservationAt(13*time.Hour, workflows.Observation{ID: "fine", Code: "blood_glucose", Value: 100})
	h.ObservationAt(21*time.Hour, workflows.Observation{ID: "last", Code: "spo2", Value: 97})
	res, err := h.Run("")
	if err != nil || res.Outcome != "4 true" {
		t.Fatalf("%+v %v", res, err)
	}
	var got []string
	for _, task := range h.Tasks() {
		got = append(got, task.Reason)
	}
	if fmt.Sprint(got) != "[high sleeping high asking]" {
		t.Fatalf("tasks %v", got)
	}
	if now := h.Env.Now().Sub(h.Start()); now != 21*time.Hour {
		t.Fatalf("the last wait ended at %s, want when the fourth observation came (21h)", now)
	}
}

// Daily and weekly schedules in whole local days across both DST changes.
func TestAddLocalDaysAcrossDST(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	for _, c := range []struct {
		from       time.Time
		days       int
		want       time.Time
		elapsedHrs float64
	}{
		{time.Date(2026, 3, 7, 9, 0, 0, 0, ny), 1, time.Date(2026, 3, 8, 9, 0, 0, 0, ny), 23},    // spring forward
		{time.Date(2026, 3, 1, 9, 0, 0, 0, ny), 7, time.Date(2026, 3, 8, 9, 0, 0, 0, ny), 167},   // weekly, same weekday
		{time.Date(2026, 10, 31, 9, 0, 0, 0, ny), 1, time.Date(2026, 11, 1, 9, 0, 0, 0, ny), 25}, // fall back
	} {
		got := workflows.AddLocalDays(c.from, ny, c.days, 9, 0)
		if !got.Equal(c.want) || got.Sub(c.from).Hours() != c.elapsedHrs {
			t.Errorf("%s + %d days: %s (%s later)", c.from, c.days, got, got.Sub(c.from))
		}
	}
}
