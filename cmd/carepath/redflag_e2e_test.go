package main

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/faketwilio"
	"github.com/carepath/carepath/internal/testenv"
)

// onCallNurse records a staff member and puts them first on call around
// the clock, a second person behind them, and returns the first's phone.
func (in *instance) onCallNurse() (first, second string) {
	in.t.Helper()
	first, second = "+15557770001", "+15557770002"
	var a, b item
	if st := in.call("POST", "/v1/staff", item{"name": "Nurse Ada", "role": "nurse", "phone": first, "email": "ada@clinic.example.org"}, &a); st != http.StatusCreated {
		in.t.Fatalf("staff: %d %v", st, a)
	}
	if st := in.call("POST", "/v1/staff", item{"name": "Dr Bo", "role": "physician", "phone": second}, &b); st != http.StatusCreated {
		in.t.Fatalf("staff: %d %v", st, b)
	}
	var shifts []item
	for day := range 7 {
		shifts = append(shifts,
			item{"staff_id": a["id"], "weekday": day, "start": "00:00", "end": "24:00", "level": 1},
			item{"staff_id": b["id"], "weekday": day, "start": "00:00", "end": "24:00", "level": 2})
	}
	var roster item
	if st := in.call("PUT", "/v1/oncall", item{"shifts": shifts}, &roster); st != http.StatusOK {
		in.t.Fatalf("roster: %d %v", st, roster)
	}
	return first, second
}

// firstTo waits for the first message to a number that satisfies ok.
func firstTo(t *testing.T, tw *faketwilio.Server, to string, ok func(faketwilio.Message) bool) faketwilio.Message {
	t.Helper()
	var got faketwilio.Message
	eventually(t, "a message to "+to, func() bool {
		for _, m := range tw.To(to) {
			if ok(m) {
				got = m
				return true
			}
		}
		return false
	})
	return got
}

var ackCode = regexp.MustCompile(`ACK (\d{4})`)

