package api

import (
	"sync"
	"time"
)

// Token requests allowed per client address per window: an EHR asks for
// a token every few minutes, so this only slows guessing and floods
// (sign-in has account lockout; a client_id has no account to lock).
const (
	tokenRequestsPerWindow = 60
	tokenWindow            = time.Minute
)

// windowLimiter counts requests per key in fixed windows.
type windowLimiter struct {
	mu     sync.Mutex
	start  time.Time
	counts map[string]int
	limit  int
	window time.Duration
	now    func() time.Time
}

func newWindowLimiter(limit int, window time.Duration) *windowLimiter {
	return &windowLimiter{counts: map[string]int{}, limit: limit, window: window, now: time.Now}
}

// allow counts one request for key and reports whether it is within the
// limit. A new window forgets every count, so the map stays small.
func (l *windowLimiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := l.now(); now.Sub(l.start) >= l.window {
		l.start, l.counts = now, map[string]int{}
	}
	l.counts[key]++
	return l.counts[key] <= l.limit
}

// tokenLimits holds each Server's token-endpoint limiter (the Server
// struct is shared; this keeps the limiter with the SMART code).
var tokenLimits sync.Map // *Server → *windowLimiter

func (s *Server) tokenLimiter() *windowLimiter {
	l, _ := tokenLimits.LoadOrStore(s, newWindowLimiter(tokenRequestsPerWindow, tokenWindow))
	return l.(*windowLimiter)
}
