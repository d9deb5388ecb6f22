// Package faketwilio is a local stand-in for Twilio's Messages API, for
// tests and benchmarks: the real twilio-go client talks to it over HTTP.
package faketwilio

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath/internal/fakefault"
)

// Message is one message the fake accepted.
type Message struct {
	SID, AccountSID, To, From, Body, StatusCallback string
	At                                              time.Time
}

// Server records every Create Message call.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	messages []Message
	// Fail, if set, decides an error response per request: HTTP status and
	// Twilio error code; status 0 accepts the message.
	Fail func(m Message) (status, code int)
	// DropAfterAccept, if set and true for a message, records it and then
	// breaks the connection without answering: the caller cannot know the
	// message was accepted.
	DropAfterAccept func(m Message) bool
	// Delay, if set, is waited before answering each create request.
	Delay time.Duration
	// OnAccept, if set, is called with each accepted message (benchmarks
	// time arrivals with it). It must not block.
	OnAccept func(m Message)
	// Chaos, if set, plans the misbehaviour for each create request (see
	// Plan); it runs before Fail and the rate limit.
	Chaos func(m Message) Plan
	// BeforeAnswer, if set, is called synchronously once a message is
	// accepted and before the answer is written: a status callback sent from
	// it reaches the caller before the create response does.
	BeforeAnswer func(m Message)

	limit    int                    // accepted messages per sending number per second; 0: unlimited
	recent   map[string][]time.Time // per sending number, acceptances in the last second
	rejected int                    // requests refused with 429 by the limit
	ledger   fakefault.Ledger       // faults injected by Chaos
}

// Limit makes the fake enforce Twilio's per-number throughput: at most
// perSecond messages from one sending number in any one-second window.
// Requests over the limit get 429 with Twilio's code 20429 and are not
// accepted. 0 removes the limit.
func (s *Server) Limit(perSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit, s.recent, s.rejected = perSecond, map[string][]time.Time{}, 0
}

// Rejected reports how many requests the rate limit refused.
func (s *Server) Rejected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected
}

// admit applies the rate limit to a message arriving at m.At. Called with mu held.
func (s *Server) admit(m Message) bool {
	if s.limit <= 0 {
		return true
	}
	window := s.recent[m.From]
	for len(window) > 0 && m.At.Sub(window[0]) >= time.Second {
		window = window[1:]
	}
	if len(window) >= s.limit {
		s.recent[m.From] = window
		s.rejected++
		return false
	}
	s.recent[m.From] = append(window, m.At)
	return true
}

// New starts a fake Twilio on a loopback port.
func New() *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// /2010-04-01/Accounts/{AccountSid}/Messages.json
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) != 4 || parts[0] != "2010-04-01" || parts[3] != "Messages.json" || (r.Method != http.MethodPost && r.Method != http.MethodGet) {
		http.Error(w, `{"code":20404,"message":"not found","status":404}`, http.StatusNotFound)
		return
	}
	user, _, ok := r.BasicAuth()
	if !ok || user != parts[2] {
		fakefault.WriteJSON(w, http.StatusUnauthorized, map[string]any{"code": 20003, "message": "Authenticate", "status": 401})
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	if r.Method == http.MethodGet {
		s.list(w, r.Form.Get("To"))
		return
	}
	if s.Delay > 0 {
		time.Sleep(s.Delay)
	}
	m := Message{AccountSID: parts[2], To: r.PostForm.Get("To"), From: r.PostForm.Get("From"),
		Body: r.PostForm.Get("Body"), StatusCallback: r.PostForm.Get("StatusCallback"), At: time.Now()}
	var plan Plan
	if s.Chaos != nil {
		plan = s.Chaos(m)
	}
	if s.ledger.Before(plan) {
		writeError(w, plan.Fault)
		return
	}
	if s.Fail != nil {
		if status, code := s.Fail(m); status != 0 {
			fakefault.WriteJSON(w, status, map[string]any{"code": code, "message": "fake failure", "status": status})
			return
		}
	}
	s.mu.Lock()
	m.At = time.Now() // arrival under the lock, so the window sees arrivals in order
	if !s.admit(m) {
		s.mu.Unlock()
		fakefault.WriteJSON(w, http.StatusTooManyRequests, map[string]any{"code": 20429, "message": "Too Many Requests", "status": 429})
		return
	}
	m.SID = "SM" + strings.ReplaceAll(uuid.NewString(), "-", "") // unique, like Twilio's
	s.messages = append(s.messages, m)
	onAccept := s.OnAccept
	s.mu.Unlock()
	if onAccept != nil {
		onAccept(m)
	}
	if s.BeforeAnswer != nil {
		s.BeforeAnswer(m)
	}
	if s.ledger.AfterAccept(m.SID, plan) {
		writeError(w, plan.Fault)
		return
	}
	if s.DropAfterAccept != nil && s.DropAfterAccept(m) {
		if fakefault.HangUp(w) {
			return
		}
	}
	fakefault.WriteJSON(w, http.StatusCreated, map[string]any{"sid": m.SID, "account_sid": m.AccountSID, "to": m.To,
		"from": m.From, "body": m.Body, "status": "queued"})
}

// Messages returns a copy of every accepted message, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// To returns the accepted messages sent to one number.
func (s *Server) To(number string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		if m.To == number {
			out = append(out, m)
		}
	}
	return out
}

// list answers Twilio's List Messages (newest first), filtered by To.
func (s *Server) list(w http.ResponseWriter, to string) {
	var out []map[string]any
	msgs := s.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if to != "" && m.To != to {
			continue
		}
		out = append(out, map[string]any{"sid": m.SID, "to": m.To, "from": m.From, "body": m.Body,
			"status": "sent", "date_created": m.At.UTC().Format(time.RFC1123Z)})
	}
	fakefault.WriteJSON(w, http.StatusOK, map[string]any{"messages": out, "page": 0, "page_size": 50, "next_page_uri": nil})
}