// A red-flag SMS, whatever the patient is enrolled in, produces within
// seconds the safety reply, an urgent task naming what matched, and a page
// to the on-call nurse, who acknowledges it by replying to the page. Crisis
// language adds 988; a negated phrase raises nothing. The figures printed
// are the red-flag → page and red-flag → safety reply delays.
func TestEndToEndRedFlagPagesOnCall(t *testing.T) {
	in := startDev(t)
	nurse, _ := in.onCallNurse()

	const n = 12
	var pageDelays, replyDelays []time.Duration
	var firstTask, firstCode string
	for i := range n {
		phone := fmt.Sprintf("+1555444%04d", i)
		pid := in.newPatient(phone)
		if i%2 == 0 { // half of them have a journey waiting for an answer
			var enr item
			if st := in.call("POST", "/v1/patients/"+pid+"/enrollments", item{"journey": "post_visit_checkin",
				"params": item{"delay": "0s"}}, &enr); st != http.StatusCreated {
				t.Fatalf("enroll: %d %v", st, enr)
			}
			eventually(t, "the check-in question", func() bool { return len(in.twilio.To(phone)) == 1 })
		}
		pagesBefore := len(in.twilio.To(nurse))
		sent := time.Now()
		if st := in.sms(testAuthToken, fmt.Sprintf("SMredflag%04d", i), phone, "I have chest pain and I can't breathe"); st != http.StatusOK {
			t.Fatalf("red-flag webhook: %d", st)
		}
		reply := firstTo(t, in.twilio, phone, func(m faketwilio.Message) bool { return strings.Contains(m.Body, "911") })
		eventually(t, "the page", func() bool { return len(in.twilio.To(nurse)) > pagesBefore })
		page := in.twilio.To(nurse)[pagesBefore]
		pageDelays = append(pageDelays, page.At.Sub(sent))
		replyDelays = append(replyDelays, reply.At.Sub(sent))
		if strings.Contains(page.Body, "chest") || strings.Contains(page.Body, "Pat") {
			t.Fatalf("the page carries PHI: %q", page.Body)
		}

		var tasks struct{ Items []item }
		in.call("GET", "/v1/tasks?patient_id="+pid+"&priority=urgent", nil, &tasks)
		if len(tasks.Items) != 1 || tasks.Items[0]["reason"] != carepath.ReasonRedFlag ||
			!strings.Contains(fmt.Sprint(tasks.Items[0]["note"]), "chest pain") {
			t.Fatalf("urgent tasks: %v", tasks.Items)
		}
		if i == 0 {
			firstTask = tasks.Items[0]["id"].(string)
			code := ackCode.FindStringSubmatch(page.Body)
			if code == nil {
				t.Fatalf("page without an ACK code: %q", page.Body)
			}
			firstCode = code[1]
			if st := in.sms(testAuthToken, "SMack0001", nurse, "ACK "+code[1]); st != http.StatusOK {
				t.Fatalf("ack webhook: %d", st)
			}
		}
	}

	// The acknowledgement is recorded in the task's history, under the nurse.
	eventually(t, "the task acknowledged", func() bool {
		var tk item
		in.call("GET", "/v1/tasks/"+firstTask, nil, &tk)
		return tk["status"] == "acknowledged"
	})
	// The page's "notified" is written once the provider's answer is
	// recorded, which a quick nurse can beat: the history holds all three
	// once both have happened.
	var tk item
	var kinds []string
	eventually(t, "raised, notified and acknowledged in the task's history", func() bool {
		tk, kinds = item{}, nil
		in.call("GET", "/v1/tasks/"+firstTask, nil, &tk)
		for _, ev := range tk["history"].([]any) {
			kinds = append(kinds, ev.(item)["kind"].(string))
		}
		return slices.Contains(kinds, "raised") && slices.Contains(kinds, "notified") && slices.Contains(kinds, "acknowledged")
	})
	if tk["ack_code"] != firstCode {
		t.Fatalf("task's ack_code %v, the page asked for %s", tk["ack_code"], firstCode)
	}
	if msg, _ := tk["message"].(item); msg == nil || !strings.Contains(fmt.Sprint(msg["body"]), "chest pain") {
		t.Fatalf("task without its triggering message: %v", tk["message"])
	}

	// Crisis language gets 988.
	crisis := "+15554449998"
	in.newPatient(crisis)
	if st := in.sms(testAuthToken, "SMcrisis001", crisis, "i dont want to live anymore"); st != http.StatusOK {
		t.Fatalf("crisis webhook: %d", st)
	}
	firstTo(t, in.twilio, crisis, func(m faketwilio.Message) bool { return strings.Contains(m.Body, "988") })

	// A negated phrase is an ordinary message: no safety reply, no urgent task.
	calm := "+15554449997"
	cid := in.newPatient(calm)
	if st := in.sms(testAuthToken, "SMcalm0001", calm, "no chest pain today, feeling better"); st != http.StatusOK {
		t.Fatalf("calm webhook: %d", st)
	}
	var tasks struct{ Items []item }
	eventually(t, "the calm message in the inbox", func() bool {
		in.call("GET", "/v1/tasks?patient_id="+cid, nil, &tasks)
		return len(tasks.Items) == 1
	})
	if tasks.Items[0]["priority"] == "urgent" || len(in.twilio.To(calm)) != 0 {
		t.Fatalf("a negated phrase was treated as a red flag: %v, %d messages", tasks.Items, len(in.twilio.To(calm)))
	}

	testenv.Figure("red flag -> page sent: n=%d p50=%v p99=%v max=%v; -> safety reply: p50=%v p99=%v", n,
		quantile(pageDelays, 0.5), quantile(pageDelays, 0.99), slices.Max(pageDelays),
		quantile(replyDelays, 0.5), quantile(replyDelays, 0.99))
}

// quantile is the q-th quantile of ds (nearest rank).
func quantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*q+0.5) - 1
	return s[min(max(i, 0), len(s)-1)].Round(time.Millisecond)
}
