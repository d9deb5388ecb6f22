package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/carepath/carepath/internal/faketwilio"
)

// bulkBefore counts the messages to bulk numbers the provider received
// before at.
func bulkBefore(tw *faketwilio.Server, bulk map[string]bool, at time.Time) int {
	n := 0
	for _, m := range tw.Messages() {
		if bulk[m.To] && m.At.Before(at) {
			n++
		}
	}
	return n
}

// Urgent sends overtake a bulk backlog at the provider's per-number limit:
// 30 patients bulk-launched at 1 message per second, then a HELP from
// another patient (a compliance reply) and an answer from a launched
// patient (the journey's conversation reply). Each reaches the provider
// before all but the few bulk messages that already held or were being
// handed a slot when it came in; the limit still holds for both lanes
// together (the provider, enforcing 1/s, refused nothing). Order, not
// time, is asserted.
func TestUrgentSendsOvertakeABulkLaunch(t *testing.T) {
	in := startDevWith(t, map[string]string{"CAREPATH_SMS_PER_SECOND": "1"})
	in.twilio.Limit(1)
	const n = 30
	bulk := map[string]bool{}
	var ids, phones []string
	for i := range n {
		phone := fmt.Sprintf("+1555666%04d", i)
		ids, phones = append(ids, in.newPatient(phone)), append(phones, phone)
		bulk[phone] = true
	}
	helper := "+15556669999"
	in.newPatient(helper)
	var job item
	if st := in.call("POST", "/v1/enrollments/batch", item{"journey": "post_visit_checkin", "params": item{"delay": "0s"},
		"patient_ids": ids}, &job); st != http.StatusAccepted {
		t.Fatalf("batch: %d %v", st, job)
	}
	// The backlog is queued once the first question reached the provider.
	var asked string
	eventually(t, "the first bulk message", func() bool {
		for _, p := range phones {
			if len(in.twilio.To(p)) > 0 {
				asked = p
				return true
			}
		}
		return false
	})

	helpAt := time.Now()
	if st := in.sms(testAuthToken, "SMlanehelp01", helper, "HELP"); st != http.StatusOK {
		t.Fatalf("HELP: %d", st)
	}
	answerAt := time.Now()
	if st := in.sms(testAuthToken, "SMlaneanswer01", asked, "3"); st != http.StatusOK {
		t.Fatalf("answer: %d", st)
	}
	help := firstTo(t, in.twilio, helper, func(faketwilio.Message) bool { return true })
	var reply faketwilio.Message
	eventually(t, "the conversation reply", func() bool {
		if ms := in.twilio.To(asked); len(ms) >= 2 {
			reply = ms[1]
			return true
		}
		return false
	})
	// Slots already taken or being handed out when the urgent send reached
	// the pacer: the one in flight, and one each for the two urgent sends.
	const already = 3
	for _, c := range []struct {
		name    string
		in, out time.Time
	}{{"HELP answer", helpAt, help.At}, {"conversation reply", answerAt, reply.At}} {
		before, ahead := bulkBefore(in.twilio, bulk, c.in), bulkBefore(in.twilio, bulk, c.out)
		t.Logf("%s: %d bulk messages out when it came in, %d when it reached the provider (%s later), of %d",
			c.name, before, ahead, c.out.Sub(c.in).Round(time.Millisecond), n)
		if ahead-before > already {
			t.Errorf("%s overtook nothing: %d bulk messages reached the provider between it coming in and its reply (at most %d)",
				c.name, ahead-before, already)
		}
		if ahead >= n {
			t.Errorf("%s came after the whole launch", c.name)
		}
	}
	if r := in.twilio.Rejected(); r != 0 {
		t.Errorf("the provider refused %d requests over its 1/s limit", r)
	}
}
