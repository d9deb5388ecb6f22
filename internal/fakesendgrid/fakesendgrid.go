// Package fakesendgrid is a local stand-in for SendGrid's v3 mail send, for
// tests: the real sendgrid-go client talks to it over HTTP.
package fakesendgrid

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath/internal/fakefault"
)

// Mail is one accepted email.
type Mail struct {
	ID, To, Subject, Text, CarepathID string
	At                                time.Time // when the fake accepted it
}

// Server records every mail send.
type Server struct {
	*httptest.Server
	mu    sync.Mutex
	mails []Mail
	// Chaos, if set, plans the misbehaviour for each send (see Plan).
	Chaos func(m Mail) Plan
	// BeforeAnswer, if set, is called synchronously once a mail is accepted
	// and before the answer is written: an event posted from it arrives
	// before the send's response.
	BeforeAnswer func(m Mail)
	ledger       fakefault.Ledger // faults injected by Chaos
}

// New starts a fake SendGrid on a loopback port.
func New() *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v3/mail/send" || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		http.Error(w, `{"errors":[{"message":"bad request"}]}`, http.StatusBadRequest)
		return
	}
	var body struct {
		Personalizations []struct {
			To []struct{ Email string } `json:"to"`
		} `json:"personalizations"`
		Subject    string `json:"subject"`
		Content    []struct{ Type, Value string }
		CustomArgs map[string]string `json:"custom_args"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Personalizations) == 0 || len(body.Personalizations[0].To) == 0 {
		http.Error(w, `{"errors":[{"message":"bad body"}]}`, http.StatusBadRequest)
		return
	}
	m := Mail{ID: strings.ReplaceAll(uuid.NewString(), "-", "")[:22], To: body.Personalizations[0].To[0].Email,
		Subject: body.Subject, CarepathID: body.CustomArgs["carepath_message_id"]}
	for _, c := range body.Content {
		if c.Type == "text/plain" {
			m.Text = c.Value
		}
	}
	var plan Plan
	if s.Chaos != nil {
		plan = s.Chaos(m)
	}
	if s.ledger.Before(plan) {
		writeError(w, plan.Fault)
		return
	}
	s.mu.Lock()
	m.At = time.Now()
	s.mails = append(s.mails, m)
	s.mu.Unlock()
	if s.BeforeAnswer != nil {
		s.BeforeAnswer(m)
	}
	if s.ledger.AfterAccept(m.ID, plan) {
		writeError(w, plan.Fault)
		return
	}
	w.Header().Set("X-Message-Id", m.ID)
	w.WriteHeader(http.StatusAccepted)
}

// To returns the mails sent to an address.
func (s *Server) To(addr string) []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Mail
	for _, m := range s.mails {
		if strings.EqualFold(m.To, addr) {
			out = append(out, m)
		}
	}
	return out
}

// Mails returns a copy of every accepted mail, in order.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}
