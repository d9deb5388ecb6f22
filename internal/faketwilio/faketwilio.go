// Package faketwilio is a local stand-in for Twilio's Messages API, for
// tests and benchmarks: the real twilio-go client talks to it over HTTP.
package faketwilio

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
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
	if r.Method != http.MethodPost || len(parts) != 4 || parts[0] != "2010-04-01" || parts[3] != "Messages.json" {
		http.Error(w, `{"code":20404,"message":"not found","status":404}`, http.StatusNotFound)
		return
	}
	user, _, ok := r.BasicAuth()
	if !ok || user != parts[2] {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"code":20003,"message":"Authenticate","status":401}`)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	m := Message{AccountSID: parts[2], To: r.PostForm.Get("To"), From: r.PostForm.Get("From"),
		Body: r.PostForm.Get("Body"), StatusCallback: r.PostForm.Get("StatusCallback"), At: time.Now()}
	if s.Fail != nil {
		if status, code := s.Fail(m); status != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"code":%d,"message":"fake failure","status":%d}`, code, status)
			return
		}
	}
	s.mu.Lock()
	m.SID = fmt.Sprintf("SM%032d", len(s.messages)+1)
	s.messages = append(s.messages, m)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"sid": m.SID, "account_sid": m.AccountSID, "to": m.To,
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
