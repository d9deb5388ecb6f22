package faketwilio

import (
	"testing"
	"time"
)

func TestLimitAdmitsAtMostNPerSecondPerSender(t *testing.T) {
	s := &Server{}
	s.Limit(2)
	t0 := time.Unix(1_700_000_000, 0)
	admit := func(from string, d time.Duration) bool {
		return s.admit(Message{From: from, At: t0.Add(d)})
	}
	got := []bool{
		admit("+1", 0),
		admit("+1", 100*time.Millisecond),
		admit("+1", 900*time.Millisecond),  // third within a second: refused
		admit("+2", 900*time.Millisecond),  // another number has its own limit
		admit("+1", 1000*time.Millisecond), // the first has left the window
		admit("+1", 1050*time.Millisecond), // the second has not
	}
	want := []bool{true, true, false, true, true, false}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("admissions %v, want %v", got, want)
		}
	}
	if s.Rejected() != 2 {
		t.Fatalf("%d rejected, want 2", s.Rejected())
	}
}
