package fakesendgrid

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func send(t *testing.T, s *Server) int {
	t.Helper()
	body := `{"personalizations":[{"to":[{"email":"a@example.org"}]}],"subject":"s",` +
		`"content":[{"type":"text/plain","value":"hello"}],"custom_args":{"carepath_message_id":"m-1"}}`
	req, err := http.NewRequest(http.MethodPost, s.URL+"/v3/mail/send", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer SG.x")
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

// Each fault answers as planned, and only the accepting ones record the mail.
func TestChaosFaults(t *testing.T) {
	for _, tc := range []struct {
		fault    Fault
		status   int
		accepted bool
	}{
		{FaultNone, http.StatusAccepted, true},
		{FaultUnavailable, http.StatusServiceUnavailable, false},
		{FaultRateLimited, http.StatusTooManyRequests, false},
		{FaultAcceptThenError, http.StatusInternalServerError, true},
	} {
		s := New()
		s.Chaos = func(Mail) Plan { return Plan{Fault: tc.fault} }
		if st := send(t, s); st != tc.status {
			t.Fatalf("%s: %d, want %d", tc.fault, st, tc.status)
		}
		s.Close()
		mails := s.Mails()
		if tc.accepted != (len(mails) == 1) {
			t.Fatalf("%s: %d mails recorded", tc.fault, len(mails))
		}
		if tc.accepted && (mails[0].CarepathID != "m-1" || s.FaultOf(mails[0].ID) != tc.fault || mails[0].At.IsZero()) {
			t.Fatalf("%s: recorded %+v", tc.fault, mails[0])
		}
	}
}
