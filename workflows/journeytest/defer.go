package journeytest

import "time"

// A real send is deferred by quiet hours or the frequency cap, and a
// caregiver notice by quiet hours in the patient's zone; the journey then
// waits on a durable timer and asks again. These options make the stubs
// answer so, so the journeys' deferral loops run in a test.

// deferral answers the next n attempts "deferred" for d.
type deferral struct {
	n int
	d time.Duration
}

// take uses up one deferral, if any is left, and returns when it ends.
func (f *deferral) take(now time.Time) (until time.Time, ok bool) {
	if f.n <= 0 {
		return time.Time{}, false
	}
	f.n--
	return now.Add(f.d), true
}

// DeferSends answers the next n send attempts "deferred" (quiet hours)
// until d after each attempt. A deferred attempt is listed by Deferred, not
// Sent; the journey's retry with the same message ID then goes out.
func (h *Harness) DeferSends(n int, d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.deferSends = deferral{n: n, d: d}
}

// DeferCaregiverNotices answers the next n caregiver notices with "call
// again" d after each attempt; only the notice that goes out is listed by
// CaregiverNotices.
func (h *Harness) DeferCaregiverNotices(n int, d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.deferNotices = deferral{n: n, d: d}
}

// Deferred returns the send attempts answered "deferred", in order.
func (h *Harness) Deferred() []Sent {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Sent(nil), h.deferred...)
}
