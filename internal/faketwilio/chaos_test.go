package faketwilio

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func create(t *testing.T, s *Server, timeout time.Duration) (int, error) {
	t.Helper()
	form := url.Values{"To": {"+15550001111"}, "From": {"+15550002222"}, "Body": {"hi"},
		"StatusCallback": {"https://carepath.example.org/webhooks/twilio/status?message_id=m-1"}}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/2010-04-01/Accounts/AC1/Messages.json", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.SetBasicAuth("AC1", "token")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := (&http.Client{Timeout: timeout}).Do(req)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, resp.Body.Close()
}

// Each fault answers as planned, and only the accepting ones record the
// message (what reaches the phone).
func TestChaosFaults(t *testing.T) {
	for _, tc := range []struct {
		fault    Fault
		status   int
		accepted bool
	}{
		{FaultNone, http.StatusCreated, true},
		{FaultUnavailable, http.StatusServiceUnavailable, false},
		{FaultRateLimited, http.StatusTooManyRequests, false},
		{FaultAcceptThenError, http.StatusInternalServerError, true},
	} {
		s := New()
		s.Chaos = func(Message) Plan { return Plan{Fault: tc.fault} }
		var before []Message
		s.BeforeAnswer = func(m Message) { before = append(before, m) }
		st, err := create(t, s, 5*time.Second)
		s.Close()
		if err != nil || st != tc.status {
			t.Fatalf("%s: %d %v, want %d", tc.fault, st, err, tc.status)
		}
		if got := len(s.Messages()); got != map[bool]int{true: 1, false: 0}[tc.accepted] {
			t.Fatalf("%s: %d messages recorded", tc.fault, got)
		}
		if tc.accepted && (len(before) != 1 || before[0].CarepathID() != "m-1" || s.FaultOf(before[0].SID) != tc.fault) {
			t.Fatalf("%s: before-answer hook saw %+v", tc.fault, before)
		}
	}
}

// A stalled answer comes after the client gave up, yet the message was accepted.
func TestChaosStallOutlastsTheClient(t *testing.T) {
	s := New()
	defer s.Close()
	s.Chaos = func(Message) Plan { return Plan{Fault: FaultAcceptThenStall, Stall: 500 * time.Millisecond} }
	if _, err := create(t, s, 100*time.Millisecond); err == nil {
		t.Fatal("the client did not time out")
	}
	if len(s.Messages()) != 1 {
		t.Fatal("the stalled message was not accepted")
	}
}
