package api

import (
	"testing"
	"time"
)

func TestWindowLimiter(t *testing.T) {
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	l := newWindowLimiter(3, time.Minute)
	l.now = func() time.Time { return now }
	for i := range 3 {
		if !l.allow("10.0.0.1") {
			t.Fatalf("request %d refused within the limit", i+1)
		}
	}
	if l.allow("10.0.0.1") {
		t.Error("fourth request in the window allowed")
	}
	if !l.allow("10.0.0.2") {
		t.Error("another address refused")
	}
	now = now.Add(time.Minute)
	if !l.allow("10.0.0.1") {
		t.Error("refused in a new window")
	}
}
